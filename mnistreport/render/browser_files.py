"""Files the pages' scripts load (the explorer's points and sheets, the drawing page's model),
and the downloadable table of all digits: written from the results, declared by the chapters.

Each ``write`` function takes the results and a folder, and writes its files into it;
``outputs.OutputWriter`` caches the folder on the steps the chapter names.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from mnistreport.analysis import describe as dataset, embedding
from mnistreport.render import drawmodel, explorer as explore
from mnistreport.sources import qmnist as provenance
from mnistreport.results import Results

#: The explorer's sprite sheets: the map cut into TILES x TILES regions, SHEET_COLUMNS digits a row.
TILES = explore.DEFAULT_TILES
SHEET_COLUMNS = explore.DEFAULT_SHEET_COLS
EXAMPLES_PER_CLASS = 30  # test digits the drawing page's "random test digit" picks from


def draw_data(r: Results, folder: Path) -> None:
    """``model.bin`` (chapter 7's weights, the map's PCA, the 2,500 map digits) and ``map-digits.png``."""
    main = r.tsne
    images = r.images_of(main)
    pixels = dataset.scale_pixels(images)
    pca = embedding.pca(pixels, min(r.config.tsne.pca_components, len(images)), r.config.tsne.seed)
    examples = drawmodel.pick_examples(r.data.test_labels, EXAMPLES_PER_CLASS, r.config.sampling.seed)
    bundle = drawmodel.model_bundle(r.mlp.weights, pca.mean, pca.components, embedding.project(pca, pixels),
                                    main.map.coords, r.labels_of(main), r.data.test_images[examples],
                                    r.data.test_labels[examples])
    (folder / "model.bin").write_bytes(bundle)
    (folder / "map-digits.png").write_bytes(drawmodel.sheet_png(drawmodel.map_digit_sheet(images)))


def _grid_cells(r: Results) -> tuple[np.ndarray, tuple[int, int]]:
    return r.all_grid.cell_of_point, (r.all_grid.rows, r.all_grid.cols)


def explorer_data(r: Results, folder: Path) -> None:
    """``points.bin`` (every digit's map position, label, predictions, grid cell) and ``sheets/<tile>.png``."""
    coords, labels = r.all_map.coords, r.all_labels
    cells, shape = _grid_cells(r)
    bundle = explore.points_bundle(coords, labels, r.all_predictions["mlp"], r.n_train,
                                   cnn_predictions=r.all_predictions["cnn"], cells=cells, grid_shape=shape,
                                   tiles=TILES, sheet_cols=SHEET_COLUMNS)
    (folder / "points.bin").write_bytes(bundle)
    x, y = explore.quantise(coords)
    explore.write_sprite_sheets(explore.sprite_sheets(r.all_images, x, y, TILES, SHEET_COLUMNS), folder / "sheets")


def all_digits_table(r: Results, folder: Path) -> None:
    """``all-digits.csv.gz``: one row per digit, from the same arrays as the explorer (and, with
    QMNIST's provenance, each digit's NIST series, writer and index among its writer's digits)."""
    cells, shape = _grid_cells(r)
    p = r.provenance
    writers = None if p is None else {name: np.concatenate([getattr(p.train, name), getattr(p.test, name)])
                                      for name in ("series", "writer", "writer_index")}
    frame = explore.all_digits_table(r.all_map.coords, r.all_labels, r.all_predictions["mlp"], r.n_train,
                                     cnn_predictions=r.all_predictions["cnn"], cells=cells, grid_shape=shape,
                                     writers=writers)
    # mtime=0: the same results give the same bytes
    with gzip.GzipFile(folder / "all-digits.csv.gz", "wb", mtime=0) as handle:
        handle.write(frame.to_csv(index=False).encode())


def explorer_writers(r: Results, folder: Path) -> None:
    """``writers.bin``: each digit's series, writer and place among its writer's digits, fetched by the
    explorer only when needed; without the provenance, a file saying so."""
    p = r.provenance
    if p is None:
        data = explore.writers_bundle(None)
    else:
        data = explore.writers_bundle(*(np.concatenate([getattr(p.train, name), getattr(p.test, name)])
                                        for name in ("series", "writer", "writer_index")),
                                      student_series=provenance.STUDENT_SERIES)
    (folder / explore.WRITERS_FILE).write_bytes(data)


def explorer_neighbours(r: Results, folder: Path) -> None:
    """``meta.json`` and ``<chunk>.bin``: each digit's nearest neighbours in pixel space (PCA features of
    its scaled pixels, as the explorer's map uses), fetched by the explorer one chunk at a time."""
    images = r.all_images
    e = r.config.explore
    features = embedding.pca(dataset.scale_pixels(images), min(e.pca_components, len(images)), e.seed).features
    ids, method = explore.nearest_neighbours(features, explore.NEIGHBOURS_K, seed=e.seed)
    explore.write_neighbours(ids, folder, method=f"PCA {features.shape[1]}, {method}")
