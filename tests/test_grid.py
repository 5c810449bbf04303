"""Tests for mnistreport.grid: exact assignment, identity on a grid, input checks."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from mnistreport.grid import GridResult, assign_to_grid, grid_points, mismatched_pairing, neighbour_agreement


def _uniform(side: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((side * side, 2))


def _clustered(side: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.random((4, 2))
    pts = centres[rng.integers(0, 4, side * side)] + 0.02 * rng.standard_normal((side * side, 2))
    return (pts - pts.min(axis=0)) / (pts.max(axis=0) - pts.min(axis=0))


def _optimal_cost(coords: np.ndarray, side: int) -> float:
    nodes = grid_points(side)
    cost = ((nodes[:, None, :] - coords[None, :, :]) ** 2).sum(axis=-1)
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].sum())


def test_grid_points_layout() -> None:
    pts = grid_points(3)
    assert pts.shape == (9, 2)
    # node i: row i // side (y), column i % side (x)
    np.testing.assert_allclose(pts[1], [0.5, 0.0])
    np.testing.assert_allclose(pts[3], [0.0, 0.5])
    np.testing.assert_allclose(pts[8], [1.0, 1.0])


@pytest.mark.parametrize("side", [3, 4, 6, 8, 10])
@pytest.mark.parametrize("make", [_uniform, _clustered])
def test_total_cost_matches_scipy(side: int, make) -> None:
    coords = make(side, seed=side)
    result = assign_to_grid(coords, side=side)
    expected = _optimal_cost(coords, side)
    assert result.total_cost == pytest.approx(expected, rel=1e-6)
    # the reported total is the unscaled cost of the reported assignment
    np.testing.assert_allclose(result.grid_xy, grid_points(side)[result.cell_of_point])
    direct = ((result.grid_xy - coords) ** 2).sum()
    assert result.total_cost == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("side", [3, 7, 10])
def test_assignment_is_permutation(side: int) -> None:
    result = assign_to_grid(_clustered(side, seed=1), side=side)
    assert result.cell_of_point.shape == (side * side,)
    assert np.issubdtype(result.cell_of_point.dtype, np.integer)
    assert sorted(result.cell_of_point.tolist()) == list(range(side * side))


def test_grid_input_maps_to_itself() -> None:
    side = 6
    order = np.random.default_rng(0).permutation(side * side)
    coords = grid_points(side)[order]
    result = assign_to_grid(coords, side=side)
    np.testing.assert_array_equal(result.cell_of_point, order)
    assert result.total_cost == 0.0
    assert result.mean_displacement == 0.0
    assert result.max_displacement == 0.0


def test_displacement_in_grid_cells() -> None:
    side = 5
    # every point half a cell to the right of its node
    coords = grid_points(side) + np.array([0.5 / (side - 1), 0.0])
    result = assign_to_grid(coords, side=side)
    assert result.max_displacement == pytest.approx(0.5)
    assert result.mean_displacement == pytest.approx(0.5)


def test_cost_scale_does_not_change_assignment() -> None:
    coords = _clustered(8, seed=3)
    a = assign_to_grid(coords, side=8, cost_max=100000.0)
    b = assign_to_grid(coords, side=8, cost_max=1.0)
    assert a.total_cost == pytest.approx(b.total_cost, rel=1e-6)


@pytest.mark.parametrize(
    "coords, match",
    [
        (np.full((9, 2), np.nan), "finite"),
        (np.where(np.eye(9, 2, dtype=bool), np.inf, 0.5), "finite"),
        (np.zeros((8, 2)), "9 nodes"),
        (np.zeros((9, 3)), "shape"),
        (np.zeros(18), "shape"),
    ],
)
def test_bad_input_raises(coords: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        assign_to_grid(coords, side=3)


def test_bad_parameters_raise() -> None:
    with pytest.raises(ValueError):
        assign_to_grid(_uniform(3, 0), side=3, cost_max=0.0)
    with pytest.raises(ValueError):
        grid_points(0)


def test_summary_is_plain_json_and_result_pickles() -> None:
    result = assign_to_grid(_uniform(4, 0), side=4)
    summary = result.summary()
    assert set(summary) == {"side", "total_cost", "mean_displacement", "max_displacement", "seconds"}
    assert json.loads(json.dumps(summary)) == summary
    assert all(type(v) in (int, float) for v in summary.values())
    again = pickle.loads(pickle.dumps(result))
    assert isinstance(again, GridResult)
    np.testing.assert_array_equal(again.cell_of_point, result.cell_of_point)


def test_neighbour_agreement_counts_equal_adjacent_cells():
    side = 3
    identity = np.arange(side * side)
    rows_same = np.repeat(np.arange(side), side)  # every row one label: all horizontal pairs agree
    assert neighbour_agreement(identity, rows_same, side) == 0.5
    assert neighbour_agreement(identity, np.zeros(side * side, int), side) == 1.0
    checker = (np.arange(side * side) // side + np.arange(side * side) % side) % 2
    assert neighbour_agreement(identity, checker, side) == 0.0


def test_mismatched_pairing_destroys_the_structure_of_a_sorted_grid():
    side = 10
    coords = grid_points(side)
    labels = (coords[:, 0] > 0.5).astype(int) + 2 * (coords[:, 1] > 0.5)  # four quadrants
    result = assign_to_grid(coords, side=side)
    mismatch = mismatched_pairing(result, labels, seed=0)
    assert mismatch.agreement > 0.85
    assert mismatch.agreement_mismatched < 0.5
    assert sorted(mismatch.permutation) == list(range(side * side))
