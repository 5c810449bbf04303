"""Code fingerprints for cache keys, derived from the code itself, never listed by hand.

A cached result is valid only for the code that made it. The fingerprint of a
function covers:

* its own source (for a lambda, the statement that declares it);
* every global name its code refers to, resolved in its module:
  a module of this package counts with the source of every package module it
  reaches through imports (the transitive closure, read with ``ast`` the way
  ``tests/test_layers.py`` checks the layers); a function of the same module
  counts with its own fingerprint (recursively); a function or class of
  another package module counts with that module's closure; a constant counts
  by value; a :class:`~mnistreport.declare.Step` must be one the caller
  declared (its key is chained in separately);
* the same for its default arguments and closure cells.

A function of a chapter module (where steps are declared, often as lambdas) is
keyed on exactly that: its source and what it refers to, rather than the whole
chapter module, so adding a figure to a chapter recomputes none of its steps.
A function of any other package module counts with that module's closure.

Anything else it could read (a mutable global, an object of unknown origin) has
no fingerprint, and :class:`UnkeyableError` says which name and why, so a
declaration that cannot be keyed fails the build instead of caching silently.
Module sources are read once per process (the code that is running).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import types
from pathlib import Path
from typing import Any, Callable, Iterable

PACKAGE = "mnistreport"
PACKAGE_DIR = Path(__file__).resolve().parent.parent

# Values whose repr is their identity: they go into a key by value.
_CONSTANTS = (int, float, complex, str, bytes, bool, type(None), range)


class UnkeyableError(Exception):
    """A function reads something no cache key can cover (named in the message)."""


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


def package_imports(path: Path, module: str) -> set[str]:
    """The package modules (dotted names) that the file ``path`` of ``module`` imports, anywhere in it."""
    is_package = path.name == "__init__.py"
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package_parts[: len(package_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.split(".")[0] != PACKAGE:
                continue
            if _module_file(base):
                found.add(base)
            for alias in node.names:  # "from . import embedding": names that are modules
                if _module_file(f"{base}.{alias.name}"):
                    found.add(f"{base}.{alias.name}")
    # a submodule implies its parent packages' __init__ (Python runs them on import)
    for name in list(found):
        parts = name.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts)))
    found.discard(module)
    return found


@functools.lru_cache(maxsize=None)
def _direct_imports(module: str) -> frozenset[str]:
    path = _module_file(module)
    return frozenset(package_imports(path, module)) if path else frozenset()


@functools.lru_cache(maxsize=None)
def module_closure(module: str) -> frozenset[str]:
    """``module`` and every package module it reaches through imports."""
    seen = {module}
    todo = [module]
    while todo:
        for imported in _direct_imports(todo.pop()):
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


def _in_package(name: str | None) -> bool:
    return bool(name) and (name == PACKAGE or name.startswith(PACKAGE + "."))  # type: ignore[union-attr]


def _code_names(code: types.CodeType) -> set[str]:
    """Every global-or-attribute name a code object (and the code nested in it) mentions."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


class _Collector:
    """Walks what a function can reach; collects module names and source parts."""

    def __init__(self, owner: str, allowed_objects: Callable[[Any], bool]) -> None:
        self.owner = owner
        self.allowed_objects = allowed_objects
        self.modules: set[str] = set()
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
        module = function.__module__
        if not _in_package(module):  # a library function: its version is not part of the key
            return
        if not module.startswith(PACKAGE + ".chapters"):
            self.modules |= module_closure(module)  # a package module's function: its whole closure
            return
        # a chapter's own function or lambda: its source, and what it refers to
        try:
            self.parts.append(inspect.getsource(function))
        except OSError as exc:
            raise UnkeyableError(f"{self.owner}: the source of {function.__qualname__} cannot be read") from exc
        scope = function.__globals__
        for name in sorted(_code_names(function.__code__)):
            if name in scope:  # otherwise a builtin or an attribute name (``i.config``)
                self.value(name, scope[name])
        for value in (function.__defaults__ or ()):
            self.value("default argument", value)
        for cell in (function.__closure__ or ()):
            self.value("closure variable", cell.cell_contents)

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
        elif isinstance(value, (types.FunctionType, types.MethodType, functools.partial)):
            self.function(value)
        elif isinstance(value, type) or isinstance(value, types.BuiltinFunctionType):
            if _in_package(getattr(value, "__module__", None)):
                self.modules |= module_closure(value.__module__)
        elif self.allowed_objects(value):
            pass  # e.g. a declared Step: keyed through the steps a declaration uses
        else:  # any other object (a list, an array, a library's object): its state is in no key
            raise UnkeyableError(
                f"{self.owner} reads the global {name!r} ({type(value).__name__}), which no cache key covers; "
                "declare it (a step it uses or a config section) or make it a constant")


def function_fingerprint(function: Callable, owner: str,
                         allowed_objects: Callable[[Any], bool] = lambda value: False,
                         with_closure_of: Iterable[str] = ()) -> str:
    """The code fingerprint of ``function`` (see the module docstring); ``owner`` names it in errors.

    ``allowed_objects(value)`` accepts referenced objects that the caller keys another way
    (declared steps); ``with_closure_of`` names package modules whose closure also counts.
    """
    collector = _Collector(owner, allowed_objects)
    collector.function(function)
    for module in with_closure_of:
        collector.modules |= module_closure(module)
    digest = hashlib.sha256(modules_digest(frozenset(collector.modules)).encode())
    for part in collector.parts:
        digest.update(part.encode())
    return digest.hexdigest()


