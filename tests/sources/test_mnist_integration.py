"""Checks load_dir against the real MNIST; runs only when MNIST_DATA_DIR points at the four IDX files.

Run with: MNIST_DATA_DIR=/work/shared/data/mnist .venv/bin/pytest tests/test_data_integration.py
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from mnistreport.sources import mnist as d

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not os.environ.get("MNIST_DATA_DIR"), reason="MNIST_DATA_DIR is not set")]


@pytest.fixture(scope="module")
def mnist() -> d.MnistData:
    return d.load_dir(os.environ["MNIST_DATA_DIR"])


def test_full_mnist_known_facts(mnist: d.MnistData) -> None:
    assert mnist.source == "full"
    assert np.bincount(mnist.train_labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(mnist.test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert mnist.train_labels[0] == 5
    row5 = [0] * 12 + [3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127] + [0] * 4
    assert mnist.train_images[0, 5].tolist() == row5


def test_full_mnist_headers(mnist: d.MnistData) -> None:
    expected = {
        d.TRAIN_IMAGES: (0x803, (60000, 28, 28)),
        d.TRAIN_LABELS: (0x801, (60000,)),
        d.TEST_IMAGES: (0x803, (10000, 28, 28)),
        d.TEST_LABELS: (0x801, (10000,)),
    }
    assert {name: (h.magic, h.shape) for name, h in mnist.headers.items()} == expected
    assert mnist.headers[d.TRAIN_IMAGES].raw == bytes.fromhex("00000803 0000ea60 0000001c 0000001c")
    assert {info.sha256 for info in mnist.files} == set(d.MNIST_SHA256.values())
