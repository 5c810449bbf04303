"""Tests for mnistreport.analysis.comparison on small hand-made predictions with known answers."""

import json

import numpy as np
import pytest

from mnistreport.analysis import comparison


@pytest.fixture
def case():
    """20 digits: A wrong on 9 that B gets right, B wrong on 1 that A gets right, both wrong on 2."""
    truth = np.arange(20) % 10
    a = truth.copy()
    b = truth.copy()
    a[0:9] = (truth[0:9] + 1) % 10  # only A wrong: indices 0-8
    b[9] = 0  # only B wrong: index 9 (true 9)
    a[10], b[10] = 5, 5  # both wrong, same answer (true 0)
    a[11], b[11] = 3, 4  # both wrong, different answers (true 1)
    return truth, a, b


def test_disagreements_and_mcnemar(case):
    truth, a, b = case
    c = comparison.compare(truth, a, b, "MLP", "CNN")
    np.testing.assert_array_equal(c.only_a_wrong, np.arange(9))
    np.testing.assert_array_equal(c.only_b_wrong, [9])
    np.testing.assert_array_equal(c.both_wrong, [10, 11])
    assert c.both_wrong_same == 1
    assert (c.b, c.c) == (1, 9)
    assert c.p_value == pytest.approx(0.021484375, abs=1e-12)  # 2 * (1 + 10) / 2**10
    assert c.accuracy_a == pytest.approx(9 / 20) and c.accuracy_b == pytest.approx(17 / 20)
    assert c.difference == pytest.approx((c.c - c.b) / c.n)
    np.testing.assert_allclose(c.per_digit_a, [0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.0])
    np.testing.assert_allclose(c.per_digit_b, [0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 0.5])


def test_swapping_a_and_b_swaps_b_and_c(case):
    truth, a, b = case
    c = comparison.compare(truth, b, a)
    assert (c.b, c.c) == (9, 1)
    assert c.p_value == pytest.approx(0.021484375, abs=1e-12)


def test_no_discordant_pairs():
    truth = np.array([1, 2, 3, 4])
    pred = np.array([1, 2, 0, 4])
    c = comparison.compare(truth, pred, pred.copy())
    assert (c.b, c.c) == (0, 0) and c.p_value == 1.0
    assert len(c.only_a_wrong) == len(c.only_b_wrong) == 0
    np.testing.assert_array_equal(c.both_wrong, [2])
    assert comparison.mcnemar_exact(0, 0) == 1.0
    assert comparison.mcnemar_exact(5, 5) == pytest.approx(1.0)


@pytest.mark.parametrize("method, known", [("wilson", (0.4902, 0.9433)), ("exact", (0.4439, 0.9748))])
def test_accuracy_ci_known_values(method, known):
    low, high = comparison.accuracy_ci(8, 10, method=method)  # textbook values for 8 of 10
    assert (low, high) == pytest.approx(known, abs=1e-4)


@pytest.mark.parametrize("method", ["wilson", "exact"])
def test_ci_contains_accuracy(case, method):
    truth, a, b = case
    c = comparison.compare(truth, a, b, ci_method=method)
    for acc, (low, high) in ((c.accuracy_a, c.ci_a), (c.accuracy_b, c.ci_b)):
        assert 0 <= low < acc < high <= 1
    perfect = comparison.compare(truth, truth, a, ci_method=method)
    assert perfect.accuracy_a == 1.0 and perfect.ci_a[1] == pytest.approx(1.0) and perfect.ci_a[0] < 1.0


def test_summary_is_json(case):
    truth, a, b = case
    s = json.loads(json.dumps(comparison.compare(truth, a, b, "MLP", "CNN").summary()))
    assert (s["mcnemar_b"], s["mcnemar_c"]) == (1, 9)
    assert s["n_only_a_wrong"] == 9 and s["n_only_b_wrong"] == 1 and s["n_both_wrong"] == 2
    assert s["ci_method_name"] == "Wilson score" and s["confidence_level"] == 0.95


def test_bad_input_rejected():
    with pytest.raises(ValueError):
        comparison.compare(np.array([1, 2]), np.array([1]), np.array([1, 2]))
    with pytest.raises(ValueError):
        comparison.compare(np.array([], int), np.array([], int), np.array([], int))
    with pytest.raises(ValueError):
        comparison.accuracy_ci(1, 2, method="normal")


@pytest.mark.parametrize("k, n, level", [(0, 10, 0.95), (10, 10, 0.95), (8, 10, 0.95), (9713, 10000, 0.95),
                                         (3, 7, 0.9), (1, 1, 0.99)])
def test_the_closed_form_wilson_interval_is_scipys(k, n, level):
    from scipy import stats

    expected = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    assert comparison.wilson_interval(k, n, level) == pytest.approx((expected.low, expected.high), abs=1e-12)
