"""Tests for mnistreport.analysis.grid: exact assignment, identity on a grid, input checks, the large-grid method."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from mnistreport.analysis.grid import GridResult, LargeGridResult, assign_to_grid, assign_to_large_grid, grid_nodes, grid_points, mismatched_pairing, neighbour_agreement


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


# --------------------------------------------------------------------------- large grids

#: Small settings that make a few hundred points go through every stage: two coarser
#: levels, several blocks per level and several windows per pass.
SMALL = dict(exact_nodes=30, block=36, window=10)


def _clustered_n(n: int, seed: int) -> np.ndarray:
    """``n`` points in four tight clusters, min-max scaled to [0, 1] (like a t-SNE map)."""
    rng = np.random.default_rng(seed)
    centres = rng.random((4, 2))
    pts = centres[rng.integers(0, 4, n)] + 0.05 * rng.standard_normal((n, 2))
    return (pts - pts.min(axis=0)) / np.ptp(pts, axis=0)


def _optimum(coords: np.ndarray, rows: int, cols: int) -> float:
    """Exact minimum total squared distance (scipy, rectangular when nodes outnumber points)."""
    nodes = grid_nodes(rows, cols)
    cost = ((coords[:, None, :] - nodes[None, :, :]) ** 2).sum(axis=-1)
    r, c = linear_sum_assignment(cost)
    return float(cost[r, c].sum())


def _assert_valid(result: LargeGridResult, n: int) -> None:
    cells = result.cell_of_point
    assert cells.shape == (n,) and np.issubdtype(cells.dtype, np.integer)
    assert cells.min() >= 0 and cells.max() < result.rows * result.cols
    assert len(np.unique(cells)) == n  # no cell twice


def test_grid_nodes_layout_and_grid_points_unchanged() -> None:
    nodes = grid_nodes(2, 3)  # node i: row i // cols (y), column i % cols (x)
    np.testing.assert_allclose(nodes, [[0, 0], [0.5, 0], [1, 0], [0, 1], [0.5, 1], [1, 1]])
    np.testing.assert_allclose(grid_nodes(1, 3), [[0, 0], [0.5, 0], [1, 0]])
    np.testing.assert_array_equal(grid_points(7), grid_nodes(7, 7))
    for rows, cols in [(0, 3), (3, 0), (2.5, 3), (True, 3)]:
        with pytest.raises(ValueError, match="positive integer"):
            grid_nodes(rows, cols)


@pytest.mark.parametrize("n, rows, cols", [(400, 20, 20), (380, 20, 20), (300, 15, 24), (7, 3, 3)])
def test_large_grid_is_a_valid_assignment(n: int, rows: int, cols: int) -> None:
    coords = _clustered_n(n, seed=n)
    result = assign_to_large_grid(coords, rows, cols, **SMALL)
    _assert_valid(result, n)
    assert (result.rows, result.cols) == (rows, cols)
    # the reported numbers belong to the reported assignment
    delta = coords - grid_nodes(rows, cols)[result.cell_of_point]
    assert result.total_cost == pytest.approx((delta ** 2).sum(), rel=1e-12)
    cells = np.hypot(delta[:, 0] * (cols - 1), delta[:, 1] * (rows - 1))
    assert result.mean_displacement == pytest.approx(cells.mean())
    assert result.max_displacement == pytest.approx(cells.max())


@pytest.mark.parametrize("n, rows, cols", [(64, 8, 8), (50, 8, 8), (60, 6, 11)])
def test_small_problem_is_solved_exactly(n: int, rows: int, cols: int) -> None:
    coords = _clustered_n(n, seed=1)
    expected = _optimum(coords, rows, cols)
    for solver in ("scipy", "lapjv"):
        one_solve = assign_to_large_grid(coords, rows, cols, solver=solver)  # fits in exact_nodes
        assert one_solve.exact and one_solve.method.startswith("exact")
        assert one_solve.total_cost == pytest.approx(expected, rel=1e-6)
    # forced through a coarse level, the finest level fits in one block: exact again
    one_block = assign_to_large_grid(coords, rows, cols, exact_nodes=20, block=rows * cols)
    assert not one_block.exact and len(one_block.levels) == 2
    assert one_block.total_cost == pytest.approx(expected, rel=1e-6)
    _assert_valid(one_block, n)


def test_small_full_grid_matches_lapjv() -> None:
    coords = _clustered(8, seed=3)
    assert assign_to_large_grid(coords, 8).total_cost == pytest.approx(assign_to_grid(coords, 8).total_cost, rel=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_several_blocks_come_close_to_the_optimum(seed: int) -> None:
    """400 points on 20x20 split into blocks of <= 36 nodes: measured 0.00-0.06 % above the optimum."""
    coords = _clustered_n(400, seed)
    result = assign_to_large_grid(coords, 20, 20, **SMALL)
    assert result.levels == ((5, 5), (10, 10), (20, 20))
    assert result.total_cost <= 1.005 * _optimum(coords, 20, 20)
    # the window re-solves lowered the total; without them it is the block solution
    unrepaired = assign_to_large_grid(coords, 20, 20, **SMALL, max_passes=0)
    assert unrepaired.passes == 0 and unrepaired.total_cost == pytest.approx(unrepaired.block_cost)
    assert result.block_cost == pytest.approx(unrepaired.total_cost)
    assert result.total_cost < unrepaired.total_cost


def test_empty_nodes_cost_a_little_more() -> None:
    """With 5 % of the nodes left empty the windows cannot move empty nodes far: measured 0.0-0.4 % above."""
    coords = _clustered_n(380, seed=0)
    result = assign_to_large_grid(coords, 20, 20, **SMALL)
    assert result.total_cost <= 1.01 * _optimum(coords, 20, 20)


def test_large_grid_is_deterministic() -> None:
    coords = _clustered_n(380, seed=4)
    a = assign_to_large_grid(coords, 20, 20, **SMALL)
    b = assign_to_large_grid(coords.copy(), 20, 20, **SMALL)
    np.testing.assert_array_equal(a.cell_of_point, b.cell_of_point)
    assert (a.total_cost, a.passes, a.method) == (b.total_cost, b.passes, b.method)


def test_points_on_nodes_stay_there() -> None:
    order = np.random.default_rng(0).permutation(300)
    coords = grid_nodes(15, 20)[order]
    result = assign_to_large_grid(coords, 15, 20, **SMALL)
    np.testing.assert_array_equal(result.cell_of_point, order)
    assert result.total_cost == 0.0 and result.max_displacement == 0.0


@pytest.mark.parametrize(
    "coords, match",
    [
        (np.zeros((10, 2)), "9 nodes"),
        (np.zeros((0, 2)), "between 1 point"),
        (np.full((5, 2), np.nan), "finite"),
        (np.where(np.eye(5, 2, dtype=bool), np.inf, 0.5), "finite"),
        (np.zeros((5, 3)), "shape"),
        (np.zeros(10), "shape"),
        (np.full((5, 2), "a"), "real numbers"),
    ],
)
def test_large_grid_bad_input_raises(coords: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        assign_to_large_grid(coords, 3, 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(rows=0), "rows"),
        (dict(cols=2.0), "cols"),
        (dict(block=0), "block"),
        (dict(window=1), "window"),
        (dict(max_passes=-1), "max_passes"),
        (dict(tol=float("nan")), "tol"),
        (dict(exact_nodes=0), "exact_nodes"),
        (dict(solver="hungarian"), "solver"),
    ],
)
def test_large_grid_bad_parameters_raise(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        assign_to_large_grid(_clustered_n(5, 0), **{"rows": 3, **kwargs})


def test_large_summary_is_plain_json_and_result_pickles() -> None:
    result = assign_to_large_grid(_clustered_n(300, 0), 15, 20, **SMALL)
    summary = result.summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["points"] == 300 and summary["levels"] == [[4, 5], [8, 10], [15, 20]]
    for word in ("multilevel", "15x20 <- 8x10 <- 4x5", "36 nodes", "10x10 windows", f"{result.passes} passes"):
        assert word in result.method
    again = pickle.loads(pickle.dumps(result))
    assert isinstance(again, LargeGridResult)
    np.testing.assert_array_equal(again.cell_of_point, result.cell_of_point)


def test_neighbour_agreement_counts_only_pairs_of_occupied_cells() -> None:
    # a 2x3 grid, cells 0 1 2 / 3 4 5; cell 4 empty; labels: 0 0 1 / 0 . 1
    cells = np.array([0, 1, 2, 3, 5])
    labels = np.array([7, 7, 8, 7, 8])
    # occupied pairs: 0-1 same, 1-2 diff, 0-3 same, 2-5 same (1-4, 3-4, 4-5 have the empty cell)
    assert neighbour_agreement(cells, labels, 2, cols=3) == pytest.approx(3 / 4)
    # a full grid counts as before
    assert neighbour_agreement(np.arange(9), np.repeat(np.arange(3), 3), 3) == 0.5
    assert np.isnan(neighbour_agreement(np.array([0]), np.array([1]), 1))


def test_mismatched_pairing_on_a_large_grid_result() -> None:
    coords = _clustered_n(380, seed=5)
    labels = (coords[:, 0] > 0.5).astype(int) + 2 * (coords[:, 1] > 0.5)  # four quadrants of the map
    result = assign_to_large_grid(coords, 20, 20, **SMALL)
    mismatch = mismatched_pairing(result, labels, seed=0)
    assert mismatch.agreement > 0.8
    assert mismatch.agreement_mismatched < 0.5
