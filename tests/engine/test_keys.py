"""The key recipe: the import closure, what a chapter's function reaches, and the libraries it calls."""

import importlib.metadata

import numpy as np
import pytest

from mnistreport.chapters import classifier, explore, tsne
from mnistreport.engine import keys
from mnistreport.engine.keys import UnkeyableError, fingerprint, key, libraries_of, module_closure


def reached(function) -> set[str]:
    collector = keys._Collector("test")
    collector.function(function)
    return {m.removeprefix("mnistreport.") for m in collector.modules}


def test_keys_depend_on_identity_and_every_part():
    base = key("step tsne", settings={"tsne": {"seed": 0}}, code="x")
    assert base == key("step tsne", code="x", settings={"tsne": {"seed": 0}})  # order-free
    assert base != key("step tsne", settings={"tsne": {"seed": 1}}, code="x")
    assert base != key("step tsne", settings={"tsne": {"seed": 0}}, code="y")
    assert base != key("step all_map", settings={"tsne": {"seed": 0}}, code="x")
    assert base != key("step tsne", settings={"tsne": {"seed": 0}}, code="x", libraries={"openTSNE": "1.0.3"})


def test_the_closure_follows_imports_through_other_modules():
    # cnn.py imports autoencoder (split_validation); the explorer's data reaches the bundle format
    assert "mnistreport.analysis.autoencoder" in module_closure("mnistreport.analysis.cnn")
    assert {"mnistreport.render.bundle", "mnistreport.render.explorer"} <= module_closure("mnistreport.chapters.explore")
    assert "mnistreport.render.charts" not in module_closure("mnistreport.analysis.grid")  # and not more than it imports


def test_imports_inside_chapters_are_resolved_and_a_chapter_imports_no_other():
    found = keys.package_imports(keys.PACKAGE_DIR / "chapters" / "grid.py", "mnistreport.chapters.grid")
    assert {"mnistreport.analysis.grid", "mnistreport.engine.nodes", "mnistreport.engine"} <= found
    assert not [m for m in found if m.startswith("mnistreport.chapters")]  # other chapters' steps are read by name


def test_a_chapter_function_reaches_the_modules_it_calls_and_nothing_else():
    assert reached(classifier.cnn) >= {"analysis.cnn", "analysis.autoencoder"}
    assert "render.charts" not in reached(classifier.cnn)
    assert reached(explore.all_grid) == {"analysis.grid"}  # math is the standard library


def test_the_libraries_come_from_the_same_walk_with_their_installed_versions():
    tsne_libraries = fingerprint(tsne.tsne, "step tsne").libraries
    assert tsne_libraries["openTSNE"] == importlib.metadata.version("openTSNE")
    assert tsne_libraries["lapjv"] == importlib.metadata.version("lapjv")
    assert "tensorflow-cpu" not in tsne_libraries and "keras" not in tsne_libraries  # t-SNE code imports neither
    assert "keras" in fingerprint(classifier.cnn, "step cnn").libraries
    grid_libraries = fingerprint(explore.all_grid, "step all_grid").libraries
    assert "openTSNE" not in grid_libraries and "lapjv" in libraries_of(module_closure("mnistreport.analysis.grid"))


def test_a_library_the_function_names_directly_counts(monkeypatch):
    monkeypatch.setattr(keys, "library_version", lambda top: (top, "1.2.3"))
    collector = keys._Collector("test")
    collector.value("np", np)
    assert collector.libraries == {"numpy"}


def test_a_function_without_source_cannot_be_keyed():
    namespace = {"__name__": "mnistreport.chapters.fake", "LIMIT": 3}
    exec("def compute(data):\n    return LIMIT\n", namespace)  # noqa: S102
    with pytest.raises(UnkeyableError, match="source"):
        fingerprint(namespace["compute"], "step 'fake'")


def test_a_global_no_key_covers_is_refused():
    collector = keys._Collector("step 'fake'")
    with pytest.raises(UnkeyableError, match=r"step 'fake' reads the global 'TABLE' \(list\)"):
        collector.value("TABLE", [1, 2, 3])
    with pytest.raises(UnkeyableError, match=r"'WEIGHTS' \(ndarray\)"):
        collector.value("WEIGHTS", np.zeros(3))  # a library's object: its contents are in no key
    collector.value("N", 5)
    assert collector.parts == ["N=5"]
