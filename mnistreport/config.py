"""The report's parameters, read from ``report.toml`` and checked.

Every tunable number (sample sizes, seeds, perplexities, epochs) lives in one
TOML file so that the about page can show it and a reader can change it without
touching code. A bad value is reported with the key that holds it; a size set far
above its default (a step then takes far longer) is allowed, with a warning.
"""

from __future__ import annotations

from mnistreport.errors import ReportError

import dataclasses
import logging
import typing
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from mnistreport.analysis.autoencoder import AutoencoderParams
from mnistreport.analysis.cnn import CnnParams
from mnistreport.analysis.mlp import MlpParams


log = logging.getLogger(__name__)


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
        """Small sizes for a fast preview (``--quick``): every page then says it is a preview.

        Each key of ``SIZES`` is capped at its ``quick`` value; a value set lower is kept.
        """
        capped: dict[str, dict[str, int]] = {}
        for dotted, size in SIZES.items():
            name, key = dotted.split(".")
            cap = size.quick
            if dotted == "perplexity.n":
                # 300 digits, or more when a perplexity of the sweep needs them (see check_perplexities)
                cap = max(cap, int(max(self.perplexity.values)) + 1)
            capped.setdefault(name, {})[key] = min(getattr(getattr(self, name), key), cap)
        return dataclasses.replace(self, **{name: dataclasses.replace(getattr(self, name), **keys)
                                            for name, keys in capped.items()})

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


@dataclass(frozen=True)
class Size:
    """A key whose value is an amount of work: what ``--quick`` caps it at, and what a larger value costs.

    The step's time is taken to grow as ``(value / default) ** growth`` in the part of it
    (``share``, at the defaults) that depends on the key; the rest stays as it is.
    """

    quick: int  # the most a --quick preview uses (a value set lower is kept)
    slower: str | None = None  # the warning's end, "{factor}" standing for the slowdown ("40x");
    # None: the step takes moments at any allowed value, or most of its time does not grow with the key
    growth: float = 1.0
    share: float = 1.0

    def slowdown(self, ratio: float) -> float:
        """How many times longer the step takes with ``ratio`` times the default value."""
        return 1 - self.share + self.share * ratio**self.growth


def _cnn_share(key: str) -> float:
    """The part of the CNN's multiply-adds per digit, at the defaults, that grows in proportion to ``key``.

    Valid convolutions and 2x2 poolings of 28x28 pixels, as in ``cnn.build_model``; conv2's work
    grows with both filter counts, the dense layer's with conv2's filters and its own units.
    """
    p = CnnParams()
    k = p.kernel_size
    side1 = 28 - k + 1
    side2 = side1 // 2 - k + 1
    work = {"conv1": side1**2 * k * k * p.conv1_filters,
            "conv2": side2**2 * k * k * p.conv1_filters * p.conv2_filters,
            "dense_in": (side2 // 2) ** 2 * p.conv2_filters * p.dense,
            "dense_out": p.dense * 10}
    grows = {"conv1_filters": ("conv1", "conv2"), "conv2_filters": ("conv2", "dense_in"),
             "dense": ("dense_in", "dense_out")}[key]
    return sum(work[part] for part in grows) / sum(work.values())


def _iteration_share(key: str) -> float:
    """The part of the explorer map's t-SNE iterations, at the defaults, that are ``key``'s."""
    defaults = Explore()
    return getattr(defaults, key) / (defaults.early_iterations + defaults.iterations)


_AUTOENCODER_UP_TO = ("the autoencoder's training can take up to about {factor} longer "
                      "(it stops earlier when the validation loss stops improving)")
_CNN = "the CNN's training takes about {factor} longer"
_CNN_UP_TO = ("the CNN's training can take up to about {factor} longer "
              "(it stops earlier when the validation loss stops improving)")
_KMEANS = "the k-means fits take about {factor} longer"
_MLP = "the NumPy network's training takes about {factor} longer"
_EXPLORE = "the explorer map's t-SNE iterations take about {factor} longer"

#: Every key whose value is an amount of work (digits, iterations, epochs, units, restarts),
#: by "section.key": its cap under --quick and the warning a value far above its default gives.
#: The caps that were there before this table (big_n, perplexity.n, grid.side, the epochs,
#: explore.iterations) are the preview's own sizes; the others are the defaults, so that a
#: preview of the default parameters is unchanged and only a larger setting is cut back.
SIZES: dict[str, Size] = {
    # The mosaics are drawn in moments at any allowed size; a square stays a square under the cap.
    "first_look.mosaic_rows": Size(15),
    "first_look.mosaic_cols": Size(30),
    "first_look.digit_samples": Size(100),
    # PCA components: the PCA and the neighbour search grow with them, the t-SNE iterations
    # (most of a map's time) and the k-means fits on the codes and raw pixels do not.
    "tsne.pca_components": Size(50),
    "tsne.big_n": Size(2000, "the raw-pixel t-SNE map takes about {factor} longer"),
    "perplexity.n": Size(300, "the perplexity sweep's maps take about {factor} longer"),
    # lapjv on side² digits: 0.4 s on 900 points, about 90 s on 10,000 (docs/DECISIONS.md),
    # about n^2.25 for n = side², so side^4.5 (the t-SNE map of side² digits grows only as side²)
    "grid.side": Size(30, "the grid's exact assignment (lapjv) takes about {factor} longer", growth=4.5),
    "autoencoder.code_size": Size(36, "the autoencoder's training takes about {factor} longer"),
    "autoencoder.max_epochs": Size(8, _AUTOENCODER_UP_TO),
    "kmeans.k": Size(10, _KMEANS),
    "kmeans.pca_components": Size(50),
    "kmeans.n_init": Size(3, _KMEANS),
    "mlp.hidden": Size(200, _MLP),
    "mlp.epochs": Size(1, _MLP),
    "cnn.conv1_filters": Size(16, _CNN, share=_cnn_share("conv1_filters")),
    "cnn.conv2_filters": Size(32, _CNN, share=_cnn_share("conv2_filters")),
    "cnn.dense": Size(128, _CNN, share=_cnn_share("dense")),
    "cnn.max_epochs": Size(2, _CNN_UP_TO),
    "explore.pca_components": Size(50),
    "explore.early_iterations": Size(250, _EXPLORE, share=_iteration_share("early_iterations")),
    "explore.iterations": Size(150, _EXPLORE, share=_iteration_share("iterations")),
}

#: The whole-number keys that are not amounts of work, so --quick leaves them alone
#: (tests/test_config.py requires every whole-number key to be here or in SIZES).
NOT_SIZES: tuple[str, ...] = (
    # Seeds choose, they do not cost.
    "sampling.seed", "tsne.seed", "autoencoder.seed", "kmeans.seed", "mlp.seed", "cnn.seed", "explore.seed",
    # A larger batch makes an epoch faster, not slower (a much smaller one is what costs time).
    "autoencoder.batch_size", "cnn.batch_size",
    # Epochs to wait for progress: bounded by max_epochs, which is a size.
    "autoencoder.patience", "cnn.patience",
    # A shape, not an amount: a larger kernel leaves smaller feature maps (5 -> 9: barely slower).
    "cnn.kernel_size",
)

#: A size whose step gets more than this many times slower than at the defaults is warned about.
SLOWDOWN_WARNING = 4.0


def _times(x: float) -> str:
    """A ratio to two significant digits, as a reader says it: 2.4, 17, 1,800."""
    rounded = float(f"{x:.2g}")
    return f"{rounded:,.0f}" if rounded >= 10 else f"{rounded:g}"


def _warn_about_slow_sizes(config: Config, source: str) -> None:
    """Log one warning per size set so far above its default that its step takes far longer."""
    defaults = Config()
    for dotted, size in SIZES.items():
        if size.slower is None:
            continue
        name, key = dotted.split(".")
        value, default = getattr(getattr(config, name), key), getattr(getattr(defaults, name), key)
        factor = size.slowdown(value / default)
        if factor > SLOWDOWN_WARNING:
            log.warning("%s = %d in %s is %sx the default %d: %s", dotted, value, source, _times(value / default),
                        default, size.slower.format(factor=f"{_times(factor)}x"))


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


def config_from_dict(raw: dict[str, Any], source: str = "the parameters") -> Config:
    """Build a checked ``Config`` from parsed TOML (missing keys keep their defaults).

    ``source`` names where the values came from in the warnings about sizes that make a step far slower.
    """
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
    _warn_about_slow_sizes(config, source)
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
        config = config_from_dict(raw, source=str(path))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return config
