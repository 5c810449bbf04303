"""Every picture of the site (the only module that imports matplotlib).

Two layers: drawing primitives over plain arrays (``tile``, ``tint``,
``map_scatter``, ...), and below them one draw function per figure of the site,
each taking the ``Results`` (and, for per-digit figures, the digit; for charts
with words, that language's ``[chart]`` words from ``content/<lang>/words.toml``).
The chapters declare which figure name uses which draw function.

Pictures of digits (mosaics, mean images, grids) are assembled pixel by pixel
with NumPy and Pillow at an integer scale, so each digit stays crisp. Charts
with words are drawn with matplotlib once per language, in the IPAex Gothic
font that ``matplotlib-fontja`` installs (it has Latin and Japanese glyphs).
Pictures without words are written once and shared by both languages; their
captions live in the HTML.
"""

from __future__ import annotations

import contextlib
import importlib
import io
from pathlib import Path
from typing import Iterator, Mapping

import matplotlib
import numpy as np
from PIL import Image

from mnistreport.results import Results
from mnistreport.render.style import CLASS_COLOURS, hex_to_rgb  # noqa: E402
from mnistreport.analysis.writers import SetWriters, prolific_writers, writer_digits  # noqa: E402

ChartWords = Mapping[str, str]  # the [chart] section of one language's words.toml


class _Pyplot:
    """``matplotlib.pyplot`` (with the Agg backend), imported on first use: a rebuild whose
    figures all come from the cache never pays the 0.4 s its import costs."""

    def __getattr__(self, name: str):
        matplotlib.use("Agg")
        return getattr(importlib.import_module("matplotlib.pyplot"), name)


plt = _Pyplot()


# --- pixel pictures ----------------------------------------------------------------


def tint(images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Grey digits (N, h, w) uint8 -> RGB (N, h, w, 3) floats: ink in the class colour on white."""
    ink = images.astype(np.float32)[..., None] / 255.0
    colours = np.array([hex_to_rgb(CLASS_COLOURS[int(d)]) for d in labels], np.float32)[:, None, None, :]
    return 1.0 - ink * (1.0 - colours)


def tile(cells: np.ndarray, rows: int, cols: int, gap: int = 0, background: float = 1.0) -> np.ndarray:
    """Arrange (rows*cols, h, w[, 3]) cells into one picture, with ``gap`` pixels between cells."""
    n, h, w = cells.shape[:3]
    if n != rows * cols:
        raise ValueError(f"tile: {n} cells do not fill {rows}x{cols}")
    extra = cells.shape[3:]
    canvas = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap) + extra, background, np.float32)
    for index in range(n):
        r, c = divmod(index, cols)
        canvas[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = cells[index]
    return canvas


def colormap(values: np.ndarray, name: str, vmin: float, vmax: float) -> np.ndarray:
    """Map values to RGB floats with a matplotlib colour map."""
    normalised = np.clip((values - vmin) / (vmax - vmin), 0.0, 1.0)
    return matplotlib.colormaps[name](normalised)[..., :3].astype(np.float32)


def save_pixels(picture: np.ndarray, path: Path, scale: int = 1, shrink: int = 1, palette: bool = False) -> tuple[int, int]:
    """Write a float picture in [0, 1] (grey or RGB): enlarged ``scale`` times without blurring,
    or reduced ``shrink`` times with area averaging (for previews of large pictures).

    ``palette=True`` stores the colours as a 256-colour palette, which keeps large
    tinted mosaics several times smaller with no visible change.
    """
    data = np.clip(picture * 255.0 + 0.5, 0, 255).astype(np.uint8)
    image = Image.fromarray(data)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    if shrink > 1:
        image = image.resize((image.width // shrink, image.height // shrink), Image.Resampling.BOX)
    if palette and image.mode == "RGB":
        image = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(path, optimize=True)
    return image.width, image.height


def first_image(image: np.ndarray) -> np.ndarray:
    """The first training image as dark ink on white."""
    return 1.0 - image.astype(np.float32) / 255.0


def class_statistics(mean: np.ndarray, std: np.ndarray, overall_mean: np.ndarray) -> np.ndarray:
    """Three rows of ten: mean image (grey), mean minus the mean of all digits (diverging), std (magma)."""
    k = len(mean)
    difference = mean - overall_mean[None]
    limit = float(np.abs(difference).max()) or 1.0
    rows = [
        colormap(1.0 - mean, "gray", 0.0, 1.0),
        colormap(difference, "RdBu_r", -limit, limit),
        colormap(std, "magma", 0.0, max(float(std.max()), 1e-6)),
    ]
    return tile(np.concatenate(rows), 3, k, gap=2)


def digit_statistics(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """One digit's mean (grey) and standard deviation (magma) side by side."""
    cells = np.stack([colormap(1.0 - mean, "gray", 0.0, 1.0), colormap(std, "magma", 0.0, max(float(std.max()), 1e-6))])
    return tile(cells, 1, 2, gap=2)


def map_thumbnails(coords: np.ndarray, images: np.ndarray, labels: np.ndarray, size: int = 1600) -> np.ndarray:
    """Each digit's own tinted image drawn at its map position (y up), darker ink winning overlaps."""
    cell = images.shape[1]
    canvas = np.ones((size + cell, size + cell, 3), np.float32)
    tinted = tint(images, labels)
    xs = np.round(coords[:, 0] * size).astype(int)
    ys = np.round((1.0 - coords[:, 1]) * size).astype(int)
    for x, y, picture in zip(xs, ys, tinted):
        region = canvas[y : y + cell, x : x + cell]
        np.minimum(region, picture, out=region)
    return canvas


def grid_picture(images: np.ndarray, labels: np.ndarray, cell_of_point: np.ndarray, side: int) -> np.ndarray:
    """Every digit tinted and drawn in its grid cell; grid row 0 (y = 0) at the bottom, as on the map."""
    cells = np.ones((side * side,) + images.shape[1:] + (3,), np.float32)
    rows, cols = np.divmod(cell_of_point, side)
    cells[(side - 1 - rows) * side + cols] = tint(images, labels)
    return tile(cells, side, side)


def _square_axes(size_inches: float = 7.0):
    fig, ax = plt.subplots(figsize=(size_inches, size_inches), dpi=110)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _class_colours(labels: np.ndarray) -> list[str]:
    return [CLASS_COLOURS[int(d)] for d in labels]


def map_scatter(coords: np.ndarray, labels: np.ndarray, point_size: float = 6.0) -> plt.Figure:
    """The map as dots coloured by class, each class's digit written at its median point."""
    import matplotlib.patheffects as effects

    fig, ax = _square_axes()
    ax.scatter(coords[:, 0], coords[:, 1], s=point_size, c=_class_colours(labels), linewidths=0)
    for digit in np.unique(labels):
        median = np.median(coords[labels == digit], axis=0)
        ax.text(median[0], median[1], str(int(digit)), fontsize=24, ha="center", va="center",
                color=CLASS_COLOURS[int(digit)], path_effects=[effects.withStroke(linewidth=4, foreground="white")])
    fig.tight_layout(pad=0.2)
    return fig


def grid_arrows(coords: np.ndarray, grid_xy: np.ndarray, labels: np.ndarray) -> plt.Figure:
    """A line from each digit's map position to its grid node, coloured by class, with a dot at the node."""
    from matplotlib.collections import LineCollection

    fig, ax = _square_axes()
    segments = np.stack([coords, grid_xy], axis=1)
    colours = _class_colours(labels)
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=0.6, alpha=0.8))
    ax.scatter(grid_xy[:, 0], grid_xy[:, 1], s=2.5, c=colours, linewidths=0)
    fig.tight_layout(pad=0.2)
    return fig


# --- charts --------------------------------------------------------------------------


# Every figure is drawn and saved inside this style, starting from matplotlib's defaults,
# so no figure depends on what an earlier one changed. IPAex Gothic (from
# matplotlib-fontja) has both Latin and Japanese glyphs.
CHART_STYLE = {"font.family": "IPAexGothic", "font.size": 11}


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """matplotlib's defaults plus ``CHART_STYLE``, restored to what they were on leaving."""
    import matplotlib_fontja  # noqa: F401  (registers the font)

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(CHART_STYLE)
        yield


def label_distribution_chart(train_counts: list[int], test_counts: list[int], words: ChartWords) -> plt.Figure:
    """Share of each digit in the training and test sets, side by side."""
    digits = np.arange(10)
    train = 100.0 * np.array(train_counts) / max(sum(train_counts), 1)
    test = 100.0 * np.array(test_counts) / max(sum(test_counts), 1)
    fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=110)
    ax.bar(digits - 0.2, train, width=0.4, color=CLASS_COLOURS, label=words["train"])
    ax.bar(digits + 0.2, test, width=0.4, color=CLASS_COLOURS, alpha=0.45, hatch="//", edgecolor="white", label=words["test"])
    ax.set_xticks(digits)
    ax.set_xlabel(words["digit"])
    ax.set_ylabel(words["share"])
    ax.axhline(10.0, color="#555", lw=0.8, ls=":")
    ax.spines[["top", "right"]].set_visible(False)
    legend = ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    for handle in legend.legend_handles:
        handle.set_facecolor("#888")
    fig.tight_layout()
    return fig


def perplexity_panel_chart(maps: list, labels: np.ndarray, words: ChartWords) -> plt.Figure:
    """The same digits embedded at each perplexity, as a 3-column panel of scatters."""
    rows = -(-len(maps) // 3)
    fig, axes = plt.subplots(rows, 3, figsize=(9, 3.1 * rows), dpi=100)
    for ax in axes.flat:
        ax.axis("off")
    for ax, result in zip(axes.flat, maps):
        ax.scatter(result.coords[:, 0], result.coords[:, 1], s=3, c=_class_colours(labels), linewidths=0)
        ax.set_aspect("equal")
        ax.set_title(words["perplexity_title"].format(p=result.perplexity), fontsize=12)
    fig.tight_layout()
    return fig


def loss_curves_chart(loss: list[float], val_loss: list[float], test_loss: float, words: ChartWords) -> plt.Figure:
    """Training and validation loss per epoch, with the final test loss."""
    epochs = np.arange(1, len(loss) + 1)
    fig, ax = plt.subplots(figsize=(7.5, 3.8), dpi=110)
    ax.plot(epochs, loss, color="#1f77b4", label=words["training"])
    ax.plot(epochs, val_loss, color="#ff7f0e", label=words["validation"])
    ax.axhline(test_loss, color="#555", lw=0.9, ls=":", label=words["test_final"])
    ax.set_xlabel(words["epoch"])
    ax.set_ylabel(words["loss"])
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def count_heatmap(counts: np.ndarray, row_label: str, col_label: str, col_ticks: list[str]) -> plt.Figure:
    """A matrix of counts as a heatmap with the count written in every non-empty cell."""
    rows, cols = counts.shape
    fig, ax = plt.subplots(figsize=(1.0 + 0.62 * cols, 1.0 + 0.55 * rows), dpi=110)
    shown = np.log1p(counts)
    ax.imshow(shown, cmap="Blues", aspect="auto")
    limit = shown.max() * 0.6
    for r in range(rows):
        for c in range(cols):
            if counts[r, c]:
                ax.text(c, r, f"{int(counts[r, c])}", ha="center", va="center", fontsize=8,
                        color="white" if shown[r, c] > limit else "black")
    ax.set_xticks(range(cols), col_ticks, fontsize=9)
    ax.set_yticks(range(rows), [str(r) for r in range(rows)])
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    fig.tight_layout()
    return fig


def autoencoder_examples(originals: np.ndarray, codes: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Three rows: test digits, their codes drawn as small squares (viridis), their reconstructions."""
    side = int(np.ceil(np.sqrt(codes.shape[1])))
    size = originals.shape[1]
    scale = size // side
    padded = np.zeros((len(codes), side * side), np.float32)
    padded[:, : codes.shape[1]] = codes / max(float(codes.max()), 1e-9)
    squares = colormap(np.kron(padded.reshape(-1, side, side), np.ones((scale, scale))), "viridis", 0.0, 1.0)
    pad = (size - side * scale) // 2
    code_cells = np.ones((len(codes), size, size, 3), np.float32)
    code_cells[:, pad : pad + side * scale, pad : pad + side * scale] = squares
    grey = lambda x: np.repeat((1.0 - x.reshape(-1, size, size))[..., None], 3, axis=3)  # noqa: E731
    rows = np.concatenate([grey(originals.astype(np.float32) / 255.0), code_cells, grey(reconstructions)])
    return tile(rows, 3, len(codes), gap=2)


def labelled_gallery(images: np.ndarray, titles: list[str], colours: list[str], columns: int = 10) -> plt.Figure:
    """Small images with a short title each (digits and arrows only, so no language is needed)."""
    rows = max(1, -(-len(images) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.85, rows * 1.05), dpi=110)
    for ax in np.atleast_1d(axes).flat:
        ax.axis("off")
    for ax, image, title, colour in zip(np.atleast_1d(axes).flat, images, titles, colours):
        ax.imshow(255 - image, cmap="gray", vmin=0, vmax=255)
        ax.set_title(title, fontsize=11, color=colour)
    fig.tight_layout(pad=0.3)
    return fig


def save_chart(fig: plt.Figure, path: Path) -> tuple[int, int]:
    """Write a matplotlib figure as an optimised 256-colour PNG and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    buffer.seek(0)
    image = Image.open(buffer).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(path, optimize=True)
    return image.width, image.height




# --- the site's figures: one draw function each, declared by the chapters -------------


def mistake_titles(true: np.ndarray, predicted: np.ndarray) -> tuple[list[str], list[str]]:
    """'7→2' under each misclassified digit, in the colour of the (wrong) prediction."""
    return [f"{t}→{p}" for t, p in zip(true, predicted)], [CLASS_COLOURS[int(p)] for p in predicted]


def mistakes_gallery(r: Results, wrong: np.ndarray, predictions: np.ndarray) -> plt.Figure:
    """Test digits at indices ``wrong``, each titled true → predicted."""
    data = r.data
    return labelled_gallery(data.test_images[wrong], *mistake_titles(data.test_labels[wrong], predictions[wrong]))


def tinted_tile(images: np.ndarray, labels: np.ndarray, rows: int, cols: int, gap: int = 0) -> np.ndarray:
    """Digits tinted by class, tiled ``rows`` x ``cols``."""
    return tile(tint(images, labels), rows, cols, gap=gap)


# chapter 1
def first_training_image(r: Results) -> np.ndarray:
    return first_image(r.data.train_images[0])


def label_distribution(r: Results, words: ChartWords) -> plt.Figure:
    return label_distribution_chart(r.train_counts, r.test_counts, words)


# chapter 2 and the digit pages
def mosaic(r: Results) -> np.ndarray:
    chosen = r.samples.mosaic
    return tinted_tile(r.data.train_images[chosen], r.data.train_labels[chosen], *r.samples.mosaic_shape)


def class_statistics_of(r: Results) -> np.ndarray:
    stats = r.class_images
    return class_statistics(stats.mean, stats.std, stats.overall_mean)


def digit_samples(r: Results, digit: int) -> np.ndarray:
    chosen = r.samples.per_digit[digit]
    side = int(round(len(chosen) ** 0.5))
    return tinted_tile(r.data.train_images[chosen], r.data.train_labels[chosen], side, side, gap=1)


def digit_statistics_of(r: Results, digit: int) -> np.ndarray:
    return digit_statistics(r.class_images.mean[digit], r.class_images.std[digit])


# chapter 3
def tsne_scatter(r: Results) -> plt.Figure:
    return map_scatter(r.tsne.map.coords, r.labels_of(r.tsne))


def tsne_thumbnails(r: Results) -> np.ndarray:
    return map_thumbnails(r.tsne.map.coords, r.images_of(r.tsne), r.labels_of(r.tsne))


def tsne_big_scatter(r: Results) -> plt.Figure:
    return map_scatter(r.tsne_big.map.coords, r.labels_of(r.tsne_big), point_size=2.0)


# chapter 4
def perplexity_panel(r: Results, words: ChartWords) -> plt.Figure:
    sweep = r.perplexity_sweep
    return perplexity_panel_chart(sweep.maps, r.data.train_labels[sweep.indices], words)


# chapter 5 and the digit pages
def tsne_grid_arrows(r: Results) -> plt.Figure:
    return grid_arrows(r.tsne.map.coords, r.tsne.grid.grid_xy, r.labels_of(r.tsne))


def tsne_grid(r: Results) -> np.ndarray:
    g = r.tsne.grid
    return grid_picture(r.images_of(r.tsne), r.labels_of(r.tsne), g.cell_of_point, g.side)


def mismatched_grid(r: Results) -> np.ndarray:
    shuffled = r.tsne.indices[r.mismatch.permutation]
    g = r.tsne.grid
    return grid_picture(r.data.train_images[shuffled], r.data.train_labels[shuffled], g.cell_of_point, g.side)


def digit_map(r: Results, digit: int) -> np.ndarray:
    m = r.digit_maps[digit]
    return map_thumbnails(m.map.coords, r.images_of(m), r.labels_of(m))


def digit_grid(r: Results, digit: int) -> np.ndarray:
    m = r.digit_maps[digit]
    return grid_picture(r.images_of(m), r.labels_of(m), m.grid.cell_of_point, m.grid.side)


def all_digit_grids(r: Results) -> np.ndarray:
    return tile(np.stack([digit_grid(r, d) for d in range(len(r.digit_maps))]), 2, 5, gap=28)


# chapter 6
def loss_curves(r: Results, words: ChartWords) -> plt.Figure:
    ae = r.autoencoder
    return loss_curves_chart(ae.loss, ae.val_loss, ae.test_loss, words)


def autoencoder_examples_of(r: Results) -> np.ndarray:
    ae = r.autoencoder
    return autoencoder_examples(r.data.test_images[ae.example_indices], ae.example_codes, ae.example_reconstructions)


def _cluster_order(r: Results) -> np.ndarray:
    """Clusters sorted by the digit they are named after (the order of the chapter's table)."""
    return np.argsort(r.kmeans_codes.cluster_names, kind="stable")


def cluster_confusion(r: Results, words: ChartWords) -> plt.Figure:
    codes, order = r.kmeans_codes, _cluster_order(r)
    ticks = [f"{c}→{codes.cluster_names[c]}" for c in order]
    return count_heatmap(codes.confusion[:, order], words["true"], words["cluster"], ticks)


def cluster_examples(r: Results) -> np.ndarray:
    examples = r.cluster_style.examples[_cluster_order(r)]
    cells = np.ones((examples.size, 28, 28, 3), np.float32)
    valid = examples.ravel() >= 0
    chosen = examples.ravel()[valid]
    cells[valid] = tint(r.data.train_images[chosen], r.data.train_labels[chosen])
    return tile(cells, examples.shape[0], examples.shape[1], gap=2)


# chapter 7 and the digit pages
def mlp_confusion(r: Results, words: ChartWords) -> plt.Figure:
    return count_heatmap(r.mlp.confusion, words["true"], words["predicted"], [str(d) for d in range(10)])


def mlp_mistakes(r: Results) -> plt.Figure:
    return mistakes_gallery(r, r.mlp.misclassified[:40], r.mlp.predictions)


def digit_mistakes(r: Results, digit: int) -> plt.Figure:
    wrong = r.mlp.misclassified
    return mistakes_gallery(r, wrong[r.data.test_labels[wrong] == digit][:20], r.mlp.predictions)


def cnn_confusion(r: Results, words: ChartWords) -> plt.Figure:
    return count_heatmap(r.cnn.confusion, words["true"], words["predicted"], [str(d) for d in range(10)])


def _disagreement_gallery(r: Results, indices: np.ndarray) -> plt.Figure:
    """Test digits titled 'true→MLP|CNN' (both answers), in the colour of the true digit."""
    data, chosen = r.data, indices[:30]
    titles = [f"{t}→{m}|{c}" for t, m, c in zip(data.test_labels[chosen], r.mlp.predictions[chosen],
                                                   r.cnn.predictions[chosen])]
    return labelled_gallery(data.test_images[chosen], titles, [CLASS_COLOURS[int(t)] for t in data.test_labels[chosen]])


def only_mlp_wrong(r: Results) -> plt.Figure:
    return _disagreement_gallery(r, r.comparison.only_a_wrong)


def only_cnn_wrong(r: Results) -> plt.Figure:
    return _disagreement_gallery(r, r.comparison.only_b_wrong)


def both_wrong(r: Results) -> plt.Figure:
    return _disagreement_gallery(r, r.comparison.both_wrong)


def digit_both_wrong(r: Results, digit: int) -> plt.Figure:
    wrong = r.comparison.both_wrong
    return _disagreement_gallery(r, wrong[r.data.test_labels[wrong] == digit])


# chapter 5's grid of all digits
def small_tinted(images: np.ndarray, labels: np.ndarray, size: int) -> np.ndarray:
    """Digits shrunk to ``size`` x ``size`` by area averaging (28 must be a multiple), tinted by class."""
    n, h, w = images.shape
    shrunk = images.reshape(n, size, h // size, size, w // size).mean(axis=(2, 4))
    return tint(np.round(shrunk).astype(np.uint8), labels)


def all_digits_grid(r: Results, cell: int = 4) -> np.ndarray:
    """Every digit in its cell of the all-digit grid, each ``cell`` pixels wide; row 0 at the bottom, empty cells white."""
    g = r.all_grid
    canvas = np.ones((g.rows * g.cols, cell, cell, 3), np.float32)
    rows, cols = np.divmod(g.cell_of_point, g.cols)
    canvas[(g.rows - 1 - rows) * g.cols + cols] = small_tinted(r.all_images, r.all_labels, cell)
    return canvas.reshape(g.rows, g.cols, cell, cell, 3).transpose(0, 2, 1, 3, 4).reshape(g.rows * cell, g.cols * cell, 3)


# --- chapter 2, the writers (drawn only when the build found QMNIST's provenance) -------

EMPLOYEES_COLOUR, STUDENTS_COLOUR = "#4c72b0", "#dd8452"  # the two NIST collections on every writers chart
MISTAKE_FRAME = (0.84, 0.15, 0.16)


def no_provenance() -> np.ndarray:
    """What a writers figure draws without provenance: one white pixel (the page shows none of them)."""
    return np.ones((1, 1), np.float32)


def writer_block(images: np.ndarray, labels: np.ndarray, wrong: np.ndarray, columns: int) -> np.ndarray:
    """One writer's digits tinted by class in rows of ``columns``, a red frame around each one in ``wrong``."""
    cells = np.ones((-(-len(images) // columns) * columns, 30, 30, 3), np.float32)
    cells[: len(images), 1:29, 1:29] = tint(images, labels)
    for index in np.flatnonzero(wrong):
        cell = cells[index]
        cell[[0, 1, 28, 29], :] = MISTAKE_FRAME
        cell[:, [0, 1, 28, 29]] = MISTAKE_FRAME
    return tile(cells, len(cells) // columns, columns, gap=1)


def stack_blocks(blocks: list[np.ndarray], gap: int = 14) -> np.ndarray:
    """Pictures one under another, left-aligned, ``gap`` white pixels apart."""
    width = max(b.shape[1] for b in blocks)
    parts = []
    for block in blocks:
        padded = np.ones((block.shape[0], width, 3), np.float32)
        padded[:, : block.shape[1]] = block
        parts += [padded, np.ones((gap, width, 3), np.float32)]
    return np.concatenate(parts[:-1])


def collection_histogram(ax, values: np.ndarray, student: np.ndarray, bins: np.ndarray, words: ChartWords) -> None:
    """Writers counted per bin of ``values``, the two collections stacked."""
    ax.hist([values[~student], values[student]], bins, stacked=True, color=[EMPLOYEES_COLOUR, STUDENTS_COLOUR],
            label=[words["employees"], words["students"]])
    ax.spines[["top", "right"]].set_visible(False)


def writers_per_writer_chart(train: SetWriters, test: SetWriters, words: ChartWords) -> plt.Figure:
    """How many digits each writer wrote, in the training and the test set, by collection."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), dpi=110)
    top = int(max(train.digits_per_writer.max(), test.digits_per_writer.max()))
    bins = np.arange(0, top + 6, 5)
    for ax, part, title in zip(axes, (train, test), (words["train"], words["test"])):
        collection_histogram(ax, part.digits_per_writer, part.student_writer, bins, words)
        ax.set_title(title)
        ax.set_xlabel(words["digits_per_writer"])
        ax.set_ylabel(words["writers"])
    axes[0].legend(frameon=False)
    fig.tight_layout()
    return fig


def writer_error_chart(rate: np.ndarray, student: np.ndarray, words: ChartWords) -> plt.Figure:
    """The distribution of the error rate per test writer, by collection."""
    fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=110)
    bins = np.linspace(0, max(float(rate.max()), 0.01) * 100 + 2, 26)
    collection_histogram(ax, rate * 100, student, bins, words)
    ax.set_xlabel(words["writer_error"])
    ax.set_ylabel(words["writers"])
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def writer_on_map(coords: np.ndarray, chosen: np.ndarray, labels: np.ndarray) -> plt.Figure:
    """Every digit as a faint grey dot; one writer's digits as large dots in their class colours, labelled."""
    import matplotlib.patheffects as effects

    fig, ax = _square_axes()
    ax.scatter(coords[:, 0], coords[:, 1], s=0.4, c="#c8c8c8", linewidths=0, rasterized=True)
    ax.scatter(coords[chosen, 0], coords[chosen, 1], s=42, c=_class_colours(labels[chosen]), edgecolors="white",
               linewidths=0.8)
    for (x, y), digit in zip(coords[chosen], labels[chosen]):
        ax.text(x, y, str(int(digit)), fontsize=7, ha="center", va="center", color="white",
                path_effects=[effects.withStroke(linewidth=1.5, foreground="black")])
    fig.tight_layout(pad=0.2)
    return fig


# chapter 2, the writers
def _all_writers(r: Results) -> np.ndarray:
    p = r.provenance
    return np.concatenate([p.train.writer, p.test.writer])


def writers_per_writer(r: Results, words: ChartWords) -> plt.Figure | np.ndarray:
    if r.writers is None:
        return no_provenance()
    return writers_per_writer_chart(r.writers.train, r.writers.test, words)


def writers_series_means(r: Results) -> np.ndarray:
    """Ten columns: each digit's mean by the employees, by the students, and students minus employees."""
    m = r.series_means
    if m is None:
        return no_provenance()
    employees, students = np.nan_to_num(m.employees) / 255.0, np.nan_to_num(m.students) / 255.0
    difference = students - employees
    limit = float(np.abs(difference).max()) or 1.0
    rows = [colormap(1.0 - employees, "gray", 0.0, 1.0), colormap(1.0 - students, "gray", 0.0, 1.0),
            colormap(difference, "RdBu_r", -limit, limit)]
    return tile(np.concatenate(rows), 3, 10, gap=2)


def _hand(r: Results, writer: int, columns: int) -> np.ndarray:
    """All of a test writer's digits, by class, both classifiers' mistakes framed."""
    p, data = r.provenance.test, r.data
    chosen = writer_digits(p.writer, data.test_labels, p.writer_index, writer)
    wrong = (r.mlp.predictions[chosen] != data.test_labels[chosen]) | (r.cnn.predictions[chosen] != data.test_labels[chosen])
    return writer_block(data.test_images[chosen], data.test_labels[chosen], wrong, columns)


def _hands(r: Results, collection: str) -> np.ndarray:
    if r.writer_errors is None or collection not in r.writer_errors.galleries:
        return no_provenance()
    g = r.writer_errors.galleries[collection]
    return stack_blocks([_hand(r, writer, 30) for writer in (g.easiest, g.typical, g.hardest)])


def writers_hands_employees(r: Results) -> np.ndarray:
    return _hands(r, "employees")


def writers_hands_students(r: Results) -> np.ndarray:
    return _hands(r, "students")


def writers_hardest(r: Results) -> np.ndarray:
    if r.writer_errors is None:
        return no_provenance()
    return stack_blocks([_hand(r, writer, 30) for writer in r.writer_errors.overall.hardest_few[:3]])


def writer_first(r: Results) -> np.ndarray:
    """All the digits of the writer of MNIST's first training digit, by class."""
    if r.provenance is None:
        return no_provenance()
    p, data = r.provenance.train, r.data
    chosen = writer_digits(p.writer, data.train_labels, p.writer_index, int(p.writer[0]))
    return writer_block(data.train_images[chosen], data.train_labels[chosen], np.zeros(len(chosen), bool), 30)


def writers_error_per_writer(r: Results, words: ChartWords) -> plt.Figure | np.ndarray:
    if r.writer_errors is None:
        return no_provenance()
    e = r.writer_errors
    return writer_error_chart(e.per_writer.rate, e.student_writer, words)


def digit_writers(r: Results, digit: int) -> np.ndarray:
    """The digit by the writers who wrote it most in the training set: employees first, one row each."""
    p, data = r.provenance, r.data
    if p is None:
        return no_provenance()
    rows = []
    for writers_ in prolific_writers(data.train_labels, p.train.series, p.train.writer, digit).values():
        for who in writers_:
            chosen = np.flatnonzero((p.train.writer == who) & (data.train_labels == digit))[:12]
            rows.append(writer_block(data.train_images[chosen], data.train_labels[chosen],
                                     np.zeros(len(chosen), bool), 12))
    return stack_blocks(rows, gap=6) if rows else no_provenance()


def writers_map(r: Results) -> plt.Figure | np.ndarray:
    if r.provenance is None:
        return no_provenance()
    writer = _all_writers(r)
    return writer_on_map(r.all_map.coords, np.flatnonzero(writer == writer[0]), r.all_labels)
