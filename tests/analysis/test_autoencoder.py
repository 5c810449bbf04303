"""Tests for mnistreport.analysis.autoencoder: a tiny model on synthetic 8x8 images."""

import json
import pickle

import numpy as np
import pytest

from mnistreport.analysis import autoencoder as ae


def _images(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """8x8 uint8 images: digit d lights row d % 8 (and column d for d >= 8)."""
    labels = np.arange(n) % 10
    images = (rng.random((n, 8, 8)) < 0.05) * rng.integers(0, 60, (n, 8, 8))
    for i, d in enumerate(labels):
        images[i, d % 8, :] = 255
        if d >= 8:
            images[i, :, d - 8] = 255
    return images.astype(np.uint8), labels


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    train, _ = _images(400, rng)
    test, test_labels = _images(60, rng)
    return train, test, test_labels


SMALL = ae.AutoencoderParams(code_size=4, batch_size=64, max_epochs=6, patience=2, learning_rate=0.02,
                             validation_fraction=0.2, seed=0)


@pytest.fixture(scope="module")
def trained(data):
    train, test, test_labels = data
    return ae.train_autoencoder(train, test, test_labels, SMALL)


def test_shapes_and_history(trained, data):
    train, _, test_labels = data
    assert trained.epochs == len(trained.loss) == len(trained.val_loss)
    assert 1 <= trained.epochs <= SMALL.max_epochs
    assert 1 <= trained.best_epoch <= trained.epochs
    assert trained.loss[-1] < trained.loss[0]  # it learns
    assert trained.codes_train.shape == (400, 4) and trained.codes_train.dtype == np.float32
    assert (trained.codes_train >= 0).all()  # relu codes
    assert trained.weights.encoder_kernel.shape == (64, 4)
    assert trained.weights.decoder_kernel.shape == (4, 64)
    np.testing.assert_array_equal(test_labels[trained.example_indices], np.arange(10))
    np.testing.assert_array_equal(trained.example_indices, np.arange(10))  # first of each class
    assert trained.example_codes.shape == (10, 4)
    assert trained.example_reconstructions.shape == (10, 64)


def test_numpy_encode_decode_and_test_loss(trained, data):
    train, test, _ = data
    np.testing.assert_allclose(ae.encode(trained, train), trained.codes_train, atol=1e-6)
    x_test = ae.to_unit(test)
    reconstruction = ae.decode(trained, ae.encode(trained, test))
    assert reconstruction.min() >= 0 and reconstruction.max() <= 1
    assert trained.test_loss == pytest.approx(ae.binary_crossentropy(x_test, reconstruction))
    np.testing.assert_allclose(ae.decode(trained, trained.example_codes), trained.example_reconstructions)


def test_binary_crossentropy_known_value():
    x = np.array([[1.0, 0.0]])
    p = np.array([[0.5, 0.5]])
    assert ae.binary_crossentropy(x, p) == pytest.approx(np.log(2))


def test_early_stopping_stops_after_patience(data):
    train, test, test_labels = data
    params = ae.recipe_params(code_size=2, batch_size=64, max_epochs=20, patience=2, learning_rate=0.0)
    result = ae.train_autoencoder(train, test, test_labels, params)
    assert result.epochs == params.patience + 1  # lr 0: epoch 1 stays the best
    assert result.best_epoch == 1


def test_deterministic(trained, data):
    train, test, test_labels = data
    again = ae.train_autoencoder(train, test, test_labels, SMALL)
    assert again.loss == trained.loss
    np.testing.assert_array_equal(again.codes_train, trained.codes_train)


def test_validation_split():
    train_idx, val_idx = ae.split_validation(100, 0.1, seed=3)
    assert len(val_idx) == 10 and len(train_idx) == 90
    assert np.intersect1d(train_idx, val_idx).size == 0
    np.testing.assert_array_equal(val_idx, ae.split_validation(100, 0.1, seed=3)[1])
    assert not np.array_equal(val_idx, ae.split_validation(100, 0.1, seed=4)[1])


def test_summary_json_and_pickle(trained):
    summary = json.loads(json.dumps(trained.summary()))
    assert summary["epochs"] == trained.epochs
    assert summary["test_loss"] == pytest.approx(trained.test_loss)
    again = pickle.loads(pickle.dumps(trained))
    np.testing.assert_array_equal(again.weights.decoder_bias, trained.weights.decoder_bias)


def test_recipe_keeps_published_settings():
    assert ae.RECIPE.learning_rate == 0.001
    assert (ae.RECIPE.code_size, ae.RECIPE.batch_size, ae.RECIPE.max_epochs, ae.RECIPE.patience) == (36, 2024, 200, 5)
