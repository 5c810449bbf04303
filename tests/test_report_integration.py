"""The real build on the full MNIST (runs when MNIST_DATA_DIR is set, as in CI)."""

import gzip
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import CONTENT  # noqa: E402
from mnistreport.website.content import LANGS, find_pages

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

pytestmark = pytest.mark.integration


def test_full_build_reports_the_known_label_counts(full_site):
    payload = json.loads((full_site / "data" / "results.json").read_text())
    assert payload["data"]["source"] == "full"
    assert payload["data"]["train_counts"] == TRAIN_COUNTS
    assert payload["data"]["test_counts"] == TEST_COUNTS
    assert {f["name"] for f in payload["data"]["files"]} >= {"train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}


def test_full_build_writes_every_page(full_site):
    for lang in LANGS:
        for page in find_pages(CONTENT):
            assert (full_site / lang / f"{page.slug}.html").is_file()


def test_full_build_shows_the_header_it_read(full_site):
    html = (full_site / "en" / "dataset.html").read_text(encoding="utf-8")
    assert "00 00 08 03" in html and "00 00 ea 60" in html  # magic 0x803, 60,000 images
    assert "0x00000801" in html


def qmnist_columns(path: Path) -> np.ndarray:
    """QMNIST's extended labels read straight from the file (IDX, 0x0C02: big-endian int32, 2 dimensions)."""
    raw = gzip.decompress(path.read_bytes())
    assert raw[:4] == b"\x00\x00\x0c\x02"
    rows, cols = np.frombuffer(raw[4:12], ">i4")
    return np.frombuffer(raw[12:], ">i4").reshape(rows, cols)


@pytest.mark.skipif(not os.environ.get("MNIST_PROVENANCE_DIR"), reason="MNIST_PROVENANCE_DIR is not set")
def test_the_tables_writer_columns_equal_the_qmnist_files_for_every_digit(full_site):
    folder = Path(os.environ["MNIST_PROVENANCE_DIR"])
    train = qmnist_columns(folder / "qmnist-train-labels-idx2-int.gz")
    test = qmnist_columns(folder / "qmnist-test-labels-idx2-int.gz")[:10000]  # the rows MNIST's test set has
    expected = np.concatenate([train, test])
    table = pd.read_csv(full_site / "data" / "all-digits.csv.gz")
    assert len(table) == 70000
    assert (table["label"].to_numpy() == expected[:, 0]).all()
    assert (table["series"].to_numpy() == expected[:, 1]).all()
    assert (table["writer"].to_numpy() == expected[:, 2]).all()
    assert (table["writer_index"].to_numpy() == expected[:, 3]).all()
