"""Everything the pages show, computed before any page is written, and its JSON export.

``Results`` has one field per step of the build (the steps are declared by the
chapters in ``mnistreport/chapters/``; each step names the field it fills),
plus the data, the parameters and how each step went. ``summary()`` is
``site/data/results.json``. This module imports only the analyses below it.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import platform
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mnistreport import __version__
from mnistreport.analysis import autoencoder, clustering, cnn, comparison, describe as dataset, embedding, grid, mlp, writers
from mnistreport.engine.store import StepRecord
from mnistreport.config import Config
from mnistreport.sources.mnist import MnistData
from mnistreport.analysis.sample_maps import PerplexitySweep, SampleMap
from mnistreport.sources.qmnist import Provenance

# Libraries whose versions the about page lists.
REPORTED_PACKAGES = (
    "numpy", "scipy", "pandas", "scikit-learn", "lapjv", "openTSNE", "tensorflow-cpu", "keras", "matplotlib",
    "matplotlib-fontja", "pillow", "jinja2", "markdown", "mlxtend",
)


def package_versions() -> dict[str, str]:
    """Python's version and those of the libraries the build uses."""
    versions = {"python": platform.python_version(), "mnistreport": __version__}
    for name in REPORTED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


@dataclass
class Results:
    """The build's results: the inputs, then one field per step, then how the steps went."""

    data: MnistData
    config: Config
    quick: bool
    # chapters 1-2
    train_counts: list[int]
    test_counts: list[int]
    class_images: dataset.ClassImages
    samples: dataset.Samples
    memory: dataset.MemoryFootprint
    # chapters 3-5 and the digit pages' maps
    tsne: SampleMap
    map_pairs: list[tuple[int, int, float]]  # classes that meet most on the main map (a, b, share)
    tsne_big: SampleMap
    perplexity_sweep: PerplexitySweep
    digit_maps: list[SampleMap]
    mismatch: grid.Mismatch
    # chapters 6-7
    autoencoder: autoencoder.AutoencoderResult
    kmeans_codes: clustering.ClusterResult
    kmeans_pixels: clustering.ClusterResult
    kmeans_pca: clustering.ClusterResult
    cluster_style: clustering.ClusterStyle
    mlp: mlp.MlpResult
    cnn: cnn.CnnResult
    comparison: comparison.Comparison
    # the explorer: every training digit, then every test digit
    all_map: embedding.MapResult
    all_grid: grid.LargeGridResult
    grid_check: grid.LargeGridResult  # the same method on chapter 5's map, where the exact optimum is known
    all_grid_agreement: grid.Mismatch  # neighbouring cells with the same digit, against a shuffle
    all_predictions: dict[str, np.ndarray]  # "mlp", "cnn" -> (N,) uint8
    # the writers chapter (read second): None when the build found no QMNIST provenance
    provenance: Provenance | None
    writers: writers.Who | None
    writer_errors: writers.ErrorReport | None
    series_means: writers.SeriesMeans | None
    writer_map: writers.MapStyle | None
    versions: dict[str, str] = field(default_factory=package_versions)
    steps: list[StepRecord] = field(default_factory=list)

    @property
    def clusters(self) -> dict[str, clustering.ClusterResult]:
        """k-means on the autoencoder codes and its two baselines, in the order the pages list them."""
        return {"codes": self.kmeans_codes, "pixels": self.kmeans_pixels, "pca": self.kmeans_pca}

    @property
    def n_train(self) -> int:
        return len(self.data.train_labels)

    @property
    def n_test(self) -> int:
        return len(self.data.test_labels)

    @property
    def all_labels(self) -> np.ndarray:
        """Labels of every digit in the explorer's order: training digits, then test digits."""
        return np.concatenate([self.data.train_labels, self.data.test_labels])

    @property
    def all_images(self) -> np.ndarray:
        """Images of every digit in the explorer's order: training digits, then test digits."""
        return np.concatenate([self.data.train_images, self.data.test_images])

    def labels_of(self, sample: SampleMap) -> np.ndarray:
        """The labels of a map's digits, in the map's order."""
        return self.data.train_labels[sample.indices]

    def images_of(self, sample: SampleMap) -> np.ndarray:
        """The images of a map's digits, in the map's order."""
        return self.data.train_images[sample.indices]

    def ranked_digits(self) -> list[int]:
        """Digits from the most to the least common in the training set."""
        return sorted(range(10), key=lambda d: (-self.train_counts[d], d))

    def header(self, prefix: str) -> Any:
        """The IDX header of the file whose name starts with ``prefix`` (e.g. 'train-images'), or None."""
        return next((h for name, h in sorted(self.data.headers.items()) if name.startswith(prefix)), None)

    def writers_summary(self) -> dict[str, Any] | None:
        """The writers chapter's numbers for results.json (None without provenance)."""
        if self.provenance is None or self.writers is None or self.writer_errors is None:
            return None
        w, e = self.writers, self.writer_errors
        return {
            "provenance": self.provenance.summary(),
            "train": w.train.summary(),
            "test": w.test.summary(),
            "shared_writers": w.overlap.n_shared,
            "claims": dataclasses.asdict(w.claims),
            "errors_by_collection": {k: v.summary() for k, v in e.by_collection.items()},
            "errors_by_half": {k: v.summary() for k, v in e.by_half.items()},
            "writer_error_median": e.per_writer.median_rate,
            "galleries": {k: dataclasses.asdict(g) for k, g in e.galleries.items()},
            "map_style": self.writer_map.summary() if self.writer_map is not None else None,
        }

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
            "perplexity_sweep": [m.summary() for m in self.perplexity_sweep.maps],
            "grid": self.tsne.grid.summary() if self.tsne.grid else None,
            "digit_grids": [dict(m.grid.summary() if m.grid else {}, digit=d, tsne=m.map.summary())
                            for d, m in enumerate(self.digit_maps)],
            "mismatch": self.mismatch.summary(),
            "autoencoder": dict(
                self.autoencoder.summary(),
                kmeans=self.kmeans_codes.summary(),
                baselines={"pixels": self.kmeans_pixels.summary(), "pca": self.kmeans_pca.summary()},
            ),
            "mlp": self.mlp.summary(),
            "cnn": self.cnn.summary(),
            "comparison": self.comparison.summary(),
            "all_digits": dict(self.all_map.summary(), trust_points=int(self.all_map.trust_points),
                               n_train=self.n_train, n_test=self.n_test,
                               grid=dict(self.all_grid.summary(), **self.all_grid_agreement.summary()),
                               grid_check=dict(self.grid_check.summary(),
                                               exact_total_cost=self.tsne.grid.total_cost,
                                               cost_ratio=self.grid_check.total_cost / self.tsne.grid.total_cost)),
            "writers": self.writers_summary(),
            "versions": self.versions,
            "steps": [{"name": s.name, "seconds": round(s.seconds, 3)} for s in self.steps],
        }
