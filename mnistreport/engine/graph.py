"""The graph of nodes: every parameter resolved to what it reads, and the order to compute in.

Resolving happens once, when every chapter is known, so a chapter may read a step of
a chapter listed after it: the order comes from the graph (``graphlib``), not from the
order the chapters are listed in. A parameter that names nothing is an error naming
the function, the parameter and the names it could have meant.
"""

from __future__ import annotations

import difflib
import graphlib
import inspect
import typing
from dataclasses import dataclass
from typing import Any, Iterable, Literal

from mnistreport.engine.nodes import Chapter, Node
from mnistreport.errors import ReportError

#: What a built-in parameter means, and which kinds of node may ask for it.
BUILTINS: dict[str, tuple[str, ...]] = {
    "data": ("step", "figure", "table", "asset", "fact", "summary"),
    "provenance": ("step", "figure", "table", "asset", "fact", "summary"),
    "jobs": ("step", "asset"),  # threads a computation may use (not part of its key: results do not depend on it)
    "words": ("figure", "table"),  # a figure's [chart] words, a table's [table] words, in one language
    "digit": ("figure", "table"),  # the digit of a per-digit figure or table
    "folder": ("asset",),  # where an asset writes its files
    "build": ("table", "fact", "summary"),  # how this build went: its steps' records, parameters, edition (run.BuildInfo)
}
#: Built-ins that may be absent (None): a node reading one that is absent is skipped, with every node after it,
#: unless its parameter is annotated ``X | None`` (then it gets None).
OPTIONAL = ("provenance",)


def _admits_none(annotation: Any) -> bool:
    """True for an annotation such as ``Provenance | None`` (``Optional[Provenance]``)."""
    return type(None) in typing.get_args(annotation)


class GraphError(ReportError):
    """Nodes that do not fit together (a programming error, named precisely)."""


@dataclass(frozen=True)
class Input:
    """What one parameter of a node reads."""

    source: Literal["step", "fact", "settings", "builtin", "option"]
    name: str  # the step's, fact's or built-in's name; the settings section's name; the option's name
    parameter: str
    admits_none: bool = False  # annotated "X | None": given None when absent, instead of being skipped


class Graph:
    """Every node of the chapters with its inputs resolved; steps in an order that computes each after its inputs."""

    def __init__(self, chapters: Iterable[Chapter], settings: dict[type, str]) -> None:
        """``settings`` maps each settings class to its section name (``Tsne`` -> "tsne")."""
        self.chapters = tuple(chapters)
        self.nodes: list[Node] = [node for chapter in self.chapters for node in chapter.nodes]
        self.settings = settings
        self.by_name: dict[tuple[str, str], Node] = {}
        for node in self.nodes:
            if (node.kind, node.name) in self.by_name:
                raise GraphError(f"{node.label}: the name {node.name!r} is taken by "
                                 f"{self.by_name[(node.kind, node.name)].label}")
            self.by_name[(node.kind, node.name)] = node
        values = {name for kind, name in self.by_name if kind in ("step", "fact")}
        for name in values & set(BUILTINS):
            clash = self.by_name.get(("step", name)) or self.by_name[("fact", name)]
            raise GraphError(f"{clash.label}: {name!r} is a built-in parameter; name the function otherwise")
        self.inputs: dict[Node, tuple[Input, ...]] = {node: self._resolve(node) for node in self.nodes}
        self.steps = self._order([n for n in self.nodes if n.kind == "step"])
        self.facts = self._order([n for n in self.nodes if n.kind == "fact"])

    def of_kind(self, kind: str) -> list[Node]:
        return [node for node in self.nodes if node.kind == kind]

    def node(self, kind: str, name: str) -> Node | None:
        return self.by_name.get((kind, name))

    # --- resolving ----------------------------------------------------------------

    def _hints(self, node: Node) -> dict[str, Any]:
        try:
            return typing.get_type_hints(node.function)
        except Exception as exc:  # an annotation naming something the module does not import
            raise GraphError(f"{node.label}: its annotations cannot be resolved ({exc})") from exc

    def _resolve(self, node: Node) -> tuple[Input, ...]:
        hints = self._hints(node)
        found = []
        for parameter in node.parameters:
            name = parameter.name
            annotation = hints.get(name)
            if annotation in self.settings:
                found.append(Input("settings", self.settings[annotation], name))
            elif name in BUILTINS:
                if node.kind not in BUILTINS[name]:
                    raise GraphError(f"{node.label}: parameter {name!r} is a built-in that a {node.kind} "
                                     f"cannot read (only a {' or '.join(BUILTINS[name])})")
                found.append(Input("builtin", name, name, _admits_none(annotation)))
            elif ("step", name) in self.by_name:
                found.append(Input("step", name, name, _admits_none(annotation)))
            elif ("fact", name) in self.by_name and node.kind in ("fact", "table", "summary"):
                found.append(Input("fact", name, name))
            elif node.kind == "table" and parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                found.append(Input("option", name, name))
            else:
                raise GraphError(self._unknown(node, name))
        return tuple(found)

    def _unknown(self, node: Node, name: str) -> str:
        steps = sorted(n for k, n in self.by_name if k == "step")
        facts = sorted(n for k, n in self.by_name if k == "fact")
        if ("fact", name) in self.by_name:
            return (f"{node.label}: parameter {name!r} is a fact, which only facts, tables and summaries read "
                    "(a fact is not stored, so nothing stored may depend on it)")
        candidates = steps + facts + list(BUILTINS)
        close = difflib.get_close_matches(name, candidates, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return (f"{node.label}: parameter {name!r} names no step, fact or built-in "
                f"({', '.join(BUILTINS)}), and is not annotated with a settings section "
                f"({', '.join(sorted(c.__name__ for c in self.settings))}){hint}")

    def _order(self, nodes: list[Node]) -> list[Node]:
        sorter: graphlib.TopologicalSorter[Node] = graphlib.TopologicalSorter()
        for node in nodes:
            sorter.add(node, *[self.by_name[(i.source, i.name)] for i in self.inputs[node]
                               if i.source == node.kind])
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            cycle = " -> ".join(n.name for n in exc.args[1])
            raise GraphError(f"the {nodes[0].kind}s read each other in a cycle: {cycle}") from exc
        place = {node: index for index, node in enumerate(self.nodes)}
        order: list[Node] = []
        while sorter.is_active():  # of the nodes ready, the one declared first (a stable, readable order)
            ready = sorted(sorter.get_ready(), key=place.__getitem__)
            order += ready
            sorter.done(*ready)
        return order

    # --- what depends on what ----------------------------------------------------

    def reads(self, node: Node, source: str) -> list[str]:
        """The names of the inputs of ``node`` from ``source`` ("step", "settings", ...)."""
        return [i.name for i in self.inputs[node] if i.source == source]

    def skipped(self, absent: Iterable[str]) -> set[Node]:
        """Every node that reads an absent optional built-in, directly or through the steps and facts it reads."""
        absent = set(absent)
        skipped: set[Node] = set()
        for node in self.steps + self.facts + [n for n in self.nodes if n.kind not in ("step", "fact")]:
            for i in self.inputs[node]:
                if i.admits_none:
                    continue
                if (i.source == "builtin" and i.name in absent) or (
                        i.source in ("step", "fact") and self.by_name[(i.source, i.name)] in skipped):
                    skipped.add(node)
                    break
        return skipped
