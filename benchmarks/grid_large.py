"""Scalable grid assignment (issue 11): exact lapjv on 10,000 map points, and all 70,000 digits.

In one process, on real MNIST t-SNE maps:

* 10,000 random training digits (seed 0) on a 100x100 grid: the exact solve
  (``mnistreport.grid.assign_to_grid``, lapjv on the dense 10k x 10k matrix) against
  ``mnistreport.grid.assign_to_large_grid``: seconds, total cost, and the cost ratio
  (target <= 1.01);
* all 70,000 digits (60k train + 10k test) on a 265x265 grid (70,225 nodes, 225 left
  empty) with ``assign_to_large_grid``: seconds (target <= 120 s), mean and max
  displacement in grid cells, neighbour agreement against its shuffled baseline.

The maps: pixels / 255, PCA to 50 components (scikit-learn, random_state 0), openTSNE
(FFT gradients, PCA init, perplexity 30, seed 0, openTSNE's default Annoy neighbours
and iterations), min-max scaled per axis to [0, 1]. The 70,000-point map takes about
two minutes, so both maps are cached as .npy under ``--cache`` and a rerun is fast.

    python benchmarks/grid_large.py [--data DIR] [--cache DIR] [--skip-exact]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mnistreport.data import load_dir  # noqa: E402
from mnistreport.embedding import pca, sample_indices, scale_pixels  # noqa: E402
from mnistreport.grid import assign_to_grid, assign_to_large_grid, mismatched_pairing  # noqa: E402

COST_RATIO_TARGET = 1.01
SECONDS_TARGET = 120.0
SMALL_N, SMALL_SIDE = 10_000, 100
BIG_ROWS = BIG_COLS = 265
PERPLEXITY = 30.0
PCA_COMPONENTS = 50


def tsne_map(images: np.ndarray, seed: int, n_jobs: int) -> tuple[np.ndarray, dict]:
    """The benchmark's map recipe; returns the [0, 1]-scaled map (float64) and its provenance."""
    import openTSNE
    import sklearn

    start = time.perf_counter()
    reduced = pca(scale_pixels(images), PCA_COMPONENTS, seed)
    pca_seconds = time.perf_counter() - start
    start = time.perf_counter()
    tsne = openTSNE.TSNE(
        n_components=2,
        perplexity=PERPLEXITY,
        initialization="pca",
        negative_gradient_method="fft",
        n_jobs=n_jobs,
        random_state=seed,
        verbose=False,
    )
    raw = np.asarray(tsne.fit(np.asarray(reduced.features, dtype=np.float64)))
    tsne_seconds = time.perf_counter() - start
    low, span = raw.min(axis=0), np.ptp(raw, axis=0)
    coords = (raw - low) / np.where(span > 0, span, 1.0)
    provenance = {
        "points": len(coords),
        "recipe": (
            f"pixels/255, PCA {PCA_COMPONENTS} (scikit-learn {sklearn.__version__}, random_state {seed},"
            f" {reduced.explained_variance_ratio.sum():.3f} of the variance), openTSNE {openTSNE.__version__}"
            f" (FFT gradients, PCA init, perplexity {PERPLEXITY:g}, seed {seed}, default Annoy neighbours,"
            f" default {tsne.early_exaggeration_iter}+{tsne.n_iter} iterations, n_jobs {n_jobs}),"
            " min-max scaled per axis to [0, 1]"
        ),
        "pca_seconds": round(pca_seconds, 1),
        "tsne_seconds": round(tsne_seconds, 1),
    }
    return coords, provenance


def cached_map(cache: Path, name: str, images: np.ndarray, seed: int, n_jobs: int) -> tuple[np.ndarray, dict, bool]:
    """Load ``name``'s map from ``cache`` or compute and store it; the bool says whether it was cached."""
    import openTSNE

    stem = f"{name}-pca{PCA_COMPONENTS}-perp{PERPLEXITY:g}-seed{seed}-opentsne{openTSNE.__version__}"
    npy, meta = cache / f"{stem}.npy", cache / f"{stem}.json"
    if npy.exists() and meta.exists():
        return np.load(npy), json.loads(meta.read_text()), True
    coords, provenance = tsne_map(images, seed, n_jobs)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(npy, coords)
    meta.write_text(json.dumps(provenance, indent=1))
    return coords, provenance, False
