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
class Config:
    """All parameters of one build, grouped as in ``report.toml``."""

    sampling: Sampling = field(default_factory=Sampling)
    first_look: FirstLook = field(default_factory=FirstLook)

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
