"""The explorer: all 70,000 digits on one t-SNE map and one grid, with both classifiers' predictions.

(Chapter 5 shows the grid too: its section's figure and table are declared in ``grid.py``.)"""

from __future__ import annotations

import math

import numpy as np

from mnistreport.render import browser_files as assets
from mnistreport.analysis import cnn, embedding, grid, mlp
from mnistreport.declare import Asset, Chapter, Step
from mnistreport.chapters.classifier import CNN, MLP
from mnistreport.chapters.tsne import MAIN_MAP


def _all_map(i) -> embedding.MapResult:
    e = i.config.explore
    images = np.concatenate([i.data.train_images, i.data.test_images])
    labels = np.concatenate([i.data.train_labels, i.data.test_labels])
    schedule = embedding.TsneSchedule(early_iter=e.early_iterations, main_iter=e.iterations, neighbours="annoy")
    return embedding.embed_digits(images, labels, pca_components=min(e.pca_components, len(labels)),
                                  perplexity=e.perplexity, seed=e.seed, n_jobs=i.jobs, schedule=schedule)


def _all_predictions(i) -> dict[str, np.ndarray]:
    images = np.concatenate([i.data.train_images, i.data.test_images])
    return {"mlp": mlp.predict(i[MLP].weights, images),
            "cnn": cnn.predict_scores(i[CNN], images).argmax(axis=1).astype(np.uint8)}


def _all_grid(i) -> grid.LargeGridResult:
    """The map snapped onto the smallest square grid that holds every digit (265 x 265 for 70,000)."""
    coords = i[ALL_MAP].coords
    side = math.isqrt(len(coords) - 1) + 1
    return grid.assign_to_large_grid(coords, side, side)


ALL_MAP = Step("t-SNE map of all digits", "all_map", _all_map, config=("explore",))
ALL_GRID = Step("grid of all digits", "all_grid", _all_grid, uses=(ALL_MAP,))
GRID_CHECK = Step("grid of all digits: method checked", "grid_check",
                  lambda i: grid.assign_to_large_grid(i[MAIN_MAP].map.coords, i[MAIN_MAP].grid.side),
                  uses=(MAIN_MAP,))
ALL_GRID_AGREEMENT = Step("grid of all digits: neighbours", "all_grid_agreement",
                          lambda i: grid.mismatched_pairing(i[ALL_GRID], np.concatenate(
                              [i.data.train_labels, i.data.test_labels]), i.config.explore.seed),
                          config=("explore",), uses=(ALL_GRID,))
ALL_PREDICTIONS = Step("classifiers on all digits", "all_predictions", _all_predictions, uses=(MLP, CNN))

CHAPTER = Chapter(
    "explore",
    steps=(ALL_MAP, ALL_GRID, GRID_CHECK, ALL_GRID_AGREEMENT, ALL_PREDICTIONS),
    assets=(
        Asset("data/explore", assets.explorer_data, (ALL_MAP, ALL_GRID, ALL_PREDICTIONS)),
        # data/all-digits.csv.gz is declared in writers.py: it also has the writers' columns.
        # Each digit's nearest neighbours in pixel space, fetched by the explorer once a digit is selected.
        Asset("data/explore-neighbours", assets.explorer_neighbours, (), config=("explore",)),
    ),
)
