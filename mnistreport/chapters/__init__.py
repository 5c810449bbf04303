"""The chapters: one module each, holding its nodes (steps, figures, tables, assets, facts).

A module here that makes a :class:`~mnistreport.engine.nodes.Chapter` is found by
:func:`all_chapters`; nothing lists the modules by hand, and the order the build computes
in comes from the graph, not from here. A new chapter is a module here plus one Markdown
file per language in ``content/<lang>/`` (its front matter's ``order:`` places it).
"""

from __future__ import annotations

import functools
import importlib
import operator
import pkgutil

from mnistreport.engine.nodes import Chapter


@functools.lru_cache(maxsize=None)
def all_chapters() -> tuple[Chapter, ...]:
    """Every chapter of this package, by module name (each module's Chapter objects, in definition order)."""
    found: list[Chapter] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=operator.attrgetter("name")):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        found += [value for value in vars(module).values() if isinstance(value, Chapter) and value not in found]
    return tuple(found)
