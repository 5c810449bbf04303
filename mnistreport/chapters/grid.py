"""Chapter 5, the grid: the map snapped onto a grid, each digit on its own grid, the mismatch."""

from __future__ import annotations

import numpy as np

from mnistreport.analysis import embedding, grid, sample_maps as maps
from mnistreport.render import charts as figures, tables
from mnistreport.declare import DIGITS, Chapter, Figure, Step, Table
from mnistreport.chapters.explore import ALL_GRID
from mnistreport.chapters.tsne import MAIN_MAP, MAP_CONFIG


def _digit_maps(i) -> list[maps.SampleMap]:
    tsne, labels = i.config.tsne, i.data.train_labels
    side = maps.grid_side_for(int(np.bincount(labels, minlength=10).min()), i.config.grid.side)
    found = []
    for digit in DIGITS:
        members = np.flatnonzero(labels == digit)
        chosen = members[embedding.sample_indices(members, side * side, tsne.seed)]
        found.append(maps.map_sample(i.data.train_images, labels, chosen, pca_components=tsne.pca_components,
                                     perplexity=tsne.perplexity, seed=tsne.seed, jobs=i.jobs, grid_side=side,
                                     cost_max=i.config.grid.cost_max))
    return found


DIGIT_MAPS = Step("each digit's t-SNE map and grid", "digit_maps", _digit_maps, config=MAP_CONFIG)
MISMATCH = Step("mismatched pairing", "mismatch",
                lambda i: grid.mismatched_pairing(i[MAIN_MAP].grid, i.data.train_labels[i[MAIN_MAP].indices],
                                                  i.config.tsne.seed),
                config=("tsne",), uses=(MAIN_MAP,))

CHAPTER = Chapter(
    "grid",
    steps=(DIGIT_MAPS, MISMATCH),
    figures=(
        Figure("grid-arrows", figures.tsne_grid_arrows, (MAIN_MAP,)),
        Figure("grid", figures.tsne_grid, (MAIN_MAP,), preview=2),
        Figure("grid-mismatch", figures.mismatched_grid, (MISMATCH, MAIN_MAP), preview=2),
        Figure("digit-{digit}-map", figures.digit_map, (DIGIT_MAPS,), preview=2),
        Figure("digit-{digit}-grid", figures.digit_grid, (DIGIT_MAPS,), preview=2),
        Figure("digit-grids", figures.all_digit_grids, (DIGIT_MAPS,), preview=4),
        Figure("all-digits-grid", figures.all_digits_grid, (ALL_GRID,), preview=2),
    ),
    tables=(Table("grids", tables.grids), Table("digit-map", tables.digit_map),
            Table("all-digits-grid", tables.all_digits_grid)),
)
