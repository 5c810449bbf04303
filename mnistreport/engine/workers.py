"""Steps computed side by side: each step that must be computed runs in a worker process as soon as the
steps it reads have values, up to ``jobs`` at a time.

Many steps use one core for much of their time (a linear assignment, ten small maps, k-means), so on a
machine with several cores two of them together finish sooner than one after the other; each step in a
worker gets one thread (its ``jobs`` is 1), so the steps side by side share the cores instead of each
asking for all of them. The workers are
started by a fork server (a clean process, not a fork of this one: a forked child would inherit this
process's OpenMP and TensorFlow threads, which do not survive a fork); each task carries the step's
function (by module and name) and exactly the arguments its parameters name, and returns the value. A
step whose code calls TensorFlow, or whose function cannot be found by name (one defined inside another
function), runs in this process, alone: TensorFlow's threads use every core. The values, keys and records are those
of computing one step after the other: each step's result depends only on what it reads.
"""

from __future__ import annotations

import concurrent.futures
import importlib
import multiprocessing
import os
import time
from typing import Any, Callable

from mnistreport.engine.nodes import Node
from mnistreport.errors import ReportError

#: Libraries whose code runs in the parent process: TensorFlow sets up its threads once per process.
PARENT_ONLY = ("tensorflow", "tensorflow-cpu", "keras")


def in_parent(node: Node, libraries: dict[str, str]) -> bool:
    """True for a step that runs in this process: it calls TensorFlow, or its function has no importable name."""
    names = {name.lower().replace("_", "-") for name in libraries}
    return bool(names & set(PARENT_ONLY)) or "<locals>" in node.function.__qualname__


def _start_worker() -> None:
    """In a new worker, before any library loads: OpenMP threads that wait sleep instead of spinning, so
    steps side by side do not steal each other's cores."""
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


def _run(module: str, name: str, arguments: dict[str, Any]) -> tuple[Any, float]:
    """In a worker: the step's function found by name, called with its arguments; (value, seconds)."""
    function = getattr(importlib.import_module(module), name)
    if function.__qualname__ != name:
        raise ReportError(f"{module}.{name} is not the step's function (the name is bound to {function!r})")
    started = time.perf_counter()
    return function(**arguments), time.perf_counter() - started


class StepFailed(ReportError):
    """A step failed in a worker process; the message names it and the error."""


def compute_side_by_side(todo: list[Node], reads: Callable[[Node], list[str]],
                         arguments: Callable[[Node], dict[str, Any]], call: Callable[[Node], Any],
                         libraries: Callable[[Node], dict[str, str]], jobs: int,
                         on_start: Callable[[Node], None], on_done: Callable[[Node, Any, float], None]) -> None:
    """Compute every node of ``todo`` (given in graph order), each once the steps it ``reads`` that are in
    ``todo`` are done: in a worker with ``arguments(node)``, or here with ``call(node)``. ``on_done(node, value,
    seconds)`` is called here, in the order the steps finish."""
    waiting = list(todo)
    pending = {node.name for node in todo}
    running: dict[concurrent.futures.Future, Node] = {}

    def ready(node: Node) -> bool:
        return not any(name in pending for name in reads(node))

    def finish(node: Node, value: Any, seconds: float) -> None:
        pending.discard(node.name)
        on_done(node, value, seconds)

    def collect(done: set[concurrent.futures.Future]) -> None:
        for future in done:
            node = running.pop(future)
            try:
                value, seconds = future.result()
            except ReportError:
                raise
            except Exception as exc:
                raise StepFailed(f"{node.label} failed: {type(exc).__name__}: {exc}") from exc
            finish(node, value, seconds)

    context = multiprocessing.get_context("forkserver")
    # the server imports this module only, not the program's __main__ (a script without a main guard would
    # run again in every worker)
    context.set_forkserver_preload([__name__])
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker) as pool:
        try:
            while waiting or running:
                startable = [node for node in waiting if ready(node)]
                here = [node for node in startable if in_parent(node, libraries(node))]
                # a step here has the cores to itself (TensorFlow uses them all): no new worker meanwhile
                slots = 0 if here else jobs - len(running)
                for node in [n for n in startable if n not in here][:slots]:
                    waiting.remove(node)
                    on_start(node)
                    given = arguments(node)
                    if "jobs" in given:  # the cores are shared out: one thread each, not jobs threads each
                        given["jobs"] = 1
                    running[pool.submit(_run, node.function.__module__, node.function.__qualname__, given)] = node
                if here and not running:
                    node = here[0]
                    waiting.remove(node)
                    on_start(node)
                    started = time.perf_counter()
                    finish(node, call(node), time.perf_counter() - started)
                elif running:
                    done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
                    collect(done)
                elif waiting:  # nothing runs and nothing can start: an input no step computes
                    raise ReportError(f"steps {[n.name for n in waiting]} wait for inputs that no step computes")
                collect({future for future in running if future.done()})
        except BaseException:
            for future in running:
                future.cancel()
            raise
