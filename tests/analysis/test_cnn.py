"""Tests for mnistreport.analysis.cnn: layer shapes, a tiny deterministic training run, result fields."""

import dataclasses
import json
import pickle

import numpy as np
import pytest

from conftest import make_tiny_mnist
from mnistreport.analysis import cnn, mlp

# Small enough that one training run on the tiny data takes a few seconds.
SMALL = cnn.CnnParams(conv1_filters=4, conv2_filters=8, dense=16, batch_size=32, max_epochs=3,
                      patience=1, learning_rate=0.005, seed=0)


@pytest.fixture(scope="module")
def tiny():
    return make_tiny_mnist(n_train=300, n_test=100, seed=0)


@pytest.fixture(scope="module")
def trained(tiny):
    return cnn.run_cnn(tiny.train_images, tiny.train_labels, tiny.test_images, tiny.test_labels, SMALL)


@pytest.mark.parametrize("kernel, maps", [(5, (24, 12, 8, 4)), (3, (26, 13, 11, 5))])
def test_layer_output_shapes(kernel, maps):
    params = cnn.CnnParams(kernel_size=kernel)
    table = cnn.layer_table(cnn.build_model(params))
    c1, p1, c2, p2 = maps
    flat = p2 * p2 * 32
    assert table == [
        ("conv1", (c1, c1, 16), kernel * kernel * 16 + 16),
        ("pool1", (p1, p1, 16), 0),
        ("conv2", (c2, c2, 32), kernel * kernel * 16 * 32 + 32),
        ("pool2", (p2, p2, 32), 0),
        ("flatten", (flat,), 0),
        ("dropout1", (flat,), 0),
        ("dense", (128,), flat * 128 + 128),
        ("dropout2", (128,), 0),
        ("output", (10,), 128 * 10 + 10),
    ]


def test_default_model_size():
    assert cnn.build_model(cnn.CnnParams()).count_params() == 80_202


def test_same_seed_same_result(trained, tiny):
    again = cnn.run_cnn(tiny.train_images, tiny.train_labels, tiny.test_images, tiny.test_labels, SMALL)
    np.testing.assert_array_equal(again.predictions, trained.predictions)
    np.testing.assert_array_equal(again.test_scores, trained.test_scores)
    for a, b in zip(again.weights.as_list(), trained.weights.as_list()):
        np.testing.assert_array_equal(a, b)
    assert again.val_loss == trained.val_loss


def test_result_is_consistent(trained, tiny):
    r = trained
    assert r.predictions.shape == (100,) and r.predictions.dtype == np.uint8
    assert r.test_scores.shape == (100, 10) and r.test_scores.dtype == np.float32
    np.testing.assert_allclose(r.test_scores.sum(axis=1), 1.0, atol=1e-5)  # softmax
    np.testing.assert_array_equal(r.predictions, r.test_scores.argmax(axis=1))
    expected = mlp.evaluate_predictions(tiny.test_labels, r.predictions)
    assert r.test_accuracy == expected["test_accuracy"]
    np.testing.assert_array_equal(r.confusion, expected["confusion"])
    np.testing.assert_array_equal(r.misclassified, expected["misclassified"])
    assert r.mistaken_for == expected["mistaken_for"]
    assert 1 <= r.best_epoch <= r.epochs <= SMALL.max_epochs
    assert len(r.train_accuracy) == len(r.val_accuracy) == len(r.train_loss) == len(r.val_loss) == r.epochs
    assert r.val_loss[r.best_epoch - 1] == min(r.val_loss)
    assert r.n_train + r.n_validation == 300 and r.n_validation == 30
    assert r.n_parameters == sum(n for _, _, n in r.layers)
    assert r.weights.conv1_kernel.shape == (5, 5, 1, 4)
    assert f"{r.n_parameters:,} parameters" in r.method and f"epoch {r.best_epoch}" in r.method
    # The stored weights are the kept ones: rebuilding the model from them gives the same scores.
    np.testing.assert_allclose(cnn.predict_scores(r, tiny.test_images), r.test_scores, atol=1e-6)


def test_fields_and_summary_match_mlp(trained, tiny):
    mlp_fields = [f.name for f in dataclasses.fields(mlp.MlpResult)]
    cnn_fields = [f.name for f in dataclasses.fields(cnn.CnnResult)]
    assert cnn_fields[:len(mlp_fields)] == mlp_fields
    mlp_result = mlp.run_mlp(tiny.train_images, tiny.train_labels, tiny.test_images, tiny.test_labels,
                             mlp.MlpParams(hidden=10, epochs=1))
    mlp_keys = list(mlp_result.summary())
    summary = json.loads(json.dumps(trained.summary()))  # JSON-able
    assert list(summary)[:len(mlp_keys)] == mlp_keys
    assert summary["epochs"] == trained.epochs and summary["hidden"] == SMALL.dense
    assert summary["method"] == trained.method


def test_pickles(trained):
    again = pickle.loads(pickle.dumps(trained))
    np.testing.assert_array_equal(again.weights.dense_kernel, trained.weights.dense_kernel)
    assert again.summary() == trained.summary()


@pytest.mark.parametrize("change", [{"dropout": 1.0}, {"kernel_size": 0}, {"validation_fraction": 0.0},
                                    {"lr_decay": 1.5}, {"patience": -1}])
def test_bad_params_rejected(change):
    with pytest.raises(ValueError):
        cnn.CnnParams(**change)
