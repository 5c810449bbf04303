"""Descriptive statistics of the data set: the dataset and first-look chapters and the digit pages.

Pure functions over the image and label arrays: label counts, per-class mean and
standard-deviation images, the random samples that the mosaics show, and the
measured memory cost of the data as uint8 arrays versus as a CSV in pandas.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

N_CLASSES = 10


@dataclass(frozen=True)
class ClassImages:
    """Per-class pixel statistics on the training set, in [0, 1]."""

    mean: np.ndarray  # (10, 28, 28) float32
    std: np.ndarray  # (10, 28, 28) float32
    overall_mean: np.ndarray  # (28, 28) float32: the mean of all training digits

    def summary(self) -> dict:
        ink = self.mean.reshape(N_CLASSES, -1).sum(axis=1)
        return {"mean_ink_per_class": [round(float(v), 3) for v in ink]}


@dataclass(frozen=True)
class Samples:
    """Indices into the training set chosen at random, for the mosaics."""

    mosaic: np.ndarray  # (rows * cols,) indices of the chapter-2 mosaic
    mosaic_shape: tuple[int, int]
    per_digit: np.ndarray  # (10, k) indices of k samples of each digit


@dataclass(frozen=True)
class MemoryFootprint:
    """What the whole data set costs in memory, measured."""

    uint8_bytes: int  # images and labels as NumPy uint8 arrays
    csv_bytes: int  # the same data written as CSV (label, then 784 pixels)
    pandas_bytes: int  # that CSV read back by pandas with default dtypes
    pandas_dtypes: tuple[str, ...]  # the distinct column dtypes pandas chose
    seconds: float

    @property
    def ratio(self) -> float:
        return self.pandas_bytes / self.uint8_bytes

    def summary(self) -> dict:
        return {
            "uint8_bytes": self.uint8_bytes,
            "csv_bytes": self.csv_bytes,
            "pandas_bytes": self.pandas_bytes,
            "pandas_dtypes": list(self.pandas_dtypes),
            "ratio": round(self.ratio, 3),
            "seconds": round(self.seconds, 3),
        }


def scale_pixels(images_uint8: np.ndarray) -> np.ndarray:
    """Flatten images to rows and scale 0..255 to [0, 1]: float32 (N, H*W), e.g. (N, 784).

    The one input scaling of PCA, t-SNE, k-means and the autoencoder (the
    chapter-7 network has its own recipe, ``mlp.scale_inputs``).
    """
    images = np.asarray(images_uint8)
    if images.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {images.dtype}")
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)


def label_counts(labels: np.ndarray) -> list[int]:
    """How many examples of each digit 0-9."""
    return [int(c) for c in np.bincount(labels, minlength=N_CLASSES)[:N_CLASSES]]


def class_images(images: np.ndarray, labels: np.ndarray) -> ClassImages:
    """Mean and standard deviation of every pixel, per class, with pixels scaled to [0, 1]."""
    scaled = images.astype(np.float32) / 255.0
    mean = np.zeros((N_CLASSES,) + images.shape[1:], np.float32)
    std = np.zeros_like(mean)
    for digit in range(N_CLASSES):
        members = scaled[labels == digit]
        if len(members):
            mean[digit] = members.mean(axis=0)
            std[digit] = members.std(axis=0)
    return ClassImages(mean=mean, std=std, overall_mean=scaled.mean(axis=0))


def draw_samples(labels: np.ndarray, *, mosaic_rows: int, mosaic_cols: int, per_digit: int, seed: int) -> Samples:
    """Choose the digits the mosaics show, reproducibly from ``seed``.

    A digit with fewer than ``per_digit`` examples (only in tiny test data) is
    sampled with replacement so the mosaic keeps its shape.
    """
    rng = np.random.default_rng(seed)
    n_mosaic = mosaic_rows * mosaic_cols
    mosaic = rng.choice(len(labels), size=n_mosaic, replace=n_mosaic > len(labels))
    chosen = []
    for digit in range(N_CLASSES):
        members = np.flatnonzero(labels == digit)
        if len(members) == 0:
            raise ValueError(f"no training example of digit {digit}; the digit pages need every digit")
        chosen.append(rng.choice(members, size=per_digit, replace=per_digit > len(members)))
    return Samples(mosaic=mosaic, mosaic_shape=(mosaic_rows, mosaic_cols), per_digit=np.stack(chosen))


def memory_footprint(
    train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray, test_labels: np.ndarray
) -> MemoryFootprint:
    """Measure the data's size as uint8 arrays and as a CSV loaded into pandas.

    The CSV is written to memory in the common layout (label, then 784 pixel
    columns, a header row) and read back with ``pandas.read_csv`` defaults, as
    a reader of the CSV version would; ``memory_usage(deep=True)`` gives the size.
    """
    started = time.perf_counter()
    uint8_bytes = sum(a.nbytes for a in (train_images, train_labels, test_images, test_labels))
    csv_bytes = 0
    pandas_bytes = 0
    dtypes: set[str] = set()
    for images, labels in ((train_images, train_labels), (test_images, test_labels)):
        table = np.column_stack([labels, images.reshape(len(images), -1)])
        header = "label," + ",".join(f"pixel{i}" for i in range(table.shape[1] - 1))
        buffer = io.StringIO()
        np.savetxt(buffer, table, fmt="%d", delimiter=",", header=header, comments="")
        text = buffer.getvalue()
        csv_bytes += len(text.encode())
        frame = pd.read_csv(io.StringIO(text))
        pandas_bytes += int(frame.memory_usage(deep=True).sum())
        dtypes.update(str(t) for t in frame.dtypes.unique())
    return MemoryFootprint(
        uint8_bytes=int(uint8_bytes),
        csv_bytes=csv_bytes,
        pandas_bytes=pandas_bytes,
        pandas_dtypes=tuple(sorted(dtypes)),
        seconds=time.perf_counter() - started,
    )


def stroke_features(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ink and slant of each image, to describe what a group of digits has in common.

    ink: the sum of pixel values / 255 (how many pixels' worth of full ink).
    slant: how far the ink leans right per unit of height (the ratio of the x-y
    covariance to the y variance of the ink, with y pointing up); 0 is upright,
    positive leans right like "/".
    """
    weights = images.astype(np.float64)
    h, w = images.shape[1:]
    ys, xs = np.mgrid[0:h, 0:w]
    ys = (h - 1 - ys).astype(np.float64)  # y up
    total = weights.sum(axis=(1, 2))
    safe = np.maximum(total, 1e-9)
    mean_x = (weights * xs).sum(axis=(1, 2)) / safe
    mean_y = (weights * ys).sum(axis=(1, 2)) / safe
    dx = xs[None] - mean_x[:, None, None]
    dy = ys[None] - mean_y[:, None, None]
    cov_xy = (weights * dx * dy).sum(axis=(1, 2)) / safe
    var_y = (weights * dy * dy).sum(axis=(1, 2)) / safe
    return total / 255.0, cov_xy / np.maximum(var_y, 1e-9)
