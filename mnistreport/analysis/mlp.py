"""The classifier chapter: a 784-200-10 sigmoid network written with NumPy only.

The recipe is the one popularised by *Make Your Own Neural Network*: inputs
scaled as ``x / 255 * 0.99 + 0.01``, targets 0.01 everywhere and 0.99 at the
true class, no biases, weights drawn from N(0, 1/sqrt(fan-in)), learning rate
0.1, and 5 epochs of one-example-at-a-time gradient descent on the squared
error ``0.5 * sum((t - o)**2)``, going through the training set in its stored
order. Its published result is about 97 % test accuracy.

Two implementations of the *same* per-example algorithm live here:

* :func:`train_mlp_plain` - the textbook loop, column vectors and float64,
  written to be read. Used by the tests and the benchmark as the reference.
* :func:`train_mlp` - the one the build uses. Same updates in the same order,
  made fast by (1) float32, (2) preallocated buffers and in-place ufuncs, and
  (3) sparsity: the scaled input is ``0.01 + (0.99/255) * raw`` and ~80 % of
  ``raw`` is zero, so the hidden-layer update ``W += lr * dh x^T`` is split
  into a rank-1 part ``lr * 0.01 * dh 1^T``, kept as a running per-unit offset
  ``b`` (so the effective weights are ``W + b 1^T``), and a sparse part that
  touches only the non-zero pixel columns. The forward pass uses the same
  split with running row sums of ``W``. ``benchmarks/models.py`` times it against
  the plain loop and compares their weights. Why: docs/DECISIONS.md, "The MLP's
  vectorised loop and float32".

``hidden_error="book"`` reproduces the book's shortcut, which sends the raw
output errors (without the output sigmoid's derivative) back to the hidden
layer; the default ``"gradient"`` is exact backpropagation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

N_INPUTS = 784
N_CLASSES = 10
INPUT_OFFSET = 0.01
INPUT_SCALE = 0.99 / 255.0
TARGET_LOW = 0.01
TARGET_HIGH = 0.99
# Fold the running offset back into the weights every this many examples, so
# float32 running sums cannot drift (cheap: one pass over 784 x hidden).
_RESYNC_EVERY = 5000


@dataclass(frozen=True)
class MlpParams:
    """Hyper-parameters of the recipe (defaults = the published recipe)."""

    hidden: int = 200
    learning_rate: float = 0.1
    epochs: int = 5
    seed: int = 0
    hidden_error: str = "gradient"  # "gradient" (exact backprop) or "book"

    def __post_init__(self) -> None:
        if self.hidden_error not in ("gradient", "book"):
            raise ValueError(f"hidden_error must be 'gradient' or 'book', got {self.hidden_error!r}")


@dataclass(frozen=True)
class MlpWeights:
    """Weights of the network; no biases, as in the recipe."""

    w_hidden: np.ndarray  # (hidden, 784)
    w_output: np.ndarray  # (10, hidden)


@dataclass(frozen=True)
class MlpResult:
    """Trained network and its evaluation on the test set."""

    weights: MlpWeights
    params: MlpParams
    predictions: np.ndarray  # (N_test,) uint8
    test_scores: np.ndarray  # (N_test, 10) float32 network outputs
    test_accuracy: float
    per_digit_accuracy: np.ndarray  # (10,) float, recall of each true digit
    confusion: np.ndarray  # (10, 10) int, rows = true, cols = predicted
    misclassified: np.ndarray  # indices into the test set, ascending
    seconds: float  # training time only
    mistaken_for: list[int] = field(default_factory=list)  # per digit: most common wrong prediction

    def summary(self) -> dict:
        """JSON-able numbers for results.json."""
        return {
            **evaluation_summary(self),
            "hidden": int(self.params.hidden),
            "learning_rate": float(self.params.learning_rate),
            "epochs": int(self.params.epochs),
            "seed": int(self.params.seed),
        }


def scale_inputs(images_uint8: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """Flatten and scale pixels to [0.01, 1.0] as the recipe does (never 0, so every weight learns)."""
    flat = np.asarray(images_uint8).reshape(len(images_uint8), -1)
    return (flat.astype(dtype) * dtype(INPUT_SCALE) + dtype(INPUT_OFFSET)).astype(dtype, copy=False)


def target_vectors(dtype: type = np.float64) -> np.ndarray:
    """Row d is the target for digit d: 0.01 everywhere, 0.99 at d."""
    targets = np.full((N_CLASSES, N_CLASSES), TARGET_LOW, dtype=dtype)
    np.fill_diagonal(targets, TARGET_HIGH)
    return targets


def init_weights(params: MlpParams, n_inputs: int = N_INPUTS) -> MlpWeights:
    """Normal weights with standard deviation 1/sqrt(fan-in), float64, from ``params.seed``."""
    rng = np.random.default_rng(params.seed)
    w_hidden = rng.normal(0.0, n_inputs**-0.5, (params.hidden, n_inputs))
    w_output = rng.normal(0.0, params.hidden**-0.5, (N_CLASSES, params.hidden))
    return MlpWeights(w_hidden=w_hidden, w_output=w_output)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def sgd_updates(w_hidden: np.ndarray, w_output: np.ndarray, x: np.ndarray, target: np.ndarray,
                learning_rate: float, hidden_error: str = "gradient") -> tuple[np.ndarray, np.ndarray]:
    """The textbook update for one example: ``(delta_hidden, delta_output)`` to add to the weights.

    ``x`` is the scaled input (784,), ``target`` the (10,) target vector. With
    ``hidden_error="gradient"`` the deltas are exactly ``-lr * dL/dw`` for
    ``L = 0.5 * sum((target - output)**2)``.
    """
    x_col = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    t_col = np.asarray(target, dtype=np.float64).reshape(-1, 1)
    hidden = _sigmoid(w_hidden @ x_col)
    output = _sigmoid(w_output @ hidden)
    output_error = t_col - output
    output_delta = output_error * output * (1.0 - output)
    sent_back = output_delta if hidden_error == "gradient" else output_error
    hidden_delta = (w_output.T @ sent_back) * hidden * (1.0 - hidden)
    return (learning_rate * hidden_delta) @ x_col.T, (learning_rate * output_delta) @ hidden.T


def train_mlp_plain(train_images_uint8: np.ndarray, train_labels: np.ndarray,
                    params: MlpParams = MlpParams()) -> MlpWeights:
    """Reference: the recipe's per-example loop written plainly (float64, column vectors)."""
    init = init_weights(params, int(np.prod(train_images_uint8.shape[1:])))
    w_hidden, w_output = init.w_hidden, init.w_output
    inputs = scale_inputs(train_images_uint8)
    targets = target_vectors()
    for _ in range(params.epochs):
        for x, label in zip(inputs, train_labels):
            delta_hidden, delta_output = sgd_updates(w_hidden, w_output, x, targets[label],
                                                     params.learning_rate, params.hidden_error)
            w_hidden += delta_hidden
            w_output += delta_output
    return MlpWeights(w_hidden=w_hidden, w_output=w_output)


def train_mlp(train_images_uint8: np.ndarray, train_labels: np.ndarray,
              params: MlpParams = MlpParams()) -> MlpWeights:
    """The recipe's per-example SGD, fast (float32, in place, sparse input columns).

    Same updates in the same order as :func:`train_mlp_plain`; see the module
    docstring for how. Returns float32 weights.
    """
    f32 = np.float32
    raw = np.ascontiguousarray(np.asarray(train_images_uint8).reshape(len(train_images_uint8), -1))
    labels = np.asarray(train_labels).astype(np.intp)
    n_inputs = raw.shape[1]
    init = init_weights(params, n_inputs)
    # Transposed hidden weights: row i = weights from input pixel i, so the
    # non-zero pixels of an example select whole contiguous rows.
    w_t = np.ascontiguousarray(init.w_hidden.T, dtype=f32)  # (784, hidden)
    v_t = np.ascontiguousarray(init.w_output.T, dtype=f32)  # (hidden, 10)
    offset = np.zeros(params.hidden, f32)  # effective weights = w_t + offset (per hidden unit)
    col_sums = w_t.sum(axis=0)  # sum over inputs of w_t, kept in step with w_t
    lr, low, one, scale = f32(params.learning_rate), f32(INPUT_OFFSET), f32(1.0), f32(INPUT_SCALE)
    base_sum = f32(INPUT_OFFSET * n_inputs)  # sum of the constant part of x
    targets = target_vectors(f32)
    book = params.hidden_error == "book"
    z = np.empty(params.hidden, f32)
    hidden = np.empty(params.hidden, f32)
    one_minus_h = np.empty(params.hidden, f32)
    dh = np.empty(params.hidden, f32)
    out = np.empty(N_CLASSES, f32)
    err = np.empty(N_CLASSES, f32)
    d_out = np.empty(N_CLASSES, f32)

    def sigmoid_inplace(a: np.ndarray) -> None:
        np.negative(a, out=a)
        np.exp(a, out=a)
        a += one
        np.reciprocal(a, out=a)

    def resync() -> None:
        np.add(w_t, offset, out=w_t)
        offset[:] = 0
        col_sums[:] = w_t.sum(axis=0)

    step = 0
    for _ in range(params.epochs):
        for row, label in zip(raw, labels):
            nz = np.flatnonzero(row)
            r = row[nz] * scale  # the sparse part of x, float32
            r_sum = r.sum()
            w_nz = np.take(w_t, nz, axis=0)
            # z = (w_t + offset)^T x with x = low + r on nz
            np.dot(r, w_nz, out=z)
            z += low * col_sums
            z += offset * (base_sum + r_sum)
            hidden[:] = z
            sigmoid_inplace(hidden)
            np.dot(hidden, v_t, out=out)
            sigmoid_inplace(out)
            np.subtract(targets[label], out, out=err)
            np.subtract(one, out, out=d_out)
            d_out *= out
            d_out *= err
            np.dot(v_t, err if book else d_out, out=dh)
            np.subtract(one, hidden, out=one_minus_h)
            dh *= hidden
            dh *= one_minus_h
            dh *= lr  # dh now holds lr * hidden delta
            v_t += np.multiply.outer(hidden, lr * d_out)
            offset += low * dh
            w_nz += np.multiply.outer(r, dh)
            w_t[nz] = w_nz
            col_sums += r_sum * dh
            step += 1
            if step % _RESYNC_EVERY == 0:
                resync()
    resync()
    return MlpWeights(w_hidden=np.ascontiguousarray(w_t.T), w_output=np.ascontiguousarray(v_t.T))


def forward(weights: MlpWeights, images_uint8: np.ndarray, batch: int = 10000) -> np.ndarray:
    """Network outputs (N, 10), float32, for raw uint8 images (batched matrix products)."""
    w_h = weights.w_hidden.astype(np.float32, copy=False)
    w_o = weights.w_output.astype(np.float32, copy=False)
    parts = []
    for start in range(0, len(images_uint8), batch):
        x = scale_inputs(images_uint8[start:start + batch], np.float32)
        parts.append(_sigmoid(_sigmoid(x @ w_h.T) @ w_o.T))
    return np.concatenate(parts) if parts else np.zeros((0, N_CLASSES), np.float32)


def predict(weights: MlpWeights, images_uint8: np.ndarray) -> np.ndarray:
    """Predicted digit (N,) uint8: the output unit with the largest value."""
    return forward(weights, images_uint8).argmax(axis=1).astype(np.uint8)


def confusion_matrix(true_labels: np.ndarray, predicted: np.ndarray, n: int = N_CLASSES) -> np.ndarray:
    """(n, n) int64 counts, rows = true digit, columns = predicted digit."""
    flat = np.asarray(true_labels, np.int64) * n + np.asarray(predicted, np.int64)
    return np.bincount(flat, minlength=n * n).reshape(n, n)


def evaluate_predictions(true_labels: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    """The test-set measures every classifier of the classifier chapter reports, computed in one place.

    Returns the fields that :class:`MlpResult` and ``cnn.CnnResult`` share, by
    name: ``predictions`` (uint8), ``test_accuracy``, ``per_digit_accuracy``
    (recall of each true digit; 0 for a digit absent from the labels),
    ``confusion``, ``misclassified`` (ascending test indices) and
    ``mistaken_for`` (per true digit, the most common wrong prediction; the
    lowest such digit on ties). ``comparison`` uses it too, so the MLP's, the
    CNN's and the comparison's numbers cannot drift apart.
    """
    true_labels = np.asarray(true_labels)
    predictions = np.asarray(predicted).astype(np.uint8)
    confusion = confusion_matrix(true_labels, predictions)
    per_digit = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)
    off_diagonal = confusion.copy()
    np.fill_diagonal(off_diagonal, -1)
    return {
        "predictions": predictions,
        "test_accuracy": float(np.mean(predictions == true_labels)),
        "per_digit_accuracy": per_digit.astype(np.float64),
        "confusion": confusion,
        "misclassified": np.flatnonzero(predictions != true_labels),
        "mistaken_for": [int(d) for d in off_diagonal.argmax(axis=1)],
    }


def evaluation_summary(result: Any) -> dict[str, Any]:
    """JSON-able form of the shared evaluation fields (and ``seconds``) of an MLP or CNN result."""
    return {
        "test_accuracy": float(result.test_accuracy),
        "per_digit_accuracy": [float(a) for a in result.per_digit_accuracy],
        "confusion": result.confusion.astype(int).tolist(),
        "mistaken_for": [int(d) for d in result.mistaken_for],
        "n_misclassified": int(len(result.misclassified)),
        "seconds": float(result.seconds),
    }


def run_mlp(train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray,
            test_labels: np.ndarray, params: MlpParams = MlpParams()) -> MlpResult:
    """Train with :func:`train_mlp`, then evaluate on the test set."""
    start = time.perf_counter()
    weights = train_mlp(train_images, train_labels, params)
    seconds = time.perf_counter() - start
    scores = forward(weights, test_images)
    return MlpResult(weights=weights, params=params, test_scores=scores, seconds=float(seconds),
                     **evaluate_predictions(test_labels, scores.argmax(axis=1)))
