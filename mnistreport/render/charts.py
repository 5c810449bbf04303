"""Every picture of the site (the only module that imports matplotlib).

Drawing primitives over plain arrays (``tile``, ``tint``, ``map_scatter``,
galleries, charts with words): the chapters' figure functions (``@chapter.figure``)
call them with their steps' values and, for charts with words, that language's
``[chart]`` words from ``content/<lang>/words.toml``.

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
from typing import Any, Callable, Iterator, Mapping

import matplotlib
import numpy as np
from PIL import Image

from mnistreport.analysis.writers import SetWriters
from mnistreport.render.style import CLASS_COLOURS, hex_to_rgb

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


def draw_and_save(draw: Callable[[], Any], paths: list[tuple[Path, dict[str, Any]]]) -> None:
    """Draw one figure inside a fresh chart style (nothing inherited from earlier figures) and save it to each
    path with its options: pixels (an array in [0, 1]: ``scale``, ``shrink``, ``palette``) or a matplotlib figure."""
    with style_context():
        drawn = draw()
        for path, options in paths:
            if isinstance(drawn, np.ndarray):
                save_pixels(drawn, path, **options)
            else:
                save_chart(drawn, path)


def shrink_png(source: Path, target: Path, width: int) -> None:
    """Write ``source`` reduced to ``width`` pixels wide (Lanczos), a palette PNG staying one."""
    with Image.open(source) as image:
        palette = image.mode == "P"
        small = image.convert("RGB" if palette else image.mode)
        small = small.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
    if palette:
        small = small.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(target, optimize=True)


# --- galleries and tiles ------------------------------------------------------------


def mistake_titles(true: np.ndarray, predicted: np.ndarray) -> tuple[list[str], list[str]]:
    """'7→2' under each misclassified digit, in the colour of the (wrong) prediction."""
    return [f"{t}→{p}" for t, p in zip(true, predicted)], [CLASS_COLOURS[int(p)] for p in predicted]


def mistakes_gallery(images: np.ndarray, labels: np.ndarray, predictions: np.ndarray) -> plt.Figure:
    """Misclassified digits, each titled true → predicted (the arrays: those digits only)."""
    return labelled_gallery(images, *mistake_titles(labels, predictions))


def disagreement_gallery(images: np.ndarray, labels: np.ndarray, first: np.ndarray, second: np.ndarray) -> plt.Figure:
    """Digits titled 'true→first|second' (two classifiers' answers), in the colour of the true digit."""
    titles = [f"{t}→{a}|{b}" for t, a, b in zip(labels, first, second)]
    return labelled_gallery(images, titles, [CLASS_COLOURS[int(t)] for t in labels])


def tinted_tile(images: np.ndarray, labels: np.ndarray, rows: int, cols: int, gap: int = 0) -> np.ndarray:
    """Digits tinted by class, tiled ``rows`` x ``cols``."""
    return tile(tint(images, labels), rows, cols, gap=gap)


# the grid of all digits (the grid chapter)
def small_tinted(images: np.ndarray, labels: np.ndarray, size: int) -> np.ndarray:
    """Digits shrunk to ``size`` x ``size`` by area averaging (28 must be a multiple), tinted by class."""
    n, h, w = images.shape
    shrunk = images.reshape(n, size, h // size, size, w // size).mean(axis=(2, 4))
    return tint(np.round(shrunk).astype(np.uint8), labels)


# --- the writers chapter ---------------------------------------------------------------

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


