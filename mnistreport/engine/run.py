"""Running the graph: every step through the store in graph order, then the facts (``compute_facts``).

One function keys every node (:func:`node_key`), from the one recipe in ``keys.py``:
its code and the libraries that code calls, the settings sections it reads, the
built-ins it reads (the data's checksum, the provenance's), the keys of the steps it
reads, and what else tells its outputs apart (a digit, a language's words, a scale).
Nodes that read an absent optional built-in (no provenance files) are skipped once,
here, with every node after them: their value is None and nothing is drawn from them.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from mnistreport.engine.graph import OPTIONAL, Graph, GraphError
from mnistreport.engine.keys import Fingerprint, UnkeyableError, fingerprint, key
from mnistreport.engine.nodes import Node
from mnistreport.engine.store import Store
from mnistreport.engine.workers import compute_side_by_side
from mnistreport.errors import ReportError


class NodeError(ReportError):
    """A node failed; the message names it and the error it raised."""


@dataclass(frozen=True)
class StepRecord:
    """How one step (or phase) of the build went: for the end-of-build table and the about page."""

    name: str
    seconds: float  # how long it took when it ran (for a stored step, in the build that ran it)
    cached: bool
    key: str = ""
    libraries: dict[str, str] = field(default_factory=dict)  # the versions that computed it
    chapter: str = ""


@dataclass(frozen=True)
class BuildInfo:
    """How this build went, for the about page: every step's record, the parameters, the edition."""

    records: tuple[StepRecord, ...]
    parameters: Mapping[str, Any]  # section -> {key: value}
    quick: bool


@dataclass(frozen=True)
class Inputs:
    """What the nodes read besides each other: built-ins and settings, each with what it adds to a key."""

    builtins: Mapping[str, Any]  # name -> value (an absent optional one is None)
    builtin_keys: Mapping[str, str]  # name -> its part of a key (the data's checksum, ...)
    settings: Mapping[str, Any]  # section name -> section (a frozen dataclass)
    jobs: int = 1


@dataclass
class Computed:
    """The steps' values and keys, how each went, and which nodes were skipped."""

    graph: Graph
    inputs: Inputs
    values: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    records: list[StepRecord] = field(default_factory=list)
    skipped: set[Node] = field(default_factory=set)
    facts: dict[str, Any] = field(default_factory=dict)


_fingerprints: dict[tuple[Node, tuple[str, ...]], Fingerprint] = {}


def node_fingerprint(node: Node, with_closure_of: tuple[str, ...] = ()) -> Fingerprint:
    """The code and libraries of a node's function (computed once per process)."""
    cached = _fingerprints.get((node, with_closure_of))
    if cached is None:
        try:
            cached = fingerprint(node.function, node.label, with_closure_of)
        except UnkeyableError as exc:
            raise GraphError(str(exc)) from exc
        _fingerprints[(node, with_closure_of)] = cached
    return cached


def node_key(node: Node, computed: Computed, extra: Any = None, with_closure_of: tuple[str, ...] = ()) -> str:
    """The key of one output of ``node``: the one recipe every stored result is named by."""
    graph, inputs = computed.graph, computed.inputs
    code = node_fingerprint(node, with_closure_of)
    return key(f"{node.kind} {node.name}", code=code.code, libraries=code.libraries,
               settings={name: dataclasses.asdict(inputs.settings[name]) for name in graph.reads(node, "settings")},
               builtins={name: inputs.builtin_keys[name] for name in graph.reads(node, "builtin")
                         if name in inputs.builtin_keys},
               steps={name: computed.keys[name] for name in graph.reads(node, "step")},
               extra=extra)


def arguments(node: Node, computed: Computed, **given: Any) -> dict[str, Any]:
    """The keyword arguments to call ``node``'s function with; ``given`` supplies words, digit, folder, options."""
    found: dict[str, Any] = {}
    for i in computed.graph.inputs[node]:
        if i.source == "step":
            found[i.parameter] = computed.values[i.name]
        elif i.source == "fact":
            found[i.parameter] = computed.facts[i.name]
        elif i.source == "settings":
            found[i.parameter] = computed.inputs.settings[i.name]
        elif i.name == "jobs":
            found[i.parameter] = computed.inputs.jobs
        elif i.source == "builtin" and i.name in computed.inputs.builtins:
            found[i.parameter] = computed.inputs.builtins[i.name]
        elif i.name in given:
            found[i.parameter] = given[i.name]
        elif i.source == "option":
            continue  # left to its default, or missing: the call says which
        else:
            raise GraphError(f"{node.label}: nothing gives its parameter {i.parameter!r} here")
    return found


def call(node: Node, computed: Computed, **given: Any) -> Any:
    """Call a node's function with what it reads; its own error (not ours) is named with the node."""
    try:
        return node.function(**arguments(node, computed, **given))
    except ReportError:
        raise
    except Exception as exc:
        raise NodeError(f"{node.label} failed: {type(exc).__name__}: {exc}") from exc


def plan(graph: Graph, inputs: Inputs) -> dict[str, str]:
    """Every step's key for this code, these libraries, settings and data, without computing anything."""
    absent = [name for name in OPTIONAL if inputs.builtins.get(name) is None]
    computed = Computed(graph, inputs, skipped=graph.skipped(absent))
    for node in graph.steps:
        computed.keys[node.name] = "skipped" if node in computed.skipped else node_key(node, computed)
    return computed.keys


def compute(graph: Graph, store: Store, inputs: Inputs, *,
            on_start: Callable[[str], None] = lambda name: None,
            report: Callable[[StepRecord], None] = lambda record: None) -> Computed:
    """Every step through the store, skipping what an absent built-in rules out: the stored ones read back,
    the others computed in graph order, or side by side in forked processes when ``inputs.jobs`` > 1
    (``workers.py``). The records come out in graph order either way."""
    absent = [name for name in OPTIONAL if inputs.builtins.get(name) is None]
    computed = Computed(graph, inputs, skipped=graph.skipped(absent))
    records: dict[str, StepRecord] = {}
    todo: list[Node] = []
    for node in graph.steps:
        if node in computed.skipped:
            computed.values[node.name] = None
            computed.keys[node.name] = "skipped"
            continue
        computed.keys[node.name] = node_key(node, computed)
        found = store.lookup(computed.keys[node.name], "value")
        if found is None:
            todo.append(node)
            continue
        computed.values[node.name] = found.value
        records[node.name] = StepRecord(node.name, found.record.seconds, True, computed.keys[node.name],
                                        found.record.libraries, node.chapter)
        report(records[node.name])

    def done(node: Node, value: Any, seconds: float) -> None:
        computed.values[node.name] = value
        records[node.name] = StepRecord(node.name, seconds, False, computed.keys[node.name],
                                        node_fingerprint(node).libraries, node.chapter)
        report(records[node.name])

    def stored(node: Node, value: Any, seconds: float) -> None:
        entry = store.put(computed.keys[node.name], value, seconds, node_fingerprint(node).libraries)
        done(node, entry.value, entry.record.seconds)

    if len(todo) > 1 and inputs.jobs > 1:
        compute_side_by_side(todo, lambda n: graph.reads(n, "step"), lambda n: arguments(n, computed),
                             lambda n: call(n, computed), lambda n: node_fingerprint(n).libraries, inputs.jobs,
                             lambda n: on_start(n.name), stored)
    else:
        for node in todo:
            on_start(node.name)
            started = time.perf_counter()
            stored(node, call(node, computed), time.perf_counter() - started)
    computed.records = [records[node.name] for node in graph.steps if node.name in records]
    return computed


def compute_facts(computed: Computed, **builtins: Any) -> None:
    """The facts, from the computed steps and ``builtins`` added now (the build's own record)."""
    computed.inputs = dataclasses.replace(computed.inputs, builtins={**computed.inputs.builtins, **builtins})
    for node in computed.graph.facts:
        computed.facts[node.name] = None if node in computed.skipped else call(node, computed)


def summaries(computed: Computed) -> dict[str, Any]:
    """Every chapter's summary merged, in chapter order (``data/results.json``)."""
    merged: dict[str, Any] = {}
    for node in computed.graph.of_kind("summary"):
        if node not in computed.skipped:
            merged.update(call(node, computed))
    return merged
