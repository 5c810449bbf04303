"""Shared fixtures: tiny synthetic MNIST-like data that the tests make themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from mnistreport.data import MnistData

REPO = Path(__file__).resolve().parent.parent


def make_digits(labels: np.ndarray, seed: int) -> np.ndarray:
    """Render each label as a 28x28 grey digit with a random shift, size and stroke noise."""
    rng = np.random.default_rng(seed)
    images = np.zeros((len(labels), 28, 28), np.uint8)
    for i, label in enumerate(labels):
        canvas = Image.new("L", (28, 28), 0)
        font = ImageFont.load_default(size=int(rng.integers(16, 22)))
        ImageDraw.Draw(canvas).text((int(rng.integers(6, 11)), int(rng.integers(1, 5))), str(int(label)), fill=255, font=font)
        noisy = np.asarray(canvas, np.float32) * rng.uniform(0.7, 1.0)
        images[i] = np.clip(noisy + rng.normal(0, 8, (28, 28)) * (noisy > 0), 0, 255).astype(np.uint8)
    return images


def make_tiny_mnist(n_train: int = 300, n_test: int = 100, seed: int = 0) -> MnistData:
    """A small MNIST look-alike with every digit present, source 'custom'."""
    rng = np.random.default_rng(seed)
    train_labels = np.resize(np.arange(10, dtype=np.uint8), n_train)
    test_labels = np.resize(np.arange(10, dtype=np.uint8), n_test)
    rng.shuffle(train_labels)
    rng.shuffle(test_labels)
    return MnistData(
        train_images=make_digits(train_labels, seed),
        train_labels=train_labels,
        test_images=make_digits(test_labels, seed + 1),
        test_labels=test_labels,
        source="custom",
        origin="synthetic test data",
    )


@pytest.fixture(scope="session")
def tiny_mnist() -> MnistData:
    return make_tiny_mnist()


# Small parameters so that every analysis runs in seconds on the tiny data.
TINY_CONFIG = {
    "first_look": {"mosaic_rows": 3, "mosaic_cols": 5, "digit_samples": 4},
    "tsne": {"big_n": 200, "pca_components": 20},
    "perplexity": {"n": 100, "values": [2, 5, 10, 20, 30, 50, 75, 100, 150]},
    "grid": {"side": 10},
    "autoencoder": {"max_epochs": 3, "batch_size": 64},
    "mlp": {"epochs": 1, "hidden": 20},
    "cnn": {"max_epochs": 1, "batch_size": 64, "conv1_filters": 4, "conv2_filters": 8, "dense": 16},
    "explore": {"early_iterations": 50, "iterations": 50},
}


@pytest.fixture(scope="session")
def tiny_site(tiny_mnist, tmp_path_factory):
    """A complete site built from the tiny data: (results, site folder)."""
    from mnistreport import pipeline
    from mnistreport.cache import Cache
    from mnistreport.config import config_from_dict
    from mnistreport.site import LANGS

    root = tmp_path_factory.mktemp("tiny-build")
    cache = Cache(root / "cache")
    results = pipeline.compute(tiny_mnist, config_from_dict(TINY_CONFIG), cache)
    pipeline.write(results, root / "site", langs=LANGS, cache=cache)
    return results, root / "site"


CONTENT = REPO / "content"
