"""The graph: parameters resolved to steps, settings and built-ins; order from the graph; clear errors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mnistreport.chapters import all_chapters
from mnistreport.config import section_types
from mnistreport.engine.graph import Graph, GraphError
from mnistreport.engine.nodes import Chapter


@dataclass(frozen=True)
class Knobs:
    size: int = 3


SETTINGS = {Knobs: "knobs"}


def test_parameters_name_steps_settings_and_built_ins_and_the_order_follows_the_graph():
    late = Chapter("late")  # listed first, but reads a step of the chapter after it

    @late.step
    def doubled(counted: int) -> int:
        return 2 * counted

    early = Chapter("early")

    @early.step
    def counted(data: object, knobs: Knobs, jobs: int) -> int:
        return knobs.size

    graph = Graph([late, early], SETTINGS)
    assert [n.name for n in graph.steps] == ["counted", "doubled"]
    assert [(i.source, i.name) for i in graph.inputs[graph.node("step", "counted")]] == [
        ("builtin", "data"), ("settings", "knobs"), ("builtin", "jobs")]


def test_an_unknown_parameter_names_the_function_the_parameter_and_what_it_could_mean():
    chapter = Chapter("typo")

    @chapter.step
    def counted(data: object) -> int:
        return 1

    @chapter.figure("bars")
    def bars(countd: int):  # a typo
        return None

    with pytest.raises(GraphError, match=r"figure 'bars' \(typo: .*bars\): parameter 'countd' .*did you mean counted"):
        Graph([chapter], SETTINGS)


def test_a_cycle_and_a_built_in_name_are_refused():
    chapter = Chapter("loop")

    @chapter.step
    def first(second: int) -> int:
        return second

    @chapter.step
    def second(first: int) -> int:
        return first

    with pytest.raises(GraphError, match="cycle"):
        Graph([chapter], SETTINGS)
    clash = Chapter("clash")

    @clash.step
    def data() -> int:
        return 1

    with pytest.raises(GraphError, match="'data' is a built-in"):
        Graph([clash], SETTINGS)


def test_an_absent_optional_input_skips_its_readers_and_theirs_but_not_one_that_admits_none():
    chapter = Chapter("writers")

    @chapter.step
    def who(provenance: object) -> int:
        return 1

    @chapter.step
    def errors(who: int) -> int:
        return who

    @chapter.asset("data/writers")
    def writers_file(provenance: object | None, folder: object) -> None:
        return None

    @chapter.step
    def counts(data: object) -> int:
        return 0

    graph = Graph([chapter], SETTINGS)
    assert {n.name for n in graph.skipped(["provenance"])} == {"who", "errors"}
    assert graph.skipped([]) == set()


def test_the_report_graph_resolves_and_its_chapters_declare_no_lambdas():
    graph = Graph(all_chapters(), section_types())
    assert {"tsne", "all_map", "mlp", "writers"} <= {n.name for n in graph.steps}
    assert all(n.function.__name__ != "<lambda>" for n in graph.nodes)
    order = [n.name for n in graph.steps]
    assert order.index("mlp") < order.index("writer_errors") and order.index("all_map") < order.index("all_grid")
