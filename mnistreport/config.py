"""The report's parameters, read from ``report.toml`` and checked.

Every tunable number (sample sizes, seeds, perplexities, epochs) lives in one
TOML file so that the about page can show it and a reader can change it without
touching code. A bad value is reported with the key that holds it.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .autoencoder import AutoencoderParams
from .cnn import CnnParams
from .mlp import MlpParams


class ConfigError(ValueError):
    """A parameter file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Sampling:
    """Seed for every random choice of digits."""

    seed: int = 0


@dataclass(frozen=True)
class FirstLook:
    """Chapter 2 and the digit pages' sample mosaics."""

    mosaic_rows: int = 15
    mosaic_cols: int = 30
    digit_samples: int = 100


@dataclass(frozen=True)
class Tsne:
    """Chapter 3: PCA then t-SNE of a random sample, and a larger raw-pixel map.

    The main map has ``grid.side`` squared digits (it is snapped onto that grid).
    """

    pca_components: int = 50
    perplexity: float = 50.0
    big_n: int = 10000
    seed: int = 0


@dataclass(frozen=True)
class Perplexity:
    """Chapter 4: one sample embedded at several perplexities."""

    n: int = 1000
    values: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 75.0, 100.0, 150.0)


@dataclass(frozen=True)
class Grid:
    """Chapter 5: the map snapped onto a side x side grid by linear assignment."""

    side: int = 50
    cost_max: float = 100000.0


@dataclass(frozen=True)
class Kmeans:
    """Chapter 6: k-means on the codes, on raw pixels and on PCA.

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
            perplexity=dataclasses.replace(self.perplexity, n=min(self.perplexity.n, 300)),
            grid=dataclasses.replace(self.grid, side=min(self.grid.side, 30)),
            autoencoder=dataclasses.replace(self.autoencoder, max_epochs=min(self.autoencoder.max_epochs, 8)),
            mlp=dataclasses.replace(self.mlp, epochs=1),
            cnn=dataclasses.replace(self.cnn, max_epochs=min(self.cnn.max_epochs, 2)),
            explore=dataclasses.replace(self.explore, iterations=min(self.explore.iterations, 150)),
        )

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """The parameters as plain nested dicts (for the about page and the cache keys)."""
        return dataclasses.asdict(self)


def _check_value(key: str, value: Any, default: Any) -> Any:
    """Return ``value`` if it has the type of ``default`` and is sensible, else raise."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false, got {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected a whole number, got {value!r}")
        if value < 0:
            raise ConfigError(f"{key}: must not be negative, got {value}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        if value <= 0:
            raise ConfigError(f"{key}: must be positive, got {value}")
        return float(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not value:
            raise ConfigError(f"{key}: expected a non-empty list, got {value!r}")
        return tuple(_check_value(f"{key}[{i}]", v, default[0]) for i, v in enumerate(value))
    if isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    return value


def _section_from_dict(cls: type, raw: Any, name: str) -> Any:
    """Build one section dataclass from its TOML table, rejecting unknown keys."""
    if not isinstance(raw, dict):
        raise ConfigError(f"[{name}]: expected a table of keys, got {raw!r}")
    defaults = cls()
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"[{name}]: unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(known))}")
    values = {k: _check_value(f"{name}.{k}", v, getattr(defaults, k)) for k, v in raw.items()}
    return cls(**values)


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
    return config


def _check_consistency(config: Config) -> None:
    """Checks that span keys: values that are each valid but do not fit together."""
    if config.grid.side < 2:
        raise ConfigError(f"grid.side: must be at least 2, got {config.grid.side}")
    if config.tsne.pca_components > 784 or config.kmeans.pca_components > 784:
        raise ConfigError("tsne.pca_components / kmeans.pca_components: at most 784 (the number of pixels)")
    if not 0 < config.autoencoder.validation_fraction < 1:
        raise ConfigError(f"autoencoder.validation_fraction: must be between 0 and 1, got {config.autoencoder.validation_fraction}")
    samples = config.first_look.digit_samples
    if int(round(samples**0.5)) ** 2 != samples or samples == 0:
        raise ConfigError(f"first_look.digit_samples: must be a square number (e.g. 100), got {samples}")
    if config.first_look.mosaic_rows == 0 or config.first_look.mosaic_cols == 0:
        raise ConfigError("first_look.mosaic_rows/mosaic_cols: must be at least 1")


def load_config(path: Path) -> Config:
    """Read and check a TOML parameter file; errors name the file and the key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: parameter file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return config_from_dict(raw)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
