"""The report's parameters, read from ``report.toml`` and checked.

Every tunable number (sample sizes, seeds, perplexities, epochs) lives in one
TOML file so that the about page can show it and a reader can change it without
touching code. A bad value is reported with the key that holds it.
"""

from __future__ import annotations

from mnistreport.errors import ReportError

import dataclasses
import typing
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from mnistreport.analysis.autoencoder import AutoencoderParams
from mnistreport.analysis.cnn import CnnParams
from mnistreport.analysis.mlp import MlpParams


class ConfigError(ReportError, ValueError):
    """A parameter file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Sampling:
    """Seed for every random choice of digits."""

    seed: int = 0


@dataclass(frozen=True)
class FirstLook:
    """The first-look chapter and the digit pages' sample mosaics."""

    mosaic_rows: int = 15
    mosaic_cols: int = 30
    digit_samples: int = 100


@dataclass(frozen=True)
class Tsne:
    """The tsne chapter: PCA then t-SNE of a random sample, and a larger raw-pixel map.

    The main map has ``grid.side`` squared digits (it is snapped onto that grid).
    """

    pca_components: int = 50
    perplexity: float = 50.0
    big_n: int = 10000
    seed: int = 0


@dataclass(frozen=True)
class Perplexity:
    """The perplexity chapter: one sample embedded at several perplexities."""

    n: int = 1000
    values: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 75.0, 100.0, 150.0)


@dataclass(frozen=True)
class Grid:
    """The grid chapter: the map snapped onto a side x side grid by linear assignment."""

    side: int = 50
    cost_max: float = 100000.0


@dataclass(frozen=True)
class Kmeans:
    """The autoencoder chapter: k-means on the codes, on raw pixels and on PCA.

    (The autoencoder's and the classifier's sections are their modules' own
    parameter classes, ``AutoencoderParams`` and ``MlpParams``.)
    """

    k: int = 10
    pca_components: int = 50
    n_init: int = 3
    seed: int = 0


@dataclass(frozen=True)
class Explore:
    """The explorer: all training and test digits on one t-SNE map (PCA, then openTSNE with FFT gradients)."""

    pca_components: int = 50
    perplexity: float = 30.0
    early_iterations: int = 250
    iterations: int = 350
    seed: int = 0


@dataclass(frozen=True)
class Config:
    """All parameters of one build, grouped as in ``report.toml``."""

    sampling: Sampling = field(default_factory=Sampling)
    first_look: FirstLook = field(default_factory=FirstLook)
    tsne: Tsne = field(default_factory=Tsne)
    perplexity: Perplexity = field(default_factory=Perplexity)
    grid: Grid = field(default_factory=Grid)
    autoencoder: AutoencoderParams = field(default_factory=AutoencoderParams)
    kmeans: Kmeans = field(default_factory=Kmeans)
    mlp: MlpParams = field(default_factory=MlpParams)
    cnn: CnnParams = field(default_factory=CnnParams)
    explore: Explore = field(default_factory=Explore)

    def quick(self) -> "Config":
        """Small sizes for a fast preview (``--quick``): every page then says it is a preview."""
        return dataclasses.replace(
            self,
            tsne=dataclasses.replace(self.tsne, big_n=min(self.tsne.big_n, 2000)),
            # 300 digits, or more when a perplexity of the sweep needs them (see check_perplexities)
            perplexity=dataclasses.replace(self.perplexity, n=min(self.perplexity.n,
                                                                  max(300, int(max(self.perplexity.values)) + 1))),
            grid=dataclasses.replace(self.grid, side=min(self.grid.side, 30)),
            autoencoder=dataclasses.replace(self.autoencoder, max_epochs=min(self.autoencoder.max_epochs, 8)),
            mlp=dataclasses.replace(self.mlp, epochs=1),
            cnn=dataclasses.replace(self.cnn, max_epochs=min(self.cnn.max_epochs, 2)),
            explore=dataclasses.replace(self.explore, iterations=min(self.explore.iterations, 150)),
        )

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """The parameters as plain nested dicts (for the about page and the cache keys)."""
        return dataclasses.asdict(self)

    def sections(self) -> dict[str, Any]:
        """Each section by its name in report.toml ("tsne" -> the Tsne section)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def section_types() -> dict[type, str]:
    """Each settings class and its section's name: a node's parameter annotated ``Tsne`` reads [tsne]."""
    return {cls: name for name, cls in typing.get_type_hints(Config).items()}


@dataclass(frozen=True)
class Range:
    """The values one numeric key may take: ``low`` to ``high``, each end included unless marked open."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def __contains__(self, value: float) -> bool:
        above = self.low < value if self.low_open else self.low <= value
        below = value < self.high if self.high_open else value <= self.high
        return above and below  # False for NaN

    def formula(self, name: str) -> str:
        """The range as report.toml's comments state it, e.g. ``0 <= dropout < 1``."""
        return (f"{self.low:.15g} {'<' if self.low_open else '<='} {name} "
                f"{'<' if self.high_open else '<='} {self.high:.15g}")


SEED = Range(0, 2**32 - 1)  # what numpy's and Keras' generators accept
FRACTION = Range(0, 1, low_open=True, high_open=True)
RATE = Range(0, 1, low_open=True)
PCA = Range(1, 784)  # at most the number of pixels
TRAIN_DIGITS = 60000  # the most digits any sample can take
PERPLEXITY = Range(1, 500)  # 1 = one neighbour; 500 keeps below the 900 digits of a --quick map
EPOCHS = Range(1, 10000)
PATIENCE = Range(0, 1000)
MIN_DELTA = Range(0, 1)

#: The allowed values of every numeric key (of a list: of each of its items), by section.
RANGES: dict[str, dict[str, Range]] = {
    "sampling": {"seed": SEED},
    "first_look": {"mosaic_rows": Range(1, 100), "mosaic_cols": Range(1, 100), "digit_samples": Range(1, 400)},
    "tsne": {"pca_components": PCA, "perplexity": PERPLEXITY, "big_n": Range(2, TRAIN_DIGITS), "seed": SEED},
    "perplexity": {"n": Range(2, TRAIN_DIGITS), "values": PERPLEXITY},
    "grid": {"side": Range(2, 244), "cost_max": Range(1, 1e12)},  # 244 x 244 <= 60,000 digits
    "autoencoder": {"code_size": Range(1, 784), "batch_size": Range(1, TRAIN_DIGITS), "max_epochs": EPOCHS,
                    "patience": PATIENCE, "learning_rate": RATE, "validation_fraction": FRACTION, "seed": SEED,
                    "min_delta": MIN_DELTA},
    "kmeans": {"k": Range(2, 1000), "pca_components": PCA, "n_init": Range(1, 100), "seed": SEED},
    "mlp": {"hidden": Range(1, 10000), "learning_rate": Range(0, 10, low_open=True), "epochs": Range(1, 1000),
            "seed": SEED},
    "cnn": {"conv1_filters": Range(1, 1024), "conv2_filters": Range(1, 1024),
            "kernel_size": Range(1, 9),  # two valid convolutions and two 2x2 poolings of 28 pixels leave >= 1
            "dense": Range(1, 10000), "dropout": Range(0, 1, high_open=True), "batch_size": Range(1, TRAIN_DIGITS),
            "learning_rate": RATE, "lr_decay": RATE, "max_epochs": EPOCHS, "patience": PATIENCE,
            "min_delta": MIN_DELTA, "validation_fraction": FRACTION, "seed": SEED},
    "explore": {"pca_components": PCA, "perplexity": PERPLEXITY, "early_iterations": Range(0, 10000),
                "iterations": EPOCHS, "seed": SEED},
}


def _check_value(key: str, value: Any, default: Any, allowed: Range | None) -> Any:
    """Return ``value`` if it has the type of ``default`` and lies in ``allowed``, else raise."""
    name = key.rsplit(".", 1)[-1].split("[")[0]
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false, found {value!r}")
        return value
    if isinstance(default, (int, float)):
        whole = isinstance(default, int)
        kind = "a whole number" if whole else "a number"
        wanted = f"{kind} {allowed.formula(name)}" if allowed else kind
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or \
                (allowed is not None and value not in allowed):
            raise ConfigError(f"{key}: expected {wanted}, found {value!r}")
        return value if whole else float(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not value:
            raise ConfigError(f"{key}: expected a non-empty list, found {value!r}")
        return tuple(_check_value(f"{key}[{i}]", v, default[0], allowed) for i, v in enumerate(value))
    if isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, found {value!r}")
    return value


def _section_from_dict(cls: type, raw: Any, name: str) -> Any:
    """Build one section dataclass from its TOML table, rejecting unknown keys and values out of range."""
    if not isinstance(raw, dict):
        raise ConfigError(f"[{name}]: expected a table of keys, found {raw!r}")
    defaults = cls()
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"[{name}]: unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(known))}")
    ranges = RANGES.get(name, {})
    values = {k: _check_value(f"{name}.{k}", v, getattr(defaults, k), ranges.get(k)) for k, v in raw.items()}
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # the section's own checks (e.g. mlp.hidden_error)
        raise ConfigError(f"[{name}]: {exc}") from exc


def config_from_dict(raw: dict[str, Any]) -> Config:
    """Build a checked ``Config`` from parsed TOML (missing keys keep their defaults)."""
    sections = {f.name: f for f in fields(Config)}
    unknown = sorted(set(raw) - set(sections))
    if unknown:
        raise ConfigError(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(sections)}")
    built = {}
    for name, f in sections.items():
        section_cls = f.default_factory  # type: ignore[misc]
        built[name] = _section_from_dict(section_cls, raw.get(name, {}), name)
    config = Config(**built)
    _check_consistency(config)
    check_perplexities(config)
    return config


def _check_consistency(config: Config) -> None:
    """Checks that span keys: values that are each valid but do not fit together."""
    samples = config.first_look.digit_samples
    if int(round(samples**0.5)) ** 2 != samples:
        raise ConfigError(f"first_look.digit_samples: expected a square number (e.g. 100), found {samples}")


def check_perplexities(config: Config) -> None:
    """Every perplexity is below the number of digits its map embeds.

    openTSNE does not refuse a perplexity of n or more for n points: it silently uses
    (n - 1) / 3 instead, and the page would state a perplexity the map was not made with.
    """
    maps = [("perplexity.values", config.perplexity.values, config.perplexity.n, "perplexity.n"),
            ("tsne.perplexity", (config.tsne.perplexity,), config.tsne.big_n, "tsne.big_n"),
            ("tsne.perplexity", (config.tsne.perplexity,), config.grid.side**2, "grid.side squared")]
    for key, values, n, what in maps:
        for value in values:
            if value >= n:
                raise ConfigError(f"{key}: expected a perplexity below {what} = {n} (the digits of that map), "
                                  f"found {value:g}")


def load_config(path: Path) -> Config:
    """Read and check a TOML parameter file; errors name the file and the key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: parameter file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the parameter file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        config = config_from_dict(raw)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return config
