"""PCA and t-SNE maps of digits, and how good each map is (the tsne, perplexity and grid chapters).

The tsne chapter's recipe: pixels scaled to [0, 1], PCA to 50 components, t-SNE to 2-D
with perplexity 50 and a fixed seed, the map min-max scaled to [0, 1] per axis.

The t-SNE implementation is openTSNE with PCA initialisation, exact nearest
neighbours, Barnes-Hut gradients (theta 0.8) below ``FFT_MIN_POINTS`` points and FFT
(FIt-SNE) gradients from there on (openTSNE's own "auto" rule), 250 early-exaggeration
iterations then 250 normal ones; the reference it is compared with is scikit-learn's
``TSNE(perplexity=50)`` with its defaults (1,000 iterations), and
``benchmarks/embedding_grid.py`` re-measures both. Threads (``n_jobs``) are the
caller's choice. Why: docs/DECISIONS.md, "t-SNE implementation and iterations".

Every map is scored the same way (all on the min-max scaled map that is shown):

* trustworthiness at k = 10 between the t-SNE input and the map
  (``sklearn.manifold.trustworthiness``): 1 means no false neighbours in the map;
* ``knn_accuracy``: 5-fold stratified cross-validated accuracy of a 10-nearest-
  neighbour classifier on the 2-D map (how well classes stay together);
* ``separation``: mean distance between points of different classes divided by
  mean distance between points of the same class (> 1: classes are apart).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from mnistreport.analysis.describe import scale_pixels
from mnistreport.analysis.neighbours import exact_neighbours

# openTSNE and scikit-learn are imported inside the functions that use them: a
# rebuild that finds every map in the cache never needs them (why: docs/DECISIONS.md,
# "Lazy imports of the heavy libraries").

__all__ = [
    "MapResult",
    "PcaResult",
    "embed_digits",
    "map_quality",
    "neighbour_class_pairs",
    "pca",
    "perplexity_sweep",
    "sample_indices",
    "separation_ratio",
    "tsne_map",
]

TRUST_K = 10
KNN_K = 10
KNN_FOLDS = 5
#: Trustworthiness needs all N x N distances in both spaces; above this many points
#: it is measured on a fixed random subsample of this size (see ``map_quality``).
TRUST_MAX_POINTS = 2500
#: Separation needs all pairs: above this many points it is measured on a fixed subsample.
SEPARATION_MAX_POINTS = 10000
#: t-SNE schedule: early-exaggeration iterations, then normal ones.
EARLY_ITER = 250
MAIN_ITER = 250
#: From this many points on, FFT gradients (cost ~ N) beat Barnes-Hut (~ N log N).
FFT_MIN_POINTS = 10000
#: Barnes-Hut accuracy/speed trade-off (openTSNE default 0.5; why 0.8: docs/DECISIONS.md,
#: "t-SNE implementation and iterations").
BH_THETA = 0.8


@dataclass(frozen=True)
class PcaResult:
    """PCA-transformed data and how much of the variance it keeps."""

    features: np.ndarray  # (N, n_components) float32
    explained_variance_ratio: np.ndarray  # (n_components,) float64
    seconds: float
    mean: np.ndarray  # (D,) float32: features = (x - mean) @ components.T
    components: np.ndarray  # (n_components, D) float32

    def summary(self) -> dict:
        """Plain-Python numbers for ``results.json``."""
        return {
            "n": int(self.features.shape[0]),
            "n_components": int(self.features.shape[1]),
            "explained_variance": float(self.explained_variance_ratio.sum()),
            "seconds": float(self.seconds),
        }


@dataclass(frozen=True)
class PcaBasis:
    """A fitted PCA without its projected rows: ``(x - mean) @ components.T`` projects new rows (``project``)."""

    mean: np.ndarray  # (D,) float32
    components: np.ndarray  # (n_components, D) float32


@dataclass(frozen=True)
class MapResult:
    """A 2-D t-SNE map scaled to [0, 1] per axis, with its quality measures."""

    coords: np.ndarray  # (N, 2) float32 in [0, 1]
    n: int
    perplexity: float
    trustworthiness: float  # k = 10, t-SNE input vs map
    knn_accuracy: float  # 10-NN, 5-fold stratified CV, in the map
    separation: float  # mean between-class / mean within-class distance in the map
    seconds: float  # t-SNE only
    method: str  # implementation and settings, in one line (for logs and results.json)
    trust_points: int  # points trustworthiness was computed on (n, or a subsample)
    gradient: str = "bh"  # "bh" (Barnes-Hut) or "fft" (FIt-SNE interpolation): what the pages say
    theta: float = BH_THETA  # Barnes-Hut accuracy (used only with gradient "bh")
    iterations: tuple[int, int] = (EARLY_ITER, MAIN_ITER)  # early exaggeration, then normal
    neighbours: str = "exact"  # how the input's nearest neighbours were found
    basis: PcaBasis | None = None  # the PCA the map's input was projected on (None: raw pixels)

    def summary(self) -> dict:
        """Plain-Python numbers for ``results.json``."""
        return {
            "n": int(self.n),
            "perplexity": float(self.perplexity),
            "trustworthiness": float(self.trustworthiness),
            "knn_accuracy": float(self.knn_accuracy),
            "separation": float(self.separation),
            "seconds": float(self.seconds),
            "method": self.method,
        }


def sample_indices(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Return ``n`` distinct random row indices into ``labels`` (int64), without replacement.

    The order is the random draw's order (``numpy.random.default_rng(seed).choice``),
    not sorted: the first k of a sample of n are themselves a random sample of k.
    Same ``(len(labels), n, seed)`` gives the same indices.
    """
    total = len(labels)
    if not 0 <= n <= total:
        raise ValueError(f"cannot sample {n} of {total} items without replacement")
    rng = np.random.default_rng(seed)
    return rng.choice(total, size=n, replace=False).astype(np.int64)


def pca(x: np.ndarray, n_components: int = 50, seed: int = 0) -> PcaResult:
    """Project ``x`` (N, D) on its first ``n_components`` principal components.

    Used to denoise and shrink the pixels before t-SNE (784 -> 50 dimensions), as in
    the reference recipe. Deterministic for a given ``seed``. A small edition may have
    fewer rows than components asked for: PCA then keeps as many components as rows
    (the one place this limit is applied).
    """
    start = time.perf_counter()
    from sklearn.decomposition import PCA

    model = PCA(n_components=min(n_components, len(x)), random_state=seed)
    features = model.fit_transform(np.asarray(x, dtype=np.float32))
    seconds = time.perf_counter() - start
    return PcaResult(
        features=np.asarray(features, dtype=np.float32),
        explained_variance_ratio=np.asarray(model.explained_variance_ratio_, dtype=np.float64),
        seconds=float(seconds),
        mean=np.asarray(model.mean_, dtype=np.float32),
        components=np.asarray(model.components_, dtype=np.float32),
    )


@dataclass(frozen=True)
class Eigendigits:
    """The first principal components of the digits, as images ("eigendigits"), and how much they explain."""

    mean: np.ndarray  # (H, W) float32: the mean digit, in [0, 1]
    components: np.ndarray  # (k, H, W) float32: unit-length directions in pixel space, strongest first
    explained_variance_ratio: np.ndarray  # (k,) float64: the share of the pixels' variance along each

    @property
    def explained(self) -> float:
        """The share of the variance the k components keep together."""
        return float(self.explained_variance_ratio.sum())


def eigendigits(images: np.ndarray, n_components: int, seed: int = 0) -> Eigendigits:
    """The first ``n_components`` principal components of ``images`` (N, H, W uint8), pixels scaled to [0, 1]:
    the directions PCA keeps before t-SNE, each shown as a picture of the pixels it raises and lowers."""
    found = pca(scale_pixels(images), n_components, seed)
    side = images.shape[1:]
    return Eigendigits(found.mean.reshape(side), found.components.reshape(-1, *side), found.explained_variance_ratio)


def project(result: PcaResult | PcaBasis, x: np.ndarray) -> np.ndarray:
    """``(x - mean) @ components.T``: rows of ``x`` in an existing PCA's space, float32.

    What the drawing page computes for a reader's digit. For the fitted rows this is
    close to, not equal to, ``result.features`` (scikit-learn's randomized solver
    returns U * S, not the projection), so the page's map digits are projected the
    same way as a drawing (how close: docs/DECISIONS.md, "The drawing widget's map
    features are projected").
    """
    return np.asarray((np.asarray(x, np.float32) - result.mean) @ result.components.T, dtype=np.float32)


def _minmax_per_axis(y: np.ndarray) -> np.ndarray:
    """Scale each column of ``y`` to [0, 1] separately (a constant column becomes 0)."""
    low = y.min(axis=0)
    span = y.max(axis=0) - low
    span[span == 0] = 1.0
    return np.clip((y - low) / span, 0.0, 1.0).astype(np.float32)


def separation_ratio(coords: np.ndarray, labels: np.ndarray, chunk: int = 500) -> float:
    """Mean Euclidean distance between points of different classes over that within a class.

    Over all pairs i != j; computed in row chunks so 10,000 points fit in memory.
    Returns NaN when there is only one class or no class has two points.
    """
    pts = np.asarray(coords, dtype=np.float64)
    lab = np.asarray(labels)
    sums = np.zeros(2)  # within, between
    counts = np.zeros(2)
    for begin in range(0, len(pts), chunk):
        block = pts[begin:begin + chunk]
        dist = np.sqrt(((block[:, None, :] - pts[None, :, :]) ** 2).sum(axis=-1))
        same = lab[begin:begin + chunk, None] == lab[None, :]
        sums += [dist[same].sum(), dist[~same].sum()]  # self-pairs add distance 0 ...
        counts += [same.sum(), (~same).sum()]
    counts[0] -= len(pts)  # ... and are removed from the within-class count here
    if counts[0] <= 0 or counts[1] <= 0:
        return float("nan")
    within, between = sums / counts
    return float(between / within) if within > 0 else float("inf")


def _knn_accuracy(coords: np.ndarray, labels: np.ndarray, seed: int) -> float:
    """Cross-validated accuracy of a 10-NN classifier on the map (NaN if too few per class)."""
    _, counts = np.unique(labels, return_counts=True)
    folds = min(KNN_FOLDS, int(counts.min()))
    if folds < 2 or len(counts) < 2:
        return float("nan")
    n_neighbors = min(KNN_K, len(labels) - len(labels) // folds - 1)
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = cross_val_score(KNeighborsClassifier(n_neighbors=n_neighbors), coords, labels, cv=cv)
    return float(scores.mean())


def map_quality(
    features: np.ndarray, coords: np.ndarray, labels: np.ndarray, seed: int = 0
) -> tuple[float, float, float, int]:
    """Return (trustworthiness, knn_accuracy, separation, trust_points) for a map.

    Trustworthiness (k = 10) compares ``features`` (the t-SNE input) with ``coords``.
    It needs full N x N distance matrices, so for more than ``TRUST_MAX_POINTS``
    points it is computed on a fixed random subsample of that size (drawn with
    ``seed``), treating the subsample as the whole data set: the number is then an
    estimate, not the exact value for all points.
    """
    from sklearn.manifold import trustworthiness

    n = len(coords)
    subset = np.arange(n) if n <= TRUST_MAX_POINTS else np.sort(sample_indices(labels, TRUST_MAX_POINTS, seed))
    k = min(TRUST_K, (len(subset) - 1) // 2 - 1)
    trust = trustworthiness(features[subset], coords[subset], n_neighbors=k) if k >= 1 else float("nan")
    # All pairs for separation: up to SEPARATION_MAX_POINTS, else on a fixed subsample of that size.
    pairs = np.arange(n) if n <= SEPARATION_MAX_POINTS else np.sort(sample_indices(labels, SEPARATION_MAX_POINTS, seed))
    separation = separation_ratio(coords[pairs], np.asarray(labels)[pairs])
    return float(trust), _knn_accuracy(coords, labels, seed), separation, len(subset)


@dataclass(frozen=True)
class _TsneRun:
    """A finished openTSNE run: the raw map and how it was made."""

    raw: np.ndarray
    perplexity: float  # the one openTSNE used: it lowers one too large for N itself
    gradient: str
    method: str


@dataclass(frozen=True)
class TsneSchedule:
    """How long t-SNE runs and how it finds neighbours (the chapter maps use the defaults)."""

    early_iter: int = EARLY_ITER
    main_iter: int = MAIN_ITER
    neighbours: str = "exact"  # "exact", or "annoy" (approximate: what 70,000 points need)


def _run_tsne(features: np.ndarray, perplexity: float, seed: int, n_jobs: int,
              schedule: TsneSchedule = TsneSchedule()) -> _TsneRun:
    """openTSNE with PCA init, Barnes-Hut or FFT gradients by size (see the module notes)."""
    import logging

    import openTSNE

    gradient = "fft" if len(features) >= FFT_MIN_POINTS else "bh"
    tsne = openTSNE.TSNE(
        n_components=2,
        perplexity=perplexity,
        initialization="pca",
        negative_gradient_method=gradient,
        theta=BH_THETA,
        neighbors=schedule.neighbours,
        early_exaggeration_iter=schedule.early_iter,
        n_iter=schedule.main_iter,
        n_jobs=n_jobs,
        random_state=seed,
        verbose=False,
    )
    # openTSNE warns when it lowers a perplexity too large for N; the result records the value used.
    affinity_log = logging.getLogger("openTSNE.affinity")
    level = affinity_log.level
    affinity_log.setLevel(logging.ERROR)
    try:
        embedding = tsne.fit(np.asarray(features, dtype=np.float64))
    finally:
        affinity_log.setLevel(level)
    used = float(np.asarray(embedding.affinities.effective_perplexities_).ravel()[0])
    method = (
        f"openTSNE {openTSNE.__version__}: {gradient.upper()} gradients{f' (theta {BH_THETA:g})' if gradient == 'bh' else ''}, "
        f"PCA init, {schedule.neighbours} neighbours, perplexity {used:g}, "
        f"{schedule.early_iter}+{schedule.main_iter} iterations, seed {seed}, n_jobs {n_jobs}"
    )
    return _TsneRun(np.asarray(embedding), used, gradient, method)


def tsne_map(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    perplexity: float = 50.0,
    seed: int = 0,
    n_jobs: int = 2,
    schedule: TsneSchedule = TsneSchedule(),
) -> MapResult:
    """t-SNE ``features`` (N, D) to 2-D, min-max scale each axis to [0, 1], and score the map.

    Each axis is scaled on its own (x and y both fill [0, 1]) so the map covers the
    unit square that the grid chapter's grid spans. The quality numbers are measured on
    this scaled map (see ``map_quality``); ``seconds`` is the t-SNE time only.
    openTSNE lowers a perplexity larger than (N - 1) / 3 to fit tiny inputs.
    """
    features = np.asarray(features)
    labels = np.asarray(labels)
    if features.ndim != 2 or len(features) != len(labels):
        raise ValueError(f"features must be (N, D) with N == len(labels); got {features.shape} and {labels.shape}")
    start = time.perf_counter()
    run = _run_tsne(features, perplexity, seed, n_jobs, schedule)
    seconds = time.perf_counter() - start
    coords = _minmax_per_axis(run.raw)
    trust, knn, sep, trust_points = map_quality(features, coords, labels, seed)
    return MapResult(
        coords=coords,
        n=len(coords),
        perplexity=run.perplexity,
        trustworthiness=trust,
        knn_accuracy=knn,
        separation=sep,
        seconds=float(seconds),
        method=run.method,
        trust_points=trust_points,
        gradient=run.gradient,
        iterations=(schedule.early_iter, schedule.main_iter),
        neighbours=schedule.neighbours,
    )


def embed_digits(
    images_uint8: np.ndarray,
    labels: np.ndarray,
    *,
    pca_components: int | None = 50,
    perplexity: float = 50.0,
    seed: int = 0,
    n_jobs: int = 2,
    schedule: TsneSchedule = TsneSchedule(),
) -> MapResult:
    """The tsne chapter's recipe: pixels to [0, 1], PCA (or none when ``pca_components`` is None), t-SNE.

    ``pca_components=None`` is the 10,000-digit raw-pixel map. Trustworthiness is
    measured against the t-SNE input (the PCA features, or the scaled pixels), on a
    fixed subsample of ``TRUST_MAX_POINTS`` when there are more points.
    """
    x = scale_pixels(images_uint8)
    if pca_components is None:
        return _with_input(tsne_map(x, labels, perplexity=perplexity, seed=seed, n_jobs=n_jobs, schedule=schedule),
                           "raw pixels")
    fitted = pca(x, pca_components, seed)
    result = tsne_map(fitted.features, labels, perplexity=perplexity, seed=seed, n_jobs=n_jobs, schedule=schedule)
    return replace(_with_input(result, f"PCA {fitted.features.shape[1]}"),
                   basis=PcaBasis(fitted.mean, fitted.components))


def _with_input(result: MapResult, prefix: str) -> MapResult:
    """Return ``result`` with ``prefix`` (what the t-SNE input was) prepended to its method."""
    return replace(result, method=f"{prefix} -> {result.method}")


def perplexity_sweep(
    images_uint8: np.ndarray,
    labels: np.ndarray,
    perplexities: Sequence[float] = (2, 5, 10, 20, 30, 50, 75, 100, 150),
    *,
    pca_components: int = 50,
    seed: int = 0,
    n_jobs: int = 2,
) -> list[MapResult]:
    """One map per perplexity of the same digits (the perplexity chapter: pass the same 1,000).

    PCA is computed once and shared, and every map uses the same seed, so the maps
    differ only by perplexity.
    """
    features = pca(scale_pixels(images_uint8), pca_components, seed).features
    pca_components = features.shape[1]
    return [
        _with_input(tsne_map(features, labels, perplexity=p, seed=seed, n_jobs=n_jobs), f"PCA {pca_components}")
        for p in perplexities
    ]


def neighbour_class_pairs(coords: np.ndarray, labels: np.ndarray, k: int = 10, top: int = 3) -> list[tuple[int, int, float]]:
    """The pairs of classes that meet most on a map, measured.

    For every point, its ``k`` nearest neighbours on the map are counted; a neighbour
    of another class counts for that (unordered) pair of classes. Returns the ``top``
    pairs as (class a, class b, share of all cross-class neighbour links), a < b.
    """
    k = min(k, len(coords) - 1)
    neighbours = exact_neighbours(coords, k, dtype=np.float64)
    own = np.asarray(labels)[:, None]
    other = np.asarray(labels)[neighbours]
    crossing = own != other
    a = np.minimum(own, other)[crossing]
    b = np.maximum(own, other)[crossing]
    if len(a) == 0:
        return []
    pairs, counts = np.unique(np.stack([a, b], axis=1), axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:top]
    return [(int(pairs[i, 0]), int(pairs[i, 1]), float(counts[i] / counts.sum())) for i in order]
