"""What a chapter declares: its steps, figures, tables and assets.

Each chapter module in ``mnistreport/chapters/`` lists these in one place, so
a figure name used in the Markdown (``figure("tsne-scatter", ...)``) leads to
the one line that declares it, and that line names both the step the figure is
drawn from and the function that draws it::

    Figure("tsne-scatter", figures.tsne_scatter, (MAIN_MAP,))

* A ``Step`` computes one field of ``Results`` (through the cache, keyed on its
  parameters, the data checksum, its code and the steps it ``uses``).
* A ``Figure`` is a PNG drawn from finished steps (cached on their keys).
* A ``Table`` is built from the results when a page asks for it.
* An ``Asset`` is any other file a page loads (data for scripts, weights),
  written and cached the same way as figures, link-checked and counted in the
  page weight.

Names containing ``{digit}`` exist once per digit: ``digit-{digit}-map`` is
``digit-0-map`` ... ``digit-9-map``, and the digit pages ask for it by that
same pattern.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

DIGITS = range(10)


@dataclass(frozen=True, eq=False)
class Step:
    """One computation of the build; its value becomes ``Results.<field>``.

    ``compute(inputs)`` gets a :class:`StepInputs`: the data, the config
    sections named in ``config`` and the values of the steps in ``uses`` (read
    as ``inputs[STEP]``); reading anything else raises :class:`UndeclaredRead`.
    Its cache key is derived from those (see ``mnistreport/engine/keys.py``
    for the code part); ``field`` is its identity, ``name`` only its label.
    Every step is cached, and records how long it took when computed.
    ``provenance=True`` marks a step that reads
    ``inputs.data.provenance`` (who wrote each digit), so its key covers that too.
    """

    name: str
    field: str
    compute: Callable[["StepInputs"], Any]
    config: tuple[str, ...] = ()
    uses: tuple["Step", ...] = ()
    provenance: bool = False

    def __repr__(self) -> str:
        return f"Step({self.field!r})"


class UndeclaredRead(AttributeError):
    """A compute, draw or write function read something its declaration does not name."""


class DeclarationError(Exception):
    """A declaration that cannot be keyed or run (named in the message)."""


def config_parts(config: Any, sections: tuple[str, ...], owner: str) -> dict[str, Any]:
    """The values of the config sections a declaration names (part of its cache key), checked to exist."""
    known = {f.name for f in dataclasses.fields(config)}
    unknown = sorted(set(sections) - known)
    if unknown:
        raise DeclarationError(f"{owner} declares config section(s) {unknown}, which report.toml does not have "
                               f"(sections: {sorted(known)})")
    return {section: dataclasses.asdict(getattr(config, section)) for section in sections}


class ConfigView:
    """The config sections one declaration named, and nothing else."""

    def __init__(self, config: Any, sections: tuple[str, ...], owner: str) -> None:
        self._config, self._sections, self._owner = config, sections, owner

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._sections:
            raise UndeclaredRead(f"{self._owner} reads the config section [{name}], which it does not declare "
                                 f"(config={self._sections!r})")
        return getattr(self._config, name)


class DataView:
    """The MNIST data as a declaration may read it: its provenance only if it declares ``provenance=True``."""

    def __init__(self, data: Any, owner: str, provenance: bool = False) -> None:
        self._data, self._owner, self._provenance = data, owner, provenance

    def __getattr__(self, name: str) -> Any:
        if name == "provenance" and not self._provenance:
            raise UndeclaredRead(f"{self._owner} reads data.provenance, which only a step declared with "
                                 "provenance=True may read (its key covers the provenance's checksum)")
        return getattr(self._data, name)


@dataclass(frozen=True)
class StepInputs:
    """What a step's ``compute`` may read: data, its config sections, thread count and its declared inputs."""

    data: Any  # MnistData
    config: ConfigView
    jobs: int
    values: dict[Step, Any]
    owner: str = "a step"

    def __getitem__(self, step: Step) -> Any:
        try:
            return self.values[step]
        except KeyError as exc:
            raise UndeclaredRead(f"{self.owner} reads step {step.field!r}, which is not among the steps it uses") \
                from exc


class ResultsView:
    """The results one figure or asset declared: the data, its steps' fields and its config sections.

    Properties and methods of the results class work as long as they read only
    those (``r.images_of(r.tsne)``); anything else raises :class:`UndeclaredRead`.
    """

    ALWAYS = ("data", "quick")

    def __init__(self, results: Any, fields: tuple[str, ...], config: tuple[str, ...], owner: str) -> None:
        self._results, self._fields, self._owner = results, set(fields) | set(self.ALWAYS), owner
        self._config = ConfigView(results.config, config, owner)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "config":
            return self._config
        if name == "data":
            return DataView(self._results.data, self._owner)
        attribute = inspect.getattr_static(type(self._results), name, None)
        if isinstance(attribute, property):
            return attribute.fget(self)  # type: ignore[misc]
        if inspect.isfunction(attribute):
            return attribute.__get__(self)
        if name not in self._fields:
            raise UndeclaredRead(f"{self._owner} reads results.{name}, which is not the field of a step it "
                                 f"declares (steps: {sorted(self._fields - set(self.ALWAYS))})")
        return getattr(self._results, name)


def _parameters(function: Callable) -> set[str]:
    return set(inspect.signature(function).parameters)


@dataclass(frozen=True)
class Figure:
    """A PNG on the site.

    ``draw(results[, digit][, words])`` returns pixels (an array in [0, 1],
    enlarged ``scale`` times without blurring) or a matplotlib figure. A draw
    function with a ``words`` parameter draws words, so it is drawn once per
    language (``figures/<lang>/<name>.png``); otherwise one file serves both.
    ``preview=k`` writes ``<name>-full.png`` at full size and ``<name>.png``
    k times smaller (for pictures too large to show whole). ``draw`` reads
    only the fields of ``steps`` and the ``config`` sections (a :class:`ResultsView`).
    """

    name: str
    draw: Callable[..., Any]
    steps: tuple[Step, ...]
    scale: int = 1
    preview: int = 0
    config: tuple[str, ...] = ()

    @property
    def per_digit(self) -> bool:
        return "{digit}" in self.name

    @property
    def per_language(self) -> bool:
        return "words" in _parameters(self.draw)


@dataclass(frozen=True)
class Table:
    """A table on the site: ``build(results, words[, digit], **options)`` returns a DataFrame."""

    name: str
    build: Callable[..., Any]

    @property
    def per_digit(self) -> bool:
        return "digit" in _parameters(self.build)


@dataclass(frozen=True)
class Asset:
    """Files a page's scripts load: ``write(results, folder)`` writes them under ``folder``.

    ``path`` is the folder under the site root (e.g. ``data/explore``); the
    files are cached on the ``steps`` and ``config`` sections like figures, and
    ``write`` reads only those (through a :class:`ResultsView`).
    """

    path: str
    write: Callable[[Any, Any], None]
    steps: tuple[Step, ...]
    config: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chapter:
    """Everything one chapter adds to the build."""

    name: str
    steps: tuple[Step, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    assets: tuple[Asset, ...] = ()
    module: ModuleType | None = field(default=None, compare=False)
