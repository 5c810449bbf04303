"""The data of the classifier chapter's "Draw a digit" widget: the network and the map, for the browser.

The widget (``templates/widgets/draw.html``, ``static/draw/``) runs the classifier chapter's
NumPy network in the reader's browser and shows where the drawing lands on
the tsne chapter's t-SNE map. Everything it needs is one bundle file
(:mod:`mnistreport.render.bundle`) made by :func:`model_bundle`, and one greyscale PNG of
the map's digits made by :func:`map_digit_sheet` and :func:`sheet_png`.

Arrays of the bundle (the names ``static/draw/model.js`` reads):

* ``w_hidden`` float16 (H, 784) and ``w_output`` float16 (10, H): the network
  (no biases; the input is ``x / 255 * 0.99 + 0.01``, as in :mod:`mnistreport.analysis.mlp`).
  At most ``WEIGHT_BUDGET`` bytes together (H = 200 takes 317,600 bytes).
* ``pca_mean`` float32 (784,) and ``pca_components`` float16 (C, 784): the map's
  PCA, scikit-learn's convention ``features = (x01 - mean) @ components.T`` with
  ``x01 = pixels / 255`` (see :func:`mnistreport.analysis.embedding.project`).
* ``map_features`` float16 (N, C): the map digits' PCA features, ``embedding.project``
  of the map digits (the t-SNE input up to the solver's rounding; see there).
* ``map_xy`` uint16 (N, 2): the map, [0, 1] per axis scaled to 0..65535, y up.
* ``map_labels`` uint8 (N,).
* ``examples`` uint8 (n, 784) and ``example_labels`` uint8 (n,): test digits for
  the "random test digit" button.

The meta holds the sizes, the neighbour count ``k`` (openTSNE places a new point
at the median map position of its ``k`` nearest neighbours, ``k = 25`` by
default in ``TSNEEmbedding.prepare_partial``) and the ten class colours.

Pure functions only: the build decides where the bytes go.
"""

from __future__ import annotations

import io
from typing import Sequence

import numpy as np

from mnistreport.analysis import mlp
from mnistreport.render.bundle import encode_bundle
from mnistreport.render.style import CLASS_COLOURS

__all__ = [
    "CELL",
    "DEFAULT_K",
    "SHEET_COLUMNS",
    "WEIGHT_BUDGET",
    "map_digit_sheet",
    "model_bundle",
    "pick_examples",
    "sheet_png",
]

#: Neighbours used to place a drawing on the map: openTSNE's default for ``prepare_partial``.
DEFAULT_K = 25
#: The network's weights may take at most this many bytes of the bundle.
WEIGHT_BUDGET = 400_000
#: The map-digit sheet: this many digits per row, each CELL x CELL pixels.
SHEET_COLUMNS = 50
CELL = 28
XY_SCALE = 65535
BUNDLE_KIND = "mnistreport draw model"


def pick_examples(labels: np.ndarray, per_class: int = 30, seed: int = 0) -> np.ndarray:
    """Indices of ``per_class`` random digits of each class (fewer if a class has fewer), shuffled."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    chosen = []
    for digit in range(mlp.N_CLASSES):
        members = np.flatnonzero(labels == digit)
        chosen.append(rng.choice(members, size=min(per_class, len(members)), replace=False))
    picked = np.concatenate(chosen).astype(np.int64)
    rng.shuffle(picked)
    return picked


def _flat_uint8(images: np.ndarray, name: str) -> np.ndarray:
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"{name}: expected uint8 pixels, got {images.dtype}")
    flat = images.reshape(len(images), -1)
    if flat.shape[1] != mlp.N_INPUTS:
        raise ValueError(f"{name}: expected {mlp.N_INPUTS} pixels per digit, got shape {images.shape}")
    return flat


def _labels(labels: np.ndarray, n: int, name: str) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"{name}: expected shape ({n},), got {labels.shape}")
    if n and (labels.min() < 0 or labels.max() >= mlp.N_CLASSES):
        raise ValueError(f"{name}: labels must be 0..{mlp.N_CLASSES - 1}")
    return labels.astype(np.uint8)


def model_bundle(
    weights: mlp.MlpWeights,
    pca_mean: np.ndarray,
    pca_components: np.ndarray,
    map_features: np.ndarray,
    map_coords: np.ndarray,
    map_labels: np.ndarray,
    examples: np.ndarray,
    example_labels: np.ndarray,
    *,
    k: int | None = None,
    colours: Sequence[str] = CLASS_COLOURS,
) -> bytes:
    """The widget's bundle bytes (see the module docstring for the arrays and meta).

    ``map_coords`` is the tsne chapter's map, (N, 2) in [0, 1] per axis, y up;
    ``map_features`` its PCA features (N, C) in the order of ``map_coords``
    (``embedding.project(pca, pixels)`` of the map digits);
    ``examples`` uint8 digits (n, 28, 28) or (n, 784); ``k`` the neighbours that place a
    drawing on the map (default ``DEFAULT_K``, or all the map's digits if it has fewer).
    """
    w_hidden = np.asarray(weights.w_hidden)
    w_output = np.asarray(weights.w_output)
    hidden = w_hidden.shape[0]
    if w_hidden.shape != (hidden, mlp.N_INPUTS) or w_output.shape != (mlp.N_CLASSES, hidden):
        raise ValueError(f"weights: expected (H, {mlp.N_INPUTS}) and ({mlp.N_CLASSES}, H), "
                         f"got {w_hidden.shape} and {w_output.shape}")
    weight_bytes = 2 * (w_hidden.size + w_output.size)
    if weight_bytes > WEIGHT_BUDGET:
        raise ValueError(f"weights: {hidden} hidden units take {weight_bytes:,} bytes as float16, "
                         f"more than the widget's budget of {WEIGHT_BUDGET:,}")
    if not (np.all(np.isfinite(w_hidden)) and np.all(np.isfinite(w_output))):
        raise ValueError("weights: not all finite")
    if max(np.abs(w_hidden).max(initial=0), np.abs(w_output).max(initial=0)) > 6e4:
        raise ValueError("weights: too large for float16")

    mean = np.asarray(pca_mean, dtype=np.float32).reshape(-1)
    components = np.asarray(pca_components, dtype=np.float32)
    n_components = components.shape[0]
    if mean.shape != (mlp.N_INPUTS,) or components.shape != (n_components, mlp.N_INPUTS):
        raise ValueError(f"PCA: expected mean ({mlp.N_INPUTS},) and components (C, {mlp.N_INPUTS}), "
                         f"got {mean.shape} and {components.shape}")
    features = np.asarray(map_features, dtype=np.float32)
    coords = np.asarray(map_coords, dtype=np.float64)
    n_map = len(coords)
    if coords.shape != (n_map, 2) or features.shape != (n_map, n_components):
        raise ValueError(f"map: expected coords (N, 2) and features (N, {n_components}), "
                         f"got {coords.shape} and {features.shape}")
    if n_map and (coords.min() < 0 or coords.max() > 1):
        raise ValueError("map: coordinates must be in [0, 1] (the min-max scaled map)")
    labels = _labels(map_labels, n_map, "map_labels")
    k = min(DEFAULT_K, n_map) if k is None else int(k)
    if not 1 <= k <= n_map:
        raise ValueError(f"k: must be between 1 and the {n_map} map digits, got {k}")
    examples_flat = _flat_uint8(examples, "examples")
    example_labels = _labels(example_labels, len(examples_flat), "example_labels")
    if len(colours) != mlp.N_CLASSES:
        raise ValueError(f"colours: expected {mlp.N_CLASSES}, got {len(colours)}")

    arrays = {
        "w_hidden": w_hidden.astype(np.float16),
        "w_output": w_output.astype(np.float16),
        "pca_mean": mean,
        "pca_components": components.astype(np.float16),
        "map_features": features.astype(np.float16),
        "map_xy": np.rint(coords * XY_SCALE).astype(np.uint16),
        "map_labels": labels,
        "examples": examples_flat,
        "example_labels": example_labels,
    }
    meta = {
        "kind": BUNDLE_KIND,
        "inputs": mlp.N_INPUTS,
        "hidden": int(hidden),
        "classes": mlp.N_CLASSES,
        "input_offset": mlp.INPUT_OFFSET,
        "input_scale": 0.99,  # x = pixels / 255 * input_scale + input_offset
        "pca_components": int(n_components),
        "map_n": int(n_map),
        "map_xy_scale": XY_SCALE,
        "k": int(k),
        "colours": list(colours),
        "examples": int(len(examples_flat)),
        "sheet_columns": SHEET_COLUMNS,
        "cell": CELL,
        "weight_bytes": int(weight_bytes),
    }
    return encode_bundle(arrays, meta)


def map_digit_sheet(images: np.ndarray, columns: int = SHEET_COLUMNS) -> np.ndarray:
    """The map's digits as one greyscale sheet (uint8, raw MNIST values, white digits on black).

    Digit i sits at row ``i // columns``, column ``i % columns``, CELL x CELL pixels each
    (2,500 digits: 1,400 x 1,400). Unused cells of the last row are black.
    """
    flat = _flat_uint8(images, "images")
    rows = max(1, -(-len(flat) // columns))
    cells = np.zeros((rows * columns, CELL, CELL), np.uint8)
    cells[: len(flat)] = flat.reshape(-1, CELL, CELL)
    return cells.reshape(rows, columns, CELL, CELL).transpose(0, 2, 1, 3).reshape(rows * CELL, columns * CELL)


def sheet_png(sheet: np.ndarray) -> bytes:
    """PNG bytes (8-bit greyscale) of a sheet from :func:`map_digit_sheet`."""
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(sheet, dtype=np.uint8)).save(out, format="PNG", optimize=True)
    return out.getvalue()
