"""The classifier chapter: two classifiers on the same test digits, compared honestly.

Pure functions over two prediction arrays and the true labels (no training,
no TensorFlow):

* each classifier's accuracy with a 95 % confidence interval for the accuracy
  on digits like these (default: the Wilson score interval, which keeps close
  to its nominal coverage even near 100 %; ``ci_method="exact"`` gives the
  more conservative Clopper-Pearson interval), from
  ``scipy.stats.binomtest(...).proportion_ci``;
* per-digit accuracy of both;
* which test digits only A gets wrong, only B gets wrong, and both get wrong;
* an exact McNemar test. Both classifiers answer the *same* 10,000 digits, so
  their accuracies are paired and two separate intervals that overlap say
  little. Only the discordant digits carry information on which is better:
  ``b`` = digits A gets right and B wrong, ``c`` = A wrong and B right. Under
  "equally accurate" each discordant digit is a fair coin, so the p-value is
  the two-sided binomial test of ``b`` successes in ``b + c`` trials with
  p = 0.5 (``scipy.stats.binomtest``). With no discordant digit (``b + c ==
  0``) there is nothing to test and the p-value is 1.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np
# scipy.stats is imported where it is used: a rebuild that finds the comparison in the
# cache never needs it (why: docs/DECISIONS.md, "Lazy imports of the heavy libraries").

from mnistreport.analysis.mlp import evaluate_predictions

CI_METHODS = {"wilson": "Wilson score", "exact": "Clopper-Pearson (exact)"}


@dataclass(frozen=True)
class Comparison:
    """Classifier A against classifier B on the same test digits."""

    name_a: str
    name_b: str
    n: int  # test digits
    accuracy_a: float
    accuracy_b: float
    ci_a: tuple[float, float]  # confidence interval of accuracy_a
    ci_b: tuple[float, float]
    confidence_level: float  # e.g. 0.95
    ci_method: str  # "wilson" or "exact"
    per_digit_a: np.ndarray  # (10,) accuracy on each true digit
    per_digit_b: np.ndarray
    only_a_wrong: np.ndarray  # test indices, ascending: A wrong, B right
    only_b_wrong: np.ndarray  # A right, B wrong
    both_wrong: np.ndarray  # both wrong (not necessarily with the same answer)
    both_wrong_same: int  # of both_wrong, how many got the same wrong answer from both
    b: int  # McNemar: A right, B wrong (= len(only_b_wrong))
    c: int  # McNemar: A wrong, B right (= len(only_a_wrong))
    p_value: float  # exact McNemar, two-sided; 1.0 when b + c == 0

    @property
    def difference(self) -> float:
        """accuracy_b - accuracy_a, which equals (c - b) / n."""
        return self.accuracy_b - self.accuracy_a

    def summary(self) -> dict:
        """JSON-able numbers for results.json."""
        return {
            "name_a": self.name_a,
            "name_b": self.name_b,
            "n": int(self.n),
            "accuracy_a": float(self.accuracy_a),
            "accuracy_b": float(self.accuracy_b),
            "ci_a": [float(v) for v in self.ci_a],
            "ci_b": [float(v) for v in self.ci_b],
            "confidence_level": float(self.confidence_level),
            "ci_method": self.ci_method,
            "ci_method_name": CI_METHODS[self.ci_method],
            "difference": float(self.difference),
            "per_digit_a": [float(a) for a in self.per_digit_a],
            "per_digit_b": [float(a) for a in self.per_digit_b],
            "n_only_a_wrong": int(len(self.only_a_wrong)),
            "n_only_b_wrong": int(len(self.only_b_wrong)),
            "n_both_wrong": int(len(self.both_wrong)),
            "both_wrong_same": int(self.both_wrong_same),
            "mcnemar_b": int(self.b),
            "mcnemar_c": int(self.c),
            "mcnemar_p": float(self.p_value),
            "mcnemar_test": "exact (two-sided binomial test of b in b + c trials, p = 0.5)",
        }


def wilson_interval(k: int, n: int, confidence_level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for k successes in n trials (what scipy's ``method="wilson"`` gives)."""
    if n <= 0:
        raise ValueError(f"an interval needs at least one trial, got n = {n}")
    z = statistics.NormalDist().inv_cdf(0.5 + confidence_level / 2)
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def accuracy_ci(correct: int, n: int, confidence_level: float = 0.95,
                method: str = "wilson") -> tuple[float, float]:
    """Confidence interval (low, high) for an accuracy of ``correct`` out of ``n``."""
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {sorted(CI_METHODS)}, got {method!r}")
    if method == "wilson":  # closed form, so page tables need not import scipy.stats (see the note on imports)
        return wilson_interval(int(correct), int(n), confidence_level)
    from scipy import stats

    ci = stats.binomtest(int(correct), int(n)).proportion_ci(confidence_level=confidence_level, method=method)
    return float(ci.low), float(ci.high)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for ``b`` and ``c`` discordant pairs (1.0 when there are none)."""
    if b < 0 or c < 0:
        raise ValueError(f"b and c must not be negative, got {b}, {c}")
    if b + c == 0:
        return 1.0
    from scipy import stats

    return float(stats.binomtest(int(b), int(b + c), 0.5, alternative="two-sided").pvalue)


def compare(true_labels: np.ndarray, predicted_a: np.ndarray, predicted_b: np.ndarray,
            name_a: str = "A", name_b: str = "B", confidence_level: float = 0.95,
            ci_method: str = "wilson") -> Comparison:
    """Compare two classifiers' predictions on the same test digits (see the module docstring)."""
    truth = np.asarray(true_labels)
    pred_a, pred_b = np.asarray(predicted_a), np.asarray(predicted_b)
    if truth.ndim != 1 or pred_a.shape != truth.shape or pred_b.shape != truth.shape:
        raise ValueError(f"labels and both predictions must be 1-D of one length, got shapes "
                         f"{truth.shape}, {pred_a.shape}, {pred_b.shape}")
    if len(truth) == 0:
        raise ValueError("nothing to compare: no test digits")
    eval_a, eval_b = evaluate_predictions(truth, pred_a), evaluate_predictions(truth, pred_b)
    wrong_a, wrong_b = pred_a != truth, pred_b != truth
    only_a = np.flatnonzero(wrong_a & ~wrong_b)
    only_b = np.flatnonzero(~wrong_a & wrong_b)
    both = np.flatnonzero(wrong_a & wrong_b)
    n = len(truth)
    return Comparison(
        name_a=name_a,
        name_b=name_b,
        n=n,
        accuracy_a=eval_a["test_accuracy"],
        accuracy_b=eval_b["test_accuracy"],
        ci_a=accuracy_ci(n - int(wrong_a.sum()), n, confidence_level, ci_method),
        ci_b=accuracy_ci(n - int(wrong_b.sum()), n, confidence_level, ci_method),
        confidence_level=float(confidence_level),
        ci_method=ci_method,
        per_digit_a=eval_a["per_digit_accuracy"],
        per_digit_b=eval_b["per_digit_accuracy"],
        only_a_wrong=only_a,
        only_b_wrong=only_b,
        both_wrong=both,
        both_wrong_same=int(np.sum(pred_a[both] == pred_b[both])),
        b=len(only_b),
        c=len(only_a),
        p_value=mcnemar_exact(len(only_b), len(only_a)),
    )
