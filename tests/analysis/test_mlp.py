"""Tests for mnistreport.analysis.mlp on small synthetic data."""

import json
import pickle

import numpy as np
import pytest

from mnistreport.analysis import mlp


def _loss(w_hidden: np.ndarray, w_output: np.ndarray, x: np.ndarray, target: np.ndarray) -> float:
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    out = sig(w_output @ sig(w_hidden @ x))
    return 0.5 * float(np.sum((target - out) ** 2))


def _numerical_gradient(f, w: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        saved = w[idx]
        w[idx] = saved + eps
        plus = f()
        w[idx] = saved - eps
        minus = f()
        w[idx] = saved
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


@pytest.fixture
def toy_problem():
    """Ten well-separated 'digits' on 6x6 images: class d lights pixels 3d..3d+5, plus noise."""
    rng = np.random.default_rng(1)
    n = 600
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = (rng.random((n, 36)) < 0.05) * rng.integers(0, 80, (n, 36))
    for i, d in enumerate(labels):
        images[i, 3 * d:3 * d + 6] = rng.integers(180, 256, 6)
    images = images.astype(np.uint8)
    images[0] = 0  # an all-zero image must not break the sparse path
    return images[:500], labels[:500], images[500:], labels[500:]


def sparse_images(n: int, rng: np.random.Generator) -> np.ndarray:
    """MNIST-like: 28x28 uint8 with ~80 % zeros."""
    return ((rng.random((n, 28, 28)) < 0.2) * rng.integers(1, 256, (n, 28, 28))).astype(np.uint8)


@pytest.mark.parametrize("hidden_error", ["gradient", "book"])
def test_update_direction(hidden_error):
    """'gradient' equals -lr * numerical gradient; 'book' matches it on the output layer only."""
    rng = np.random.default_rng(0)
    w_hidden = rng.normal(0, 1, (4, 7))
    w_output = rng.normal(0, 1, (10, 4))
    x = rng.random(7) * 0.99 + 0.01
    target = mlp.target_vectors()[3]
    lr = 0.1
    d_hidden, d_output = mlp.sgd_updates(w_hidden, w_output, x, target, lr, hidden_error)
    loss = lambda: _loss(w_hidden, w_output, x, target)  # noqa: E731
    g_hidden = _numerical_gradient(loss, w_hidden)
    g_output = _numerical_gradient(loss, w_output)
    np.testing.assert_allclose(d_output, -lr * g_output, rtol=1e-5, atol=1e-9)
    if hidden_error == "gradient":
        np.testing.assert_allclose(d_hidden, -lr * g_hidden, rtol=1e-5, atol=1e-9)
    else:
        assert not np.allclose(d_hidden, -lr * g_hidden, rtol=1e-3)


@pytest.mark.parametrize("hidden_error", ["gradient", "book"])
def test_fast_matches_plain(hidden_error):
    rng = np.random.default_rng(2)
    images = sparse_images(300, rng)
    images[5] = 0
    labels = rng.integers(0, 10, 300)
    params = mlp.MlpParams(hidden=20, epochs=2, seed=4, hidden_error=hidden_error)
    plain = mlp.train_mlp_plain(images, labels, params)
    fast = mlp.train_mlp(images, labels, params)
    init = mlp.init_weights(params)
    assert np.abs(plain.w_hidden - init.w_hidden).max() > 1e-3  # it did learn something
    np.testing.assert_allclose(fast.w_hidden, plain.w_hidden, atol=2e-5)
    np.testing.assert_allclose(fast.w_output, plain.w_output, atol=2e-5)
    assert fast.w_hidden.dtype == np.float32


def test_init_weights_scale_and_seed():
    a = mlp.init_weights(mlp.MlpParams(hidden=200, seed=0))
    b = mlp.init_weights(mlp.MlpParams(hidden=200, seed=0))
    c = mlp.init_weights(mlp.MlpParams(hidden=200, seed=1))
    assert a.w_hidden.shape == (200, 784) and a.w_output.shape == (10, 200)
    np.testing.assert_array_equal(a.w_hidden, b.w_hidden)
    assert not np.array_equal(a.w_hidden, c.w_hidden)
    assert abs(a.w_hidden.std() - 784**-0.5) < 0.002
    assert abs(a.w_output.std() - 200**-0.5) < 0.01


def test_scaling_and_targets():
    x = mlp.scale_inputs(np.array([[0, 255]], np.uint8))
    np.testing.assert_allclose(x, [[0.01, 1.0]])
    t = mlp.target_vectors()
    assert t[7, 7] == pytest.approx(0.99) and t[7, 0] == pytest.approx(0.01)


def test_learns_separable_toy_problem(toy_problem):
    train_x, train_y, test_x, test_y = toy_problem
    params = mlp.MlpParams(hidden=30, epochs=5, learning_rate=0.3, seed=0)
    result = mlp.run_mlp(train_x, train_y, test_x, test_y, params)
    assert result.test_accuracy >= 0.95
    assert result.predictions.shape == (100,) and result.predictions.dtype == np.uint8
    assert result.confusion.shape == (10, 10)
    assert result.confusion.sum() == 100
    np.testing.assert_array_equal(result.confusion.sum(axis=1), np.bincount(test_y, minlength=10))
    assert result.test_accuracy == pytest.approx(np.trace(result.confusion) / 100)
    np.testing.assert_array_equal(result.misclassified, np.flatnonzero(result.predictions != test_y))
    # what each digit is most often mistaken for: the largest count off the diagonal of its row
    for d in range(10):
        others = np.delete(result.confusion[d], d)
        assert result.confusion[d, result.mistaken_for[d]] == others.max()
    np.testing.assert_array_equal(mlp.predict(result.weights, test_x), result.predictions)


def test_summary_is_json_and_result_pickles(toy_problem):
    train_x, train_y, test_x, test_y = toy_problem
    result = mlp.run_mlp(train_x, train_y, test_x, test_y, mlp.MlpParams(hidden=10, epochs=1))
    summary = json.loads(json.dumps(result.summary()))
    assert set(["test_accuracy", "per_digit_accuracy", "confusion", "seconds"]) <= set(summary)
    assert len(summary["per_digit_accuracy"]) == 10
    assert np.array(summary["confusion"]).shape == (10, 10)
    again = pickle.loads(pickle.dumps(result))
    np.testing.assert_array_equal(again.weights.w_hidden, result.weights.w_hidden)


def test_deterministic(toy_problem):
    train_x, train_y, _, _ = toy_problem
    params = mlp.MlpParams(hidden=10, epochs=1, seed=3)
    a = mlp.train_mlp(train_x, train_y, params)
    b = mlp.train_mlp(train_x, train_y, params)
    np.testing.assert_array_equal(a.w_hidden, b.w_hidden)


def test_confusion_matrix_orientation():
    cm = mlp.confusion_matrix(np.array([1, 1, 2]), np.array([1, 7, 2]))
    assert cm[1, 7] == 1 and cm[7, 1] == 0 and cm[1, 1] == 1 and cm.sum() == 3


def test_evaluate_predictions_hand_made():
    """The shared evaluation (MLP, CNN, comparison) on a case worked out by hand."""
    truth = np.array([0, 0, 1, 1, 1, 2, 3, 3])
    pred = np.array([0, 9, 1, 7, 7, 2, 3, 5])
    ev = mlp.evaluate_predictions(truth, pred)
    assert ev["predictions"].dtype == np.uint8
    assert ev["test_accuracy"] == pytest.approx(4 / 8)
    np.testing.assert_allclose(ev["per_digit_accuracy"][:4], [0.5, 1 / 3, 1.0, 0.5])
    assert ev["per_digit_accuracy"][4] == 0.0  # absent digit
    assert ev["confusion"][1, 7] == 2 and ev["confusion"].sum() == 8
    np.testing.assert_array_equal(ev["misclassified"], [1, 3, 4, 7])
    assert ev["mistaken_for"][:4] == [9, 7, 0, 5]  # digit 2 has no error: lowest other digit


def test_bad_hidden_error_rejected():
    with pytest.raises(ValueError):
        mlp.MlpParams(hidden_error="other")
