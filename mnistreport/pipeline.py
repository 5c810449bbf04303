"""The build in two phases: compute every result first, then write the whole site.

``compute`` runs each analysis through the on-disk cache and collects the
results in one ``Results`` object; ``write`` draws the figures, renders every
page and ``results.json`` into a staging folder and swaps it into place.
Nothing is written to the output folder before every result exists.
"""

from __future__ import annotations

import importlib.metadata
import logging
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from . import __version__, dataset
from .cache import Cache, StepRecord, cache_key, code_fingerprint
from .config import Config
from .data import MnistData
from .figures import write_figures
from .site import SiteRenderer, check_content_parity, write_json, write_site

log = logging.getLogger(__name__)
T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parent.parent

# Libraries whose versions the about page lists.
REPORTED_PACKAGES = (
    "numpy", "scipy", "pandas", "scikit-learn", "lapjv", "openTSNE", "tensorflow-cpu", "keras", "matplotlib",
    "matplotlib-fontja", "pillow", "jinja2", "markdown", "mlxtend",
)


@dataclass
class Results:
    """Everything the pages show, computed before any page is written."""

    data: MnistData
    config: Config
    quick: bool
    train_counts: list[int]
    test_counts: list[int]
    class_images: dataset.ClassImages
    samples: dataset.Samples
    memory: dataset.MemoryFootprint
    versions: dict[str, str]
    steps: list[StepRecord] = field(default_factory=list)

    @property
    def step_keys(self) -> dict[str, str]:
        """Each step's cache key: what a figure drawn from that step is keyed on."""
        return {s.name: s.key for s in self.steps}

    @property
    def total_seconds(self) -> float:
        return sum(s.seconds for s in self.steps)

    @property
    def n_train(self) -> int:
        return len(self.data.train_labels)

    @property
    def n_test(self) -> int:
        return len(self.data.test_labels)

    def ranked_digits(self) -> list[int]:
        """Digits from the most to the least common in the training set."""
        return sorted(range(10), key=lambda d: (-self.train_counts[d], d))

    def header(self, prefix: str) -> Any:
        """The IDX header of the file whose name starts with ``prefix`` (e.g. 'train-images'), or None."""
        return next((h for name, h in sorted(self.data.headers.items()) if name.startswith(prefix)), None)

    def summary(self) -> dict[str, Any]:
        """The numbers of the site as plain JSON (``site/data/results.json``)."""
        return {
            "generator": f"mnistreport {__version__}",
            "quick": self.quick,
            "data": {
                "source": self.data.source,
                "origin": self.data.origin,
                "checksum": self.data.checksum,
                "train_counts": self.train_counts,
                "test_counts": self.test_counts,
                "files": [{"name": f.name, "sha256": f.sha256, "bytes": f.size} for f in self.data.files],
            },
            "parameters": self.config.as_dict(),
            "class_images": self.class_images.summary(),
            "memory": self.memory.summary(),
            "versions": self.versions,
            "steps": [{"name": s.name, "seconds": round(s.seconds, 3), "cached": s.cached} for s in self.steps],
        }


def package_versions() -> dict[str, str]:
    """Python's version and those of the libraries the build uses."""
    versions = {"python": platform.python_version(), "mnistreport": __version__}
    for name in REPORTED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


class StepRunner:
    """Runs named steps through the cache and reports each one as it finishes."""

    def __init__(self, cache: Cache, data: MnistData, report: Callable[[StepRecord], None]) -> None:
        self.cache, self.data, self.report = cache, data, report
        self.records: list[StepRecord] = []

    def cached(self, step: str, compute: Callable[[], T], params: Any, modules: list) -> T:
        """An expensive step: from the cache when its key matches."""
        value, record = self.cache.run(step, compute, params=params, data_checksum=self.data.checksum, modules=modules)
        self._done(record)
        return value

    def direct(self, step: str, compute: Callable[[], T], params: Any, modules: list) -> T:
        """A cheap step: always computed, but keyed like a cached one so figures can depend on it."""
        started = time.perf_counter()
        value = compute()
        key = cache_key(step, params, self.data.checksum, code_fingerprint(modules))
        self._done(StepRecord(step, time.perf_counter() - started, cached=False, key=key))
        return value

    def _done(self, record: StepRecord) -> None:
        self.records.append(record)
        self.report(record)


def compute(data: MnistData, config: Config, cache: Cache, *, quick: bool = False, jobs: int = 2,
            report: Callable[[StepRecord], None] = lambda record: None) -> Results:
    """Run every analysis (through the cache) and collect the results."""
    steps = StepRunner(cache, data, report)
    first_look = config.first_look
    train_counts = steps.direct("label counts", lambda: dataset.label_counts(data.train_labels), {}, [dataset])
    test_counts = dataset.label_counts(data.test_labels)
    class_images = steps.cached(
        "class images", lambda: dataset.class_images(data.train_images, data.train_labels), {}, [dataset]
    )
    samples = steps.direct(
        "samples",
        lambda: dataset.draw_samples(
            data.train_labels, mosaic_rows=first_look.mosaic_rows, mosaic_cols=first_look.mosaic_cols,
            per_digit=first_look.digit_samples, seed=config.sampling.seed,
        ),
        {"first_look": config.as_dict()["first_look"], "seed": config.sampling.seed}, [dataset],
    )
    memory = steps.cached(
        "memory footprint",
        lambda: dataset.memory_footprint(data.train_images, data.train_labels, data.test_images, data.test_labels),
        {}, [dataset],
    )
    return Results(
        data=data, config=config, quick=quick, train_counts=train_counts, test_counts=test_counts,
        class_images=class_images, samples=samples, memory=memory, versions=package_versions(),
        steps=steps.records,
    )


@dataclass(frozen=True)
class SitePaths:
    """Where the site's sources are (defaults: this repository)."""

    content: Path = REPO_ROOT / "content"
    templates: Path = REPO_ROOT / "templates"
    static: Path = REPO_ROOT / "static"


def banners_for(results: Results) -> list[str]:
    """The notices every page must carry for this build."""
    banners = []
    if results.data.source == "sample":
        banners.append("sample_banner")
    if results.quick:
        banners.append("quick_banner")
    return banners


def write(results: Results, out_dir: Path, *, langs: tuple[str, ...], cache: Cache, paths: SitePaths = SitePaths(),
          report: Callable[[StepRecord], None] = lambda record: None) -> None:
    """Draw figures, render every page and results.json, and publish them to ``out_dir`` atomically."""
    check_content_parity(paths.content, langs)

    def write_pages(staging: Path) -> None:
        started = time.perf_counter()
        figures, (hits, files) = write_figures(results, staging, langs, cache)
        report(StepRecord(f"figures ({hits}/{files} from cache)", time.perf_counter() - started, cached=hits == files))
        started = time.perf_counter()
        renderer = SiteRenderer(results, figures, content_dir=paths.content, templates_dir=paths.templates,
                                langs=langs, banners=banners_for(results))
        renderer.render_all(staging)
        shutil.copytree(paths.static, staging / "assets")
        (staging / ".nojekyll").write_text("", encoding="utf-8")
        write_json(staging / "data" / "results.json", results.summary())
        report(StepRecord("pages", time.perf_counter() - started, cached=False))

    write_site(out_dir, write_pages=write_pages)

