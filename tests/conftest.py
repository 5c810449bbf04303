"""Shared fixtures: tiny synthetic MNIST-like data that the tests make themselves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from mnistreport.sources.mnist import MnistData

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
    "perplexity": {"n": 100, "values": [2, 5, 10, 20, 30, 50, 75]},  # each below n (config checks it)
    "grid": {"side": 10},
    "autoencoder": {"max_epochs": 3, "batch_size": 64},
    "mlp": {"epochs": 1, "hidden": 20},
    "cnn": {"max_epochs": 1, "batch_size": 64, "conv1_filters": 4, "conv2_filters": 8, "dense": 16},
    "explore": {"early_iterations": 50, "iterations": 50},
}


def test_cache_dir(name: str) -> Path:
    """A cache kept between test runs (outside the clone): safe because cache keys are derived from the
    code, the settings and the data, so a run of other code never reads these entries.
    ``MNISTREPORT_TEST_CACHE`` moves it; ``MNISTREPORT_TEST_CACHE=off`` gives every run a fresh one."""
    root = os.environ.get("MNISTREPORT_TEST_CACHE", "")
    if root == "off":
        return Path(tempfile.mkdtemp(prefix=f"mnistreport-{name}-"))
    return (Path(root) if root else Path.home() / ".cache" / "mnistreport" / "test") / name


@pytest.fixture(scope="session")
def tiny_cache():
    """The tiny build's store, shared by every test that computes or writes from the tiny data."""
    from mnistreport.engine.store import Store

    return Store(test_cache_dir("tiny"))


@pytest.fixture(scope="session")
def sample_cache() -> Path:
    """The cache of the ``--quick`` sample-edition builds that the command-line tests run."""
    return test_cache_dir("sample-quick")


@pytest.fixture(scope="session")
def tiny_site(tiny_mnist, tiny_cache, tmp_path_factory):
    """A complete site built from the tiny data, once per session: (what was computed, site folder)."""
    from mnistreport import report
    from mnistreport.config import config_from_dict
    from mnistreport.website.content import LANGS

    root = tmp_path_factory.mktemp("tiny-build")
    # one step after the other: on data this small, starting worker processes costs more than it saves
    computed = report.compute(tiny_mnist, config_from_dict(TINY_CONFIG), tiny_cache, jobs=1)
    report.write(computed, root / "site", langs=LANGS, store=tiny_cache, jobs=2)
    return computed, root / "site"


class BackgroundBuild:
    """The full-MNIST build, started in its own process as soon as the tests are collected, so the
    tests that do not need it run meanwhile (on a cold cache it takes minutes); ``full_site`` waits."""

    def __init__(self, data_dir: str) -> None:
        self.out = Path(tempfile.mkdtemp(prefix="mnistreport-full-")) / "site"
        self.log = self.out.parent / "build.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(REPO / "build.py"), "--data", data_dir, "--out", str(self.out),
                 "--cache-dir", str(test_cache_dir("full")), "-q"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)

    def wait(self) -> Path:
        status = self.process.wait()
        assert status == 0, f"the full build failed ({status}):\n{self.log.read_text()[-3000:]}"
        return self.out


_full_build: BackgroundBuild | None = None


@pytest.fixture(scope="session")
def full_site() -> Path:
    """The real build on the full MNIST (``MNIST_DATA_DIR``), once per session, its cache kept between runs."""
    if _full_build is None:
        pytest.skip("MNIST_DATA_DIR is not set")
    return _full_build.wait()


def toml_text(config: dict) -> str:
    """A parameter file with these sections (numbers and lists of numbers only)."""
    lines = []
    for section, values in config.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {value!r}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def tiny_config_file(tmp_path_factory) -> Path:
    """``TINY_CONFIG`` as a report.toml, for command-line builds that only need to be quick."""
    path = tmp_path_factory.mktemp("config") / "tiny.toml"
    path.write_text(toml_text(TINY_CONFIG), encoding="utf-8")
    return path


CONTENT = REPO / "content"

# Markers derived from what a test uses, so the fast subset while editing is
# ``./run test -m "not slow and not browser and not integration"``.
SLOW_FIXTURES = {"tiny_site": "slow", "sample_cache": "slow", "full_site": "integration"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    global _full_build
    for item in items:
        for fixture in set(getattr(item, "fixturenames", ())) & set(SLOW_FIXTURES):
            item.add_marker(SLOW_FIXTURES[fixture])
    # the tests that read the full build run last, so every other test runs while it is being made
    items.sort(key=lambda item: "full_site" in getattr(item, "fixturenames", ()))
    wanted = any("full_site" in getattr(item, "fixturenames", ()) for item in items)
    if wanted and os.environ.get("MNIST_DATA_DIR") and _full_build is None:
        _full_build = BackgroundBuild(os.environ["MNIST_DATA_DIR"])


def pytest_unconfigure(config: pytest.Config) -> None:
    if _full_build is None:
        return
    if _full_build.process.poll() is None:  # an interrupted session
        _full_build.process.terminate()
        _full_build.process.wait()
    shutil.rmtree(_full_build.out.parent, ignore_errors=True)
