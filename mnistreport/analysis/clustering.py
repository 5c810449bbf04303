"""The autoencoder chapter: k-means clusters of digits and how well they match the labels.

k-means (scikit-learn, fixed seed) is run on three feature sets - the
autoencoder's codes, raw pixels scaled to [0, 1] and PCA-50 of the pixels - and
each clustering is scored the same way: every cluster is named after the digit
most common in it, accuracy is the share of images whose cluster name is their
label, and NMI / ARI compare the partitions without any naming.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mnistreport.analysis.describe import stroke_features

# k-means restarts (k-means++ starts, lowest inertia kept): three, so the reported
# clustering depends less on one lucky or unlucky start; the fit is cached by the
# build. Why: docs/DECISIONS.md, "k-means restarts".
DEFAULT_N_INIT = 3


@dataclass(frozen=True)
class ClusterResult:
    """A k-means clustering and its agreement with the true labels."""

    clusters: np.ndarray  # (N,) int cluster of each sample
    cluster_names: np.ndarray  # (k,) int majority digit of each cluster (-1 if empty)
    confusion: np.ndarray  # (n_classes, k) int, rows = true digit, cols = cluster
    accuracy: float  # share of samples whose cluster name equals their label
    nmi: float  # normalized mutual information
    ari: float  # adjusted Rand index
    inertia: float  # k-means objective (sum of squared distances to centres)
    seconds: float  # time of the k-means fit

    def summary(self) -> dict:
        """JSON-able numbers for results.json."""
        return {
            "k": int(len(self.cluster_names)),
            "accuracy": float(self.accuracy),
            "nmi": float(self.nmi),
            "ari": float(self.ari),
            "cluster_names": [int(n) for n in self.cluster_names],
            "cluster_sizes": [int(s) for s in self.confusion.sum(axis=0)],
            "confusion": self.confusion.astype(int).tolist(),
            "seconds": float(self.seconds),
        }


def name_clusters(confusion: np.ndarray) -> np.ndarray:
    """Majority label of each cluster (column of the confusion matrix); -1 for an empty cluster."""
    names = confusion.argmax(axis=0).astype(np.int64)
    names[confusion.sum(axis=0) == 0] = -1
    return names


def cluster_scores(features: np.ndarray, labels: np.ndarray, *, k: int = 10, seed: int = 0,
                   n_init: int = DEFAULT_N_INIT, n_classes: int = 10) -> ClusterResult:
    """k-means with ``k`` clusters on ``features`` (N, d), scored against ``labels`` (N,)."""
    from sklearn.cluster import KMeans  # noqa: PLC0415
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: PLC0415

    labels = np.asarray(labels).astype(np.int64)
    start = time.perf_counter()
    kmeans = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(np.asarray(features, np.float32))
    seconds = time.perf_counter() - start
    clusters = kmeans.labels_.astype(np.int64)
    confusion = np.bincount(labels * k + clusters, minlength=n_classes * k).reshape(n_classes, k)
    names = name_clusters(confusion)
    return ClusterResult(
        clusters=clusters,
        cluster_names=names,
        confusion=confusion,
        accuracy=float(np.mean(names[clusters] == labels)),
        nmi=float(normalized_mutual_info_score(labels, clusters)),
        ari=float(adjusted_rand_score(labels, clusters)),
        inertia=float(kmeans.inertia_),
        seconds=float(seconds),
    )


def examples_per_cluster(result: ClusterResult, n: int = 5, seed: int = 0) -> np.ndarray:
    """(k, n) sample indices drawn at random (seeded) from each cluster, ascending within a row.

    A cluster with fewer than ``n`` members gives all of them, padded with -1.
    """
    rng = np.random.default_rng(seed)
    k = len(result.cluster_names)
    out = np.full((k, n), -1, dtype=np.int64)
    for c in range(k):
        members = np.flatnonzero(result.clusters == c)
        chosen = np.sort(rng.choice(members, size=min(n, len(members)), replace=False))
        out[c, :len(chosen)] = chosen
    return out


@dataclass(frozen=True)
class ClusterStyle:
    """What each cluster holds besides its label: size, purity, mean ink and slant, example images."""

    examples: np.ndarray  # (k, 5) sample indices shown per cluster (-1 = none)
    sizes: np.ndarray  # (k,)
    purity: np.ndarray  # (k,) share of the majority digit
    ink: np.ndarray  # (k,) mean ink of the cluster's images
    slant: np.ndarray  # (k,) mean slant of the cluster's images
    digit_ink: np.ndarray  # (10,) mean ink per digit, for comparison
    digit_slant: np.ndarray  # (10,) mean slant per digit


def cluster_style(result: ClusterResult, images: np.ndarray, labels: np.ndarray, seed: int) -> ClusterStyle:
    """Size, purity, mean ink and slant (see ``dataset.stroke_features``) of every cluster, and five examples."""
    ink, slant = stroke_features(images)
    k = len(result.cluster_names)
    sizes = np.bincount(result.clusters, minlength=k)
    members = [result.clusters == c for c in range(k)]

    def mean_over(values: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
        return np.array([values[g].mean() if g.any() else 0.0 for g in groups])

    digits = [labels == d for d in range(10)]
    return ClusterStyle(
        examples=examples_per_cluster(result, n=5, seed=seed),
        sizes=sizes,
        purity=result.confusion.max(axis=0) / np.maximum(sizes, 1),
        ink=mean_over(ink, members),
        slant=mean_over(slant, members),
        digit_ink=mean_over(ink, digits),
        digit_slant=mean_over(slant, digits),
    )
