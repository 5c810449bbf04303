"""The site's tables, built as pandas DataFrames from the results, one function per table.

Each builder takes the results, the page language's ``[table]`` words (from
``content/<lang>/words.toml``) and, for digit pages, the digit, and returns a
DataFrame whose column names are already in that language. The chapters
declare which table name uses which builder.
``render_table`` turns one into accessible HTML with a caption.
"""

from __future__ import annotations

import html
from typing import Mapping

import numpy as np
import pandas as pd

from mnistreport.analysis.embedding import MapResult
from mnistreport.analysis.grid import GridResult
from mnistreport.results import Results
from mnistreport.render.style import text_colour_on
from mnistreport.analysis.writers import group_error, is_student

TableWords = Mapping[str, str]  # the [table] section of one language's words.toml


def _share(count: int, total: int) -> str:
    return f"{100.0 * count / total:.2f} %" if total else "-"


def label_counts(results: Results, w: TableWords) -> pd.DataFrame:
    """Count and share of every digit in the training and test sets, with totals."""
    train, test = results.train_counts, results.test_counts
    rows = [
        [str(d), f"{train[d]:,}", _share(train[d], sum(train)), f"{test[d]:,}", _share(test[d], sum(test))]
        for d in range(10)
    ]
    rows.append([w["total"], f"{sum(train):,}", "100.00 %", f"{sum(test):,}", "100.00 %"])
    columns = [w["digit"], f"{w['train']} {w['count']}", f"{w['train']} {w['share']}", f"{w['test']} {w['count']}", f"{w['test']} {w['share']}"]
    return pd.DataFrame(rows, columns=columns)


def idx_header(results: Results, w: TableWords, file: str) -> pd.DataFrame:
    """The header bytes of one IDX file as the build read them, with their meaning."""
    header = results.data.headers[file]
    raw = header.raw
    rows = [["0-3", raw[0:4].hex(" "), f"0x{header.magic:08X}", w["magic"]]]
    for i, size in enumerate(header.shape):
        start = 4 + 4 * i
        rows.append([f"{start}-{start + 3}", raw[start : start + 4].hex(" "), f"{size:,}", w["dim"].format(i=i)])
    return pd.DataFrame(rows, columns=[w["offset"], w["hex"], w["value"], w["meaning"]])


def memory(results: Results, w: TableWords) -> pd.DataFrame:
    """The measured memory cost of the same data in three forms."""
    m = results.memory
    forms = [
        (w["uint8"], m.uint8_bytes),
        (w["csv"], m.csv_bytes),
        (w["pandas"].format(dtypes=", ".join(m.pandas_dtypes)), m.pandas_bytes),
    ]
    rows = [[name, f"{size:,}", f"{size / 2**20:,.1f}"] for name, size in forms]
    return pd.DataFrame(rows, columns=[w["form"], w["bytes"], w["mib"]])


def provenance_files(results: Results, w: TableWords) -> pd.DataFrame:
    """QMNIST's provenance files the build read, with the SHA-256 of their decompressed bytes."""
    rows = [[f.name, f"{f.size:,}", f.sha256] for f in results.provenance.files]
    return pd.DataFrame(rows, columns=[w["file"], w["size"], w["sha256"]])


def checksums(results: Results, w: TableWords) -> pd.DataFrame:
    """Every data file the build read, with the SHA-256 of its decompressed bytes."""
    rows = [[f.name, f"{f.size:,}", f.sha256] for f in results.data.files]
    return pd.DataFrame(rows, columns=[w["file"], w["size"], w["sha256"]])


def steps(results: Results, w: TableWords) -> pd.DataFrame:
    """How long each step took when it was computed (a cached build shows the same times)."""
    rows = [[w.get(f"step_{s.field}", s.name), f"{s.seconds:.2f}"] for s in results.steps]  # named in the page's language
    return pd.DataFrame(rows, columns=[w["step"], w["seconds"]])


def versions(results: Results, w: TableWords) -> pd.DataFrame:
    """The versions of Python and of every library the build used."""
    return pd.DataFrame(sorted(results.versions.items()), columns=[w["package"], w["version"]])


def parameters(results: Results, w: TableWords) -> pd.DataFrame:
    """Every parameter of the build, as read from the parameter file."""
    rows = []
    for section, values in results.config.as_dict().items():
        for key, value in values.items():
            shown = ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
            rows.append([f"{section}.{key}", shown])
    return pd.DataFrame(rows, columns=[w["parameter"], w["value"]])


def digit_counts(results: Results, w: TableWords, digit: int) -> pd.DataFrame:
    """One digit's count and share in each set."""
    rows = []
    for name, counts in ((w["train"], results.train_counts), (w["test"], results.test_counts)):
        rows.append([name, f"{counts[digit]:,}", _share(counts[digit], sum(counts))])
    return pd.DataFrame(rows, columns=[w["set"], w["count"], w["share"]])


def _map_row(result: MapResult) -> list[str]:
    return [f"{result.n:,}", f"{result.trustworthiness:.3f}", f"{result.knn_accuracy:.3f}",
            f"{result.separation:.2f}", f"{result.seconds:.1f}"]


def _map_columns(w: dict[str, str]) -> list[str]:
    return [w["digits"], w["trust"], w["knn"], w["separation"], w["tsne_seconds"]]


def map_quality(results: Results, w: TableWords) -> pd.DataFrame:
    """Quality of the two chapter-3 maps, measured."""
    rows = [
        [w["main_map"].format(pca=results.config.tsne.pca_components)] + _map_row(results.tsne.map),
        [w["raw_map"]] + _map_row(results.tsne_big.map),
    ]
    return pd.DataFrame(rows, columns=[w["map"]] + _map_columns(w))


def perplexity(results: Results, w: TableWords) -> pd.DataFrame:
    """The measured quality of the map at each perplexity."""
    rows = [[f"{m.perplexity:g}"] + _map_row(m)[1:] for m in results.perplexity_sweep.maps]
    return pd.DataFrame(rows, columns=[w["perplexity"]] + _map_columns(w)[1:])


def _grid_row(name: str, grid: GridResult) -> list[str]:
    return [name, f"{grid.side}×{grid.side}", f"{grid.total_cost:,.2f}", f"{grid.mean_displacement:.2f}",
            f"{grid.max_displacement:.1f}", f"{grid.seconds:.2f}"]


def grids(results: Results, w: TableWords) -> pd.DataFrame:
    """The assignment of the main map and of every digit's map onto its grid."""
    rows = [_grid_row(w["all_digits"], results.tsne.grid)]
    rows += [_grid_row(w["digit_n"].format(d=d), m.grid) for d, m in enumerate(results.digit_maps)]
    return pd.DataFrame(rows, columns=[w["map"], w["grid"], w["total_cost"], w["mean_disp"], w["max_disp"], w["solver_seconds"]])


def digit_map(results: Results, w: TableWords, digit: int) -> pd.DataFrame:
    """One digit's own map quality and grid."""
    m = results.digit_maps[digit]
    # One class only: class-based measures (10-NN accuracy, separation) do not apply.
    row = _map_row(m.map)[:2] + [f"{m.grid.mean_displacement:.2f}", f"{m.map.seconds + m.grid.seconds:.1f}"]
    columns = _map_columns(w)[:2] + [w["mean_disp"], w["tsne_seconds"] + " + lapjv"]
    return pd.DataFrame([row], columns=columns)


def clustering_scores(results: Results, w: TableWords) -> pd.DataFrame:
    """k-means on the codes beside the two baselines."""
    cfg = results.config
    names = {"codes": w["codes"].format(d=cfg.autoencoder.code_size), "pixels": w["pixels"],
             "pca": w["pca"].format(d=cfg.kmeans.pca_components)}
    rows = [[names[key], f"{c.accuracy:.3f}", f"{c.nmi:.3f}", f"{c.ari:.3f}", f"{c.seconds:.1f}"]
            for key, c in results.clusters.items()]
    return pd.DataFrame(rows, columns=[w["features"], w["accuracy"], w["nmi"], w["ari"], w["seconds"]])


def clusters(results: Results, w: TableWords) -> pd.DataFrame:
    """Every cluster of the codes: its name, size, purity, ink and slant."""
    codes, style = results.kmeans_codes, results.cluster_style
    order = np.argsort(codes.cluster_names, kind="stable")
    rows = []
    for c in order:
        name = int(codes.cluster_names[c])
        rows.append([str(c), str(name), f"{style.sizes[c]:,}", f"{style.purity[c]:.1%}",
                     f"{style.ink[c]:.0f} ({style.digit_ink[name]:.0f})",
                     f"{style.slant[c]:+.2f} ({style.digit_slant[name]:+.2f})"])
    return pd.DataFrame(rows, columns=[w["cluster"], w["named"], w["images"], w["purity"], w["ink"], w["slant"]])


def mlp_per_digit(results: Results, w: TableWords) -> pd.DataFrame:
    """The classifier's accuracy on each digit and its most common mistake."""
    confusion = results.mlp.confusion
    rows = []
    for d in range(10):
        wrong = confusion[d].copy()
        wrong[d] = 0
        top = int(wrong.argmax())
        mistake = f"{top} ({wrong[top]})" if wrong[top] else w["none"]
        rows.append([str(d), f"{confusion[d].sum():,}", f"{confusion[d, d]:,}", f"{results.mlp.per_digit_accuracy[d]:.1%}",
                     mistake])
    return pd.DataFrame(rows, columns=[w["digit"], w["test_images"], w["correct"], w["acc"], w["confused"]])


def digit_mistakes(results: Results, w: TableWords, digit: int, direction: str = "as") -> pd.DataFrame:
    """How often this digit was predicted as each other digit ("as"), or others as this digit ("for")."""
    confusion = results.mlp.confusion
    counts = confusion[digit] if direction == "as" else confusion[:, digit]
    rows = [[str(d), f"{counts[d]:,}"] for d in np.argsort(-counts, kind="stable") if d != digit and counts[d]]
    header = w["predicted_as"] if direction == "as" else w["true_digit"]
    return pd.DataFrame(rows or [[w["none"], "0"]], columns=[header, w["times"]])


def digit_clusters(results: Results, w: TableWords, digit: int) -> pd.DataFrame:
    """Which clusters of the autoencoder codes this digit's training images fall into."""
    codes = results.kmeans_codes
    row = codes.confusion[digit]
    total = max(int(row.sum()), 1)
    rows = [[str(c), str(int(codes.cluster_names[c])), f"{row[c]:,}", f"{row[c] / total:.1%}"]
            for c in np.argsort(-row, kind="stable") if row[c]]
    return pd.DataFrame(rows, columns=[w["cluster"], w["named"], w["images"], w["share"]])


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


def _ci(low_high: tuple[float, float]) -> str:
    return f"{low_high[0]:.2%} – {low_high[1]:.2%}"


def classifiers(results: Results, w: TableWords) -> pd.DataFrame:
    """Both classifiers on the same test digits: accuracy with its confidence interval, mistakes, time."""
    c = results.comparison
    rows = [[w["mlp_name"], f"{c.accuracy_a:.2%}", _ci(c.ci_a), f"{len(results.mlp.misclassified):,}",
             f"{results.mlp.seconds:.1f}"],
            [w["cnn_name"], f"{c.accuracy_b:.2%}", _ci(c.ci_b), f"{len(results.cnn.misclassified):,}",
             f"{results.cnn.seconds:.1f}"]]
    interval = w["ci"].format(level=c.confidence_level)
    return pd.DataFrame(rows, columns=[w["model"], w["acc"], interval, w["mistakes"], w["train_seconds"]])


def classifiers_per_digit(results: Results, w: TableWords) -> pd.DataFrame:
    """Accuracy of both classifiers on each digit, side by side."""
    c = results.comparison
    rows = [[str(d), f"{c.per_digit_a[d]:.1%}", f"{c.per_digit_b[d]:.1%}"] for d in range(len(c.per_digit_a))]
    return pd.DataFrame(rows, columns=[w["digit"], w["mlp_name"], w["cnn_name"]])


def disagreements(results: Results, w: TableWords) -> pd.DataFrame:
    """Which test digits each classifier gets wrong, and McNemar's exact test on the disagreements."""
    c = results.comparison
    rows = [[w["only_mlp"], f"{len(c.only_a_wrong):,}"], [w["only_cnn"], f"{len(c.only_b_wrong):,}"],
            [w["both"], f"{len(c.both_wrong):,}"], [w["mcnemar_p"], f"{c.p_value:.3g}"]]
    return pd.DataFrame(rows, columns=[w["test_images"], w["count"]])


def digit_classifiers(results: Results, w: TableWords, digit: int) -> pd.DataFrame:
    """Both classifiers on one digit's test images."""
    c = results.comparison
    rows = [[name, f"{accuracy[digit]:.1%}", f"{int(confusion[digit].sum() - confusion[digit, digit]):,}"]
            for name, accuracy, confusion in ((w["mlp_name"], c.per_digit_a, results.mlp.confusion),
                                              (w["cnn_name"], c.per_digit_b, results.cnn.confusion))]
    return pd.DataFrame(rows, columns=[w["model"], w["acc"], w["mistakes"]])


def all_digits_grid(results: Results, w: TableWords) -> pd.DataFrame:
    """The grid of all digits, measured as chapter 5 measures its small grids."""
    g, agreement = results.all_grid, results.all_grid_agreement
    rows = [[w["grid"], f"{g.rows}×{g.cols}"], [w["digits"], f"{len(g.cell_of_point):,}"],
            [w["empty_cells"], f"{g.rows * g.cols - len(g.cell_of_point):,}"],
            [w["mean_disp"], f"{g.mean_displacement:.2f}"], [w["max_disp"], f"{g.max_displacement:.1f}"],
            [w["agreement"], f"{agreement.agreement:.1%}"], [w["agreement_shuffled"], f"{agreement.agreement_mismatched:.1%}"],
            [w["total_cost"], f"{g.total_cost:,.2f}"], [w["assignment_seconds"], f"{g.seconds:.1f}"]]
    return pd.DataFrame(rows, columns=[w["measure"], w["value"]])


# chapter 2, the writers (the page asks for these only when the build found the provenance)
def _series_name(series: int, w: TableWords) -> str:
    return w["students_series" if series == 4 else "employees_series"].format(series=series)


def writers_per_series(results: Results, w: TableWords) -> pd.DataFrame:
    """Digits and writers of each NIST series in the training and the test set, with digits per writer."""
    rows = []
    for set_name, part in ((w["train"], results.writers.train), (w["test"], results.writers.test)):
        for s in part.per_series:
            rows.append([set_name, _series_name(s.series, w), f"{s.digits:,}", f"{s.writers:,}",
                         f"{s.digits / s.writers:.1f}"])
        rows.append([set_name, w["total"], f"{part.n_digits:,}", f"{part.n_writers:,}",
                     f"{part.n_digits / part.n_writers:.1f}"])
    return pd.DataFrame(rows, columns=[w["set"], w["series"], w["digits"], w["writers"], w["mean_per_writer"]])


def writers_claims(results: Results, w: TableWords) -> pd.DataFrame:
    """MNIST's documented claims, each with the measured answer and whether it holds."""
    c = results.writers.claims
    verdict = lambda holds: w["holds"] if holds else w["does_not_hold"]  # noqa: E731
    rows = [
        [w["claim_writers"], w["measured_writers"].format(n=f"{c.train_writers:,}"), verdict(c.train_writers_holds)],
        [w["claim_disjoint"], w["measured_shared"].format(n=f"{c.shared_writers:,}"), verdict(c.disjoint_holds)],
        [w["claim_halves"], w["measured_halves"].format(
            train_e=f"{c.train_collections[0]:,}", train_s=f"{c.train_collections[1]:,}",
            test_e=f"{c.test_collections[0]:,}", test_s=f"{c.test_collections[1]:,}"), w["exactly"] if c.halves_exact else w["not_exactly"]],
        [w["claim_first_half"], w["measured_first_half"].format(
            first=f"{c.test_half_students[0]:,}", second=f"{c.test_half_students[1]:,}", half=f"{c.half_size:,}"),
         verdict(c.first_half_employees_holds)],
    ]
    return pd.DataFrame(rows, columns=[w["claim"], w["measured"], w["verdict"]])


def writers_errors(results: Results, w: TableWords) -> pd.DataFrame:
    """Each classifier's test error by collection and by half of the test set, with intervals and p-values."""
    e = results.writer_errors
    names = {"mlp": w["mlp_name"], "cnn": w["cnn_name"]}
    rows = []
    for split, groups in ((e.by_collection, (w["students"], w["employees"])),
                          (e.by_half, (w["first_half"], w["second_half"]))):
        for key, comparison in split.items():
            for group, result in zip(groups, (comparison.a, comparison.b)):
                rows.append([names[key], group, f"{result.errors:,} / {result.n:,}", f"{result.rate:.2%}",
                             _ci(result.ci), f"{comparison.p_value:.2g}"])
    return pd.DataFrame(rows, columns=[w["model"], w["group"], w["errors"], w["error_rate"],
                                       w["ci"].format(level=0.95), w["fisher_p"]])


def digit_writers(results: Results, w: TableWords, digit: int) -> pd.DataFrame:
    """Both classifiers' error on one digit's test images, by the collection of its writers."""
    truth, series = results.data.test_labels, results.provenance.test.series
    rows = []
    for name, predictions in ((w["mlp_name"], results.mlp.predictions), (w["cnn_name"], results.cnn.predictions)):
        for group, members in ((w["employees"], ~is_student(series)), (w["students"], is_student(series))):
            mine = members & (truth == digit)
            result = group_error(predictions[mine] != digit)
            rows.append([name, group, f"{result.errors:,} / {result.n:,}",
                         f"{result.rate:.1%}" if result.n else "-"])
    return pd.DataFrame(rows, columns=[w["model"], w["group"], w["errors"], w["error_rate"]])


def writers_map_style(results: Results, w: TableWords) -> pd.DataFrame:
    """Per digit: the share of its nearest same-class map neighbours by its own writer, and chance."""
    m = results.writer_map
    rows = [[str(d), f"{m.per_class_observed[d]:.1%}", f"{m.per_class_chance[d]:.2%}",
             f"{m.per_class_observed[d] / m.per_class_chance[d]:.0f}×" if m.per_class_chance[d] else "-"]
            for d in range(10)]
    rows.append([w["all_digits"], f"{m.observed:.1%}", f"{m.chance:.2%}", f"{m.ratio:.0f}×"])
    return pd.DataFrame(rows, columns=[w["digit"], w["same_writer"], w["chance"], w["times_chance"]])
