"""Benchmark for the classifier chapter's CNN beside the NumPy MLP (a benchmark, not a test).

    python benchmarks/cnn.py [--data DIR] [--no-mlp] [--twice] [--seed N]

Trains the CNN with the default ``CnnParams`` on the full MNIST (60,000
training images, 10 % of them held out for early stopping) and evaluates it
on the 10,000 test images; targets: test accuracy >= 99.0 % and training
(``model.fit``) <= 180 s on 2 cores. Then, unless ``--no-mlp``, trains the MLP
with the default ``MlpParams`` and compares the two on the same test digits
(Wilson 95 % intervals, digits only one of them gets wrong, exact McNemar
test). ``--twice`` trains the CNN a second time with the same seed and checks
that the predictions are identical.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mnistreport.analysis import cnn, comparison, mlp  # noqa: E402
from mnistreport.sources.mnist import load_dir  # noqa: E402

MIN_ACCURACY = 0.990
MAX_SECONDS = 180.0


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _ci(c: comparison.Comparison, which: str) -> str:
    low, high = c.ci_a if which == "a" else c.ci_b
    return f"{low:.4f}-{high:.4f}"


def bench_cnn(train_x, train_y, test_x, test_y, params: cnn.CnnParams) -> tuple[cnn.CnnResult, bool]:
    """Train and evaluate the CNN; print the figures and whether both targets are met."""
    r = cnn.run_cnn(train_x, train_y, test_x, test_y, params)
    p = r.params
    print(f"CNN (Keras: conv {p.conv1_filters}x{p.kernel_size}x{p.kernel_size} -> pool -> "
          f"conv {p.conv2_filters}x{p.kernel_size}x{p.kernel_size} -> pool -> dense {p.dense} -> 10; "
          f"{r.n_parameters:,} parameters)")
    print(f"  training    : {r.seconds:7.1f} s, {r.epochs} epochs ({r.seconds / r.epochs:.1f} s/epoch), "
          f"kept epoch {r.best_epoch} (max {p.max_epochs}, patience {p.patience})")
    print("  val accuracy: " + " ".join(f"{a:.4f}" for a in r.val_accuracy))
    print(f"  test accuracy {r.test_accuracy:.4f} ({len(r.misclassified)} of {len(test_y)} wrong)")
    acc_ok, time_ok = r.test_accuracy >= MIN_ACCURACY, r.seconds <= MAX_SECONDS
    print(f"  test accuracy >= {MIN_ACCURACY:.3f}: {_verdict(acc_ok)};  "
          f"training <= {MAX_SECONDS:.0f} s: {_verdict(time_ok)}")
    print(f"  method: {r.method}")
    return r, acc_ok and time_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("MNIST_DATA_DIR", "/work/shared/data/mnist")))
    parser.add_argument("--no-mlp", action="store_true", help="skip the MLP and the comparison")
    parser.add_argument("--twice", action="store_true", help="train the CNN twice and check the predictions match")
    parser.add_argument("--seed", type=int, default=cnn.CnnParams().seed, help="the CNN's seed")
    args = parser.parse_args(argv)
    data = load_dir(args.data)
    train_x, train_y, test_x, test_y = data.train_images, data.train_labels, data.test_images, data.test_labels
    print(f"data: {args.data} ({len(train_x)} train, {len(test_x)} test), {os.cpu_count()} CPUs")

    params = dataclasses.replace(cnn.CnnParams(), seed=args.seed)
    result, ok = bench_cnn(train_x, train_y, test_x, test_y, params)
    if args.twice:
        again = cnn.run_cnn(train_x, train_y, test_x, test_y, params)
        same = bool(np.array_equal(again.predictions, result.predictions))
        print(f"  second run, same seed: {again.seconds:.1f} s, identical predictions: {same} "
              f"(max |score difference| {np.abs(again.test_scores - result.test_scores).max():.1e})"
              f"  -> {_verdict(same)}")
        ok = ok and same
    if args.no_mlp:
        print("MLP and comparison skipped (--no-mlp)")
        return 0 if ok else 1

    m = mlp.run_mlp(train_x, train_y, test_x, test_y, mlp.MlpParams())
    mp = m.params
    print(f"MLP (NumPy: 784-{mp.hidden}-10 sigmoid, {mp.epochs} epochs of per-example SGD, lr {mp.learning_rate:g})")
    print(f"  training    : {m.seconds:7.1f} s")
    print(f"  test accuracy {m.test_accuracy:.4f} ({len(m.misclassified)} of {len(test_y)} wrong)")

    c = comparison.compare(test_y, m.predictions, result.predictions, "MLP", "CNN")
    print(f"comparison on the same {c.n:,} test digits "
          f"({c.confidence_level:.0%} intervals: {comparison.CI_METHODS[c.ci_method]})")
    print(f"  MLP accuracy {c.accuracy_a:.4f} [{_ci(c, 'a')}]   CNN accuracy {c.accuracy_b:.4f} [{_ci(c, 'b')}]"
          f"   difference {c.difference:+.4f}")
    print("  per digit  : " + "  ".join(f"{d}: {a:.3f}/{b:.3f}"
                                         for d, (a, b) in enumerate(zip(c.per_digit_a, c.per_digit_b)))
          + "  (MLP/CNN)")
    print(f"  only the MLP wrong: {len(c.only_a_wrong)}, only the CNN wrong: {len(c.only_b_wrong)}, "
          f"both wrong: {len(c.both_wrong)} ({c.both_wrong_same} with the same wrong answer)")
    print(f"  exact McNemar: b = {c.b} (MLP right, CNN wrong), c = {c.c} (MLP wrong, CNN right), "
          f"two-sided p = {c.p_value:.3g}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
