"""The t-SNE chapter (``tsne``): 2,500 digits by PCA and t-SNE, and 10,000 from raw pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mnistreport.analysis import embedding, sample_maps
from mnistreport.analysis.sample_maps import SampleMap
from mnistreport.config import Grid, Tsne
from mnistreport.engine.nodes import Chapter
from mnistreport.render import charts
from mnistreport.render.tables import TableWords, map_columns, map_row
from mnistreport.sources.mnist import MnistData

tsne_chapter = Chapter("tsne")


def main_side(data: MnistData, grid: Grid) -> int:
    """The grid chapter's side, lowered for small editions: the main map has side² digits."""
    return sample_maps.grid_side_for(len(data.train_labels), grid.side)


@tsne_chapter.step
def tsne(data: MnistData, settings: Tsne, grid: Grid, jobs: int) -> SampleMap:
    """The main map: side² training digits, PCA then t-SNE, snapped onto the grid."""
    side = main_side(data, grid)
    indices = embedding.sample_indices(data.train_labels, side * side, settings.seed)
    return sample_maps.map_sample(data.train_images, data.train_labels, indices,
                                  pca_components=settings.pca_components, perplexity=settings.perplexity,
                                  seed=settings.seed, jobs=jobs, grid_side=side, cost_max=grid.cost_max)


@tsne_chapter.step
def map_pairs(tsne: SampleMap, data: MnistData) -> list[tuple[int, int, float]]:
    """The classes that meet most on the main map: (a, b, share)."""
    return embedding.neighbour_class_pairs(tsne.map.coords, tsne.labels(data))


@tsne_chapter.step
def tsne_big(data: MnistData, settings: Tsne, grid: Grid, jobs: int) -> SampleMap:
    """The raw-pixel map: up to ``big_n`` training digits, t-SNE without PCA."""
    labels = data.train_labels
    indices = embedding.sample_indices(labels, min(settings.big_n, len(labels)), settings.seed)
    return sample_maps.map_sample(data.train_images, labels, indices, pca_components=None,
                                  perplexity=settings.perplexity, seed=settings.seed, jobs=jobs, grid_side=None,
                                  cost_max=grid.cost_max)


EIGENDIGITS = 16  # principal components shown: two rows of eight


@tsne_chapter.step
def eigendigits(data: MnistData, settings: Tsne) -> embedding.Eigendigits:
    """The first principal components of every training digit: the shapes PCA keeps before t-SNE."""
    return embedding.eigendigits(data.train_images, EIGENDIGITS, settings.seed)


@tsne_chapter.figure("eigendigits", scale=4)
def eigendigits_picture(eigendigits: embedding.Eigendigits) -> np.ndarray:
    """Each component in a diverging colour map (red: pixels it raises, blue: pixels it lowers), two rows."""
    cells = []
    for component in eigendigits.components:
        limit = float(np.abs(component).max()) or 1.0
        cells.append(charts.colormap(component, "RdBu_r", -limit, limit))
    columns = -(-len(cells) // 2)
    cells += [np.ones_like(cells[0])] * (2 * columns - len(cells))
    return charts.tile(np.stack(cells), 2, columns, gap=2)


@tsne_chapter.figure("tsne-scatter")
def tsne_scatter(tsne: SampleMap, data: MnistData):
    return charts.map_scatter(tsne.map.coords, tsne.labels(data))


@tsne_chapter.figure("tsne-thumbnails", preview=2)
def tsne_thumbnails(tsne: SampleMap, data: MnistData) -> np.ndarray:
    return charts.map_thumbnails(tsne.map.coords, tsne.images(data), tsne.labels(data))


@tsne_chapter.figure("tsne-big-scatter")
def tsne_big_scatter(tsne_big: SampleMap, data: MnistData):
    return charts.map_scatter(tsne_big.map.coords, tsne_big.labels(data), point_size=2.0)


@tsne_chapter.table("map-quality")
def map_quality(tsne: SampleMap, tsne_big: SampleMap, settings: Tsne, words: TableWords) -> pd.DataFrame:
    """Quality of the chapter's two maps, measured."""
    rows = [[words["main_map"].format(pca=settings.pca_components)] + map_row(tsne.map),
            [words["raw_map"]] + map_row(tsne_big.map)]
    return pd.DataFrame(rows, columns=[words["map"]] + map_columns(words))


@tsne_chapter.summary
def summary(tsne: SampleMap, map_pairs: list[tuple[int, int, float]], tsne_big: SampleMap) -> dict:
    return {"tsne": dict(tsne.map.summary(),
                         neighbour_pairs=[{"classes": [a, b], "share": share} for a, b, share in map_pairs]),
            "tsne_big": tsne_big.map.summary(),
            "grid": tsne.grid.summary() if tsne.grid else None}
