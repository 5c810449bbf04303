"""What the chapters' assets share: the files the pages' scripts load (the explorer's points,
sheets, neighbours and writers, the drawing page's model, the table of all digits) are written
by the asset functions of the chapters that declare them (``@chapter.asset``); this module
holds only the sizes and helpers several of them use, over plain arrays.
"""

from __future__ import annotations

import numpy as np

from mnistreport.analysis.grid import LargeGridResult
from mnistreport.render import explorer
from mnistreport.sources.qmnist import Provenance

#: The explorer's sprite sheets: the map cut into TILES x TILES regions, SHEET_COLUMNS digits a row.
TILES = explorer.DEFAULT_TILES
SHEET_COLUMNS = explorer.DEFAULT_SHEET_COLS
EXAMPLES_PER_CLASS = 30  # test digits the drawing page's "random test digit" picks from

#: QMNIST's per-digit columns that the explorer's writers file and the table of all digits carry, in order.
PROVENANCE_COLUMNS = ("series", "writer", "writer_index")


def grid_cells(all_grid: LargeGridResult) -> tuple[np.ndarray, tuple[int, int]]:
    """Every digit's cell on the grid of all digits, and the grid's (rows, cols)."""
    return all_grid.cell_of_point, (all_grid.rows, all_grid.cols)


def provenance_columns(provenance: Provenance) -> dict[str, np.ndarray]:
    """"series", "writer", "writer_index" of every digit in the explorer's order: training, then test."""
    return {name: np.concatenate([getattr(provenance.train, name), getattr(provenance.test, name)])
            for name in PROVENANCE_COLUMNS}

