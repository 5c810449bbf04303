"""The package's imports go one way: data -> analyses -> results -> figures, tables, assets ->
chapters -> site -> pipeline -> command line. Read with ``ast``, so type-only imports count too."""

import shutil
from pathlib import Path

from mnistreport.engine.keys import package_imports

PACKAGE = Path(__file__).resolve().parent.parent / "mnistreport"

# Lower number = lower layer; a module may import only modules of its own layer or below.
LAYERS = {
    0: {"__init__", "data", "cache", "style", "bundle", "words", "declare", "fingerprint",
        "provenance"},
    1: {"dataset", "embedding", "grid", "maps", "autoencoder", "clustering", "mlp", "cnn", "comparison",
        "config", "writers"},  # config gathers the analyses' parameter classes
    2: {"results"},
    3: {"figures", "tables", "explore", "drawmodel", "assets", "outputs"},
    4: {"chapters"},
    5: {"site", "search"},
    6: {"pipeline"},
    7: {"cli", "serve"},
}
LAYER_OF = {name: layer for layer, names in LAYERS.items() for name in names}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Layer name -> the layer names it imports, read with the same parser the cache keys use."""
    graph: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        dotted = ".".join(("mnistreport", *parts)).removesuffix(".__init__")
        name = parts[0]  # chapters/tsne.py belongs to "chapters"
        imported = {m.split(".")[1] if "." in m else "__init__" for m in package_imports(path, dotted)}
        graph.setdefault(name, set()).update(m for m in imported if m != name)
    return graph


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return [f"{name} imports {other}" for name, others in graph.items() for other in others
            if other in LAYER_OF and LAYER_OF[other] > LAYER_OF.get(name, 99)]


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path of names, or [] if there is none."""
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path + [nxt]
            if nxt not in state and (found := visit(nxt, path + [nxt])):
                return found
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return []


def test_every_module_has_a_layer():
    assert set(import_graph()) <= set(LAYER_OF), set(import_graph()) - set(LAYER_OF)


def test_no_module_imports_one_above_it():
    assert upward_imports(import_graph()) == []


def test_no_import_cycle():
    assert find_cycle(import_graph()) == []


def test_the_checks_catch_an_upward_import_and_a_cycle(tmp_path):
    # control: a copy of the package where results imports the pipeline (upward, and a cycle through it)
    copy = tmp_path / "mnistreport"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "results.py").write_text((copy / "results.py").read_text() + "\nfrom . import pipeline\n")
    graph = import_graph(copy)
    assert "results imports pipeline" in upward_imports(graph)
    assert {"results", "pipeline"} <= set(find_cycle(graph))
