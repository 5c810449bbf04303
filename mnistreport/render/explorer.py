"""The data of the digit explorer (``static/explorer/``): points, sprite sheets, the table.

The explorer shows every digit (full build: 60,000 training then 10,000 test, in
file order; digit ``i`` is ``train #i`` for ``i < n_train``, else ``test #(i - n_train)``)
on the map, and on the grid when there is one. It loads:

* the **points bundle** (:func:`points_bundle`, format :mod:`mnistreport.render.bundle`):
  ``x``, ``y`` uint16 (map position in [0, 1] times 65535, y up: 0 is the bottom),
  ``label`` and ``mlp`` uint8, optionally ``cnn`` uint8 and ``cell`` uint32
  (``row * cols + col`` on the grid, row 0 at the bottom); meta
  ``{"n_train", "n_test", "tiles", "sheet_cols", "grid": {"rows", "cols"} | null, "colours"}``;
* **sprite sheets**, fetched only for what is on screen when zoomed in: the map is
  cut into ``tiles x tiles`` squares; digit ``i`` lies in tile ``ty * tiles + tx``
  with ``tx = min(tiles - 1, (x[i] * tiles) >> 16)`` and the same for ``ty``
  (:func:`tile_of`; ``static/explorer/data.js`` does the same integer arithmetic, so no sheet
  index is shipped). ``sheets/<tile>.png`` holds that tile's digits in ascending id
  order, slot ``k`` at column ``k % sheet_cols``, row ``k // sheet_cols``, each 28x28,
  raw MNIST grey values (0 background, 255 ink). Empty tiles have no file;
* each digit's **nearest neighbours** in pixel space (:func:`nearest_neighbours`,
  :func:`neighbour_files`), fetched only once a digit is selected, one chunk of
  512 digits (16 KiB) at a time;
* who wrote each digit (:func:`writers_bundle`, from QMNIST's provenance), fetched only once a
  digit is selected or the reader colours or filters by series;
* the downloadable table (:func:`all_digits_table`), from the same arrays.

The defaults are 10 x 10 tiles and 32 columns per sheet. The explorer shows digit
images from about 1/7 of the map's width on screen, so it needs only a few sheets at
a time (how many, and their sizes on the full map: docs/DECISIONS.md, "The explorer's
sprite sheets").

Pure functions, except :func:`write_sprite_sheets` and :func:`write_neighbours` (the files).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from mnistreport.render.bundle import encode_bundle
from mnistreport.render.style import CLASS_COLOURS
from mnistreport.sources.nist import STUDENT_SERIES

SIDE = 28  # pixels per digit side
U16 = 65535
DEFAULT_TILES = 10
DEFAULT_SHEET_COLS = 32


def quantise(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map positions (N, 2) in [0, 1] (y up) -> (x, y) uint16 in 0..65535, as the bundle stores them."""
    coords = np.asarray(coords, dtype=np.float64)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise ValueError(f"coords: expected shape (N, 2), found {coords.shape}")
    if not np.isfinite(coords).all():
        raise ValueError("coords: not all finite")
    low, high = coords.min(initial=0.0), coords.max(initial=1.0)
    if low < -1e-9 or high > 1 + 1e-9:
        raise ValueError(f"coords: expected values in [0, 1] (the scaled map), found {low:.6g}..{high:.6g}")
    scaled = np.rint(np.clip(coords, 0.0, 1.0) * U16).astype(np.uint16)
    return scaled[:, 0].copy(), scaled[:, 1].copy()


def tile_of(x_u16: np.ndarray, y_u16: np.ndarray, tiles: int) -> np.ndarray:
    """Each digit's sprite-sheet tile, ``ty * tiles + tx`` with ``tx = min(tiles-1, (x * tiles) >> 16)`` (int64)."""
    if tiles < 1:
        raise ValueError(f"tiles must be >= 1, not {tiles}")
    x = np.asarray(x_u16, dtype=np.int64)
    y = np.asarray(y_u16, dtype=np.int64)
    tx = np.minimum(tiles - 1, (x * tiles) >> 16)
    ty = np.minimum(tiles - 1, (y * tiles) >> 16)
    return ty * tiles + tx


def _check_predictions(name: str, values: np.ndarray | None, n: int) -> np.ndarray | None:
    if values is None:
        return None
    array = np.asarray(values)
    if array.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, found shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() > 9):
        raise ValueError(f"{name}: expected classes 0-9, found {array.min()}..{array.max()}")
    return array.astype(np.uint8)


def _check_cells(cells: np.ndarray | None, grid_shape: tuple[int, int] | None, n: int) -> np.ndarray | None:
    if cells is None:
        return None
    if grid_shape is None:
        raise ValueError("cells need grid_shape=(rows, cols)")
    rows, cols = (int(v) for v in grid_shape)
    array = np.asarray(cells, dtype=np.int64)
    if array.shape != (n,):
        raise ValueError(f"cells: expected {n} values, found shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= rows * cols):
        raise ValueError(f"cells: expected 0..{rows * cols - 1} on a {rows}x{cols} grid, found {array.min()}..{array.max()}")
    if len(np.unique(array)) != n:
        raise ValueError("cells: two digits share a grid cell")
    return array.astype(np.uint32)


def points_bundle(
    coords: np.ndarray,
    labels: np.ndarray,
    mlp_predictions: np.ndarray,
    n_train: int,
    *,
    cnn_predictions: np.ndarray | None = None,
    cells: np.ndarray | None = None,
    grid_shape: tuple[int, int] | None = None,
    tiles: int = DEFAULT_TILES,
    sheet_cols: int = DEFAULT_SHEET_COLS,
) -> bytes:
    """The explorer's points bundle for N digits (training first, then test) on a [0, 1] map (y up).

    ``cells`` (row * cols + col, row 0 at the bottom) needs ``grid_shape=(rows, cols)``.
    """
    x, y = quantise(coords)
    n = len(x)
    label = _check_predictions("labels", labels, n)
    if not 0 <= n_train <= n:
        raise ValueError(f"n_train={n_train} is not within 0..{n}")
    arrays: dict[str, np.ndarray] = {"x": x, "y": y, "label": label, "mlp": _check_predictions("mlp_predictions", mlp_predictions, n)}
    cnn = _check_predictions("cnn_predictions", cnn_predictions, n)
    if cnn is not None:
        arrays["cnn"] = cnn
    cell = _check_cells(cells, grid_shape, n)
    if cell is not None:
        arrays["cell"] = cell
    meta: dict[str, Any] = {
        "n_train": int(n_train),
        "n_test": int(n - n_train),
        "tiles": int(tiles),
        "sheet_cols": int(sheet_cols),
        "grid": None if cell is None else {"rows": int(grid_shape[0]), "cols": int(grid_shape[1])},  # type: ignore[index]
        "colours": list(CLASS_COLOURS),
    }
    return encode_bundle(arrays, meta)


def sprite_sheets(
    images: np.ndarray, x_u16: np.ndarray, y_u16: np.ndarray, tiles: int = DEFAULT_TILES, sheet_cols: int = DEFAULT_SHEET_COLS
) -> dict[int, np.ndarray]:
    """{tile: uint8 picture} for each non-empty tile: its digits in ascending id order, slot k at (k // cols, k % cols)."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"images: expected shape (N, 28, 28), found {images.shape}")
    tile = tile_of(x_u16, y_u16, tiles)
    if len(tile) != len(images):
        raise ValueError(f"{len(images)} images but {len(tile)} positions")
    order = np.argsort(tile, kind="stable")  # stable: ascending id within each tile
    bounds = np.searchsorted(tile[order], np.arange(tiles * tiles + 1))
    sheets: dict[int, np.ndarray] = {}
    for t in range(tiles * tiles):
        ids = order[bounds[t]:bounds[t + 1]]
        if not len(ids):
            continue
        rows = -(-len(ids) // sheet_cols)
        grid = np.zeros((rows * sheet_cols, SIDE, SIDE), np.uint8)
        grid[:len(ids)] = images[ids]
        sheets[t] = grid.reshape(rows, sheet_cols, SIDE, SIDE).transpose(0, 2, 1, 3).reshape(rows * SIDE, sheet_cols * SIDE)
    return sheets


def write_sprite_sheets(sheets: dict[int, np.ndarray], folder: str | Path) -> int:
    """Write each sheet as ``folder/<tile>.png`` (8-bit greyscale); returns the bytes written."""
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for tile, picture in sheets.items():
        path = folder / f"{tile}.png"
        Image.fromarray(np.asarray(picture, dtype=np.uint8), mode="L").save(path, optimize=True)
        total += path.stat().st_size
    return total


def all_digits_table(
    coords: np.ndarray,
    labels: np.ndarray,
    mlp_predictions: np.ndarray,
    n_train: int,
    *,
    cnn_predictions: np.ndarray | None = None,
    cells: np.ndarray | None = None,
    grid_shape: tuple[int, int] | None = None,
    writers: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """One row per digit for ``data/all-digits.csv.gz``: set, index, label, x, y, mlp_prediction[, cnn_prediction, grid_row, grid_col].

    x and y are the positions the explorer shows (the bundle's uint16 / 65535), rounded to 6 decimals.
    ``writers`` (QMNIST's provenance: "series", "writer", "writer_index", one value per digit)
    adds those columns, in that order.
    """
    x, y = quantise(coords)
    n = len(x)
    if not 0 <= n_train <= n:
        raise ValueError(f"n_train={n_train} is not within 0..{n}")
    ids = np.arange(n)
    frame = pd.DataFrame({
        "set": np.where(ids < n_train, "train", "test"),
        "index": np.where(ids < n_train, ids, ids - n_train),
        "label": _check_predictions("labels", labels, n),
        "x": np.round(x / U16, 6),
        "y": np.round(y / U16, 6),
        "mlp_prediction": _check_predictions("mlp_predictions", mlp_predictions, n),
    })
    cnn = _check_predictions("cnn_predictions", cnn_predictions, n)
    if cnn is not None:
        frame["cnn_prediction"] = cnn
    cell = _check_cells(cells, grid_shape, n)
    if cell is not None:
        cols = int(grid_shape[1])  # type: ignore[index]
        frame["grid_row"] = (cell // cols).astype(np.int64)
        frame["grid_col"] = (cell % cols).astype(np.int64)
    for name, values in (writers or {}).items():
        values = np.asarray(values)
        if values.shape != (n,):
            raise ValueError(f"{name} must hold one value per digit ({n}), got shape {values.shape}")
        frame[name] = values.astype(np.int64)
    return frame


# ----------------------------------------------------------------------------- nearest neighbours
#
# For a selected digit the explorer shows its nearest neighbours in pixel space: its k nearest
# digits by Euclidean distance between PCA-50 features of the scaled pixels (where nearly all of
# the pixels' variance is), computed once at build time and fetched one chunk at a time:
# ``neighbours/meta.json`` ({"k", "chunk", "n", "method"}) and ``neighbours/<c>.bin``, a bundle
# (:mod:`mnistreport.render.bundle`) whose uint32 array ``ids`` (count x k) holds, for digits
# ``c * chunk`` onwards, their neighbours nearest first (never the digit itself).

NEIGHBOURS_K = 8
NEIGHBOURS_CHUNK = 512  # digits per file: 16 KiB with k = 8


def neighbour_files(ids: np.ndarray, chunk: int = NEIGHBOURS_CHUNK, method: str = "") -> dict[str, bytes]:
    """{file name: bytes} of the neighbours folder: ``meta.json`` and one bundle per ``chunk`` digits."""
    import json

    ids = np.asarray(ids)
    if ids.ndim != 2 or (ids.size and (ids.min() < 0 or ids.max() >= len(ids))):
        raise ValueError(f"ids: expected (N, k) digit ids in 0..N-1, found shape {ids.shape}")
    n, k = ids.shape
    files = {"meta.json": json.dumps({"k": int(k), "chunk": int(chunk), "n": int(n), "method": method}).encode()}
    for c, start in enumerate(range(0, n, chunk)):
        part = ids[start:start + chunk].astype(np.uint32)
        files[f"{c}.bin"] = encode_bundle({"ids": part}, {"first": int(start), "count": int(len(part)), "k": int(k)})
    return files


def write_neighbours(ids: np.ndarray, folder: str | Path, chunk: int = NEIGHBOURS_CHUNK, method: str = "") -> int:
    """Write :func:`neighbour_files` into ``folder``; returns the bytes written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, data in neighbour_files(ids, chunk, method).items():
        (folder / name).write_bytes(data)
        total += len(data)
    return total


# ----------------------------------------------------------------------------- writers
#
# Who wrote each digit, for the explorer's panel, its colouring and filter by series and its
# "show this writer's digits": ``explore-writers/writers.bin``, a bundle with per digit
# ``series`` uint8 (NIST HSF series: 0-3 Census Bureau employees, 4 high-school students),
# ``writer`` uint16 (NIST writer ID, unique across series) and ``rank`` uint16 (the digit's
# place, from 0, among its writer's digits in this edition, in QMNIST's order); the explorer
# counts each writer's digits itself. Meta ``{"available": true, "n", "writers", "student_series"}``.
# An edition built without the provenance gets a bundle with no arrays and
# ``{"available": false}``, so the explorer can say so.

WRITERS_FILE = "writers.bin"


def writer_ranks(writer: np.ndarray, writer_index: np.ndarray) -> np.ndarray:
    """Each digit's place (0-based) among its writer's digits here, by QMNIST's index, then by position."""
    writer = np.asarray(writer, dtype=np.int64)
    writer_index = np.asarray(writer_index, dtype=np.int64)
    if writer.shape != writer_index.shape or writer.ndim != 1:
        raise ValueError(f"writer {writer.shape} and writer_index {writer_index.shape}: expected two equal (N,) arrays")
    order = np.lexsort((np.arange(len(writer)), writer_index, writer))
    sorted_writers = writer[order]
    starts = np.flatnonzero(np.r_[True, sorted_writers[1:] != sorted_writers[:-1]]) if len(writer) else np.zeros(0, int)
    first = np.repeat(starts, np.diff(np.r_[starts, len(writer)]))
    ranks = np.empty(len(writer), np.int64)
    ranks[order] = np.arange(len(writer)) - first
    return ranks


def writers_bundle(series: np.ndarray | None, writer: np.ndarray | None = None,
                   writer_index: np.ndarray | None = None, *, student_series: int = STUDENT_SERIES) -> bytes:
    """The explorer's writers file for N digits, or (``series`` None) the file saying there is no provenance."""
    if series is None or writer is None or writer_index is None:
        return encode_bundle({}, {"available": False})
    series, writer = np.asarray(series), np.asarray(writer)
    n = len(series)
    for name, values, high in (("series", series, 255), ("writer", writer, U16)):
        if values.shape != (n,):
            raise ValueError(f"{name}: expected {n} values, found shape {values.shape}")
        if n and (values.min() < 0 or values.max() > high):
            raise ValueError(f"{name}: expected 0..{high}, found {values.min()}..{values.max()}")
    ranks = writer_ranks(writer, writer_index)
    if n and ranks.max() > U16:
        raise ValueError(f"a writer has {ranks.max() + 1} digits, more than the file's uint16 ranks hold")
    meta = {"available": True, "n": int(n), "writers": int(len(np.unique(writer))), "student_series": int(student_series)}
    return encode_bundle({"series": series.astype(np.uint8), "writer": writer.astype(np.uint16),
                          "rank": ranks.astype(np.uint16)}, meta)
