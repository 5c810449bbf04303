"""The writers chapter (``writers``): who wrote MNIST's digits, from QMNIST's provenance labels.

Every node that reads ``provenance`` is skipped when the build found none (the page then says
how to get it), except the explorer's files, which are written either way. The steps measure
the classifiers (``classifier``) and the explorer's map (``explore``); the chapter is read
second (its Markdown's ``order:``).
"""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from mnistreport.analysis import embedding
from mnistreport.analysis import writers as writer_stats
from mnistreport.analysis.cnn import CnnResult
from mnistreport.analysis.grid import LargeGridResult
from mnistreport.analysis.mlp import MlpResult
from mnistreport.engine.nodes import Chapter
from mnistreport.render import browser_files, charts, explorer
from mnistreport.render.formats import interval
from mnistreport.render.tables import TableWords
from mnistreport.sources.mnist import MnistData
from mnistreport.sources.nist import STUDENT_SERIES
from mnistreport.sources.qmnist import Provenance

writers_chapter = Chapter("writers")

HAND_COLUMNS = 30  # digits a row in the pictures of one writer's hand
DIGIT_HAND_COLUMNS = 12  # on a digit page: one writer's digits of that class, at most this many


# --- steps --------------------------------------------------------------------------


@writers_chapter.step
def writers(provenance: Provenance) -> writer_stats.Who:
    """Who wrote each set, the writers both share, and MNIST's documented claims checked."""
    p = provenance
    return writer_stats.who(p.train.series, p.train.writer, p.test.series, p.test.writer)


@writers_chapter.step
def writer_errors(provenance: Provenance, data: MnistData, mlp: MlpResult, cnn: CnnResult) -> writer_stats.ErrorReport:
    """Both classifiers' test errors by collection, by half of the test set and by writer."""
    p, truth = provenance.test, data.test_labels
    return writer_stats.error_report(p.series, p.writer, {"mlp": mlp.predictions != truth,
                                                          "cnn": cnn.predictions != truth})


@writers_chapter.step
def series_means(provenance: Provenance, data: MnistData) -> writer_stats.SeriesMeans:
    """Each digit's mean training image by the employees and by the students."""
    return writer_stats.series_means(data.train_images, data.train_labels, provenance.train.series)


@writers_chapter.step
def writer_map(provenance: Provenance, data: MnistData, all_map: embedding.MapResult) -> writer_stats.MapStyle:
    """How often same-class neighbours on the map of all digits share their writer, against chance."""
    writer = np.concatenate([provenance.train.writer, provenance.test.writer])
    return writer_stats.map_style(all_map.coords, data.all_labels, writer)


# --- figures ------------------------------------------------------------------------


def _hand(provenance: Provenance, data: MnistData, mlp: MlpResult, cnn: CnnResult, writer: int) -> np.ndarray:
    """All of a test writer's digits, by class, both classifiers' mistakes framed."""
    p, labels = provenance.test, data.test_labels
    chosen = writer_stats.writer_digits(p.writer, labels, p.writer_index, writer)
    wrong = (mlp.predictions[chosen] != labels[chosen]) | (cnn.predictions[chosen] != labels[chosen])
    return charts.writer_block(data.test_images[chosen], labels[chosen], wrong, HAND_COLUMNS)


def _hands(collection: str, provenance: Provenance, writer_errors: writer_stats.ErrorReport, data: MnistData,
           mlp: MlpResult, cnn: CnnResult) -> np.ndarray:
    """The easiest, a typical and the hardest writer of one collection, one block each (a blank pixel when
    the collection has no test writers: the page then shows no such figure)."""
    if collection not in writer_errors.galleries:
        return charts.no_provenance()
    g = writer_errors.galleries[collection]
    return charts.stack_blocks([_hand(provenance, data, mlp, cnn, writer)
                                for writer in (g.easiest, g.typical, g.hardest)])


@writers_chapter.fact
def student_series() -> int:
    """The NIST series of the high-school students' forms (hsf4): every other series is the employees'."""
    return STUDENT_SERIES


@writers_chapter.figure("writers-per-writer")
def writers_per_writer(writers: writer_stats.Who, words: charts.ChartWords):
    return charts.writers_per_writer_chart(writers.train, writers.test, words)


@writers_chapter.figure("writers-series-means", scale=3)
def writers_series_means(series_means: writer_stats.SeriesMeans) -> np.ndarray:
    """Ten columns: each digit's mean by the employees, by the students, and students minus employees."""
    employees, students = np.nan_to_num(series_means.employees) / 255.0, np.nan_to_num(series_means.students) / 255.0
    difference = students - employees
    limit = float(np.abs(difference).max()) or 1.0
    rows = [charts.colormap(1.0 - employees, "gray", 0.0, 1.0), charts.colormap(1.0 - students, "gray", 0.0, 1.0),
            charts.colormap(difference, "RdBu_r", -limit, limit)]
    return charts.tile(np.concatenate(rows), 3, 10, gap=2)


@writers_chapter.figure("writer-first", scale=2)
def writer_first(provenance: Provenance, data: MnistData) -> np.ndarray:
    """All the digits of the writer of MNIST's first training digit, by class."""
    p, labels = provenance.train, data.train_labels
    chosen = writer_stats.writer_digits(p.writer, labels, p.writer_index, int(p.writer[0]))
    return charts.writer_block(data.train_images[chosen], labels[chosen], np.zeros(len(chosen), bool), HAND_COLUMNS)


@writers_chapter.figure("writers-hands-employees", scale=2)
def writers_hands_employees(provenance: Provenance, writer_errors: writer_stats.ErrorReport, data: MnistData,
                            mlp: MlpResult, cnn: CnnResult) -> np.ndarray:
    return _hands("employees", provenance, writer_errors, data, mlp, cnn)


@writers_chapter.figure("writers-hands-students", scale=2)
def writers_hands_students(provenance: Provenance, writer_errors: writer_stats.ErrorReport, data: MnistData,
                           mlp: MlpResult, cnn: CnnResult) -> np.ndarray:
    return _hands("students", provenance, writer_errors, data, mlp, cnn)


@writers_chapter.figure("writers-hardest", scale=2)
def writers_hardest(provenance: Provenance, writer_errors: writer_stats.ErrorReport, data: MnistData,
                    mlp: MlpResult, cnn: CnnResult) -> np.ndarray:
    """The three hardest test writers, one block each."""
    return charts.stack_blocks([_hand(provenance, data, mlp, cnn, writer)
                                for writer in writer_errors.overall.hardest_few[:3]])


@writers_chapter.figure("writers-error-per-writer")
def writers_error_per_writer(writer_errors: writer_stats.ErrorReport, words: charts.ChartWords):
    return charts.writer_error_chart(writer_errors.per_writer.rate, writer_errors.student_writer, words)


@writers_chapter.figure("writers-map")
def writers_map(provenance: Provenance, all_map: embedding.MapResult, data: MnistData):
    """The digits of the writer of the first training digit on the map of all digits."""
    writer = np.concatenate([provenance.train.writer, provenance.test.writer])
    return charts.writer_on_map(all_map.coords, np.flatnonzero(writer == writer[0]), data.all_labels)


@writers_chapter.figure("digit-{digit}-writers", scale=2)
def digit_writers(provenance: Provenance, data: MnistData, digit: int) -> np.ndarray:
    """The digit by the writers who wrote it most in the training set: employees first, one row each
    (a blank pixel when nobody did, in a small sample)."""
    p, images, labels = provenance.train, data.train_images, data.train_labels
    rows = []
    for chosen_writers in writer_stats.prolific_writers(labels, p.series, p.writer, digit).values():
        for who in chosen_writers:
            chosen = np.flatnonzero((p.writer == who) & (labels == digit))[:DIGIT_HAND_COLUMNS]
            rows.append(charts.writer_block(images[chosen], labels[chosen], np.zeros(len(chosen), bool),
                                            DIGIT_HAND_COLUMNS))
    return charts.stack_blocks(rows, gap=6) if rows else charts.no_provenance()


# --- tables -------------------------------------------------------------------------


def _series_name(series: int, words: TableWords) -> str:
    return words["students_series" if series == STUDENT_SERIES else "employees_series"].format(series=series)


def _verdict(holds: bool, words: TableWords) -> str:
    return words["holds"] if holds else words["does_not_hold"]


@writers_chapter.table("writers-per-series")
def writers_per_series(writers: writer_stats.Who, words: TableWords) -> pd.DataFrame:
    """Digits and writers of each NIST series in the training and the test set, with digits per writer."""
    w = words
    rows = []
    for set_name, part in ((w["train"], writers.train), (w["test"], writers.test)):
        for s in part.per_series:
            rows.append([set_name, _series_name(s.series, w), f"{s.digits:,}", f"{s.writers:,}",
                         f"{s.digits / s.writers:.1f}"])
        rows.append([set_name, w["total"], f"{part.n_digits:,}", f"{part.n_writers:,}",
                     f"{part.n_digits / part.n_writers:.1f}"])
    return pd.DataFrame(rows, columns=[w["set"], w["series"], w["digits"], w["writers"], w["mean_per_writer"]])


@writers_chapter.table("writers-claims")
def writers_claims(writers: writer_stats.Who, words: TableWords) -> pd.DataFrame:
    """MNIST's documented claims, each with the measured answer and whether it holds."""
    w, c = words, writers.claims
    rows = [
        [w["claim_writers"], w["measured_writers"].format(n=f"{c.train_writers:,}"),
         _verdict(c.train_writers_holds, w)],
        [w["claim_disjoint"], w["measured_shared"].format(n=f"{c.shared_writers:,}"), _verdict(c.disjoint_holds, w)],
        [w["claim_halves"], w["measured_halves"].format(
            train_e=f"{c.train_collections[0]:,}", train_s=f"{c.train_collections[1]:,}",
            test_e=f"{c.test_collections[0]:,}", test_s=f"{c.test_collections[1]:,}"),
         w["exactly"] if c.halves_exact else w["not_exactly"]],
        [w["claim_first_half"], w["measured_first_half"].format(
            first=f"{c.test_half_students[0]:,}", second=f"{c.test_half_students[1]:,}", half=f"{c.half_size:,}"),
         _verdict(c.first_half_employees_holds, w)],
    ]
    return pd.DataFrame(rows, columns=[w["claim"], w["measured"], w["verdict"]])


@writers_chapter.table("writers-errors")
def writers_errors(writer_errors: writer_stats.ErrorReport, words: TableWords) -> pd.DataFrame:
    """Each classifier's test error by collection and by half of the test set, with intervals and p-values."""
    w, e = words, writer_errors
    names = {"mlp": w["mlp_name"], "cnn": w["cnn_name"]}
    rows = []
    for split, groups in ((e.by_collection, (w["students"], w["employees"])),
                          (e.by_half, (w["first_half"], w["second_half"]))):
        for key, comparison in split.items():
            for group, result in zip(groups, (comparison.a, comparison.b)):
                rows.append([names[key], group, f"{result.errors:,} / {result.n:,}", f"{result.rate:.2%}",
                             interval(result.ci), f"{comparison.p_value:.2g}"])
    return pd.DataFrame(rows, columns=[w["model"], w["group"], w["errors"], w["error_rate"],
                                       w["ci"].format(level=0.95), w["fisher_p"]])


@writers_chapter.table("writers-map-style")
def writers_map_style(writer_map: writer_stats.MapStyle, words: TableWords) -> pd.DataFrame:
    """Per digit: the share of its nearest same-class map neighbours by its own writer, and chance."""
    w, m = words, writer_map
    rows = [[str(d), f"{m.per_class_observed[d]:.1%}", f"{m.per_class_chance[d]:.2%}",
             f"{m.per_class_observed[d] / m.per_class_chance[d]:.0f}×" if m.per_class_chance[d] else "-"]
            for d in range(10)]
    rows.append([w["all_digits"], f"{m.observed:.1%}", f"{m.chance:.2%}", f"{m.ratio:.0f}×"])
    return pd.DataFrame(rows, columns=[w["digit"], w["same_writer"], w["chance"], w["times_chance"]])


@writers_chapter.table("provenance-files")
def provenance_files(provenance: Provenance, words: TableWords) -> pd.DataFrame:
    """QMNIST's provenance files the build read, with the SHA-256 of their decompressed bytes."""
    rows = [[f.name, f"{f.size:,}", f.sha256] for f in provenance.files]
    return pd.DataFrame(rows, columns=[words["file"], words["size"], words["sha256"]])


@writers_chapter.table("digit-writers")
def digit_writers_table(provenance: Provenance, data: MnistData, mlp: MlpResult, cnn: CnnResult, words: TableWords,
                        digit: int) -> pd.DataFrame:
    """Both classifiers' error on one digit's test images, by the collection of its writers."""
    w, truth, series = words, data.test_labels, provenance.test.series
    student = writer_stats.is_student(series)
    rows = []
    for name, predictions in ((w["mlp_name"], mlp.predictions), (w["cnn_name"], cnn.predictions)):
        for group, members in ((w["employees"], ~student), (w["students"], student)):
            mine = members & (truth == digit)
            result = writer_stats.group_error(predictions[mine] != digit)
            rows.append([name, group, f"{result.errors:,} / {result.n:,}",
                         f"{result.rate:.1%}" if result.n else "-"])
    return pd.DataFrame(rows, columns=[w["model"], w["group"], w["errors"], w["error_rate"]])


# --- the explorer's files (written with or without the provenance) -----------------------


@writers_chapter.asset("data")
def all_digits_table(all_map: embedding.MapResult, all_grid: LargeGridResult, all_predictions: dict[str, np.ndarray],
                     data: MnistData, provenance: Provenance | None, folder: Path) -> None:
    """``all-digits.csv.gz``: one row per digit, from the same arrays as the explorer (and, with QMNIST's
    provenance, each digit's NIST series, writer and index among its writer's digits).

    Declared here, not in ``explore``, because it gains the writers' columns."""
    cells, shape = browser_files.grid_cells(all_grid)
    columns = None if provenance is None else browser_files.provenance_columns(provenance)
    frame = explorer.all_digits_table(all_map.coords, data.all_labels, all_predictions["mlp"], len(data.train_labels),
                                      cnn_predictions=all_predictions["cnn"], cells=cells, grid_shape=shape,
                                      writers=columns)
    # mtime=0: the same results give the same bytes
    with gzip.GzipFile(folder / "all-digits.csv.gz", "wb", mtime=0) as handle:
        handle.write(frame.to_csv(index=False).encode())


@writers_chapter.asset("data/explore-writers")
def explorer_writers(provenance: Provenance | None, folder: Path) -> None:
    """``writers.bin``: each digit's series, writer and place among its writer's digits, fetched by the
    explorer only when a digit is selected or the series shown; without the provenance, a file saying so."""
    if provenance is None:
        bundle = explorer.writers_bundle(None)
    else:
        bundle = explorer.writers_bundle(*browser_files.provenance_columns(provenance).values())
    (folder / explorer.WRITERS_FILE).write_bytes(bundle)


@writers_chapter.summary
def summary(provenance: Provenance | None, writers: writer_stats.Who | None,
            writer_errors: writer_stats.ErrorReport | None, writer_map: writer_stats.MapStyle | None) -> dict:
    """``"writers"``: the chapter's numbers, or None without provenance."""
    if provenance is None or writers is None or writer_errors is None:
        return {"writers": None}
    w, e = writers, writer_errors
    return {"writers": {
        "provenance": provenance.summary(),
        "train": w.train.summary(),
        "test": w.test.summary(),
        "shared_writers": w.overlap.n_shared,
        "claims": dataclasses.asdict(w.claims),
        "errors_by_collection": {k: v.summary() for k, v in e.by_collection.items()},
        "errors_by_half": {k: v.summary() for k, v in e.by_half.items()},
        "writer_error_median": e.per_writer.median_rate,
        "galleries": {k: dataclasses.asdict(g) for k, g in e.galleries.items()},
        "map_style": writer_map.summary() if writer_map is not None else None,
    }}
