"""The grid chapter (``grid``): the map snapped onto a grid, each digit on its own grid, the mismatch,
and the grid of all digits (computed by the explorer's chapter, ``explore``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mnistreport.analysis import embedding, sample_maps
from mnistreport.analysis.grid import LargeGridResult, Mismatch, mismatched_pairing
from mnistreport.analysis.sample_maps import SampleMap
from mnistreport.config import Grid, Tsne
from mnistreport.engine.nodes import DIGITS, Chapter
from mnistreport.render import charts
from mnistreport.render.tables import TableWords, grid_row, map_columns, map_row
from mnistreport.sources.mnist import MnistData

grid_chapter = Chapter("grid")

#: Pixels per digit (each side) in the picture of the grid of all digits.
ALL_GRID_CELL = 4


@grid_chapter.step
def digit_maps(data: MnistData, tsne_settings: Tsne, grid: Grid, jobs: int) -> list[SampleMap]:
    """Each digit's own PCA + t-SNE map of side² of its training images, snapped onto its grid."""
    labels = data.train_labels
    side = sample_maps.grid_side_for(int(np.bincount(labels, minlength=10).min()), grid.side)
    found = []
    for digit in DIGITS:
        members = np.flatnonzero(labels == digit)
        chosen = members[embedding.sample_indices(members, side * side, tsne_settings.seed)]
        found.append(sample_maps.map_sample(data.train_images, labels, chosen,
                                            pca_components=tsne_settings.pca_components,
                                            perplexity=tsne_settings.perplexity, seed=tsne_settings.seed, jobs=jobs,
                                            grid_side=side, cost_max=grid.cost_max))
    return found


@grid_chapter.step
def mismatch(tsne: SampleMap, data: MnistData, tsne_settings: Tsne) -> Mismatch:
    """The main grid with its images shuffled, and the neighbour agreement the shuffle destroys."""
    return mismatched_pairing(tsne.grid, tsne.labels(data), tsne_settings.seed)


@grid_chapter.figure("grid-arrows")
def grid_arrows(tsne: SampleMap, data: MnistData):
    return charts.grid_arrows(tsne.map.coords, tsne.grid.grid_xy, tsne.labels(data))


@grid_chapter.figure("grid", preview=2)
def main_grid(tsne: SampleMap, data: MnistData) -> np.ndarray:
    g = tsne.grid
    return charts.grid_picture(tsne.images(data), tsne.labels(data), g.cell_of_point, g.side)


@grid_chapter.figure("grid-mismatch", preview=2)
def grid_mismatch(mismatch: Mismatch, tsne: SampleMap, data: MnistData) -> np.ndarray:
    """The main grid's cells, each showing the image of another digit of the map (the shuffled pairing)."""
    shuffled = tsne.indices[mismatch.permutation]
    g = tsne.grid
    return charts.grid_picture(data.train_images[shuffled], data.train_labels[shuffled], g.cell_of_point, g.side)


@grid_chapter.figure("digit-{digit}-map", preview=2)
def digit_map(digit_maps: list[SampleMap], data: MnistData, digit: int) -> np.ndarray:
    m = digit_maps[digit]
    return charts.map_thumbnails(m.map.coords, m.images(data), m.labels(data))


@grid_chapter.figure("digit-{digit}-grid", preview=2)
def digit_grid(digit_maps: list[SampleMap], data: MnistData, digit: int) -> np.ndarray:
    m = digit_maps[digit]
    return charts.grid_picture(m.images(data), m.labels(data), m.grid.cell_of_point, m.grid.side)


@grid_chapter.figure("digit-grids", preview=4)
def digit_grids(digit_maps: list[SampleMap], data: MnistData) -> np.ndarray:
    """The ten per-digit grids, 0-4 on top and 5-9 below."""
    return charts.tile(np.stack([digit_grid(digit_maps, data, d) for d in range(len(digit_maps))]), 2, 5, gap=28)


@grid_chapter.figure("all-digits-grid", preview=2)
def all_digits_grid(all_grid: LargeGridResult, data: MnistData) -> np.ndarray:
    """Every digit in its cell of the all-digit grid, shrunk to a few pixels; row 0 at the bottom, empty cells white."""
    g, cell = all_grid, ALL_GRID_CELL
    canvas = np.ones((g.rows * g.cols, cell, cell, 3), np.float32)
    rows, cols = np.divmod(g.cell_of_point, g.cols)
    canvas[(g.rows - 1 - rows) * g.cols + cols] = charts.small_tinted(data.all_images, data.all_labels, cell)
    return canvas.reshape(g.rows, g.cols, cell, cell, 3).transpose(0, 2, 1, 3, 4).reshape(g.rows * cell,
                                                                                          g.cols * cell, 3)


@grid_chapter.table("grids")
def grids(tsne: SampleMap, digit_maps: list[SampleMap], words: TableWords) -> pd.DataFrame:
    """The assignment of the main map and of every digit's map onto its grid."""
    w = words
    rows = [grid_row(w["all_digits"], tsne.grid)]
    rows += [grid_row(w["digit_n"].format(d=d), m.grid) for d, m in enumerate(digit_maps)]
    return pd.DataFrame(rows, columns=[w["map"], w["grid"], w["total_cost"], w["mean_disp"], w["max_disp"],
                                       w["solver_seconds"]])


@grid_chapter.table("digit-map")
def digit_map_table(digit_maps: list[SampleMap], words: TableWords, digit: int) -> pd.DataFrame:
    """One digit's own map quality and grid (the digit pages)."""
    m = digit_maps[digit]
    # One class only: class-based measures (10-NN accuracy, separation) do not apply.
    row = map_row(m.map)[:2] + [f"{m.grid.mean_displacement:.2f}", f"{m.map.seconds + m.grid.seconds:.1f}"]
    columns = map_columns(words)[:2] + [words["mean_disp"], words["tsne_seconds"] + " + lapjv"]
    return pd.DataFrame([row], columns=columns)


@grid_chapter.table("all-digits-grid")
def all_digits_grid_table(all_grid: LargeGridResult, all_grid_agreement: Mismatch, words: TableWords) -> pd.DataFrame:
    """The grid of all digits, measured as the chapter measures its small grids."""
    g, agreement, w = all_grid, all_grid_agreement, words
    rows = [[w["grid"], f"{g.rows}×{g.cols}"], [w["digits"], f"{len(g.cell_of_point):,}"],
            [w["empty_cells"], f"{g.rows * g.cols - len(g.cell_of_point):,}"],
            [w["mean_disp"], f"{g.mean_displacement:.2f}"], [w["max_disp"], f"{g.max_displacement:.1f}"],
            [w["agreement"], f"{agreement.agreement:.1%}"],
            [w["agreement_shuffled"], f"{agreement.agreement_mismatched:.1%}"],
            [w["total_cost"], f"{g.total_cost:,.2f}"], [w["assignment_seconds"], f"{g.seconds:.1f}"]]
    return pd.DataFrame(rows, columns=[w["measure"], w["value"]])


@grid_chapter.summary
def summary(digit_maps: list[SampleMap], mismatch: Mismatch) -> dict:
    return {"digit_grids": [dict(m.grid.summary() if m.grid else {}, digit=d, tsne=m.map.summary())
                            for d, m in enumerate(digit_maps)],
            "mismatch": mismatch.summary()}
