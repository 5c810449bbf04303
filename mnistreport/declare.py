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

import inspect
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

DIGITS = range(10)


@dataclass(frozen=True, eq=False)
class Step:
    """One computation of the build; its value becomes ``Results.<field>``.

    ``compute(inputs)`` gets a :class:`StepInputs`: the data, the parameters and
    the values of the steps in ``uses`` (read as ``inputs[STEP]``). ``params``
    picks the parameters the step depends on (they go into its cache key with
    the code of ``modules`` and of the module that declares ``compute``).
    ``cached=False`` marks a cheap step: always recomputed, but keyed the same
    way so figures can depend on it.
    """

    name: str
    field: str
    compute: Callable[["StepInputs"], Any]
    params: Callable[[Any], Any] = lambda config: {}
    modules: tuple[ModuleType, ...] = ()
    uses: tuple["Step", ...] = ()
    cached: bool = True

    def __repr__(self) -> str:
        return f"Step({self.name!r})"


@dataclass(frozen=True)
class StepInputs:
    """What a step's ``compute`` may read: data, config, thread count and its declared inputs."""

    data: Any  # MnistData
    config: Any  # Config (already reduced by --quick)
    jobs: int
    values: dict[Step, Any]

    def __getitem__(self, step: Step) -> Any:
        try:
            return self.values[step]
        except KeyError:
            raise KeyError(f"{step.name!r} is not among the steps this step uses") from None


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
    k times smaller (for pictures too large to show whole).
    """

    name: str
    draw: Callable[..., Any]
    steps: tuple[Step, ...]
    scale: int = 1
    preview: int = 0

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
    files are cached on the ``steps`` like figures.
    """

    path: str
    write: Callable[[Any, Any], None]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Chapter:
    """Everything one chapter adds to the build."""

    name: str
    steps: tuple[Step, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    assets: tuple[Asset, ...] = ()
    module: ModuleType | None = field(default=None, compare=False)
