"""A chapter whose steps are module-level functions, so worker processes can find them by name
(tests/engine/test_run.py computes it one step after the other and side by side)."""

from __future__ import annotations

import os

from mnistreport.engine.nodes import Chapter

wide = Chapter("wide")


@wide.step
def left(data: list) -> int:
    return sum(data)


@wide.step
def right(data: list) -> tuple:
    return sorted(data, reverse=True), os.getpid()


@wide.step
def both(left: int, right: tuple) -> tuple:
    return left, right[0][0]


broken = Chapter("broken")


@broken.step
def fine(data: list) -> int:
    return 1


@broken.step
def failing(data: list) -> int:
    return 1 // 0
