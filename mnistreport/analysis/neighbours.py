"""Nearest neighbours, searched one way everywhere: every distance in blocks, or an inverted file for many rows.

The explorer's neighbours in pixel space, the classes that meet on a map and the writers' neighbours
on the map of all digits all use :func:`exact_neighbours` (equal distances: the smaller row first);
above ``EXACT_LIMIT`` rows, :func:`nearest_neighbours` searches an inverted file of k-means cells.
"""

from __future__ import annotations

import numpy as np

EXACT_LIMIT = 20_000  # up to this many rows, every distance is computed


def _block_neighbours(queries: np.ndarray, query_ids: np.ndarray, candidates: np.ndarray, candidate_ids: np.ndarray,
                      k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest candidates of each query (not itself): (ids, squared distances minus the query's own
    squared norm, which ranks the same), nearest first; equal distances: the smaller id first."""
    d = queries @ candidates.T  # float32, in place from here: these blocks are the search's whole cost
    d *= -2.0
    d += np.einsum("ij,ij->i", candidates, candidates)[None, :]
    # each query among the candidates: its own distance is infinite
    order = np.argsort(candidate_ids, kind="stable")
    at = np.searchsorted(candidate_ids[order], query_ids)
    found = at < len(order)
    found[found] = candidate_ids[order[at[found]]] == query_ids[found]
    d[np.flatnonzero(found), order[at[found]]] = np.inf
    kk = min(k, d.shape[1] - 1)
    part = np.argpartition(d, kk - 1, axis=1)[:, :kk] if kk < d.shape[1] else np.tile(np.arange(d.shape[1]), (len(d), 1))
    dist = np.take_along_axis(d, part, 1)
    order = np.lexsort((candidate_ids[part], dist), axis=1)
    part = np.take_along_axis(part, order, 1)
    return candidate_ids[part], np.take_along_axis(dist, order, 1)


def exact_neighbours(features: np.ndarray, k: int, block: int = 1024, dtype: type = np.float32) -> np.ndarray:
    """Each row's k nearest other rows (Euclidean), nearest first: (N, k) int32, every distance computed.

    ``dtype`` is the arithmetic: float32 for high-dimensional features (PCA of pixels), float64 for
    map coordinates, where close points' squared distances are tiny beside the squared norms.
    """
    x = np.asarray(features, dtype=dtype)
    n = len(x)
    if not 1 <= k < n:
        raise ValueError(f"k={k} needs 1 <= k < {n} (the number of rows)")
    ids = np.arange(n)
    out = np.empty((n, k), np.int32)
    for start in range(0, n, block):
        rows = ids[start:start + block]
        out[rows] = _block_neighbours(x[rows], rows, x, ids, k)[0]
    return out


def _nearest_centroids(x: np.ndarray, centroids: np.ndarray, p: int, block: int = 8192) -> np.ndarray:
    """Each row's p nearest centroids, nearest first (N, p)."""
    c2 = np.einsum("ij,ij->i", centroids, centroids)
    out = np.empty((len(x), p), np.int64)
    for start in range(0, len(x), block):
        d = c2[None, :] - 2.0 * (x[start:start + block] @ centroids.T)
        part = np.argpartition(d, p - 1, axis=1)[:, :p] if p < len(centroids) else np.tile(np.arange(len(centroids)), (len(d), 1))
        order = np.argsort(np.take_along_axis(d, part, 1), axis=1, kind="stable")
        out[start:start + block] = np.take_along_axis(part, order, 1)
    return out


def approximate_neighbours(features: np.ndarray, k: int, *, probes: int = 4, seed: int = 0) -> np.ndarray:
    """Each row's k nearest other rows, nearest first, (N, k) int32: an inverted-file search. The rows
    are grouped into about sqrt(N) k-means cells (a few Lloyd iterations from random rows); the rows of a cell are searched among the rows of
    every cell that is among the ``probes`` nearest cells of one of them. It finds nearly all of the
    exact neighbours (recall and time on MNIST: docs/DECISIONS.md, "Approximate neighbours for the
    explorer")."""
    x = np.asarray(features, dtype=np.float32)
    n = len(x)
    if not 1 <= k < n:
        raise ValueError(f"k={k} needs 1 <= k < {n} (the number of rows)")
    clusters = max(1, min(n // 4, int(round(np.sqrt(n)))))
    probes = min(probes, clusters)
    from sklearn.cluster import KMeans

    fitted = KMeans(clusters, init="random", n_init=1, max_iter=8, random_state=seed).fit(x)
    centroids, assign = fitted.cluster_centers_.astype(np.float32), fitted.labels_
    near = _nearest_centroids(x, centroids, probes)
    order = np.argsort(assign, kind="stable")
    bounds = np.searchsorted(assign[order], np.arange(clusters + 1))
    members = [order[bounds[c]:bounds[c + 1]] for c in range(clusters)]
    out = np.empty((n, k), np.int32)
    for c in range(clusters):
        rows = members[c]
        if not len(rows):
            continue
        candidates = np.concatenate([members[j] for j in np.unique(near[rows])])
        if len(candidates) <= k:  # too few: every row
            candidates = np.arange(n)
        out[rows] = _block_neighbours(x[rows], rows, x[candidates], candidates, k)[0]
    return out


def nearest_neighbours(features: np.ndarray, k: int, *, seed: int = 0) -> tuple[np.ndarray, str]:
    """(N, k) int32 neighbour ids, nearest first, and the method used: exact up to EXACT_LIMIT rows,
    else :func:`approximate_neighbours`."""
    if len(features) <= EXACT_LIMIT:
        return exact_neighbours(features, k), "exact"
    return approximate_neighbours(features, k, seed=seed), "k-means inverted file, 4 probes"
