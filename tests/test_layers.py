"""The package's imports go one way: a folder is a layer, and a module imports only its own layer or lower ones.

Read with ``ast``, so type-only and lazy imports count too. The layers, lowest first, are the folders
(and the few root modules) of ``mnistreport/``; a new folder must be placed in ``LAYERS`` to pass.
"""

import shutil
from pathlib import Path

from mnistreport.engine.keys import package_imports

PACKAGE = Path(__file__).resolve().parent.parent / "mnistreport"

# Lowest first: errors, then the data's sources, the numerics, the settings (which gather the analyses'
# parameter classes), the engine, rendering, the chapters, the site, the build and the command line.
LAYERS = ("__init__", "errors", "sources", "analysis", "config", "engine", "render", "chapters", "website", "report", "cli")
LAYER_OF = {name: layer for layer, name in enumerate(LAYERS)}
MAX_ROOT_MODULES = 8


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Layer (a folder, or a root module) -> the layers it imports, read with the same parser the keys use."""
    graph: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        dotted = ".".join(("mnistreport", *parts)).removesuffix(".__init__")
        name = parts[0]  # chapters/tsne.py belongs to the layer "chapters"
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


def test_every_folder_and_root_module_is_a_layer_and_the_root_stays_small():
    assert set(import_graph()) <= set(LAYER_OF), set(import_graph()) - set(LAYER_OF)
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(LAYER_OF), folders - set(LAYER_OF)
    roots = [p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")]
    assert len(roots) <= MAX_ROOT_MODULES, roots


def test_no_module_imports_one_above_it():
    assert upward_imports(import_graph()) == []


def test_no_import_cycle():
    assert find_cycle(import_graph()) == []


def test_the_checks_catch_an_upward_import_and_a_cycle(tmp_path):
    # control: a copy of the package where results imports the pipeline (upward, and a cycle through it)
    copy = tmp_path / "mnistreport"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    engine = copy / "engine" / "run.py"
    engine.write_text(engine.read_text() + "\nfrom mnistreport import report\n")
    graph = import_graph(copy)
    assert "engine imports report" in upward_imports(graph)
    assert {"engine", "report"} <= set(find_cycle(graph))
