"""The writers chapter's headline numbers on the real files (a check by hand, not a test).

    python benchmarks/writers.py [--data DIR] [--provenance DIR] [--no-mlp] [--no-map]

Reads the full MNIST and QMNIST's extended labels (every row's class checked against
MNIST's label), then prints: writers and digits per series in each set, digits per
writer, the overlap, MNIST's documented claims against the data, the MLP's test error
per collection and per half of the test set (Wilson intervals, Fisher's exact test;
trains the default MLP, about a minute), and the same-writer share of same-class map
neighbours on a t-SNE map of the 10,000 test digits (PCA 50; a minute or two).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mnistreport.analysis import mlp, writers  # noqa: E402
from mnistreport.sources.mnist import load_dir  # noqa: E402
from mnistreport.sources.qmnist import locate_provenance  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def describe(name: str, found: writers.SetWriters) -> None:
    print(f"{name}: {found.n_digits:,} digits by {found.n_writers:,} writers")
    for s in found.per_series:
        print(f"  hsf{s.series}: {s.digits:,} digits, {s.writers:,} writers")
    d = found.digits_per_writer
    print(f"  digits per writer: min {d.min()}, median {np.median(d):g}, mean {d.mean():.1f}, max {d.max()}")


def error_line(name: str, comparison: writers.ErrorComparison, labels: tuple[str, str]) -> None:
    for label, group in zip(labels, (comparison.a, comparison.b)):
        low, high = group.ci
        print(f"  {name} {label}: {group.errors}/{group.n} = {group.rate:.2%} [{low:.2%}, {high:.2%}]")
    print(f"  {name}: ratio {comparison.ratio:.2f}, Fisher exact p = {comparison.p_value:.3g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED / "mnist")
    parser.add_argument("--provenance", type=Path, default=SHARED / "qmnist")
    parser.add_argument("--no-mlp", action="store_true", help="skip training the MLP (errors per group)")
    parser.add_argument("--no-map", action="store_true", help="skip the t-SNE map of the test digits")
    args = parser.parse_args()

    data = load_dir(args.data)
    prov = locate_provenance(data, provenance_dir=args.provenance, data_dir=None, env={}, cache_dir=args.provenance)
    print(f"provenance: {prov.origin}; labels of all {len(data.train_labels) + len(data.test_labels):,} "
          "digits equal MNIST's")
    train, test = prov.train, prov.test
    describe("training", writers.set_writers(train.series, train.writer))
    describe("test", writers.set_writers(test.series, test.writer))
    shared = writers.overlap(train.writer, test.writer)
    print(f"writers in both sets: {shared.n_shared}")

    claims = writers.check_claims(train.series, train.writer, test.series, test.writer)
    print("claims:")
    print(f"  'approximately {claims.train_writers_claimed} writers': {claims.train_writers} "
          f"(holds within {claims.tolerance:.0%}: {claims.train_writers_holds})")
    print(f"  disjoint writers: {claims.shared_writers} shared (holds: {claims.disjoint_holds})")
    print(f"  30,000 + 30,000 and 5,000 + 5,000 (employees, students): {claims.train_collections}, "
          f"{claims.test_collections} (exact: {claims.halves_exact})")
    print(f"  students' digits in the first / second {claims.half_size:,} test digits: {claims.test_half_students} "
          f"(first half from the employees' SD-3: {claims.first_half_employees_holds})")

    if not args.no_mlp:
        result = mlp.run_mlp(data.train_images, data.train_labels, data.test_images, data.test_labels)
        wrong = result.predictions != data.test_labels
        print(f"MLP: test error {wrong.mean():.2%} ({result.seconds:.0f} s)")
        error_line("MLP", writers.compare_errors(wrong, writers.is_student(test.series)), ("students", "employees"))
        error_line("MLP", writers.compare_errors(wrong, writers.first_half(len(wrong))), ("first half", "second half"))
        errors = writers.writer_errors(test.writer, wrong)
        student = writers.is_student(test.series)
        for name, members in zip(writers.COLLECTIONS, (~student, student)):
            gallery = writers.gallery_writers(errors, within=test.writer[members])
            print(f"  {name} with >= {gallery.min_digits} test digits: {gallery.eligible}; easiest {gallery.easiest}, "
                  f"typical {gallery.typical}, hardest {gallery.hardest_few}")
        print(f"  per-writer error: median {np.median(errors.rate):.2%}, max {errors.rate.max():.2%}")

    means = writers.series_means(data.train_images, data.train_labels, train.series)
    gap = np.abs(means.difference).mean(axis=(1, 2))
    print("mean |students - employees| per digit (pixel units, training set): "
          + ", ".join(f"{d}: {v:.1f}" for d, v in enumerate(gap)))

    if not args.no_map:
        from mnistreport.analysis.embedding import pca, tsne_map

        features = pca(data.test_images.reshape(len(data.test_images), -1) / 255.0, 50).features
        coords = tsne_map(features, data.test_labels, perplexity=50, n_jobs=1).coords
        style = writers.map_style(coords, data.test_labels, test.writer, k=10)
        print(f"map (t-SNE of the 10,000 test digits): {style.observed:.1%} of 10 nearest same-class neighbours share "
              f"the writer, chance {style.chance:.1%} ({style.ratio:.1f}x), permutations max "
              f"{style.permuted.max():.1%}, p = {style.p_value:.3g}")


if __name__ == "__main__":
    main()
