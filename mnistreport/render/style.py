"""The report's visual constants, shared by figures, tables and the CSS.

One colour per digit (the ten colours of matplotlib's "tab10", a palette
designed to stay distinguishable), used on every page and figure.
"""

from __future__ import annotations

CLASS_COLOURS: tuple[str, ...] = (
    "#1f77b4",  # 0 blue
    "#ff7f0e",  # 1 orange
    "#2ca02c",  # 2 green
    "#d62728",  # 3 red
    "#9467bd",  # 4 purple
    "#8c564b",  # 5 brown
    "#e377c2",  # 6 pink
    "#7f7f7f",  # 7 grey
    "#bcbd22",  # 8 olive
    "#17becf",  # 9 cyan
)


def hex_to_rgb(colour: str) -> tuple[float, float, float]:
    """'#rrggbb' -> (r, g, b) in [0, 1]."""
    value = colour.lstrip("#")
    return tuple(int(value[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB '#rrggbb' colour, from 0 (black) to 1 (white)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in hex_to_rgb(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    darker, lighter = sorted((relative_luminance(first), relative_luminance(second)))
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white text, whichever contrasts more with ``background``."""
    return "#000000" if contrast_ratio(background, "#000000") >= contrast_ratio(background, "#ffffff") else "#ffffff"


#: The text colour of each class colour's badges (digit links), chosen by contrast.
CLASS_TEXT_COLOURS: tuple[str, ...] = tuple(text_colour_on(colour) for colour in CLASS_COLOURS)
