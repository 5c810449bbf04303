"""Number formats, written once: the Markdown's filters (``|num``, ``|pct``, ``|mib``) and the tables use these."""

from __future__ import annotations


def number(value: float, digits: int = 0) -> str:
    """A number with thousands separators: 70,000; 0.97 with ``digits=2``."""
    return f"{value:,.{digits}f}"


def percent(value: float, digits: int = 1) -> str:
    """A fraction as a percentage with a space before the sign: 0.9712 -> "97.1 %"."""
    return f"{100.0 * value:.{digits}f} %"


def share(count: int, total: int, digits: int = 2) -> str:
    """``count`` as a percentage of ``total`` ("-" when there is no total)."""
    return percent(count / total, digits) if total else "-"


def interval(low_high: tuple[float, float], digits: int = 2) -> str:
    """A confidence interval of two fractions, as the tables show it: "96.70% – 97.40%"."""
    return f"{low_high[0]:.{digits}%} – {low_high[1]:.{digits}%}"


def mib(value: float, digits: int = 1) -> str:
    """Bytes in mebibytes: "44.9 MiB"."""
    return f"{value / 2**20:,.{digits}f} MiB"


def file_size(count: int) -> str:
    """A file size for a caption: kilobytes below a tenth of a megabyte, else megabytes."""
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{max(1, round(count / 1e3))} KB"
