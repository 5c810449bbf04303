"""The one key recipe: a result's key is a hash of what it was made from.

:func:`key` hashes a node's identity with its parts: its code, the libraries that
code calls, the settings it read, the data, and the keys of the results it used.
The code part is derived, never listed by hand (:func:`fingerprint`):

* the function's own source;
* every global name its code refers to, resolved in its module: a module of this
  package counts with the source of every package module it reaches through
  imports (the transitive closure, read with ``ast``, the same walk
  ``tests/test_layers.py`` checks the layers with); a function of the same module
  counts with its own fingerprint (recursively); a function or class of another
  package module counts with that module's closure; a constant counts by value;
* the same for its default arguments and closure cells.

The library part comes from the same walk: every third-party package that the
reached package modules import (anywhere in them, lazily imported ones too), or
that the function refers to directly (``np``), counts with its installed version.
So upgrading openTSNE changes the keys of exactly the results whose code imports
it, and going back to the old release finds the old entries again.

A chapter's own function is keyed on its source and what it refers to, not on the
whole chapter module, so adding a figure to a chapter recomputes none of its steps.
Anything else a function could read (a mutable global, an object of unknown
origin) has no fingerprint: :class:`UnkeyableError` names it, so a node that cannot
be keyed fails the build instead of caching silently. Module sources are read once
per process (the code that is running).
"""

from __future__ import annotations

import ast
import dis
import functools
import hashlib
import importlib.metadata
import inspect
import json
import platform
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from mnistreport.errors import ReportError

PACKAGE = "mnistreport"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
KEY_FORMAT = 4  # bump when the recipe changes (4: library versions in every key)

# Values whose repr is their identity: they go into a key by value.
_CONSTANTS = (int, float, complex, str, bytes, bool, type(None), range)


class UnkeyableError(ReportError):
    """A function reads something no key can cover (named in the message)."""


def key(identity: str, **parts: Any) -> str:
    """The entry name of one result: its identity and everything it was made from (JSON-able parts)."""
    blob = json.dumps({"format": KEY_FORMAT, "identity": identity, "parts": parts}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


# --- the import walk ----------------------------------------------------------------


def _module_file(name: str) -> Path | None:
    """The source file of package module ``name`` (dotted, e.g. 'mnistreport.chapters.tsne')."""
    parts = name.split(".")[1:]
    if not parts:
        return PACKAGE_DIR / "__init__.py"
    base = PACKAGE_DIR.joinpath(*parts)
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


@dataclass(frozen=True)
class Imports:
    """What one source file imports: package modules (dotted) and third-party top-level names."""

    package: frozenset[str]
    libraries: frozenset[str]


def _is_library(top: str) -> bool:
    return top != PACKAGE and top not in sys.stdlib_module_names and top != "__future__"


def read_imports(path: Path, module: str) -> Imports:
    """The package modules and third-party libraries that the file ``path`` of ``module`` imports, anywhere in it."""
    is_package = path.name == "__init__.py"
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    libraries: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top == PACKAGE:
                    found.add(alias.name)
                elif _is_library(top):
                    libraries.add(top)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package_parts[: len(package_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            top = base.split(".")[0]
            if top != PACKAGE:
                if _is_library(top):
                    libraries.add(top)
                continue
            if _module_file(base):
                found.add(base)
            for alias in node.names:  # "from mnistreport.analysis import embedding": names that are modules
                if _module_file(f"{base}.{alias.name}"):
                    found.add(f"{base}.{alias.name}")
    # a submodule implies its parent packages' __init__ (Python runs them on import)
    for name in list(found):
        parts = name.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts)))
    found.discard(module)
    return Imports(frozenset(found), frozenset(libraries))


def package_imports(path: Path, module: str) -> set[str]:
    """The package modules (dotted names) that the file ``path`` of ``module`` imports."""
    return set(read_imports(path, module).package)


@functools.lru_cache(maxsize=None)
def _imports_of(module: str) -> Imports:
    path = _module_file(module)
    return read_imports(path, module) if path else Imports(frozenset(), frozenset())


@functools.lru_cache(maxsize=None)
def module_closure(module: str) -> frozenset[str]:
    """``module`` and every package module it reaches through imports."""
    seen = {module}
    todo = [module]
    while todo:
        for imported in _imports_of(todo.pop()).package:
            if imported not in seen:
                seen.add(imported)
                todo.append(imported)
    return frozenset(seen)


@functools.lru_cache(maxsize=None)
def _module_digest(module: str) -> str:
    path = _module_file(module)
    source = path.read_bytes() if path else b""
    return hashlib.sha256(module.encode() + b"\0" + source).hexdigest()


@functools.lru_cache(maxsize=None)
def modules_digest(modules: frozenset[str]) -> str:
    """One digest over the sources of ``modules``."""
    digest = hashlib.sha256()
    for name in sorted(modules):
        digest.update(_module_digest(name).encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def _distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


@functools.lru_cache(maxsize=None)
def library_version(top: str) -> tuple[str, str]:
    """(distribution name, installed version) of the importable top-level name ``top``."""
    names = _distributions().get(top) or [top]
    try:
        distribution = importlib.metadata.distribution(sorted(names)[0])
    except importlib.metadata.PackageNotFoundError:
        return top, "not installed"
    return distribution.metadata["Name"], distribution.version


def libraries_of(modules: Iterable[str], tops: Iterable[str] = ()) -> dict[str, str]:
    """{distribution: version} of the libraries ``modules`` import, plus the top-level names ``tops``,
    and Python's own version (the standard library is part of every result)."""
    names = set(tops)
    for module in modules:
        names |= _imports_of(module).libraries
    found = dict(library_version(top) for top in sorted(names))
    found["python"] = platform.python_version()
    return dict(sorted(found.items()))


# --- what a function reaches --------------------------------------------------------


def _in_package(name: str | None) -> bool:
    return bool(name) and (name == PACKAGE or name.startswith(PACKAGE + "."))  # type: ignore[union-attr]


_GLOBAL_LOADS = frozenset({"LOAD_GLOBAL", "LOAD_NAME"})


def _code_names(code: types.CodeType) -> set[str]:
    """Every global name a code object (and the code nested in it) loads: not attribute names, so
    ``result.digit_samples`` does not pull a global ``digit_samples`` into the key."""
    names = {instruction.argval for instruction in dis.get_instructions(code) if instruction.opname in _GLOBAL_LOADS}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _top_module(value: Any) -> str:
    return (getattr(value, "__module__", None) or getattr(value, "__name__", "") or "").split(".")[0]


class _Collector:
    """Walks what a function can reach; collects package modules, libraries and source parts."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.modules: set[str] = set()
        self.libraries: set[str] = set()
        self.parts: list[str] = []
        self.seen: set[int] = set()

    def function(self, function: Callable) -> None:
        if id(function) in self.seen:
            return
        self.seen.add(id(function))
        function = inspect.unwrap(function)
        if isinstance(function, functools.partial):
            self.value("partial function", function.func)
            for value in (*function.args, *function.keywords.values()):
                self.value("partial argument", value)
            return
        if isinstance(function, types.MethodType):
            self.value("method owner", function.__self__)
            function = function.__func__
        if not isinstance(function, types.FunctionType):
            raise UnkeyableError(f"{self.owner}: {function!r} is not a Python function, so its code cannot be keyed")
        module = function.__module__ or ""
        if not _in_package(module):
            self.library(function)
            return
        if not module.startswith(f"{PACKAGE}.chapters.") and not module.startswith("tests"):
            self.modules |= module_closure(module)  # another package module's function: its whole closure
            return
        # a chapter's own function: its source, and what it refers to
        try:
            self.parts.append(inspect.getsource(function))
        except OSError as exc:
            raise UnkeyableError(f"{self.owner}: the source of {function.__qualname__} cannot be read") from exc
        scope = function.__globals__
        for name in sorted(_code_names(function.__code__)):
            if name in scope:  # otherwise a builtin or an attribute name (``tsne.map``)
                self.value(name, scope[name])
        for value in (function.__defaults__ or ()):
            self.value("default argument", value)
        for value in (function.__kwdefaults__ or {}).values():
            self.value("default argument", value)
        for cell in (function.__closure__ or ()):
            self.value("closure variable", cell.cell_contents)

    def library(self, value: Any) -> None:
        top = _top_module(value)
        if top and _is_library(top):
            self.libraries.add(top)

    def value(self, name: str, value: Any) -> None:
        """Add what one referenced object contributes, or fail naming it."""
        if isinstance(value, _CONSTANTS):
            self.parts.append(f"{name}={value!r}")
        elif isinstance(value, (tuple, frozenset)):
            for item in value:
                self.value(name, item)
        elif isinstance(value, types.ModuleType):
            if _in_package(value.__name__):
                self.modules |= module_closure(value.__name__)
            else:
                self.library(value)
        elif isinstance(value, (types.FunctionType, types.MethodType, functools.partial)):
            self.function(value)
        elif isinstance(value, type) or isinstance(value, types.BuiltinFunctionType):
            if _in_package(getattr(value, "__module__", None)):
                self.modules |= module_closure(value.__module__)
            else:
                self.library(value)
        elif hasattr(value, "__mnistreport_node__"):
            pass  # a chapter's registry or node: what a node reads is keyed through its inputs
        else:  # any other object (a list, an array, a library's object): its state is in no key
            raise UnkeyableError(
                f"{self.owner} reads the global {name!r} ({type(value).__name__}), which no key covers; "
                "make it a parameter (a step, a settings section) or a constant")


@dataclass(frozen=True)
class Fingerprint:
    """The code part of a key and the libraries that code calls, with their versions."""

    code: str
    libraries: dict[str, str] = field(default_factory=dict)


def fingerprint(function: Callable, owner: str, with_closure_of: Iterable[str] = ()) -> Fingerprint:
    """The code fingerprint of ``function`` (see the module docstring); ``owner`` names it in errors.

    ``with_closure_of`` names package modules whose closure also counts (the code that saves a figure).
    """
    collector = _Collector(owner)
    collector.function(function)
    for module in with_closure_of:
        collector.modules |= module_closure(module)
    modules = frozenset(collector.modules)
    digest = hashlib.sha256(modules_digest(modules).encode())
    for part in collector.parts:
        digest.update(part.encode())
    return Fingerprint(digest.hexdigest(), libraries_of(modules, collector.libraries))


def function_fingerprint(function: Callable, owner: str, with_closure_of: Iterable[str] = ()) -> str:
    """The code part alone (see :func:`fingerprint`)."""
    return fingerprint(function, owner, with_closure_of).code
