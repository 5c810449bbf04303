"""The explore chapter's assets, called as the build calls them: with exactly what their parameters name."""

import json
from types import SimpleNamespace

import numpy as np

from mnistreport.chapters import explore
from mnistreport.config import Explore
from mnistreport.render.bundle import decode_bundle


def test_the_neighbours_asset_finds_each_digits_neighbours_from_the_pixels(tmp_path):
    rng = np.random.default_rng(4)
    data = SimpleNamespace(all_images=rng.integers(0, 256, (100, 28, 28), dtype=np.uint8))
    explore.explorer_neighbours(data=data, settings=Explore(pca_components=50, seed=0), folder=tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["n"] == 100 and meta["k"] == 8 and meta["method"].startswith("PCA 50, exact")
    _, arrays = decode_bundle((tmp_path / "0.bin").read_bytes())
    assert arrays["ids"].shape == (100, 8)
