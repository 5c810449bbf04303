"""The autoencoder chapter: a small dense autoencoder (Keras) and its 36-value codes.

The recipe: 784 inputs scaled to [0, 1] -> Dense(36, relu) -> Dense(784,
sigmoid), Adam (learning rate 0.001), binary cross-entropy, batch size 2024,
at most 200 epochs, early stopping with patience 5.

What this module changes, and why (the chapter says so too):

* **Validation part.** The recipe stopped on the *test* loss, which lets the
  test set choose the model. Here a seeded ``validation_fraction`` of the
  training images is held out; training stops on its loss and the test loss is
  measured once, afterwards. The weights of the last epoch that made
  progress are kept (``restore_best_weights``), not those of the epochs that
  only waited out the patience.
* **Learning rate 0.002 and a stopping threshold.** With lr 0.001 the recipe
  never stopped early; doubling the learning rate reaches its loss in fewer
  epochs (higher rates plateau higher, because ReLU code units die), and
  ``min_delta=1e-4`` makes an epoch count as progress only if the validation
  loss drops by at least 0.0001, so patience 5 ends training once the curve has
  flattened. ``RECIPE`` keeps lr 0.001 and ``min_delta=0`` so the benchmark
  (``benchmarks/models.py``) can compare the two. Why: docs/DECISIONS.md,
  "Autoencoder early stopping and learning rate".
* **Not changed: compiled steps.** Keras turns XLA (``jit_compile``) off
  when TensorFlow's op determinism is on, and determinism matters more here
  (cached, reproducible numbers). Why: docs/DECISIONS.md, "No XLA (compiled
  steps) for the Keras models".

The trained weights are stored as NumPy arrays (no Keras object), so the
result pickles; :func:`encode` / :func:`decode` run the model in NumPy.
TensorFlow is imported lazily inside :func:`train_autoencoder`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass, replace
from typing import Iterator

import numpy as np

from mnistreport.analysis.describe import scale_pixels


@dataclass(frozen=True)
class AutoencoderParams:
    """Model and training settings; the defaults are the project's (faster) ones."""

    code_size: int = 36
    batch_size: int = 2024
    max_epochs: int = 200
    patience: int = 5
    learning_rate: float = 0.002
    validation_fraction: float = 0.1
    seed: int = 0
    restore_best_weights: bool = True
    min_delta: float = 1e-4  # smallest drop of the validation loss that counts as progress


# The published recipe (Adam's default lr, last-epoch weights), apart from
# stopping on a held-out validation part instead of the test set.
RECIPE = AutoencoderParams(learning_rate=0.001, restore_best_weights=False, min_delta=0.0)


@dataclass(frozen=True)
class AutoencoderWeights:
    """Dense-layer weights as Keras stores them (x @ kernel + bias)."""

    encoder_kernel: np.ndarray  # (784, code_size)
    encoder_bias: np.ndarray  # (code_size,)
    decoder_kernel: np.ndarray  # (code_size, 784)
    decoder_bias: np.ndarray  # (784,)


@dataclass(frozen=True)
class AutoencoderResult:
    """Training history, test loss, weights and the codes the report draws."""

    params: AutoencoderParams
    weights: AutoencoderWeights
    loss: list[float]  # training loss per epoch
    val_loss: list[float]  # validation loss per epoch
    epochs: int  # epochs actually run
    best_epoch: int  # 1-based last epoch that improved the validation loss by >= min_delta
    test_loss: float  # binary cross-entropy on the test set, with the kept weights (best_epoch's
    # when restore_best_weights, else the last epoch's)
    codes_train: np.ndarray  # (N_train, code_size) float32, all training images
    example_indices: np.ndarray  # (10,) test index of the first test image of each digit
    example_codes: np.ndarray  # (10, code_size) float32
    example_reconstructions: np.ndarray  # (10, 784) float32 in [0, 1]
    seconds: float  # training time (fit only)

    def summary(self) -> dict:
        """JSON-able numbers for results.json."""
        return {
            "epochs": int(self.epochs),
            "best_epoch": int(self.best_epoch),
            "test_loss": float(self.test_loss),
            "final_loss": float(self.loss[-1]),
            "final_val_loss": float(self.val_loss[-1]),
            "best_val_loss": float(min(self.val_loss)),
            "seconds": float(self.seconds),
            "seconds_per_epoch": float(self.seconds / max(self.epochs, 1)),
            "learning_rate": float(self.params.learning_rate),
            "batch_size": int(self.params.batch_size),
            "code_size": int(self.params.code_size),
            "patience": int(self.params.patience),
            "min_delta": float(self.params.min_delta),
            "validation_fraction": float(self.params.validation_fraction),
            "seed": int(self.params.seed),
        }


def to_unit(images: np.ndarray) -> np.ndarray:
    """(N, 784) float32 in [0, 1]: uint8 images scaled by ``dataset.scale_pixels``, floats kept as they are."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return scale_pixels(images)
    return images.reshape(len(images), -1).astype(np.float32, copy=False)


def encode(result: AutoencoderResult | AutoencoderWeights, images: np.ndarray) -> np.ndarray:
    """Codes (N, code_size) float32 = relu(x @ W_enc + b_enc), in NumPy."""
    w = result.weights if isinstance(result, AutoencoderResult) else result
    return np.maximum(to_unit(images) @ w.encoder_kernel + w.encoder_bias, 0.0).astype(np.float32)


def decode(result: AutoencoderResult | AutoencoderWeights, codes: np.ndarray) -> np.ndarray:
    """Reconstructions (N, 784) float32 in [0, 1] = sigmoid(code @ W_dec + b_dec), in NumPy."""
    w = result.weights if isinstance(result, AutoencoderResult) else result
    logits = np.asarray(codes, np.float32) @ w.decoder_kernel + w.decoder_bias
    return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)


def binary_crossentropy(x: np.ndarray, reconstruction: np.ndarray, eps: float = 1e-7) -> float:
    """Mean binary cross-entropy over images and pixels, clipped like Keras."""
    p = np.clip(reconstruction.astype(np.float64), eps, 1.0 - eps)
    x = x.astype(np.float64)
    return float(-np.mean(x * np.log(p) + (1.0 - x) * np.log(1.0 - p)))


def split_validation(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train_indices, validation_indices), both sorted; at least one image in each."""
    n_val = min(max(int(round(n * fraction)), 1), n - 1)
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


def first_of_each_class(labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Index of the first occurrence of each class 0..n_classes-1 (classes must all occur)."""
    labels = np.asarray(labels)
    return np.array([int(np.flatnonzero(labels == d)[0]) for d in range(n_classes)], dtype=np.int64)


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide what TensorFlow's C++ code prints while it loads (it ignores TF_CPP_MIN_LOG_LEVEL for
    messages logged before absl is initialised); Python's own errors still show after it."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _import_tensorflow():
    """Import Keras and TensorFlow quietly (lazily: TensorFlow is slow to import)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _native_stderr_silenced():
        import keras  # noqa: PLC0415
        import tensorflow as tf  # noqa: PLC0415
    return keras, tf


def train_autoencoder(train_images: np.ndarray, test_images: np.ndarray, test_labels: np.ndarray,
                      params: AutoencoderParams = AutoencoderParams()) -> AutoencoderResult:
    """Train the autoencoder with early stopping on a held-out validation part; evaluate on test.

    Seeds Python, NumPy and TensorFlow with ``params.seed`` and turns on TF op
    determinism, so a rerun on the same CPU gives the same numbers.
    """
    keras, tf = _import_tensorflow()

    keras.utils.set_random_seed(params.seed)
    tf.config.experimental.enable_op_determinism()
    x_all = to_unit(train_images)
    x_test = to_unit(test_images)
    train_idx, val_idx = split_validation(len(x_all), params.validation_fraction, params.seed)
    x_train, x_val = x_all[train_idx], x_all[val_idx]

    model = keras.Sequential([
        keras.Input((x_all.shape[1],)),
        keras.layers.Dense(params.code_size, activation="relu"),
        keras.layers.Dense(x_all.shape[1], activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(params.learning_rate), loss="binary_crossentropy")
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=params.patience, min_delta=params.min_delta,
                                         restore_best_weights=params.restore_best_weights)
    start = time.perf_counter()
    history = model.fit(x_train, x_train, batch_size=params.batch_size, epochs=params.max_epochs,
                        validation_data=(x_val, x_val), callbacks=[stop], shuffle=True, verbose=0)
    seconds = time.perf_counter() - start

    (enc_k, enc_b), (dec_k, dec_b) = (layer.get_weights() for layer in model.layers)
    weights = AutoencoderWeights(encoder_kernel=enc_k, encoder_bias=enc_b, decoder_kernel=dec_k, decoder_bias=dec_b)
    keras.backend.clear_session()

    loss = [float(v) for v in history.history["loss"]]
    val_loss = [float(v) for v in history.history["val_loss"]]
    examples = first_of_each_class(test_labels)
    example_codes = encode(weights, x_test[examples])
    return AutoencoderResult(
        params=params,
        weights=weights,
        loss=loss,
        val_loss=val_loss,
        epochs=len(loss),
        best_epoch=int(stop.best_epoch) + 1,
        test_loss=binary_crossentropy(x_test, decode(weights, encode(weights, x_test))),
        codes_train=encode(weights, x_all),
        example_indices=examples,
        example_codes=example_codes,
        example_reconstructions=decode(weights, example_codes),
        seconds=float(seconds),
    )


def recipe_params(**changes) -> AutoencoderParams:
    """The recipe's settings (see ``RECIPE``), optionally with some fields changed (e.g. for tests)."""
    return replace(RECIPE, **changes)
