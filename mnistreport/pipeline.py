"""The build in two phases: compute every result first, then write the whole site.

``compute`` runs each analysis through the on-disk cache and collects the
results in one ``Results`` object; ``write`` draws the figures, renders every
page and ``results.json`` into a staging folder and swaps it into place.
Nothing is written to the output folder before every result exists.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import logging
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np

from . import __version__, autoencoder, clustering, dataset, embedding, grid, mlp
from .cache import Cache, StepRecord, step_key
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


@dataclass(frozen=True)
class SampleMap:
    """A t-SNE map of a random sample of training digits, and (optionally) its grid."""

    indices: np.ndarray  # rows of the training set, in the order of the map's points
    map: embedding.MapResult
    grid: grid.GridResult | None


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
    tsne: SampleMap
    tsne_big: SampleMap
    map_pairs: list[tuple[int, int, float]]  # classes that meet most on the main map (a, b, share)
    perplexity_indices: np.ndarray
    perplexity_maps: list[embedding.MapResult]
    digit_maps: list[SampleMap]
    mismatch: grid.Mismatch
    autoencoder: autoencoder.AutoencoderResult
    clusters: dict[str, clustering.ClusterResult]  # "codes", "pixels", "pca"
    cluster_style: clustering.ClusterStyle
    mlp: mlp.MlpResult
    versions: dict[str, str]
    steps: list[StepRecord] = field(default_factory=list)

    @property
    def step_keys(self) -> dict[str, str]:
        """Each step's cache key: what a figure drawn from that step is keyed on."""
        return {s.name: s.key for s in self.steps}

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
            "tsne": dict(self.tsne.map.summary(),
                         neighbour_pairs=[{"classes": [a, b], "share": share} for a, b, share in self.map_pairs]),
            "tsne_big": self.tsne_big.map.summary(),
            "perplexity_sweep": [m.summary() for m in self.perplexity_maps],
            "grid": self.tsne.grid.summary() if self.tsne.grid else None,
            "digit_grids": [dict(m.grid.summary() if m.grid else {}, digit=d, tsne=m.map.summary())
                            for d, m in enumerate(self.digit_maps)],
            "mismatch": self.mismatch.summary(),
            "autoencoder": dict(
                self.autoencoder.summary(),
                kmeans=self.clusters["codes"].summary(),
                baselines={"pixels": self.clusters["pixels"].summary(), "pca": self.clusters["pca"].summary()},
            ),
            "mlp": self.mlp.summary(),
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

    def __init__(self, cache: Cache, data: MnistData, report: Callable[[StepRecord], None],
                 on_start: Callable[[str], None] = lambda step: None) -> None:
        self.cache, self.data, self.report, self.on_start = cache, data, report, on_start
        self.records: list[StepRecord] = []

    def cached(self, step: str, compute: Callable[[], T], params: Any, modules: list) -> T:
        """An expensive step: from the cache when its key matches."""
        self.on_start(step)
        value, record = self.cache.run(step, compute, params=params, data_checksum=self.data.checksum, modules=modules)
        self._done(record)
        return value

    def direct(self, step: str, compute: Callable[[], T], params: Any, modules: list) -> T:
        """A cheap step: always computed, but keyed like a cached one so figures can depend on it."""
        self.on_start(step)
        started = time.perf_counter()
        value = compute()
        key = step_key(step, params, self.data.checksum, modules)
        self._done(StepRecord(step, time.perf_counter() - started, cached=False, key=key))
        return value

    def key_of(self, step: str) -> str:
        """The cache key of a finished step (for steps that depend on it)."""
        return next(r.key for r in self.records if r.name == step)

    def _done(self, record: StepRecord) -> None:
        self.records.append(record)
        self.report(record)


def compute(data: MnistData, config: Config, cache: Cache, *, quick: bool = False, jobs: int = 2,
            report: Callable[[StepRecord], None] = lambda record: None,
            on_start: Callable[[str], None] = lambda step: None) -> Results:
    """Run every analysis (through the cache) and collect the results.

    ``on_start(step)`` and ``report(record)`` are called as each step begins and ends (for progress).
    """
    if quick:
        config = config.quick()
    steps = StepRunner(cache, data, report, on_start)
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
    maps = compute_maps(steps, data, config, train_counts, jobs)
    models = compute_models(steps, data, config)
    return Results(
        data=data, config=config, quick=quick, train_counts=train_counts, test_counts=test_counts,
        class_images=class_images, samples=samples, memory=memory, **maps, **models,
        versions=package_versions(), steps=steps.records,
    )


def compute_models(steps: StepRunner, data: MnistData, config: Config) -> dict[str, Any]:
    """Chapters 6 and 7: the autoencoder, k-means on its codes (and two baselines), the classifier."""
    ae_params, cfg_km, mlp_params = config.autoencoder, config.kmeans, config.mlp
    trained = steps.cached(
        "autoencoder",
        lambda: autoencoder.train_autoencoder(data.train_images, data.test_images, data.test_labels, ae_params),
        dataclasses.asdict(ae_params), [autoencoder],
    )
    labels = data.train_labels
    k_params = {"k": cfg_km.k, "seed": cfg_km.seed, "n_init": cfg_km.n_init}

    def kmeans(features: np.ndarray) -> clustering.ClusterResult:
        return clustering.cluster_scores(features, labels, k=cfg_km.k, seed=cfg_km.seed, n_init=cfg_km.n_init)

    pca_components = min(cfg_km.pca_components, len(labels))
    clusters = {
        "codes": steps.cached("k-means on codes", lambda: kmeans(trained.codes_train),
                              dict(k_params, codes=steps.key_of("autoencoder")), [clustering]),
        "pixels": steps.cached("k-means on pixels", lambda: kmeans(clustering.pixel_features(data.train_images)),
                               k_params, [clustering]),
        "pca": steps.cached("k-means on PCA",
                            lambda: kmeans(clustering.pca_features(data.train_images, pca_components, cfg_km.seed)),
                            dict(k_params, pca=pca_components), [clustering]),
    }
    style = steps.cached("cluster styles",
                         lambda: clustering.cluster_style(clusters["codes"], data.train_images, labels, cfg_km.seed),
                         {"codes": steps.key_of("k-means on codes")}, [clustering, dataset])
    classifier = steps.cached(
        "classifier",
        lambda: mlp.run_mlp(data.train_images, labels, data.test_images, data.test_labels, mlp_params),
        dataclasses.asdict(mlp_params), [mlp],
    )
    return {"autoencoder": trained, "clusters": clusters, "cluster_style": style, "mlp": classifier}


def grid_side_for(available: int, wanted_side: int) -> int:
    """The largest grid side up to ``wanted_side`` whose square fits in ``available`` digits."""
    return max(2, min(wanted_side, int(np.sqrt(available))))


def capped_perplexity(perplexity: float, n: int) -> float:
    """t-SNE needs perplexity < n / 3; small editions (the sample, tiny test data) lower it."""
    return float(min(perplexity, max(1.0, (n - 1) / 3.0)))


def map_sample(images: np.ndarray, labels: np.ndarray, indices: np.ndarray, *, pca_components: int | None,
               perplexity: float, seed: int, jobs: int, grid_side: int | None, cost_max: float) -> SampleMap:
    """Embed the digits at ``indices`` with t-SNE and, when ``grid_side`` is given, snap them onto a grid."""
    if pca_components is not None:
        pca_components = min(pca_components, len(indices))  # PCA cannot have more components than samples
    result = embedding.embed_digits(images[indices], labels[indices], pca_components=pca_components,
                                    perplexity=capped_perplexity(perplexity, len(indices)), seed=seed, n_jobs=jobs)
    snapped = grid.assign_to_grid(result.coords, side=grid_side, cost_max=cost_max) if grid_side else None
    return SampleMap(indices=indices, map=result, grid=snapped)


def compute_maps(steps: StepRunner, data: MnistData, config: Config, train_counts: list[int],
                 jobs: int) -> dict[str, Any]:
    """Chapters 3-5 and the digit pages' maps: t-SNE maps, the perplexity sweep, grids, the mismatch."""
    images, labels = data.train_images, data.train_labels
    tsne, cfg_grid = config.tsne, config.grid
    modules = [embedding, grid]
    side = grid_side_for(len(labels), cfg_grid.side)
    main_indices = embedding.sample_indices(labels, side * side, tsne.seed)
    main = steps.cached(
        "t-SNE map and grid",
        lambda: map_sample(images, labels, main_indices, pca_components=tsne.pca_components,
                           perplexity=tsne.perplexity, seed=tsne.seed, jobs=jobs, grid_side=side,
                           cost_max=cfg_grid.cost_max),
        {"n": side * side, "pca": tsne.pca_components, "perplexity": tsne.perplexity, "seed": tsne.seed,
         "side": side, "cost_max": cfg_grid.cost_max}, modules,
    )
    pairs = steps.direct("classes that meet on the map",
                         lambda: embedding.neighbour_class_pairs(main.map.coords, labels[main.indices]),
                         {"main": steps.key_of("t-SNE map and grid")}, modules)
    big_n = min(tsne.big_n, len(labels))
    big_indices = embedding.sample_indices(labels, big_n, tsne.seed)
    big = steps.cached(
        "t-SNE of raw pixels",
        lambda: map_sample(images, labels, big_indices, pca_components=None, perplexity=tsne.perplexity,
                           seed=tsne.seed, jobs=jobs, grid_side=None, cost_max=cfg_grid.cost_max),
        {"n": big_n, "perplexity": tsne.perplexity, "seed": tsne.seed}, modules,
    )
    sweep_n = min(config.perplexity.n, len(labels))
    sweep_indices = embedding.sample_indices(labels, sweep_n, tsne.seed)
    perplexities = [capped_perplexity(p, sweep_n) for p in config.perplexity.values]
    sweep = steps.cached(
        "perplexity sweep",
        lambda: embedding.perplexity_sweep(images[sweep_indices], labels[sweep_indices], perplexities,
                                           pca_components=tsne.pca_components, seed=tsne.seed, n_jobs=jobs),
        {"n": sweep_n, "values": perplexities, "pca": tsne.pca_components, "seed": tsne.seed}, modules,
    )
    digit_side = grid_side_for(min(train_counts), cfg_grid.side)
    digit_maps = []
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        chosen = members[embedding.sample_indices(members, digit_side * digit_side, tsne.seed)]
        digit_maps.append(steps.cached(
            f"digit {digit}: t-SNE map and grid",
            lambda: map_sample(images, labels, chosen, pca_components=tsne.pca_components,
                               perplexity=tsne.perplexity, seed=tsne.seed, jobs=jobs, grid_side=digit_side,
                               cost_max=cfg_grid.cost_max),
            {"digit": digit, "n": digit_side * digit_side, "pca": tsne.pca_components,
             "perplexity": tsne.perplexity, "seed": tsne.seed, "side": digit_side, "cost_max": cfg_grid.cost_max},
            modules,
        ))
    assert main.grid is not None
    main_grid = main.grid
    mismatch = steps.direct("mismatched pairing",
                            lambda: grid.mismatched_pairing(main_grid, labels[main.indices], tsne.seed),
                            {"seed": tsne.seed, "main": steps.key_of("t-SNE map and grid")}, modules)
    return {"tsne": main, "tsne_big": big, "map_pairs": pairs, "perplexity_indices": sweep_indices, "perplexity_maps": sweep,
            "digit_maps": digit_maps, "mismatch": mismatch}


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
          site_url: str = "", report: Callable[[StepRecord], None] = lambda record: None) -> None:
    """Draw figures, render every page and results.json, and publish them to ``out_dir`` atomically."""
    check_content_parity(paths.content, langs)

    def write_pages(staging: Path) -> None:
        started = time.perf_counter()
        figures, (hits, files) = write_figures(results, staging, langs, cache)
        report(StepRecord(f"figures ({hits}/{files} from cache)", time.perf_counter() - started, cached=hits == files))
        started = time.perf_counter()
        renderer = SiteRenderer(results, figures, content_dir=paths.content, templates_dir=paths.templates,
                                langs=langs, banners=banners_for(results), site_url=site_url)
        renderer.render_all(staging)
        shutil.copytree(paths.static, staging / "assets")
        (staging / ".nojekyll").write_text("", encoding="utf-8")
        write_json(staging / "data" / "results.json", results.summary())
        report(StepRecord("pages", time.perf_counter() - started, cached=False))

    write_site(out_dir, write_pages=write_pages)
