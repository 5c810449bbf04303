"""Speed benchmark for the autoencoder and classifier chapters (a benchmark, not a test).

    python benchmarks/models.py [--data DIR] [--skip-recipe-autoencoder]

Times, in one process on the full MNIST:
  * the classifier: the recipe's per-example loop written plainly
    (``train_mlp_plain``) against the project's ``train_mlp`` for one epoch,
    then the project's five epochs with their test accuracy;
    target: five epochs in at most a third of five plain epochs, same accuracy;
  * the autoencoder: the recipe (Adam lr 0.001) against the project's
    settings, each trained to its early stop; target: the recipe's test loss
    (within 1 %) in at most half the recipe's time.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mnistreport.analysis import autoencoder as ae  # noqa: E402
from mnistreport.analysis import mlp  # noqa: E402

MLP_TIME_RATIO = 1 / 3
MLP_ACCURACY_SLACK = 0.003
AE_TIME_RATIO = 0.5
AE_LOSS_SLACK = 0.01


def _read_idx_gz(path: Path) -> np.ndarray:
    """Minimal IDX reader (fallback when mnistreport.sources.mnist is missing)."""
    data = gzip.open(path).read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(train_images, train_labels, test_images, test_labels) from a folder of IDX files."""
    try:
        from mnistreport.sources.mnist import load_dir  # noqa: PLC0415
    except ImportError:
        names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
        return tuple(_read_idx_gz(folder / name) for name in names)  # type: ignore[return-value]
    data = load_dir(folder)
    return data.train_images, data.train_labels, data.test_images, data.test_labels


def _timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def bench_mlp(train_x, train_y, test_x, test_y) -> bool:
    """Plain vs project per-example loop; returns True when the target is met."""
    one_epoch = mlp.MlpParams(epochs=1)
    plain_w, plain_s = _timed(mlp.train_mlp_plain, train_x, train_y, one_epoch)
    fast_w, fast_s = _timed(mlp.train_mlp, train_x, train_y, one_epoch)
    plain_acc = float(np.mean(mlp.predict(plain_w, test_x) == test_y))
    fast_acc = float(np.mean(mlp.predict(fast_w, test_x) == test_y))
    max_diff = float(np.abs(plain_w.w_hidden - fast_w.w_hidden).max())
    print("classifier (784-200-10, per-example SGD)")
    print(f"  plain loop,  1 epoch : {plain_s:7.1f} s   test accuracy {plain_acc:.4f}")
    print(f"  project,     1 epoch : {fast_s:7.1f} s   test accuracy {fast_acc:.4f}"
          f"   max |w_plain - w_project| {max_diff:.1e}")
    result = mlp.run_mlp(train_x, train_y, test_x, test_y, mlp.MlpParams())
    plain_five = 5 * plain_s
    ratio = result.seconds / plain_five
    print(f"  project,     5 epochs: {result.seconds:7.1f} s   test accuracy {result.test_accuracy:.4f}")
    print(f"  plain loop,  5 epochs: {plain_five:7.1f} s   (5 x one epoch)")
    same = abs(fast_acc - plain_acc) <= MLP_ACCURACY_SLACK
    ok = ratio <= MLP_TIME_RATIO and same and result.test_accuracy >= 0.97
    print(f"  time ratio {ratio:.2f} (target <= {MLP_TIME_RATIO:.2f}), 1-epoch accuracies within "
          f"{MLP_ACCURACY_SLACK:.3f}: {same}, 5-epoch accuracy >= 0.97: {result.test_accuracy >= 0.97}"
          f"  -> {_verdict(ok)}")
    return ok


def _describe(name: str, r: ae.AutoencoderResult) -> None:
    p = r.params
    print(f"  {name:8s}: lr {p.learning_rate:<6g} {r.seconds:7.1f} s, "
          f"{r.epochs:3d} epochs ({r.seconds / r.epochs:.2f} s/epoch, best {r.best_epoch}), "
          f"test loss {r.test_loss:.5f}")


def bench_autoencoder(train_x, test_x, test_y, skip_recipe: bool) -> bool | None:
    """Recipe vs project autoencoder training; returns True/False, or None when the recipe was skipped."""
    print("autoencoder (784-36-784, batch 2024, early stop patience 5 on a validation part)")
    project = ae.train_autoencoder(train_x, test_x, test_y, ae.AutoencoderParams())
    _describe("project", project)
    if skip_recipe:
        print("  recipe skipped (--skip-recipe-autoencoder)")
        return None
    recipe = ae.train_autoencoder(train_x, test_x, test_y, ae.RECIPE)
    _describe("recipe", recipe)
    ratio = project.seconds / recipe.seconds
    loss_ratio = project.test_loss / recipe.test_loss
    ok = ratio <= AE_TIME_RATIO and loss_ratio <= 1 + AE_LOSS_SLACK
    print(f"  time ratio {ratio:.2f} (target <= {AE_TIME_RATIO}), test loss ratio {loss_ratio:.4f} "
          f"(target <= {1 + AE_LOSS_SLACK}) -> {_verdict(ok)}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("MNIST_DATA_DIR", "/work/shared/data/mnist")))
    parser.add_argument("--skip-recipe-autoencoder", action="store_true",
                        help="train only the project's autoencoder (the recipe takes minutes)")
    args = parser.parse_args(argv)
    train_x, train_y, test_x, test_y = load(args.data)
    print(f"data: {args.data} ({len(train_x)} train, {len(test_x)} test), {os.cpu_count()} CPUs")
    mlp_ok = bench_mlp(train_x, train_y, test_x, test_y)
    ae_ok = bench_autoencoder(train_x, test_x, test_y, args.skip_recipe_autoencoder)
    return 0 if mlp_ok and ae_ok is not False else 1


if __name__ == "__main__":
    sys.exit(main())
