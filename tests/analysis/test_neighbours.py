"""Nearest neighbours: the exact blocked search and the inverted file, against every distance."""

import numpy as np
import pytest

from mnistreport.analysis.neighbours import approximate_neighbours, exact_neighbours, nearest_neighbours


def test_exact_neighbours_agree_with_every_distance():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(300, 6)).astype(np.float32)
    ids = exact_neighbours(x, 5, block=64)
    d = ((x[:, None, :].astype(np.float64) - x[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    expected = np.argsort(d, axis=1, kind="stable")[:, :5]
    assert ids.shape == (300, 5) and ids.dtype == np.int32
    np.testing.assert_array_equal(ids, expected)
    assert not (ids == np.arange(300)[:, None]).any(), "never the digit itself"


def test_exact_neighbours_break_ties_by_id_and_need_enough_rows():
    x = np.zeros((4, 2), np.float32)  # all at one point: every distance 0
    np.testing.assert_array_equal(exact_neighbours(x, 2), [[1, 2], [0, 2], [0, 1], [0, 1]])
    with pytest.raises(ValueError, match="k=4"):
        exact_neighbours(x, 4)


def test_approximate_neighbours_find_nearly_all_exact_ones():
    """Clustered data like digits' PCA features: the inverted-file search finds >= 97 % of the exact neighbours."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 4, (12, 20))
    x = (centres[rng.integers(0, 12, 4000)] + rng.normal(size=(4000, 20))).astype(np.float32)
    approx = approximate_neighbours(x, 8, seed=1)
    exact = exact_neighbours(x, 8)
    recall = np.mean([len(set(a) & set(b)) / 8 for a, b in zip(approx, exact)])
    assert recall >= 0.97, recall
    assert not (approx == np.arange(4000)[:, None]).any()
    np.testing.assert_array_equal(approx, approximate_neighbours(x, 8, seed=1)), "deterministic"
    ids, method = nearest_neighbours(x[:500], 8)
    assert method == "exact" and ids.shape == (500, 8)


def test_map_coordinates_search_in_float64_as_a_tree_would():
    from scipy.spatial import cKDTree

    coords = np.random.default_rng(3).random((400, 2)).astype(np.float32) * 1e-3 + 0.5  # close, far from 0
    _, tree = cKDTree(coords.astype(np.float64)).query(coords.astype(np.float64), k=6)
    np.testing.assert_array_equal(exact_neighbours(coords, 5, dtype=np.float64), tree[:, 1:])
