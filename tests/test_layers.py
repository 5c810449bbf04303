"""The package's imports go one way: data -> analyses -> results -> figures, tables, assets ->
chapters -> site -> pipeline -> command line. Read with ``ast``, so type-only imports count too."""

import ast
from pathlib import Path

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
    5: {"site"},
    6: {"pipeline"},
    7: {"cli", "serve"},
}
LAYER_OF = {name: layer for layer, names in LAYERS.items() for name in names}


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    return relative.parts[0]  # chapters/tsne.py belongs to "chapters"


def imports_of(path: Path) -> set[str]:
    """The mnistreport modules a file imports (relative or absolute, anywhere in the file)."""
    found = set()
    depth_of_file = len(path.relative_to(PACKAGE).parts) - 1
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == 0 and not base.startswith("mnistreport"):
                continue
            parts = base.split(".") if base else []
            if node.level == 0:
                parts = parts[1:]
            elif node.level - 1 < depth_of_file:  # "from . import x" inside chapters/
                parts = ["chapters"] + parts
            if parts:
                found.add(parts[0])
            else:  # "from . import embedding": the names that are modules
                found.update(a.name for a in node.names
                             if (PACKAGE / f"{a.name}.py").exists() or (PACKAGE / a.name).is_dir())
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("mnistreport."))
    return found


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        graph.setdefault(name, set()).update(m for m in imports_of(path) if m != name)
    return graph


def test_every_module_has_a_layer():
    assert set(import_graph()) <= set(LAYER_OF), set(import_graph()) - set(LAYER_OF)


def test_no_module_imports_one_above_it():
    upward = [f"{name} imports {other}" for name, others in import_graph().items() for other in others
              if other in LAYER_OF and LAYER_OF[other] > LAYER_OF[name]]
    assert upward == []


def test_no_import_cycle():
    graph = import_graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path + [nxt]))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for start in graph:
        if start not in state:
            visit(start, [start])


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path):
    # the checks above can fail: a module importing the pipeline is caught
    fake = PACKAGE / "results.py"
    tree = imports_of(fake) | {"pipeline"}
    assert any(LAYER_OF[m] > LAYER_OF["results"] for m in tree)
