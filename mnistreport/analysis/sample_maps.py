"""A random sample of digits mapped by t-SNE and, optionally, snapped onto a grid (the tsne, perplexity and grid chapters).

The chapter-3 map, the raw-pixel map and every digit page's own map are the
same recipe applied to a different sample; this module holds that recipe once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from mnistreport.analysis import embedding, grid


class TrainingSet(Protocol):
    """What a sample map's digits are drawn from (``MnistData``)."""

    train_images: np.ndarray
    train_labels: np.ndarray


@dataclass(frozen=True)
class SampleMap:
    """A t-SNE map of a random sample of training digits, and (optionally) its grid."""

    indices: np.ndarray  # rows of the training set, in the order of the map's points
    map: embedding.MapResult
    grid: grid.GridResult | None

    def labels(self, data: TrainingSet) -> np.ndarray:
        """The labels of the map's digits, in the map's order."""
        return data.train_labels[self.indices]

    def images(self, data: TrainingSet) -> np.ndarray:
        """The images of the map's digits, in the map's order."""
        return data.train_images[self.indices]


def grid_side_for(available: int, wanted_side: int) -> int:
    """The largest grid side up to ``wanted_side`` whose square fits in ``available`` digits (small editions)."""
    return max(2, min(wanted_side, int(np.sqrt(available))))


def map_sample(images: np.ndarray, labels: np.ndarray, indices: np.ndarray, *, pca_components: int | None,
               perplexity: float, seed: int, jobs: int, grid_side: int | None, cost_max: float) -> SampleMap:
    """Embed the digits at ``indices`` with t-SNE and, when ``grid_side`` is given, snap them onto a grid."""
    result = embedding.embed_digits(images[indices], labels[indices], pca_components=pca_components,
                                    perplexity=perplexity, seed=seed, n_jobs=jobs)
    snapped = grid.assign_to_grid(result.coords, side=grid_side, cost_max=cost_max) if grid_side else None
    return SampleMap(indices=indices, map=result, grid=snapped)


@dataclass(frozen=True)
class PerplexitySweep:
    """The perplexity chapter: the same random digits embedded at each perplexity."""

    indices: np.ndarray  # rows of the training set
    maps: list[embedding.MapResult]  # one per perplexity, in the order asked
