"""The classifier chapter (``classifier``): the NumPy network, its mistakes, the CNN beside it, and drawing a digit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mnistreport.analysis.cnn import CnnParams, CnnResult, run_cnn
from mnistreport.analysis.comparison import Comparison, compare
from mnistreport.analysis.describe import scale_pixels
from mnistreport.analysis.embedding import project
from mnistreport.analysis.mlp import MlpParams, MlpResult, run_mlp
from mnistreport.analysis.sample_maps import SampleMap
from mnistreport.config import Sampling
from mnistreport.engine.nodes import Chapter
from mnistreport.render import browser_files, charts, drawmodel
from mnistreport.render.formats import interval
from mnistreport.render.tables import TableWords
from mnistreport.sources.mnist import MnistData

classifier = Chapter("classifier")

DIGIT_LABELS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")  # the confusion matrices' column ticks
MISTAKES_SHOWN = 40  # the chapter's gallery of the network's mistakes
DIGIT_MISTAKES_SHOWN = 20  # a digit page's
DISAGREEMENTS_SHOWN = 30  # each gallery of the two classifiers' disagreements


# --- steps --------------------------------------------------------------------------


@classifier.step
def mlp(data: MnistData, params: MlpParams) -> MlpResult:
    """The NumPy network, trained on the training set and evaluated on the test set."""
    return run_mlp(data.train_images, data.train_labels, data.test_images, data.test_labels, params)


@classifier.step
def cnn(data: MnistData, params: CnnParams) -> CnnResult:
    """The Keras CNN, trained with early stopping and evaluated on the same test set."""
    return run_cnn(data.train_images, data.train_labels, data.test_images, data.test_labels, params)


@classifier.step
def comparison(data: MnistData, mlp: MlpResult, cnn: CnnResult) -> Comparison:
    """Both classifiers on the same test digits: intervals, disagreements, McNemar's test."""
    return compare(data.test_labels, mlp.predictions, cnn.predictions, "MLP", "CNN")


# --- figures ------------------------------------------------------------------------


@classifier.figure("mlp-confusion")
def mlp_confusion(mlp: MlpResult, words: charts.ChartWords):
    return charts.count_heatmap(mlp.confusion, words["true"], words["predicted"], list(DIGIT_LABELS))


@classifier.figure("mlp-mistakes")
def mlp_mistakes(mlp: MlpResult, data: MnistData):
    chosen = mlp.misclassified[:MISTAKES_SHOWN]
    return charts.mistakes_gallery(data.test_images[chosen], data.test_labels[chosen], mlp.predictions[chosen])


@classifier.figure("digit-{digit}-mistakes")
def digit_mistakes(mlp: MlpResult, data: MnistData, digit: int):
    """The network's mistakes on one digit's test images."""
    wrong = mlp.misclassified
    chosen = wrong[data.test_labels[wrong] == digit][:DIGIT_MISTAKES_SHOWN]
    return charts.mistakes_gallery(data.test_images[chosen], data.test_labels[chosen], mlp.predictions[chosen])


@classifier.figure("cnn-confusion")
def cnn_confusion(cnn: CnnResult, words: charts.ChartWords):
    return charts.count_heatmap(cnn.confusion, words["true"], words["predicted"], list(DIGIT_LABELS))


def _disagreements(indices: np.ndarray, data: MnistData, mlp: MlpResult, cnn: CnnResult):
    """The first test digits at ``indices``, titled with the true digit and both classifiers' answers."""
    chosen = indices[:DISAGREEMENTS_SHOWN]
    return charts.disagreement_gallery(data.test_images[chosen], data.test_labels[chosen], mlp.predictions[chosen],
                                       cnn.predictions[chosen])


@classifier.figure("only-mlp-wrong")
def only_mlp_wrong_gallery(comparison: Comparison, data: MnistData, mlp: MlpResult, cnn: CnnResult):
    return _disagreements(comparison.only_a_wrong, data, mlp, cnn)


@classifier.figure("only-cnn-wrong")
def only_cnn_wrong_gallery(comparison: Comparison, data: MnistData, mlp: MlpResult, cnn: CnnResult):
    return _disagreements(comparison.only_b_wrong, data, mlp, cnn)


@classifier.figure("both-wrong")
def both_wrong_gallery(comparison: Comparison, data: MnistData, mlp: MlpResult, cnn: CnnResult):
    return _disagreements(comparison.both_wrong, data, mlp, cnn)


@classifier.figure("digit-{digit}-both-wrong")
def digit_both_wrong_gallery(comparison: Comparison, data: MnistData, mlp: MlpResult, cnn: CnnResult, digit: int):
    """One digit's test images that both classifiers get wrong."""
    wrong = comparison.both_wrong
    return _disagreements(wrong[data.test_labels[wrong] == digit], data, mlp, cnn)


# --- facts --------------------------------------------------------------------------


def _wrong(confusion: np.ndarray) -> np.ndarray:
    """The confusion matrix without its diagonal: only the mistakes."""
    wrong = np.array(confusion, dtype=np.int64)
    np.fill_diagonal(wrong, 0)
    return wrong


def _mistaken_for(confusion: np.ndarray) -> list[list[int]]:
    """Per true digit, every digit it was predicted as most often when wrong (several when they tie; none
    when the digit has no mistake)."""
    wrong = _wrong(confusion)
    return [[int(p) for p in np.flatnonzero(row == row.max())] if row.max() else [] for row in wrong]


@classifier.fact
def mlp_extremes(mlp: MlpResult) -> dict:
    """The network's best and worst digits (every one tied at the page's precision, 0.1 %), per digit what it
    is mistaken for most often (``mistaken_for``: all the tied digits, with ``mistaken_count`` their count)
    and the most frequent confusions of the whole test set (``top_confusions``: every tied (true, predicted)
    pair, each ``top_count`` times)."""
    accuracy = [round(float(a), 3) for a in mlp.per_digit_accuracy]
    wrong = _wrong(mlp.confusion)
    top = int(wrong.max())
    return {
        "best": [d for d in range(10) if accuracy[d] == max(accuracy)],
        "worst": [d for d in range(10) if accuracy[d] == min(accuracy)],
        "mistaken_for": _mistaken_for(mlp.confusion),
        "mistaken_count": [int(row.max()) for row in wrong],
        "top_confusions": [(int(t), int(p)) for t, p in zip(*np.nonzero(wrong == top))] if top else [],
        "top_count": top,
    }


# --- tables -------------------------------------------------------------------------


@classifier.table("mlp-per-digit")
def mlp_per_digit(mlp: MlpResult, words: TableWords) -> pd.DataFrame:
    """The classifier's accuracy on each digit and its most common mistake (every tied digit)."""
    w, confusion = words, mlp.confusion
    rows = []
    wrong, tops = _wrong(confusion), _mistaken_for(confusion)
    for d in range(10):
        mistake = f"{', '.join(map(str, tops[d]))} ({wrong[d].max():,})" if tops[d] else w["none"]
        rows.append([str(d), f"{confusion[d].sum():,}", f"{confusion[d, d]:,}", f"{mlp.per_digit_accuracy[d]:.1%}",
                     mistake])
    return pd.DataFrame(rows, columns=[w["digit"], w["test_images"], w["correct"], w["acc"], w["confused"]])


@classifier.table("digit-mistakes")
def digit_mistakes_table(mlp: MlpResult, words: TableWords, digit: int, *, direction: str = "as") -> pd.DataFrame:
    """How often this digit was predicted as each other digit ("as"), or others as this digit ("for")."""
    w, confusion = words, mlp.confusion
    counts = confusion[digit] if direction == "as" else confusion[:, digit]
    rows = [[str(d), f"{counts[d]:,}"] for d in np.argsort(-counts, kind="stable") if d != digit and counts[d]]
    header = w["predicted_as"] if direction == "as" else w["true_digit"]
    return pd.DataFrame(rows or [[w["none"], "0"]], columns=[header, w["times"]])


@classifier.table("classifiers")
def classifiers(comparison: Comparison, mlp: MlpResult, cnn: CnnResult, words: TableWords) -> pd.DataFrame:
    """Both classifiers on the same test digits: accuracy with its confidence interval, mistakes, time."""
    w, c = words, comparison
    rows = [[w["mlp_name"], f"{c.accuracy_a:.2%}", interval(c.ci_a), f"{len(mlp.misclassified):,}",
             f"{mlp.seconds:.1f}"],
            [w["cnn_name"], f"{c.accuracy_b:.2%}", interval(c.ci_b), f"{len(cnn.misclassified):,}",
             f"{cnn.seconds:.1f}"]]
    ci_column = w["ci"].format(level=c.confidence_level)
    return pd.DataFrame(rows, columns=[w["model"], w["acc"], ci_column, w["mistakes"], w["train_seconds"]])


@classifier.table("classifiers-per-digit")
def classifiers_per_digit(comparison: Comparison, words: TableWords) -> pd.DataFrame:
    """Accuracy of both classifiers on each digit, side by side."""
    w, c = words, comparison
    rows = [[str(d), f"{c.per_digit_a[d]:.1%}", f"{c.per_digit_b[d]:.1%}"] for d in range(len(c.per_digit_a))]
    return pd.DataFrame(rows, columns=[w["digit"], w["mlp_name"], w["cnn_name"]])


@classifier.table("disagreements")
def disagreements(comparison: Comparison, words: TableWords) -> pd.DataFrame:
    """Which test digits each classifier gets wrong, and McNemar's exact test on the disagreements."""
    w, c = words, comparison
    rows = [[w["only_mlp"], f"{len(c.only_a_wrong):,}"], [w["only_cnn"], f"{len(c.only_b_wrong):,}"],
            [w["both"], f"{len(c.both_wrong):,}"], [w["mcnemar_p"], f"{c.p_value:.3g}"]]
    return pd.DataFrame(rows, columns=[w["test_images"], w["count"]])


@classifier.table("digit-classifiers")
def digit_classifiers(comparison: Comparison, mlp: MlpResult, cnn: CnnResult, words: TableWords,
                      digit: int) -> pd.DataFrame:
    """Both classifiers on one digit's test images."""
    w, c = words, comparison
    rows = [[name, f"{accuracy[digit]:.1%}", f"{int(confusion[digit].sum() - confusion[digit, digit]):,}"]
            for name, accuracy, confusion in ((w["mlp_name"], c.per_digit_a, mlp.confusion),
                                              (w["cnn_name"], c.per_digit_b, cnn.confusion))]
    return pd.DataFrame(rows, columns=[w["model"], w["acc"], w["mistakes"]])


# --- the drawing page's files ---------------------------------------------------------


@classifier.asset("data/draw")
def draw_data(mlp: MlpResult, tsne: SampleMap, data: MnistData, sampling: Sampling, folder: Path) -> None:
    """``model.bin`` (the network's weights, the main map's PCA, the map's digits) and ``map-digits.png``.

    The PCA is the one the main map (the ``tsne`` step) projected its digits on, so a drawn digit lands
    where the map would put it.
    """
    images = tsne.images(data)
    basis = tsne.map.basis
    examples = drawmodel.pick_examples(data.test_labels, browser_files.EXAMPLES_PER_CLASS, sampling.seed)
    bundle = drawmodel.model_bundle(mlp.weights, basis.mean, basis.components, project(basis, scale_pixels(images)),
                                    tsne.map.coords, tsne.labels(data), data.test_images[examples],
                                    data.test_labels[examples])
    (folder / "model.bin").write_bytes(bundle)
    (folder / "map-digits.png").write_bytes(drawmodel.sheet_png(drawmodel.map_digit_sheet(images)))


@classifier.summary
def summary(mlp: MlpResult, cnn: CnnResult, comparison: Comparison) -> dict:
    return {"mlp": mlp.summary(), "cnn": cnn.summary(), "comparison": comparison.summary()}
