"""Derived code fingerprints: the import closure, and what a declared function can reach."""

import numpy as np
import pytest

from mnistreport.engine import keys as fingerprint
from mnistreport.chapters import classifier, explore
from mnistreport.engine.keys import UnkeyableError, function_fingerprint, module_closure


def reached(function) -> set[str]:
    collector = fingerprint._Collector("test", lambda value: True)
    collector.function(function)
    return {m.removeprefix("mnistreport.") for m in collector.modules}


def test_the_closure_follows_imports_through_other_modules():
    # cnn.py imports autoencoder (split_validation); assets.py reaches the bundle format through explore.py
    assert "mnistreport.analysis.autoencoder" in module_closure("mnistreport.analysis.cnn")
    assert {"mnistreport.render.bundle", "mnistreport.render.explorer", "mnistreport.render.drawmodel"} <= module_closure(
        "mnistreport.render.browser_files")
    assert "mnistreport.render.charts" not in module_closure("mnistreport.analysis.grid")  # and not more than it imports


def test_relative_imports_inside_chapters_are_resolved(tmp_path):
    found = fingerprint.package_imports(fingerprint.PACKAGE_DIR / "chapters" / "grid.py",
                                        "mnistreport.chapters.grid")
    assert {"mnistreport.chapters.explore", "mnistreport.chapters.tsne", "mnistreport.analysis.grid",
            "mnistreport.declare", "mnistreport.chapters"} <= found


def test_a_chapter_lambda_reaches_the_modules_it_calls_and_nothing_else():
    assert reached(classifier.CNN.compute) >= {"cnn", "autoencoder", "dataset"}
    assert "figures" not in reached(classifier.CNN.compute)
    assert reached(explore._all_grid) == {"grid"}  # math is a library; ALL_MAP is a declared step


def test_a_function_without_source_cannot_be_keyed():
    def make(limit):
        namespace = {"__name__": "mnistreport.chapters.fake", "LIMIT": limit}
        exec("def compute(i):\n    return LIMIT\n", namespace)  # noqa: S102
        return namespace["compute"]

    # functions without a source file cannot be keyed: the build says so
    with pytest.raises(UnkeyableError, match="source"):
        function_fingerprint(make(3), "step 'fake'")


def test_a_global_no_key_covers_is_refused():
    collector = fingerprint._Collector("step 'fake'", lambda value: False)
    with pytest.raises(UnkeyableError, match=r"step 'fake' reads the global 'TABLE' \(list\)"):
        collector.value("TABLE", [1, 2, 3])
    with pytest.raises(UnkeyableError, match="'MLP'"):
        collector.value("MLP", classifier.MLP)  # a step it does not declare
    with pytest.raises(UnkeyableError, match=r"'WEIGHTS' \(ndarray\)"):
        collector.value("WEIGHTS", np.zeros(3))  # a library's object: its contents are in no key
    collector.value("N", 5)
    assert collector.parts == ["N=5"]
