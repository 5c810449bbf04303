"""Running the graph: values through the store, keys that cover code, settings, data and library releases."""

from __future__ import annotations

from dataclasses import dataclass

from mnistreport.chapters import all_chapters
from mnistreport.config import Config, section_types
from mnistreport.engine import keys, run
from mnistreport.engine.graph import Graph
from mnistreport.engine.nodes import Chapter
from mnistreport.engine.run import Inputs, compute, plan
from mnistreport.engine.store import Store


@dataclass(frozen=True)
class Knobs:
    size: int = 3


def small_graph() -> Graph:
    chapter = Chapter("small")

    @chapter.step
    def counted(data: list, knobs: Knobs) -> int:
        return len(data) * knobs.size

    @chapter.step
    def doubled(counted: int) -> int:
        return 2 * counted

    @chapter.fact
    def judged(doubled: int) -> str:
        return "large" if doubled > 10 else "small"

    return Graph([chapter], {Knobs: "knobs"})


def inputs(size: int = 3, data: str = "abc") -> Inputs:
    return Inputs({"data": list(data)}, {"data": data}, {"knobs": Knobs(size)})


def test_values_come_from_the_store_and_a_changed_setting_misses_only_its_readers(tmp_path):
    graph = small_graph()
    first = compute(graph, Store(tmp_path), inputs())
    assert first.values == {"counted": 9, "doubled": 18} and not any(r.cached for r in first.records)
    again = compute(graph, Store(tmp_path), inputs())
    assert again.values == first.values and all(r.cached for r in again.records)
    run.compute_facts(again)
    assert again.facts == {"judged": "large"}
    assert plan(graph, inputs(size=4))["counted"] != first.keys["counted"]
    assert plan(graph, inputs(data="abd"))["counted"] != first.keys["counted"]  # the data's checksum


def clear_key_caches() -> None:
    run._fingerprints.clear()
    if hasattr(keys.library_version, "cache_clear"):
        keys.library_version.cache_clear()


def test_another_library_release_changes_exactly_the_keys_of_results_whose_code_imports_it(monkeypatch):
    graph = Graph(all_chapters(), section_types())
    report_inputs = Inputs({"data": object(), "provenance": object()}, {"data": "d", "provenance": "p"},
                           Config().sections())
    clear_key_caches()
    before = plan(graph, report_inputs)
    real = keys.library_version

    def upgraded(top: str) -> tuple[str, str]:
        name, version = real(top)
        return (name, "99.0") if top == "openTSNE" else (name, version)

    monkeypatch.setattr(keys, "library_version", upgraded)
    clear_key_caches()
    after = plan(graph, report_inputs)
    changed = {name for name in before if before[name] != after[name]}
    importers = {n.name for n in graph.steps if "openTSNE" in run.node_fingerprint(n).libraries}
    readers = {n.name for n in graph.steps if set(graph.reads(n, "step")) & (importers | changed)}
    assert importers and "tsne" in importers and "all_map" in importers
    assert changed == importers | readers  # the importers, and what is made from their results
    assert "mlp" not in changed and "train_counts" not in changed
    monkeypatch.setattr(keys, "library_version", real)
    clear_key_caches()
    assert plan(graph, report_inputs) == before  # back to the old release: the old entries' keys


def test_steps_side_by_side_give_the_values_keys_and_record_order_of_one_after_the_other(tmp_path):
    import os

    from engine import side_by_side_steps as steps  # module-level functions: workers find them by name

    graph = Graph([steps.wide], {})
    data = Inputs({"data": [3, 1, 2]}, {"data": "312"}, {}, jobs=1)
    one = compute(graph, Store(tmp_path / "one"), data)
    two = compute(graph, Store(tmp_path / "two"), Inputs(data.builtins, data.builtin_keys, data.settings, jobs=2))
    assert one.values["right"][1] == os.getpid() != two.values["right"][1]  # control: a worker computed it
    assert {k: v for k, v in two.values.items() if k != "right"} == {"left": 6, "both": (6, 3)}
    assert two.values["right"][0] == one.values["right"][0] == [3, 2, 1]
    assert two.keys == one.keys and [r.name for r in two.records] == [r.name for r in one.records]
    again = compute(graph, Store(tmp_path / "two"), Inputs(data.builtins, data.builtin_keys, data.settings, 2))
    assert again.values == two.values and all(r.cached for r in again.records)  # the workers' values stored
    assert [r.seconds for r in again.records] == [r.seconds for r in two.records]  # with the times they took


def test_a_step_failing_in_a_worker_names_the_step_and_only_the_steps_that_finished_are_stored(tmp_path):
    import pytest

    from engine import side_by_side_steps as steps
    from mnistreport.errors import ReportError

    graph = Graph([steps.broken], {})
    with pytest.raises(ReportError, match=r"step 'failing' .* failed: ZeroDivisionError"):
        compute(graph, Store(tmp_path), Inputs({"data": [1]}, {"data": "1"}, {}, jobs=2))
    assert len(list(tmp_path.rglob("*.pkl"))) == 1 and not list(tmp_path.rglob(".tmp-*"))  # "fine", kept
