"""Tables as HTML: a DataFrame with a numbered caption, a pixel table, and rows several tables share.

The chapters build their tables as pandas DataFrames (``@chapter.table``), with column
names already in the page's language (its ``[table]`` words from
``content/<lang>/words.toml``); ``render_table`` turns one into accessible HTML.
"""

from __future__ import annotations

import html
from typing import Mapping

import numpy as np
import pandas as pd

from mnistreport.analysis.embedding import MapResult
from mnistreport.analysis.grid import GridResult
from mnistreport.render.style import text_colour_on

TableWords = Mapping[str, str]  # the [table] section of one language's words.toml


def map_row(result: MapResult) -> list[str]:
    return [f"{result.n:,}", f"{result.trustworthiness:.3f}", f"{result.knn_accuracy:.3f}",
            f"{result.separation:.2f}", f"{result.seconds:.1f}"]


def map_columns(w: dict[str, str]) -> list[str]:
    return [w["digits"], w["trust"], w["knn"], w["separation"], w["tsne_seconds"]]


def grid_row(name: str, grid: GridResult) -> list[str]:
    return [name, f"{grid.side}×{grid.side}", f"{grid.total_cost:,.2f}", f"{grid.mean_displacement:.2f}",
            f"{grid.max_displacement:.1f}", f"{grid.seconds:.2f}"]


def render_table(frame: pd.DataFrame, caption: str, number: int, label: str, css_class: str = "") -> str:
    """A DataFrame as an HTML table with a numbered caption and column headers."""
    body = frame.to_html(index=False, border=0, classes=["data-table", css_class] if css_class else ["data-table"], escape=True)
    caption_html = f'<caption><span class="label">{html.escape(label)} {number}</span> {html.escape(caption)}</caption>'
    body = body.replace(">\n  <thead>", f">\n{caption_html}\n  <thead>", 1)
    return f'<div class="table-wrap">{body}</div>'


def pixel_table(image: np.ndarray, caption: str, number: int, label: str, corner: str) -> str:
    """A 28x28 image as a table of its pixel values, each cell shaded by its value."""
    def cell(value: int) -> str:
        grey = 255 - value  # ink is dark: the higher the value, the darker the cell
        text = text_colour_on("#" + f"{grey:02x}" * 3)
        return f'<td style="background:rgb({grey},{grey},{grey});color:{text}">{value}</td>'

    rows = []
    for r, row in enumerate(image):
        cells = "".join(cell(int(x)) for x in row)
        rows.append(f"<tr><th scope=\"row\">{r}</th>{cells}</tr>")
    head = f'<tr><th scope="col" class="corner">{html.escape(corner)}</th>' + "".join(f'<th scope="col">{c}</th>' for c in range(image.shape[1])) + "</tr>"
    caption_html = f'<caption><span class="label">{html.escape(label)} {number}</span> {html.escape(caption)}</caption>'
    return (
        f'<div class="table-wrap"><table class="pixel-table">{caption_html}<thead>{head}</thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )
