"""The real build on the full MNIST (runs when MNIST_DATA_DIR is set, as in CI)."""

import json
import os
from pathlib import Path

import pytest

from conftest import CONTENT  # noqa: E402
from mnistreport import cli
from mnistreport.site import LANGS, find_pages

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
