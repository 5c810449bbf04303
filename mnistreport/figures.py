"""Every picture of the site, written as PNG files (the only module that imports matplotlib).

Pictures of digits (mosaics, mean images, grids) are assembled pixel by pixel
with NumPy and Pillow at an integer scale, so each digit stays crisp. Charts
with words (axis labels, legends) are drawn with matplotlib once per language;
the Japanese version uses the IPAex Gothic font that ``matplotlib-fontja``
installs with the project. Pictures without words are written once and shared
by both languages; their captions live in the HTML.
"""

from __future__ import annotations

import io
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from .cache import cache_key, code_fingerprint  # noqa: E402
from . import style  # noqa: E402
from .style import CLASS_COLOURS, hex_to_rgb  # noqa: E402

if TYPE_CHECKING:
    from .cache import Cache
    from .pipeline import Results

FIGURE_DIR = "figures"


@dataclass(frozen=True)
class FigureFile:
    """A written figure: its path relative to the site root and its pixel size."""

    path: str
    width: int
    height: int
    bytes: int


# Words that appear inside charts, per language.
CHART_WORDS = {
    "en": {"digit": "Digit", "share": "Share of the set (%)", "train": "Training set", "test": "Test set",
           "epoch": "Epoch", "loss": "Binary cross-entropy", "training": "training", "validation": "validation",
           "test_final": "test (final weights)", "true": "True digit", "predicted": "Predicted digit",
           "cluster": "Cluster (→ digit it is named after)"},
    "ja": {"digit": "数字", "share": "データセット内の割合 (%)", "train": "訓練データ", "test": "テストデータ",
           "epoch": "エポック", "loss": "2 値交差エントロピー", "training": "訓練", "validation": "検証",
           "test_final": "テスト (最終の重み)", "true": "正解の数字", "predicted": "予測した数字",
           "cluster": "クラスタ (→ 名前にした数字)"},
}


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


def _chart_style(lang: str) -> None:
    """Fonts for charts: IPAex Gothic (from matplotlib-fontja) has both Latin and Japanese glyphs."""
    import matplotlib_fontja  # noqa: F401  (registers the font and selects it)

    plt.rcParams["font.family"] = "IPAexGothic"
    plt.rcParams["font.size"] = 11


def label_distribution(train_counts: list[int], test_counts: list[int], lang: str) -> plt.Figure:
    """Share of each digit in the training and test sets, side by side."""
    _chart_style(lang)
    words = CHART_WORDS[lang]
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


PERPLEXITY_WORD = {"en": "perplexity {p:g}", "ja": "パープレキシティ {p:g}"}


def perplexity_panel(maps: list, labels: np.ndarray, lang: str) -> plt.Figure:
    """The same digits embedded at each perplexity, as a 3-column panel of scatters."""
    _chart_style(lang)
    rows = -(-len(maps) // 3)
    fig, axes = plt.subplots(rows, 3, figsize=(9, 3.1 * rows), dpi=100)
    for ax in axes.flat:
        ax.axis("off")
    for ax, result in zip(axes.flat, maps):
        ax.scatter(result.coords[:, 0], result.coords[:, 1], s=3, c=_class_colours(labels), linewidths=0)
        ax.set_aspect("equal")
        ax.set_title(PERPLEXITY_WORD[lang].format(p=result.perplexity), fontsize=12)
    fig.tight_layout()
    return fig


def loss_curves(loss: list[float], val_loss: list[float], test_loss: float, lang: str) -> plt.Figure:
    """Training and validation loss per epoch, with the final test loss."""
    _chart_style(lang)
    words = CHART_WORDS[lang]
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


def count_heatmap(counts: np.ndarray, row_label: str, col_label: str, col_ticks: list[str], lang: str) -> plt.Figure:
    """A matrix of counts as a heatmap with the count written in every non-empty cell."""
    _chart_style(lang)
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


# --- writing all figures -------------------------------------------------------------


class FigureWriter:
    """Writes figures under ``site_dir/figures``, reusing drawn files from the cache.

    Each figure names the steps it is drawn from; its cache key combines their
    keys with this module's code, so an edit to Markdown or a template reuses
    every figure, and a new parameter redraws only the figures that depend on it.
    """

    def __init__(self, site_dir: Path, cache: "Cache", step_keys: dict[str, str]) -> None:
        self.site_dir, self.cache, self.step_keys = site_dir, cache, step_keys
        self.code = code_fingerprint([sys.modules[__name__], style])
        self.files: dict[tuple[str, str], FigureFile] = {}
        self.hits = 0
        self.written = 0

    def _write(self, name: str, variant: str, depends: tuple[str, ...], make: Callable[[Path], tuple[int, int]],
               relative: str, langs: tuple[str, ...]) -> None:
        key = cache_key(f"figure {name} {variant}", [self.step_keys[d] for d in depends], "", self.code)
        size: list[tuple[int, int]] = []
        cached, hit = self.cache.file(key, ".png", lambda path: size.append(make(path)))
        self.hits += hit
        self.written += 1
        target = self.site_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
        width, height = size[0] if size else Image.open(target).size
        info = FigureFile(relative, width, height, target.stat().st_size)
        for lang in langs:
            self.files[(lang, name)] = info

    def pixels(self, name: str, draw: Callable[[], np.ndarray], scale: int, langs: tuple[str, ...],
               depends: tuple[str, ...]) -> None:
        """A picture without words: one file for every language."""
        self._write(name, "pixels", depends, lambda path: save_pixels(draw(), path, scale),
                    f"{FIGURE_DIR}/{name}.png", langs)

    def large(self, name: str, draw: Callable[[], np.ndarray], shrink: int, langs: tuple[str, ...],
              depends: tuple[str, ...]) -> None:
        """A large picture: ``name-full`` at full resolution, ``name`` a preview ``shrink`` times smaller."""
        drawn: list[np.ndarray] = []

        def picture() -> np.ndarray:
            if not drawn:
                drawn.append(draw())
            return drawn[0]

        self._write(f"{name}-full", "full", depends, lambda path: save_pixels(picture(), path, palette=True),
                    f"{FIGURE_DIR}/{name}-full.png", langs)
        self._write(name, "preview", depends, lambda path: save_pixels(picture(), path, shrink=shrink, palette=True),
                    f"{FIGURE_DIR}/{name}.png", langs)

    def plot(self, name: str, draw: Callable[[], plt.Figure], langs: tuple[str, ...],
             depends: tuple[str, ...]) -> None:
        """A matplotlib figure without words: one file for every language."""
        self._write(name, "plot", depends, lambda path: save_chart(draw(), path), f"{FIGURE_DIR}/{name}.png", langs)

    def chart(self, name: str, draw: Callable[[str], plt.Figure], langs: tuple[str, ...],
              depends: tuple[str, ...]) -> None:
        """A chart with words: one file per language."""
        for lang in langs:
            self._write(name, lang, depends, lambda path: save_chart(draw(lang), path),
                        f"{FIGURE_DIR}/{lang}/{name}.png", (lang,))


def write_figures(results: "Results", site_dir: Path, langs: tuple[str, ...],
                  cache: "Cache") -> tuple[dict[tuple[str, str], FigureFile], tuple[int, int]]:
    """Draw (or reuse) every figure of the site; return ({(lang, name): file}, (cache hits, files))."""
    writer = FigureWriter(site_dir, cache, results.step_keys)
    data = results.data
    stats = results.class_images
    samples = results.samples

    writer.pixels("first-image", lambda: first_image(data.train_images[0]), 10, langs, ("label counts",))
    writer.chart("label-distribution",
                 lambda lang: label_distribution(results.train_counts, results.test_counts, lang),
                 langs, ("label counts",))
    rows, cols = samples.mosaic_shape
    writer.pixels("mosaic", lambda: tile(tint(data.train_images[samples.mosaic], data.train_labels[samples.mosaic]),
                                         rows, cols), 2, langs, ("samples",))
    writer.pixels("class-statistics", lambda: class_statistics(stats.mean, stats.std, stats.overall_mean), 4, langs,
                  ("class images",))

    side = int(round(samples.per_digit.shape[1] ** 0.5))
    for digit in range(10):
        chosen = samples.per_digit[digit]
        writer.pixels(f"digit-{digit}-samples",
                      lambda: tile(tint(data.train_images[chosen], data.train_labels[chosen]), side, side, gap=1),
                      2, langs, ("samples",))
        writer.pixels(f"digit-{digit}-statistics", lambda: digit_statistics(stats.mean[digit], stats.std[digit]),
                      6, langs, ("class images",))
    write_map_figures(writer, results, langs)
    write_model_figures(writer, results, langs)
    return writer.files, (writer.hits, writer.written)


def mistake_titles(true: np.ndarray, predicted: np.ndarray) -> tuple[list[str], list[str]]:
    """'7→2' under each misclassified digit, in the colour of the (wrong) prediction."""
    return [f"{t}→{p}" for t, p in zip(true, predicted)], [CLASS_COLOURS[int(p)] for p in predicted]


def write_model_figures(writer: FigureWriter, results: "Results", langs: tuple[str, ...]) -> None:
    """Chapters 6 and 7 and the digit pages' classifier mistakes."""
    data = results.data
    ae = results.autoencoder
    writer.chart("loss-curves", lambda lang: loss_curves(ae.loss, ae.val_loss, ae.test_loss, lang), langs,
                 ("autoencoder",))
    writer.pixels("autoencoder-examples", lambda: autoencoder_examples(data.test_images[ae.example_indices],
                                                                       ae.example_codes, ae.example_reconstructions),
                  3, langs, ("autoencoder",))
    codes = results.clusters["codes"]
    order = np.argsort(codes.cluster_names, kind="stable")
    ticks = [f"{c}→{codes.cluster_names[c]}" for c in order]
    writer.chart("cluster-confusion",
                 lambda lang: count_heatmap(codes.confusion[:, order], CHART_WORDS[lang]["true"],
                                            CHART_WORDS[lang]["cluster"], ticks, lang),
                 langs, ("k-means on codes",))
    examples = results.cluster_style.examples[order]

    def cluster_examples() -> np.ndarray:
        cells = np.ones((examples.size, 28, 28, 3), np.float32)
        valid = examples.ravel() >= 0
        chosen = examples.ravel()[valid]
        cells[valid] = tint(data.train_images[chosen], data.train_labels[chosen])
        return tile(cells, examples.shape[0], examples.shape[1], gap=2)

    writer.pixels("cluster-examples", cluster_examples, 3, langs, ("cluster styles",))

    net = results.mlp
    writer.chart("mlp-confusion",
                 lambda lang: count_heatmap(net.confusion, CHART_WORDS[lang]["true"], CHART_WORDS[lang]["predicted"],
                                            [str(d) for d in range(10)], lang),
                 langs, ("classifier",))
    wrong = net.misclassified[:40]
    writer.plot("mlp-mistakes",
                lambda: labelled_gallery(data.test_images[wrong],
                                         *mistake_titles(data.test_labels[wrong], net.predictions[wrong])),
                langs, ("classifier",))
    for digit in range(10):
        mine = net.misclassified[data.test_labels[net.misclassified] == digit][:20]
        writer.plot(f"digit-{digit}-mistakes",
                    lambda: labelled_gallery(data.test_images[mine],
                                             *mistake_titles(data.test_labels[mine], net.predictions[mine])),
                    langs, ("classifier",))


def write_map_figures(writer: FigureWriter, results: "Results", langs: tuple[str, ...]) -> None:
    """Chapters 3-5 and the digit pages' maps and grids."""
    images, labels = results.data.train_images, results.data.train_labels
    main = results.tsne
    main_labels = labels[main.indices]
    main_step = ("t-SNE map and grid",)
    writer.plot("tsne-scatter", lambda: map_scatter(main.map.coords, main_labels), langs, main_step)
    writer.large("tsne-thumbnails", lambda: map_thumbnails(main.map.coords, images[main.indices], main_labels),
                 2, langs, main_step)
    big = results.tsne_big
    writer.plot("tsne-big-scatter", lambda: map_scatter(big.map.coords, labels[big.indices], point_size=2.0),
                langs, ("t-SNE of raw pixels",))
    sweep_labels = labels[results.perplexity_indices]
    writer.chart("perplexity-panel", lambda lang: perplexity_panel(results.perplexity_maps, sweep_labels, lang),
                 langs, ("perplexity sweep",))
    assert main.grid is not None
    writer.plot("grid-arrows", lambda: grid_arrows(main.map.coords, main.grid.grid_xy, main_labels), langs, main_step)
    writer.large("grid", lambda: grid_picture(images[main.indices], main_labels, main.grid.cell_of_point,
                                              main.grid.side), 2, langs, main_step)
    shuffled = main.indices[results.mismatch.permutation]
    writer.large("grid-mismatch", lambda: grid_picture(images[shuffled], labels[shuffled], main.grid.cell_of_point,
                                                       main.grid.side), 2, langs, ("mismatched pairing",))
    for digit, digit_map in enumerate(results.digit_maps):
        step = (f"digit {digit}: t-SNE map and grid",)
        chosen = digit_map.indices
        writer.large(f"digit-{digit}-map", lambda: map_thumbnails(digit_map.map.coords, images[chosen], labels[chosen]),
                     2, langs, step)
        writer.large(f"digit-{digit}-grid", lambda: grid_picture(images[chosen], labels[chosen],
                                                                 digit_map.grid.cell_of_point, digit_map.grid.side),
                     2, langs, step)

    def all_grids() -> np.ndarray:
        pictures = np.stack([grid_picture(images[m.indices], labels[m.indices], m.grid.cell_of_point, m.grid.side)
                             for m in results.digit_maps])
        return tile(pictures, 2, 5, gap=28)

    writer.large("digit-grids", all_grids, 4, langs, tuple(f"digit {d}: t-SNE map and grid" for d in range(10)))
