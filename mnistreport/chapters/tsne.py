"""Chapter 3, the t-SNE map: 2,500 digits by PCA and t-SNE, and 10,000 from raw pixels."""

from __future__ import annotations

from mnistreport.analysis import embedding, sample_maps as maps
from mnistreport.render import charts as figures, tables
from mnistreport.declare import Chapter, Figure, Step, Table


def main_side(i) -> int:
    """The chapter-5 grid side, lowered for small editions: the main map has side² digits."""
    return maps.grid_side_for(len(i.data.train_labels), i.config.grid.side)


def _main_map(i) -> maps.SampleMap:
    tsne, side = i.config.tsne, main_side(i)
    indices = embedding.sample_indices(i.data.train_labels, side * side, tsne.seed)
    return maps.map_sample(i.data.train_images, i.data.train_labels, indices, pca_components=tsne.pca_components,
                           perplexity=tsne.perplexity, seed=tsne.seed, jobs=i.jobs, grid_side=side,
                           cost_max=i.config.grid.cost_max)


def _big_map(i) -> maps.SampleMap:
    tsne, labels = i.config.tsne, i.data.train_labels
    indices = embedding.sample_indices(labels, min(tsne.big_n, len(labels)), tsne.seed)
    return maps.map_sample(i.data.train_images, labels, indices, pca_components=None, perplexity=tsne.perplexity,
                           seed=tsne.seed, jobs=i.jobs, grid_side=None, cost_max=i.config.grid.cost_max)


MAP_CONFIG = ("tsne", "grid")  # a PCA + t-SNE map and its grid (the side is lowered by the data's size)
MAIN_MAP = Step("t-SNE map and grid", "tsne", _main_map, config=MAP_CONFIG)
MAP_PAIRS = Step("classes that meet on the map", "map_pairs",
                 lambda i: embedding.neighbour_class_pairs(i[MAIN_MAP].map.coords,
                                                           i.data.train_labels[i[MAIN_MAP].indices]),
                 uses=(MAIN_MAP,))
BIG_MAP = Step("t-SNE of raw pixels", "tsne_big", _big_map, config=MAP_CONFIG)

CHAPTER = Chapter(
    "tsne",
    steps=(MAIN_MAP, MAP_PAIRS, BIG_MAP),
    figures=(
        Figure("tsne-scatter", figures.tsne_scatter, (MAIN_MAP,)),
        Figure("tsne-thumbnails", figures.tsne_thumbnails, (MAIN_MAP,), preview=2),
        Figure("tsne-big-scatter", figures.tsne_big_scatter, (BIG_MAP,)),
    ),
    tables=(Table("map-quality", tables.map_quality),),
)
