"""Nodes: a chapter's steps, figures, tables, assets and facts, as named functions.

A chapter module makes one :class:`Chapter` and registers plain functions on it with
a decorator; a function's parameters say what it reads::

    first_look = Chapter("first-look")

    @first_look.step
    def class_images(data: MnistData) -> ClassImages: ...

    @first_look.figure("class-statistics", scale=4)
    def class_statistics(class_images: ClassImages) -> np.ndarray: ...

* a parameter named after a step (or a fact) gets its value;
* a parameter annotated with a settings section (``Tsne``) gets that section;
* a few built-ins: ``data``, ``provenance``, ``words``, ``digit``, ``jobs``, ``folder``;
* a table's keyword-only parameters are options the Markdown passes;
* anything else is an error naming the function, the parameter and what it could mean
  (``graph.py`` resolves them once every chapter is known).

The kinds: a **step** computes a value, stored by its key (``keys.py``); a **figure** is
a PNG drawn from values (an array in [0, 1] or a matplotlib figure; a name with
``{digit}`` is drawn once per digit, a function with ``words`` once per language); a
**table** is built when a page asks for it; an **asset** writes files for the pages'
scripts into ``folder``; a **fact** is a cheap value for the text (a judgement chosen in
Python from a result, a ranking), computed when the pages are written and never stored;
a **summary** contributes its chapter's numbers to ``data/results.json``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

Kind = Literal["step", "figure", "table", "asset", "fact", "summary"]
DIGITS = range(10)


@dataclass(frozen=True, eq=False)
class Node:
    """One registered function and how its output is named and written."""

    kind: Kind
    name: str  # a step's or fact's: its function's name; a figure's or table's: the name pages use; an asset's: its folder
    function: Callable[..., Any]
    chapter: str
    scale: int = 1  # a pixel figure enlarged this many times without blurring
    preview: int = 0  # a pixel figure too large to show whole: <name>-full.png, and <name>.png this many times smaller

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r} ({self.chapter}: {self.function.__qualname__})"

    @property
    def parameters(self) -> tuple[inspect.Parameter, ...]:
        return tuple(inspect.signature(self.function).parameters.values())

    @property
    def per_digit(self) -> bool:
        return "{digit}" in self.name or any(p.name == "digit" for p in self.parameters)

    @property
    def per_language(self) -> bool:
        return any(p.name == "words" for p in self.parameters)

    def __repr__(self) -> str:
        return f"Node({self.kind} {self.name!r})"


@dataclass(eq=False)
class Chapter:
    """The nodes of one chapter, registered by its module's decorators. ``slug`` is the chapter's page."""

    slug: str
    nodes: list[Node] = field(default_factory=list)
    __mnistreport_node__ = True  # a registry: functions may refer to it without it entering their key

    def _add(self, kind: Kind, name: str, function: Callable[..., Any], **options: Any) -> Callable[..., Any]:
        self.nodes.append(Node(kind, name, function, self.slug, **options))
        return function  # the function stays a plain function, callable and testable as it is

    def step(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """A computation whose value is stored under its key; other nodes read it by the function's name."""
        return self._add("step", function.__name__, function)

    def fact(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """A cheap value for the text (and tables), computed from steps when the pages are written."""
        return self._add("fact", function.__name__, function)

    def summary(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """This chapter's part of ``data/results.json``: a dict of plain values."""
        return self._add("summary", f"{self.slug} summary", function)

    def figure(self, name: str, *, scale: int = 1, preview: int = 0) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """A PNG that pages show with ``figure(name, alt, caption)``."""
        return lambda function: self._add("figure", name, function, scale=scale, preview=preview)

    def table(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """A table (a DataFrame) that pages show with ``table(name, caption)``."""
        return lambda function: self._add("table", name, function)

    def asset(self, path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Files for the pages' scripts, written into ``folder`` and published under ``path``."""
        return lambda function: self._add("asset", path, function)
