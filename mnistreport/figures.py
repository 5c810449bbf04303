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
    "en": {"digit": "Digit", "share": "Share of the set (%)", "train": "Training set", "test": "Test set"},
    "ja": {"digit": "数字", "share": "データセット内の割合 (%)", "train": "訓練データ", "test": "テストデータ"},
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


def save_pixels(picture: np.ndarray, path: Path, scale: int) -> tuple[int, int]:
    """Write a float picture in [0, 1] (grey or RGB) enlarged ``scale`` times without blurring."""
    data = np.clip(picture * 255.0 + 0.5, 0, 255).astype(np.uint8)
    image = Image.fromarray(data)
    image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
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


def save_chart(fig: plt.Figure, path: Path) -> tuple[int, int]:
    """Write a matplotlib figure as an optimised PNG and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    buffer.seek(0)
    image = Image.open(buffer)
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
    return writer.files, (writer.hits, writer.written)
