"""The site's tables, built as pandas DataFrames from the results, one function per table.

Each builder takes the results, the page's language and (for digit pages) the
digit, and returns a DataFrame whose column names are already in that language.
``render_table`` turns one into accessible HTML with a caption.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .pipeline import Results

WORDS = {
    "en": {
        "digit": "Digit",
        "train": "Training",
        "test": "Test",
        "count": "count",
        "share": "share",
        "total": "Total",
        "offset": "Bytes",
        "hex": "Value (hex)",
        "value": "Value",
        "meaning": "Meaning",
        "magic": "magic number: 0x08 = unsigned bytes, then the number of dimensions",
        "dim": "size of dimension {i}",
        "file": "File",
        "sha256": "SHA-256 of the decompressed bytes",
        "size": "Bytes (decompressed)",
        "step": "Step",
        "seconds": "Seconds",
        "cached": "From cache",
        "yes": "yes",
        "no": "no",
        "package": "Package",
        "version": "Version",
        "parameter": "Parameter",
        "form": "Form",
        "bytes": "Bytes",
        "mib": "MiB",
        "uint8": "NumPy uint8 arrays (images and labels)",
        "csv": "CSV text (label + 784 pixel columns)",
        "pandas": "CSV loaded with pandas.read_csv ({dtypes} columns)",
    },
    "ja": {
        "digit": "数字",
        "train": "訓練",
        "test": "テスト",
        "count": "件数",
        "share": "割合",
        "total": "合計",
        "offset": "バイト位置",
        "hex": "値 (16進)",
        "value": "値",
        "meaning": "意味",
        "magic": "マジックナンバー: 0x08 = 符号なしバイト、続いて次元数",
        "dim": "次元 {i} の大きさ",
        "file": "ファイル",
        "sha256": "展開後のバイト列の SHA-256",
        "size": "バイト数 (展開後)",
        "step": "処理",
        "seconds": "秒",
        "cached": "キャッシュ利用",
        "yes": "はい",
        "no": "いいえ",
        "package": "パッケージ",
        "version": "バージョン",
        "parameter": "パラメータ",
        "form": "形式",
        "bytes": "バイト数",
        "mib": "MiB",
        "uint8": "NumPy の uint8 配列 (画像とラベル)",
        "csv": "CSV テキスト (ラベル + 784 列の画素)",
        "pandas": "pandas.read_csv で読み込んだ CSV ({dtypes} 列)",
    },
}


def _share(count: int, total: int) -> str:
    return f"{100.0 * count / total:.2f} %" if total else "-"


def label_counts(results: "Results", lang: str) -> pd.DataFrame:
    """Count and share of every digit in the training and test sets, with totals."""
    w = WORDS[lang]
    train, test = results.train_counts, results.test_counts
    rows = [
        [str(d), f"{train[d]:,}", _share(train[d], sum(train)), f"{test[d]:,}", _share(test[d], sum(test))]
        for d in range(10)
    ]
    rows.append([w["total"], f"{sum(train):,}", "100.00 %", f"{sum(test):,}", "100.00 %"])
    columns = [w["digit"], f"{w['train']} {w['count']}", f"{w['train']} {w['share']}", f"{w['test']} {w['count']}", f"{w['test']} {w['share']}"]
    return pd.DataFrame(rows, columns=columns)


def idx_header(results: "Results", lang: str, file: str) -> pd.DataFrame:
    """The header bytes of one IDX file as the build read them, with their meaning."""
    w = WORDS[lang]
    header = results.data.headers[file]
    raw = header.raw
    rows = [["0-3", raw[0:4].hex(" "), f"0x{header.magic:08X}", w["magic"]]]
    for i, size in enumerate(header.shape):
        start = 4 + 4 * i
        rows.append([f"{start}-{start + 3}", raw[start : start + 4].hex(" "), f"{size:,}", w["dim"].format(i=i)])
    return pd.DataFrame(rows, columns=[w["offset"], w["hex"], w["value"], w["meaning"]])


def memory(results: "Results", lang: str) -> pd.DataFrame:
    """The measured memory cost of the same data in three forms."""
    w = WORDS[lang]
    m = results.memory
    forms = [
        (w["uint8"], m.uint8_bytes),
        (w["csv"], m.csv_bytes),
        (w["pandas"].format(dtypes=", ".join(m.pandas_dtypes)), m.pandas_bytes),
    ]
    rows = [[name, f"{size:,}", f"{size / 2**20:,.1f}"] for name, size in forms]
    return pd.DataFrame(rows, columns=[w["form"], w["bytes"], w["mib"]])


def checksums(results: "Results", lang: str) -> pd.DataFrame:
    """Every data file the build read, with the SHA-256 of its decompressed bytes."""
    w = WORDS[lang]
    rows = [[f.name, f"{f.size:,}", f.sha256] for f in results.data.files]
    return pd.DataFrame(rows, columns=[w["file"], w["size"], w["sha256"]])


def steps(results: "Results", lang: str) -> pd.DataFrame:
    """How long each step of the build took, and whether it came from the cache."""
    w = WORDS[lang]
    rows = [[s.name, f"{s.seconds:.2f}", w["yes"] if s.cached else w["no"]] for s in results.steps]
    return pd.DataFrame(rows, columns=[w["step"], w["seconds"], w["cached"]])


def versions(results: "Results", lang: str) -> pd.DataFrame:
    """The versions of Python and of every library the build used."""
    w = WORDS[lang]
    return pd.DataFrame(sorted(results.versions.items()), columns=[w["package"], w["version"]])


def parameters(results: "Results", lang: str) -> pd.DataFrame:
    """Every parameter of the build, as read from the parameter file."""
    w = WORDS[lang]
    rows = []
    for section, values in results.config.as_dict().items():
        for key, value in values.items():
            shown = ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
            rows.append([f"{section}.{key}", shown])
    return pd.DataFrame(rows, columns=[w["parameter"], w["value"]])


def digit_counts(results: "Results", lang: str, digit: int) -> pd.DataFrame:
    """One digit's count and share in each set."""
    w = WORDS[lang]
    rows = []
    for name, counts in ((w["train"], results.train_counts), (w["test"], results.test_counts)):
        rows.append([name, f"{counts[digit]:,}", _share(counts[digit], sum(counts))])
    return pd.DataFrame(rows, columns=["", w["count"], w["share"]])


TABLES: dict[str, Callable[..., pd.DataFrame]] = {
    "label-counts": label_counts,
    "idx-header": idx_header,
    "memory": memory,
    "checksums": checksums,
    "steps": steps,
    "versions": versions,
    "parameters": parameters,
    "digit-counts": digit_counts,
}


def render_table(frame: pd.DataFrame, caption: str, number: int, label: str, css_class: str = "") -> str:
    """A DataFrame as an HTML table with a numbered caption and column headers."""
    body = frame.to_html(index=False, border=0, classes=["data-table", css_class] if css_class else ["data-table"], escape=True)
    caption_html = f'<caption><span class="label">{html.escape(label)} {number}</span> {html.escape(caption)}</caption>'
    body = body.replace(">\n  <thead>", f">\n{caption_html}\n  <thead>", 1)
    return f'<div class="table-wrap">{body}</div>'


def _text_colour_on_grey(grey: int) -> str:
    """Black or white, whichever contrasts more with an sRGB grey background (WCAG luminance)."""
    channel = grey / 255.0
    luminance = channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
    return "#000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#fff"


def pixel_table(image: np.ndarray, caption: str, number: int, label: str) -> str:
    """A 28x28 image as a table of its pixel values, each cell shaded by its value."""
    rows = []
    for r, row in enumerate(image):
        cells = "".join(
            f'<td style="background:rgb({255 - v},{255 - v},{255 - v});color:{_text_colour_on_grey(255 - v)}">{v}</td>'
            for v in (int(x) for x in row)
        )
        rows.append(f"<tr><th scope=\"row\">{r}</th>{cells}</tr>")
    head = "<tr><th></th>" + "".join(f'<th scope="col">{c}</th>' for c in range(image.shape[1])) + "</tr>"
    caption_html = f'<caption><span class="label">{html.escape(label)} {number}</span> {html.escape(caption)}</caption>'
    return (
        f'<div class="table-wrap"><table class="pixel-table">{caption_html}<thead>{head}</thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )
