"""The classifier chapter, second classifier: a small Keras convolutional network beside the NumPy MLP.

The architecture (defaults of :class:`CnnParams`)::

    28x28x1 in [0, 1]
    -> Conv2D(16, 5x5, valid, ReLU) -> MaxPool 2x2      24x24x16 -> 12x12x16
    -> Conv2D(32, 5x5, valid, ReLU) -> MaxPool 2x2       8x8x32  ->  4x4x32
    -> Flatten (512) -> Dropout 0.25 -> Dense(128, ReLU) -> Dropout 0.25
    -> Dense(10, softmax)                                80,202 parameters

trained with Adam on sparse categorical cross-entropy, batch size 256, the
learning rate starting at 0.002 and multiplied by 0.8 per epoch (smoothly,
per step), early stopping on the validation loss of a seeded 10 % of the
training images (patience 3, at most 12 epochs, the best epoch's weights
kept), then evaluated once on the 10,000 test images.

Why this shape, for 2 CPU cores (the trials' figures: docs/DECISIONS.md, "CNN
defaults"; ``benchmarks/cnn.py`` measures the defaults):

* **Few filters, valid padding.** On a CPU the cost is mostly the second
  convolution (input channels x output channels x kernel area x output
  positions), so it gets few filters: 16 then 32.
* **5x5 kernels.** They shrink the map to 4x4 before the dense layer, so the
  model has fewer parameters than with 3x3 kernels (80,202 against 108,618).
* **Batch 256, learning rate 0.002 decaying by 0.8 per epoch.** A larger
  batch runs faster per epoch on a CPU; the larger starting rate makes up for
  the fewer steps, and the decay lets the last epochs settle.
* **At most 12 epochs.** The cap bounds the training time (target: at most
  3 minutes on 2 cores): early stopping is the guard, the cap the budget.
* **Deterministic.** ``keras.utils.set_random_seed`` and TensorFlow's op
  determinism: the same seed on the same data and CPU gives the same
  predictions (Keras then leaves XLA off, as in the autoencoder).

The held-out part is chosen with the autoencoder's :func:`split_validation`,
so both models stop on the same kind of split; the test set plays no part in
training or stopping.
The result keeps the weights as NumPy arrays (no Keras object, so it pickles)
and has the same evaluation fields as :class:`mlp.MlpResult`, computed by the
same :func:`mlp.evaluate_predictions`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from mnistreport.analysis.autoencoder import _import_tensorflow, split_validation
from mnistreport.analysis.mlp import N_CLASSES, evaluate_predictions, evaluation_summary


@dataclass(frozen=True)
class CnnParams:
    """Architecture and training settings (the ``[cnn]`` section of report.toml)."""

    conv1_filters: int = 16
    conv2_filters: int = 32
    kernel_size: int = 5  # both convolutions, square, valid padding
    dense: int = 128  # units of the hidden dense layer
    dropout: float = 0.25  # before and after the hidden dense layer
    batch_size: int = 256
    learning_rate: float = 0.002  # Adam's starting learning rate
    lr_decay: float = 0.8  # learning rate multiplied by this per epoch (1.0: constant)
    max_epochs: int = 12
    patience: int = 3  # epochs without a lower validation loss before stopping
    min_delta: float = 0.0  # smallest drop of the validation loss that counts as progress
    validation_fraction: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("conv1_filters", "conv2_filters", "kernel_size", "dense", "batch_size", "max_epochs"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.patience < 0 or self.min_delta < 0:
            raise ValueError("patience and min_delta must not be negative")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction}")
        if self.learning_rate <= 0 or not 0 < self.lr_decay <= 1:
            raise ValueError("learning_rate must be positive and lr_decay in (0, 1]")


@dataclass(frozen=True)
class CnnWeights:
    """The trained weights, as Keras stores them (kernels then biases, layer by layer)."""

    conv1_kernel: np.ndarray  # (k, k, 1, conv1_filters)
    conv1_bias: np.ndarray  # (conv1_filters,)
    conv2_kernel: np.ndarray  # (k, k, conv1_filters, conv2_filters)
    conv2_bias: np.ndarray  # (conv2_filters,)
    dense_kernel: np.ndarray  # (flattened, dense)
    dense_bias: np.ndarray  # (dense,)
    output_kernel: np.ndarray  # (dense, 10)
    output_bias: np.ndarray  # (10,)

    def as_list(self) -> list[np.ndarray]:
        """The arrays in the order of ``model.set_weights``."""
        return [getattr(self, f.name) for f in fields(self)]


@dataclass(frozen=True)
class CnnResult:
    """Trained CNN and its test evaluation: :class:`mlp.MlpResult`'s fields, then the CNN's own."""

    weights: CnnWeights
    params: CnnParams
    predictions: np.ndarray  # (N_test,) uint8
    test_scores: np.ndarray  # (N_test, 10) float32 softmax outputs
    test_accuracy: float
    per_digit_accuracy: np.ndarray  # (10,) float, recall of each true digit
    confusion: np.ndarray  # (10, 10) int, rows = true, cols = predicted
    misclassified: np.ndarray  # indices into the test set, ascending
    seconds: float  # training time only (model.fit, including the validation passes)
    mistaken_for: list[int]  # per digit: most common wrong prediction
    epochs: int  # epochs actually run
    best_epoch: int  # 1-based epoch whose weights were kept (lowest validation loss)
    train_accuracy: list[float]  # per epoch, on the training part, averaged over the epoch with dropout on
    val_accuracy: list[float]  # per epoch, on the held-out validation part
    train_loss: list[float]
    val_loss: list[float]
    n_parameters: int
    n_train: int  # images trained on (the training set minus the validation part)
    n_validation: int
    layers: list[tuple[str, tuple[int, ...], int]]  # (layer, output shape without batch, parameters)
    method: str  # the architecture and training in one paragraph, for the page

    def summary(self) -> dict:
        """JSON-able numbers for results.json: ``MlpResult.summary``'s keys, then the CNN's own."""
        p = self.params
        return {
            **evaluation_summary(self),
            "hidden": int(p.dense),
            "learning_rate": float(p.learning_rate),
            "epochs": int(self.epochs),
            "seed": int(p.seed),
            "best_epoch": int(self.best_epoch),
            "max_epochs": int(p.max_epochs),
            "seconds_per_epoch": float(self.seconds / max(self.epochs, 1)),
            "train_accuracy": [float(a) for a in self.train_accuracy],
            "val_accuracy": [float(a) for a in self.val_accuracy],
            "train_loss": [float(v) for v in self.train_loss],
            "val_loss": [float(v) for v in self.val_loss],
            "best_val_accuracy": float(self.val_accuracy[self.best_epoch - 1]),
            "n_parameters": int(self.n_parameters),
            "n_train": int(self.n_train),
            "n_validation": int(self.n_validation),
            "conv1_filters": int(p.conv1_filters),
            "conv2_filters": int(p.conv2_filters),
            "kernel_size": int(p.kernel_size),
            "dense": int(p.dense),
            "dropout": float(p.dropout),
            "batch_size": int(p.batch_size),
            "lr_decay": float(p.lr_decay),
            "patience": int(p.patience),
            "min_delta": float(p.min_delta),
            "validation_fraction": float(p.validation_fraction),
            "layers": [[name, list(shape), int(n)] for name, shape, n in self.layers],
            "method": self.method,
        }


def to_input(images: np.ndarray) -> np.ndarray:
    """(N, H, W, 1) float32 in [0, 1] from uint8 images (N, H, W); the CNN sees the image, not a vector."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be (N, height, width), got shape {images.shape}")
    return (images.astype(np.float32) / np.float32(255.0))[..., None]


def build_model(params: CnnParams, image_shape: tuple[int, int] = (28, 28)) -> Any:
    """The Keras model (uncompiled), layers named as in :class:`CnnWeights`."""
    keras, _ = _import_tensorflow()
    k = params.kernel_size
    layers = keras.layers
    return keras.Sequential([
        keras.Input((*image_shape, 1)),
        layers.Conv2D(params.conv1_filters, k, activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(params.conv2_filters, k, activation="relu", name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dropout(params.dropout, name="dropout1"),
        layers.Dense(params.dense, activation="relu", name="dense"),
        layers.Dropout(params.dropout, name="dropout2"),
        layers.Dense(N_CLASSES, activation="softmax", name="output"),
    ], name="cnn")


def layer_table(model: Any) -> list[tuple[str, tuple[int, ...], int]]:
    """(name, output shape without the batch axis, parameter count) of each layer."""
    return [(layer.name, tuple(int(d) for d in layer.output.shape[1:]), int(layer.count_params()))
            for layer in model.layers]


def _weights_of(model: Any) -> CnnWeights:
    arrays: dict[str, np.ndarray] = {}
    for name in ("conv1", "conv2", "dense", "output"):
        kernel, bias = model.get_layer(name).get_weights()
        arrays[f"{name}_kernel"], arrays[f"{name}_bias"] = kernel, bias
    return CnnWeights(**arrays)


def describe(params: CnnParams, *, n_parameters: int, n_train: int, n_validation: int,
             epochs: int, best_epoch: int) -> str:
    """One English paragraph stating exactly what was trained and how (the page quotes it)."""
    p, k = params, params.kernel_size
    decay = (f", multiplied by {p.lr_decay:g} per epoch (exponential decay, every step)"
             if p.lr_decay != 1 else " (constant)")
    stop = "stopped early" if epochs < p.max_epochs else "reached the cap"
    return (
        f"Keras CNN with {n_parameters:,} parameters: 28×28 input scaled to [0, 1] → "
        f"Conv2D {p.conv1_filters} filters {k}×{k} (valid, ReLU) → max-pool 2×2 → "
        f"Conv2D {p.conv2_filters} filters {k}×{k} (valid, ReLU) → max-pool 2×2 → flatten → "
        f"dropout {p.dropout:g} → Dense {p.dense} (ReLU) → dropout {p.dropout:g} → Dense 10 (softmax). "
        f"Trained with Adam, learning rate {p.learning_rate:g}{decay}, sparse categorical "
        f"cross-entropy, batch size {p.batch_size}, reshuffled each epoch, on {n_train:,} training "
        f"images; the other {n_validation:,} ({p.validation_fraction:.0%}, a seeded random choice) "
        f"were held out for early stopping on their loss (patience {p.patience}, at most "
        f"{p.max_epochs} epochs): it ran {epochs} epochs ({stop}) and kept the weights of "
        f"epoch {best_epoch}. Seed {p.seed}, TensorFlow op determinism on; evaluated once on "
        f"the test set."
    )


def run_cnn(train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray,
            test_labels: np.ndarray, params: CnnParams = CnnParams()) -> CnnResult:
    """Train with early stopping on a held-out part of the training set, then evaluate on test.

    Seeds Python, NumPy and TensorFlow with ``params.seed`` and turns on TF op
    determinism (for the rest of the process, as the autoencoder does), so a
    rerun on the same data and CPU gives the same predictions.
    """
    keras, tf = _import_tensorflow()
    keras.utils.set_random_seed(params.seed)
    tf.config.experimental.enable_op_determinism()

    x_all = to_input(train_images)
    y_all = np.asarray(train_labels).astype(np.int64)
    train_idx, val_idx = split_validation(len(x_all), params.validation_fraction, params.seed)
    model = build_model(params, x_all.shape[1:3])
    steps_per_epoch = -(-len(train_idx) // params.batch_size)
    schedule = keras.optimizers.schedules.ExponentialDecay(
        params.learning_rate, decay_steps=steps_per_epoch, decay_rate=params.lr_decay)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=params.patience,
                                         min_delta=params.min_delta, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(x_all[train_idx], y_all[train_idx], batch_size=params.batch_size,
                        epochs=params.max_epochs, validation_data=(x_all[val_idx], y_all[val_idx]),
                        callbacks=[stop], shuffle=True, verbose=0)
    seconds = time.perf_counter() - start

    scores = model.predict(to_input(test_images), batch_size=1000, verbose=0).astype(np.float32)
    weights = _weights_of(model)
    layers = layer_table(model)
    n_parameters = int(model.count_params())
    keras.backend.clear_session()

    h = history.history
    epochs = len(h["loss"])
    best_epoch = int(stop.best_epoch) + 1
    return CnnResult(
        weights=weights,
        params=params,
        test_scores=scores,
        seconds=float(seconds),
        **evaluate_predictions(test_labels, scores.argmax(axis=1)),
        epochs=epochs,
        best_epoch=best_epoch,
        train_accuracy=[float(v) for v in h["accuracy"]],
        val_accuracy=[float(v) for v in h["val_accuracy"]],
        train_loss=[float(v) for v in h["loss"]],
        val_loss=[float(v) for v in h["val_loss"]],
        n_parameters=n_parameters,
        n_train=len(train_idx),
        n_validation=len(val_idx),
        layers=layers,
        method=describe(params, n_parameters=n_parameters, n_train=len(train_idx),
                        n_validation=len(val_idx), epochs=epochs, best_epoch=best_epoch),
    )


def predict_scores(result: CnnResult, images: np.ndarray) -> np.ndarray:
    """Softmax outputs (N, 10) float32 of the trained network on uint8 images (rebuilds the Keras model)."""
    keras, _ = _import_tensorflow()
    x = to_input(images)
    model = build_model(result.params, x.shape[1:3])
    model.set_weights(result.weights.as_list())
    scores = model.predict(x, batch_size=1000, verbose=0).astype(np.float32)
    keras.backend.clear_session()
    return scores
