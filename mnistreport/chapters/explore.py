"""The explore chapter (``explore``): all 70,000 digits on one t-SNE map and one grid, with both classifiers'
predictions.

(The grid chapter (``grid``) shows the grid too: its section's figure and table are declared in ``grid.py``;
the table of all digits, ``data/all-digits.csv.gz``, in ``writers.py``, as it gains the writers' columns.)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from mnistreport.analysis import embedding, grid
from mnistreport.analysis.neighbours import nearest_neighbours
from mnistreport.analysis.cnn import CnnResult, predict_scores
from mnistreport.analysis.describe import scale_pixels
from mnistreport.analysis.mlp import MlpResult, predict
from mnistreport.analysis.sample_maps import SampleMap
from mnistreport.config import Explore
from mnistreport.engine.nodes import Chapter
from mnistreport.render import browser_files, explorer
from mnistreport.sources.mnist import MnistData

explore = Chapter("explore")


# --- steps --------------------------------------------------------------------------


@explore.step
def all_map(data: MnistData, settings: Explore, jobs: int) -> embedding.MapResult:
    """Every training and test digit on one map: PCA, then openTSNE with FFT gradients and Annoy neighbours."""
    labels = data.all_labels
    schedule = embedding.TsneSchedule(early_iter=settings.early_iterations, main_iter=settings.iterations,
                                      neighbours="annoy")
    return embedding.embed_digits(data.all_images, labels, pca_components=settings.pca_components,
                                  perplexity=settings.perplexity, seed=settings.seed, n_jobs=jobs, schedule=schedule)


@explore.step
def all_grid(all_map: embedding.MapResult) -> grid.LargeGridResult:
    """The map snapped onto the smallest square grid that holds every digit (265 x 265 for 70,000)."""
    coords = all_map.coords
    side = math.isqrt(len(coords) - 1) + 1
    return grid.assign_to_large_grid(coords, side, side)


@explore.step
def grid_check(tsne: SampleMap) -> grid.LargeGridResult:
    """The large-grid method on the main map, whose exact optimum the ``tsne`` step knows: the method checked."""
    return grid.assign_to_large_grid(tsne.map.coords, tsne.grid.side)


@explore.step
def all_grid_agreement(all_grid: grid.LargeGridResult, data: MnistData, settings: Explore) -> grid.Mismatch:
    """Neighbouring cells of the grid of all digits holding the same digit, against a shuffled pairing."""
    return grid.mismatched_pairing(all_grid, data.all_labels, settings.seed)


@explore.step
def all_predictions(data: MnistData, mlp: MlpResult, cnn: CnnResult) -> dict[str, np.ndarray]:
    """Both classifiers' answer for every digit, training and test: "mlp", "cnn" -> (N,) uint8."""
    images = data.all_images
    return {"mlp": predict(mlp.weights, images),
            "cnn": predict_scores(cnn, images).argmax(axis=1).astype(np.uint8)}


# --- the explorer's files -------------------------------------------------------------


@explore.asset("data/explore")
def explorer_data(all_map: embedding.MapResult, all_grid: grid.LargeGridResult,
                  all_predictions: dict[str, np.ndarray], data: MnistData, folder: Path) -> None:
    """``points.bin`` (every digit's map position, label, predictions, grid cell) and ``sheets/<tile>.png``."""
    coords = all_map.coords
    cells, shape = browser_files.grid_cells(all_grid)
    bundle = explorer.points_bundle(coords, data.all_labels, all_predictions["mlp"], len(data.train_labels),
                                    cnn_predictions=all_predictions["cnn"], cells=cells, grid_shape=shape,
                                    tiles=browser_files.TILES, sheet_cols=browser_files.SHEET_COLUMNS)
    (folder / "points.bin").write_bytes(bundle)
    x, y = explorer.quantise(coords)
    explorer.write_sprite_sheets(explorer.sprite_sheets(data.all_images, x, y, browser_files.TILES,
                                                        browser_files.SHEET_COLUMNS), folder / "sheets")


@explore.asset("data/explore-neighbours")
def explorer_neighbours(data: MnistData, settings: Explore, folder: Path) -> None:
    """``meta.json`` and ``<chunk>.bin``: each digit's nearest neighbours in pixel space (PCA features of its
    scaled pixels, as the explorer's map uses), fetched by the explorer one chunk at a time once a digit is selected."""
    features = embedding.pca(scale_pixels(data.all_images), settings.pca_components, settings.seed).features
    ids, method = nearest_neighbours(features, explorer.NEIGHBOURS_K, seed=settings.seed)
    explorer.write_neighbours(ids, folder, method=f"PCA {features.shape[1]}, {method}")


@explore.summary
def summary(data: MnistData, all_map: embedding.MapResult, all_grid: grid.LargeGridResult,
            all_grid_agreement: grid.Mismatch, grid_check: grid.LargeGridResult, tsne: SampleMap) -> dict:
    exact = tsne.grid.total_cost
    return {"all_digits": dict(all_map.summary(), trust_points=int(all_map.trust_points),
                               n_train=len(data.train_labels), n_test=len(data.test_labels),
                               grid=dict(all_grid.summary(), **all_grid_agreement.summary()),
                               grid_check=dict(grid_check.summary(), exact_total_cost=exact,
                                               cost_ratio=grid_check.total_cost / exact))}
