"""Snapping a 2-D map onto a regular grid by linear assignment (the grid chapter).

Every map point gets exactly one node of a ``side`` x ``side`` grid over [0, 1]^2 so
that the sum of squared distances between points and their nodes is as small as
possible. This is the linear assignment problem, solved exactly with the
Jonker-Volgenant algorithm from the ``lapjv`` package.

Notes on the installed ``lapjv`` (1.3.x, checked against its source and by
measurement):

* ``lapjv.lapjv(cost, verbose=False, force_doubles=False)`` returns
  ``(row_ind, col_ind, (lapcost, u, v))``; ``row_ind[i]`` is the column given to row
  ``i`` and ``col_ind[j]`` the row given to column ``j``.
* It solves in **float32** unless ``force_doubles=True``: a float64 matrix is cast
  to float32 first. This module uses the float32 path (the float64 one is far too
  slow). float32 costs can make the solution very slightly worse than the exact
  float64 optimum; the tests hold the total cost to scipy's exact optimum within
  1e-6. Why: docs/DECISIONS.md, "lapjv in float32".

Grids too large for one exact solve (all 70,000 digits on 265x265) go to
``assign_to_large_grid``: the same objective, solved coarse to fine with many small
exact solves (blocks, then re-solved windows); ``benchmarks/grid_large.py`` measures
it against the exact optimum and on all of MNIST. Its small solves use scipy's
``linear_sum_assignment`` by default: on these sub-problems (16x16 windows of a
nearly optimal assignment, rectangular when nodes are empty) it is faster than
lapjv, is exact in float64, and takes rectangular matrices; ``solver="lapjv"`` is
there to compare. Why: docs/DECISIONS.md, "The scalable grid assignment".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from lapjv import lapjv

__all__ = [
    "GridResult",
    "LargeGridResult",
    "Mismatch",
    "assign_to_grid",
    "assign_to_large_grid",
    "grid_nodes",
    "grid_points",
    "mismatched_pairing",
    "neighbour_agreement",
]


@dataclass(frozen=True)
class GridResult:
    """Where each map point landed on the grid, and how far it had to move."""

    side: int
    cell_of_point: np.ndarray  # (N,) int: grid node index for each map point (a permutation)
    grid_xy: np.ndarray  # (N, 2) float: position of that node, i.e. grid_points(side)[cell_of_point]
    total_cost: float  # sum of unscaled squared distances point -> node
    mean_displacement: float  # mean Euclidean distance point -> node, in grid cells
    max_displacement: float  # largest such distance, in grid cells
    seconds: float  # lapjv time only

    def summary(self) -> dict:
        """Plain-Python numbers for ``results.json``."""
        return {
            "side": int(self.side),
            "total_cost": float(self.total_cost),
            "mean_displacement": float(self.mean_displacement),
            "max_displacement": float(self.max_displacement),
            "seconds": float(self.seconds),
        }


def grid_points(side: int) -> np.ndarray:
    """Return the ``side * side`` nodes of a regular grid over [0, 1]^2, shape (side*side, 2).

    Node ``i`` sits at row ``i // side`` and column ``i % side``; its position is
    ``(x, y) = (column, row) / (side - 1)``, so x grows along a row and y grows with
    the row number (row 0 is y = 0; a picture drawn with row 0 on top shows the
    map upside down unless its y axis is flipped). Neighbouring nodes are
    ``1 / (side - 1)`` apart: one grid cell.
    """
    side = _checked_side(side)
    return grid_nodes(side, side)


def _checked_side(side: int) -> int:
    """``side`` as an int, or ValueError unless it is a positive integer (the one check of a square grid's side)."""
    if int(side) != side or side < 1:
        raise ValueError(f"grid side must be a positive integer, got {side!r}")
    return int(side)


def grid_nodes(rows: int, cols: int) -> np.ndarray:
    """The ``rows * cols`` nodes of a ``rows`` x ``cols`` grid over [0, 1]^2, shape (rows*cols, 2).

    ``grid_points`` for grids that need not be square: node ``i`` sits at row
    ``i // cols`` and column ``i % cols``, at ``(x, y) = (column / (cols - 1), row / (rows - 1))``
    (0 along an axis with a single node).
    """
    rows, cols = _grid_shape_checked(rows, cols)
    y_ticks = np.linspace(0.0, 1.0, rows) if rows > 1 else np.zeros(1)
    x_ticks = np.linspace(0.0, 1.0, cols) if cols > 1 else np.zeros(1)
    row, col = np.divmod(np.arange(rows * cols), cols)
    return np.column_stack([x_ticks[col], y_ticks[row]])


def _grid_shape_checked(rows: int, cols: int) -> tuple[int, int]:
    """``(rows, cols)`` as ints, or ValueError unless both are positive integers."""
    for name, value in (("rows", rows), ("cols", cols)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"grid {name} must be a positive integer, got {value!r}")
    return int(rows), int(cols)


def _check_coords(coords: np.ndarray, side: int) -> np.ndarray:
    """Return ``coords`` as float64 (N, 2) or raise ValueError saying what is wrong."""
    return _check_points(coords, side, side, exact=True)


def _check_points(coords: np.ndarray, rows: int, cols: int, *, exact: bool) -> np.ndarray:
    """``_check_coords`` for a ``rows`` x ``cols`` grid: exactly one point per node, or at most one unless ``exact``."""
    arr = np.asarray(coords)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"coords must have shape (N, 2), got {arr.shape}")
    nodes = rows * cols
    if exact and arr.shape[0] != nodes:
        raise ValueError(
            f"coords has {arr.shape[0]} points but a {rows}x{cols} grid has {nodes} nodes;"
            " the assignment needs exactly one point per node"
        )
    if not exact and not 1 <= arr.shape[0] <= nodes:
        raise ValueError(
            f"coords has {arr.shape[0]} points but a {rows}x{cols} grid has {nodes} nodes;"
            " the assignment needs between 1 point and one point per node"
        )
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"coords must be real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        bad = int(np.count_nonzero(~np.isfinite(arr).all(axis=1)))
        raise ValueError(f"coords must be finite; {bad} point(s) contain NaN or infinity")
    return arr


def assign_to_grid(coords: np.ndarray, side: int = 50, cost_max: float = 100000.0) -> GridResult:
    """Give each map point its own grid node, minimising the total squared distance.

    ``coords`` is the (side*side, 2) map, normally min-max scaled to [0, 1]. The cost
    of putting map point ``j`` on grid node ``i`` is ``|node_i - point_j|^2`` (rows are
    nodes, columns are points). The matrix is multiplied by ``cost_max / max(cost)``
    before it goes to ``lapjv``.

    Why the scaling: multiplying every cost by the same positive number cannot change
    which assignment is optimal, so it is not about the answer but about the solver.
    Jonker's original code, and pyLAPJV which wrapped it, compared reduced costs
    against a fixed tolerance and could loop forever when cost differences were
    smaller than it; its author's advice was to scale the costs up (this is where the
    well-known "scale to 100000" recipe, e.g. Kyle McDonald's CloudToGrid, comes from).
    The installed lapjv 1.3.x replaced that tolerance with an exact "did the price
    really drop" test, so it no longer needs the scaling to terminate. What still
    makes it useful: lapjv works in float32, and scaling in float64 first puts the
    costs in a fixed, known range (0 .. cost_max) whatever the map's units, far from
    float32 overflow (3e38) and underflow, and keeps our numbers comparable with the
    reference recipe. Relative float32 precision is the same at any scale, so the
    scaling neither helps nor hurts the optimality of the result.

    ``total_cost`` and the displacements are computed from the unscaled distances;
    displacements are in grid cells (node spacing ``1 / (side - 1)``). ``seconds``
    times the ``lapjv`` call alone.
    """
    side = _checked_side(side)
    if not np.isfinite(cost_max) or cost_max <= 0:
        raise ValueError(f"cost_max must be a positive finite number, got {cost_max!r}")
    points = _check_coords(coords, side)
    nodes = grid_points(side)

    diff = nodes[:, None, :] - points[None, :, :]
    cost = np.einsum("ijk,ijk->ij", diff, diff)  # (nodes, points) squared distances, float64
    top = float(cost.max())
    scaled = cost * (cost_max / top) if top > 0 else cost
    solver_input = np.ascontiguousarray(scaled, dtype=np.float32)  # what lapjv would do itself

    start = time.perf_counter()
    _, node_to_point_col, _ = lapjv(solver_input)
    seconds = time.perf_counter() - start

    cell_of_point = np.asarray(node_to_point_col, dtype=np.int64)  # col_ind: point j -> node
    grid_xy = nodes[cell_of_point]
    point_index = np.arange(len(points))
    total_cost = float(cost[cell_of_point, point_index].sum())
    cell = 1.0 / (side - 1) if side > 1 else 1.0
    displacement = np.sqrt(cost[cell_of_point, point_index]) / cell
    return GridResult(
        side=side,
        cell_of_point=cell_of_point,
        grid_xy=grid_xy,
        total_cost=total_cost,
        mean_displacement=float(displacement.mean()),
        max_displacement=float(displacement.max()),
        seconds=float(seconds),
    )


def neighbour_agreement(cell_of_point: np.ndarray, labels: np.ndarray, side: int, cols: int | None = None) -> float:
    """Share of horizontally or vertically adjacent occupied grid cells that hold the same label.

    ``labels[j]`` is the label shown in the cell of point ``j``. The grid has ``side``
    rows and ``cols`` columns (``side`` unless given). Cells no point landed on (a grid
    with more nodes than points) are left out: only pairs of two occupied cells
    count. A grid that keeps similar digits together scores high; a random
    arrangement scores about the sum of the squared class shares (0.1 for ten equal
    classes). NaN when no two occupied cells touch.
    """
    rows, cols = side, side if cols is None else cols
    cells = np.asarray(cell_of_point)
    board = np.empty(rows * cols, dtype=np.asarray(labels).dtype)
    board[cells] = labels
    occupied = np.zeros(rows * cols, dtype=bool)
    occupied[cells] = True
    board, occupied = board.reshape(rows, cols), occupied.reshape(rows, cols)
    pairs = [(np.s_[:, 1:], np.s_[:, :-1]), (np.s_[1:, :], np.s_[:-1, :])]  # horizontal, vertical
    both = [occupied[a] & occupied[b] for a, b in pairs]
    same = sum(np.count_nonzero((board[a] == board[b]) & mask) for (a, b), mask in zip(pairs, both))
    total = sum(np.count_nonzero(mask) for mask in both)
    return same / float(total) if total else float("nan")


@dataclass(frozen=True)
class Mismatch:
    """A grid's cells filled with the right images and with shuffled ones (the grid chapter's last picture)."""

    permutation: np.ndarray  # the shuffled pairing: cell of point i shows the image of point permutation[i]
    agreement: float  # share of neighbouring cells with the same digit, correct pairing
    agreement_mismatched: float  # the same with the shuffled pairing

    def summary(self) -> dict:
        return {"neighbour_agreement": round(float(self.agreement), 4),
                "neighbour_agreement_mismatched": round(float(self.agreement_mismatched), 4)}


def mismatched_pairing(result: GridResult | LargeGridResult, labels: np.ndarray, seed: int) -> Mismatch:
    """Shuffle which image goes into which cell, and measure what the shuffle destroys.

    ``labels[j]`` is the label of map point ``j``; the agreement of neighbouring
    cells shows the structure the correct pairing has and the shuffled one lacks
    (the shuffled agreement is the baseline a grid with no structure would score).
    """
    rows, cols = (result.side, result.side) if isinstance(result, GridResult) else (result.rows, result.cols)
    permutation = np.random.default_rng(seed).permutation(len(labels))
    return Mismatch(
        permutation=permutation,
        agreement=neighbour_agreement(result.cell_of_point, labels, rows, cols),
        agreement_mismatched=neighbour_agreement(result.cell_of_point, labels[permutation], rows, cols),
    )


# --------------------------------------------------------------------------- large grids
#
# ``assign_to_grid`` builds the dense N x N cost matrix and solves it exactly: fine
# for 2,500 points, impossible for 70,000 (a 70k x 70k matrix, cubic time). The
# functions below minimise the same total squared distance for N <= rows * cols
# points with many small exact solves (see ``assign_to_large_grid``).

#: The exact solvers a sub-problem can go to (see ``_solve_exactly``).
SOLVERS = ("scipy", "lapjv")
#: lapjv costs are scaled to this maximum before the float32 solve, as in ``assign_to_grid``.
_LAPJV_COST_MAX = 100000.0
#: Points per group when a level is coarsened (one coarse node stands for 2 x 2 nodes).
_GROUP = 4


@dataclass(frozen=True)
class LargeGridResult:
    """Where each map point landed on a ``rows`` x ``cols`` grid with at least as many nodes as points."""

    rows: int
    cols: int
    cell_of_point: np.ndarray  # (N,) int: node index (row * cols + col) of each point; no node twice
    total_cost: float  # sum of squared distances point -> node, the objective
    block_cost: float  # the same after the block solves at full resolution, before the window re-solves
    mean_displacement: float  # mean Euclidean distance point -> node, in grid cells
    max_displacement: float  # largest such distance, in grid cells
    seconds: float  # the whole computation
    passes: int  # window re-solve passes at full resolution
    converged: bool  # True when the passes stopped because one gained less than the tolerance
    method: str  # how it was computed, in words, with every size and count (for the page)
    # The same, as values a page in any language can put into its own words:
    exact: bool = False  # solved as one exact problem (a small grid)
    levels: tuple[tuple[int, int], ...] = ()  # (rows, cols) of each level, coarsest first
    block: int = 0  # most nodes in one exactly solved block
    window: int = 0  # side of the re-solved windows
    tolerance: float = 0.0  # the passes stop when one gains less than this share of the total

    def summary(self) -> dict:
        """Plain-Python values (numbers, the method in words) for ``results.json``."""
        return {
            "rows": int(self.rows),
            "cols": int(self.cols),
            "points": int(len(self.cell_of_point)),
            "total_cost": float(self.total_cost),
            "block_cost": float(self.block_cost),
            "mean_displacement": float(self.mean_displacement),
            "max_displacement": float(self.max_displacement),
            "seconds": float(self.seconds),
            "passes": int(self.passes),
            "converged": bool(self.converged),
            "method": str(self.method),
            "exact": bool(self.exact),
            "levels": [[int(rows), int(cols)] for rows, cols in self.levels],
            "block": int(self.block),
            "window": int(self.window),
            "tolerance": float(self.tolerance),
        }


@dataclass(frozen=True)
class _Settings:
    """The parameters of ``assign_to_large_grid``, checked."""

    block: int
    window: int
    max_passes: int
    coarse_passes: int
    tol: float
    exact_nodes: int
    solver: str


@dataclass(frozen=True)
class _Level:
    """What happened at one grid size, finest level last."""

    rows: int
    cols: int
    points: int
    block_cost: float
    cost: float
    passes: int
    converged: bool
    exact: bool  # solved as one exact problem (the coarsest level, or a small input)


def assign_to_large_grid(
    coords: np.ndarray,
    rows: int,
    cols: int | None = None,
    *,
    block: int = 256,
    window: int = 16,
    max_passes: int = 8,
    tol: float = 1e-4,
    coarse_passes: int = 2,
    exact_nodes: int = 1200,
    solver: str = "scipy",
) -> LargeGridResult:
    """Give each of N map points its own node of a ``rows`` x ``cols`` grid (N <= nodes), nearly minimising
    the total squared distance, in about linear time.

    The objective is ``assign_to_grid``'s; the grid is ``grid_nodes(rows, cols)`` (``cols``
    defaults to ``rows``) and nodes no point needs stay empty. A grid of at most
    ``exact_nodes`` nodes is solved exactly in one go. A larger one is solved from
    coarse to fine:

    1. coarsen: the points are grouped in fours (balanced splits of the point set
       across its wider axis) and each group's centroid is placed on the grid with
       half as many rows and columns (each coarse node the centre of 2 x 2 nodes),
       by this same procedure, down to a grid of at most ``exact_nodes`` nodes solved
       exactly. Grouping keeps the density of the map, so the coarse solution says
       where each part of the map must go without the noise a random subsample has;
    2. blocks: each point's predicted node is its group's coarse node; the grid is
       split in halves along its longer side, recursively, down to rectangles of
       at most ``block`` nodes, and the points with them (sorted by predicted
       position, as many as predicted, never more than the half's nodes; cuts fall
       between coarse nodes' 2 x 2 squares where possible, so the predicted counts
       are exact). Each rectangle is solved exactly;
    3. repairs: exact re-solves on ``window`` x ``window`` windows, the tiling
       shifted by half a window each pass (offsets (0, 0), (h, h), (0, h), (h, 0)):
       the points held by a window's nodes are re-assigned among all its nodes,
       which can only lower the total, and a window whose nodes kept their points
       since it was last solved is skipped. ``coarse_passes`` passes on coarse
       levels; at full resolution until a pass gains less than ``tol`` of the total
       or after ``max_passes`` passes.

    Every sub-problem is solved exactly by ``solver``: "scipy"
    (``scipy.optimize.linear_sum_assignment``, float64, rectangular) or "lapjv" (padded
    square, scaled to 100000, float32). Deterministic: no random numbers, stable
    sorts. ``method`` in the result says what ran; ``seconds`` times all of it.

    A window keeps its number of points, so empty nodes move only as far as the coarse
    levels placed them: with many of them the result is further off the optimum. How
    close it comes, and how fast (``benchmarks/grid_large.py`` re-measures it):
    docs/DECISIONS.md, "The scalable grid assignment".
    """
    cols = rows if cols is None else cols
    rows, cols = _grid_shape_checked(rows, cols)
    for name, value, low in (("block", block, 1), ("window", window, 2), ("max_passes", max_passes, 0),
                             ("coarse_passes", coarse_passes, 0), ("exact_nodes", exact_nodes, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    points = _check_points(coords, rows, cols, exact=False)
    settings = _Settings(int(block), int(window), int(max_passes), int(coarse_passes), float(tol),
                         int(exact_nodes), solver)

    start = time.perf_counter()
    levels: list[_Level] = []
    cell_of_point = _assign_level(points, grid_nodes(rows, cols).reshape(rows, cols, 2), settings,
                                  settings.max_passes, levels)
    seconds = time.perf_counter() - start

    delta = points - grid_nodes(rows, cols)[cell_of_point]
    in_cells = delta * np.array([max(cols - 1, 1), max(rows - 1, 1)])  # one node spacing = 1 per axis
    displacement = np.hypot(in_cells[:, 0], in_cells[:, 1])
    finest = levels[-1]
    return LargeGridResult(
        rows=rows,
        cols=cols,
        cell_of_point=cell_of_point,
        total_cost=float(np.einsum("ij,ij->", delta, delta)),
        block_cost=finest.block_cost,
        mean_displacement=float(displacement.mean()),
        max_displacement=float(displacement.max()),
        seconds=float(seconds),
        passes=finest.passes,
        converged=finest.converged,
        method=_describe(levels, settings),
        exact=finest.exact,
        levels=tuple((level.rows, level.cols) for level in levels),
        block=settings.block,
        window=settings.window,
        tolerance=settings.tol,
    )


def _assign_level(points: np.ndarray, nodes: np.ndarray, s: _Settings, passes: int, levels: list[_Level]) -> np.ndarray:
    """Assign ``points`` to the (R, C, 2) grid of node positions ``nodes``; appends its _Level (coarsest first)."""
    rows, cols = nodes.shape[:2]
    flat = nodes.reshape(-1, 2)
    if rows * cols <= s.exact_nodes:
        cell = _solve_exactly(points, flat, s.solver)
        cost = _cost(points, flat, cell)
        levels.append(_Level(rows, cols, len(points), cost, cost, 0, True, exact=True))
        return cell

    group = _groups(points, _GROUP)
    size = np.bincount(group)
    centroids = np.column_stack([np.bincount(group, weights=points[:, k]) for k in range(2)]) / size[:, None]
    coarse_nodes, coarse_centre = _coarsen(nodes)
    coarse_cell = _assign_level(centroids, coarse_nodes, s, s.coarse_passes, levels)

    # Predicted position in this level's cell units (x = column, y = row): the group's coarse
    # node, plus the point's offset from its group's centroid (at most half a cell) so the
    # four points of a group keep their arrangement.
    spacing = np.ptp(flat, axis=0) / np.maximum(np.array([cols, rows]) - 1, 1)
    offset = (points - centroids[group]) / np.where(spacing > 0, spacing, 1.0)
    key = coarse_centre.reshape(-1, 2)[coarse_cell][group] + np.clip(offset, -0.5, 0.5)
    cell = _solve_blocks(points, flat, rows, cols, key, s)
    block_cost = _cost(points, flat, cell)
    cell, done, converged = _repair(points, flat, rows, cols, cell, s, passes)
    levels.append(_Level(rows, cols, len(points), block_cost, _cost(points, flat, cell), done, converged, exact=False))
    return cell


def _cost(points: np.ndarray, flat_nodes: np.ndarray, cell: np.ndarray) -> float:
    """Total squared distance from each point to its node ``flat_nodes[cell]``."""
    delta = points - flat_nodes[cell]
    return float(np.einsum("ij,ij->", delta, delta))


def _solve_exactly(points: np.ndarray, nodes: np.ndarray, solver: str) -> np.ndarray:
    """Exact optimal node (index into ``nodes``) for each of k <= m points."""
    delta = points[:, None, :] - nodes[None, :, :]
    cost = np.einsum("ijk,ijk->ij", delta, delta)  # (points, nodes)
    if solver == "scipy":
        from scipy.optimize import linear_sum_assignment

        _, node_of_point = linear_sum_assignment(cost)  # rectangular: every point (row) gets a node
        return np.asarray(node_of_point, dtype=np.int64)
    # lapjv wants a square matrix: nodes as rows, points then zero-cost dummy points as columns.
    k, m = cost.shape
    square = np.zeros((m, m))
    square[:, :k] = cost.T
    top = float(cost.max())
    if top > 0:
        square *= _LAPJV_COST_MAX / top
    _, node_of_column, _ = lapjv(np.ascontiguousarray(square, dtype=np.float32))
    return np.asarray(node_of_column[:k], dtype=np.int64)


def _groups(points: np.ndarray, size: int) -> np.ndarray:
    """Group id (0..ceil(N/size)-1) of each point: balanced splits across the wider axis, groups of ``size``
    (the last one smaller when ``size`` does not divide N)."""
    group = np.empty(len(points), dtype=np.int64)
    stack = [np.arange(len(points))]
    next_id = 0
    while stack:
        idx = stack.pop()
        if len(idx) <= size:
            group[idx] = next_id
            next_id += 1
            continue
        axis = int(np.ptp(points[idx, 1]) > np.ptp(points[idx, 0]))
        order = idx[np.lexsort((idx, points[idx, axis]))]
        half = (-(-len(idx) // size) // 2) * size  # a multiple of size: only one group can fall short
        stack += [order[half:], order[:half]]
    return group


def _coarsen(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The grid with half the rows and columns: each coarse node is the mean of its (up to) 2 x 2 nodes.

    Returns the coarse positions (R2, C2, 2) and each coarse node's centre in the fine
    grid's cell units, (column, row), e.g. (0.5, 0.5) for the top-left 2 x 2. Where a
    side is odd, the last coarse row or column stands for a single row or column: the
    coarse problem then has a little more room there than the grid has (making the room
    exact, by merging those nodes in pairs, was tried: docs/DECISIONS.md, "The scalable
    grid assignment").
    """
    rows, cols = nodes.shape[:2]
    row, col = np.mgrid[0:rows, 0:cols].astype(np.float64)
    stacked = np.concatenate([nodes, col[..., None], row[..., None]], axis=2)
    padded = np.full((rows + rows % 2, cols + cols % 2, 4), np.nan)
    padded[:rows, :cols] = stacked
    pooled = np.nanmean(padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2, 4), axis=(1, 3))
    return np.ascontiguousarray(pooled[..., :2]), np.ascontiguousarray(pooled[..., 2:])


def _rectangle(cols: int, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
    """Node indices of rows r0..r1-1 x columns c0..c1-1, row by row."""
    return (np.arange(r0, r1)[:, None] * cols + np.arange(c0, c1)[None, :]).ravel()


def _solve_blocks(points: np.ndarray, flat: np.ndarray, rows: int, cols: int, key: np.ndarray, s: _Settings) -> np.ndarray:
    """Split grid and points into matching rectangles of at most ``s.block`` nodes and solve each exactly.

    A rectangle is halved across its longer side; the points, sorted by their predicted
    position ``key`` (in cell units) along that axis, go to the first half as many as are
    predicted there, clipped so that neither half gets more points than nodes.
    """
    cell = np.empty(len(points), dtype=np.int64)
    stack = [(np.arange(len(points)), 0, rows, 0, cols)]
    while stack:
        idx, r0, r1, c0, c1 = stack.pop()
        nodes = (r1 - r0) * (c1 - c0)
        if nodes <= s.block:
            if len(idx):
                rect = _rectangle(cols, r0, r1, c0, c1)
                cell[idx] = rect[_solve_exactly(points[idx], flat[rect], s.solver)]
            continue
        axis = 0 if c1 - c0 >= r1 - r0 else 1  # 0: split the columns (x), 1: the rows (y)
        lo, hi = (c0, c1) if axis == 0 else (r0, r1)
        mid = (lo + hi) // 2
        if mid % 2 and mid + 1 < hi:
            mid += 1  # cut between two coarse nodes' 2 x 2 squares, where the predicted counts are exact
        first = nodes * (mid - lo) // (hi - lo)  # nodes in the first half
        predicted = int(np.count_nonzero(key[idx, axis] < mid - 0.5))
        take = min(max(predicted, len(idx) - (nodes - first)), first)
        order = idx[np.lexsort((idx, key[idx, axis]))]
        halves = ((r0, r1, lo, mid), (r0, r1, mid, hi)) if axis == 0 else ((lo, mid, c0, c1), (mid, hi, c0, c1))
        stack += [(order[take:], *halves[1]), (order[:take], *halves[0])]
    return cell


def _repair(points: np.ndarray, flat: np.ndarray, rows: int, cols: int, cell: np.ndarray, s: _Settings,
            max_passes: int) -> tuple[np.ndarray, int, bool]:
    """Exact re-solves on shifted window tilings; returns (cell, passes run, stopped by the tolerance)."""
    cell = cell.copy()
    point_at = np.full(rows * cols, -1, dtype=np.int64)
    point_at[cell] = np.arange(len(cell))
    changed_at = np.zeros(rows * cols, dtype=np.int64)  # tick of the solve that last changed a node's point
    solved_at: dict[tuple[int, int, int, int], int] = {}  # tick of each window's last solve
    clock = 0
    total = _cost(points, flat, cell)
    w, h = s.window, s.window // 2
    offsets = ((0, 0), (h, h), (0, h), (h, 0))
    for done in range(1, max_passes + 1):
        before = total
        row_off, col_off = offsets[(done - 1) % len(offsets)]
        for r0 in range(row_off - w if row_off else 0, rows, w):
            for c0 in range(col_off - w if col_off else 0, cols, w):
                bounds = (max(r0, 0), min(r0 + w, rows), max(c0, 0), min(c0 + w, cols))
                rect = _rectangle(cols, *bounds)
                if bounds in solved_at and changed_at[rect].max() <= solved_at[bounds]:
                    continue  # the same points on the same nodes as when last solved: nothing to gain
                clock += 1
                solved_at[bounds] = clock
                held = point_at[rect]
                held = held[held >= 0]
                if not len(held):
                    continue
                new = rect[_solve_exactly(points[held], flat[rect], s.solver)]
                old_cost, new_cost = _cost(points[held], flat, cell[held]), _cost(points[held], flat, new)
                if new_cost < old_cost * (1.0 - 1e-12):  # float32 lapjv may tie or lose a hair: keep the old
                    moved = new != cell[held]
                    changed_at[cell[held][moved]] = clock
                    changed_at[new[moved]] = clock
                    point_at[cell[held]] = -1
                    point_at[new] = held
                    cell[held] = new
                    total += new_cost - old_cost
        if before - total <= s.tol * total:
            return cell, done, True
    return cell, max_passes, False


def _describe(levels: list[_Level], s: _Settings) -> str:
    """The method in words, from what actually ran (finest level last in ``levels``)."""
    solver = ("scipy.optimize.linear_sum_assignment (float64)" if s.solver == "scipy"
              else f"lapjv (float32, costs scaled to {_LAPJV_COST_MAX:g})")
    finest = levels[-1]
    if finest.exact:
        return f"exact: all {finest.points:,} points on all {finest.rows}x{finest.cols} nodes in one solve by {solver}"
    sizes = " <- ".join(f"{level.rows}x{level.cols}" for level in reversed(levels))
    coarse = levels[1:-1]
    stop = (f"stopped when a pass gained less than {s.tol:g} of the total" if finest.converged
            else f"stopped at the limit of {s.max_passes} passes")
    return (
        f"multilevel: points grouped in fours and placed on grids of halved side, {sizes}"
        f" ({levels[0].points:,} groups solved exactly); at each finer level the grid and the points,"
        f" ordered by their coarse node, split into blocks of at most {s.block} nodes, each solved exactly,"
        f" then exact re-solves of {s.window}x{s.window} windows shifted by {s.window // 2} each pass"
        + (f" ({', '.join(str(level.passes) for level in coarse)} passes on the coarse levels)" if coarse else "")
        + f"; {finest.passes} passes at {finest.rows}x{finest.cols} ({stop}); every solve by {solver}"
    )
