"""Tests for mnistreport.analysis.writers on small inputs whose answers can be checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from mnistreport.analysis import writers as w

# Six training digits by three writers (two employees, one student), four test digits by two.
TRAIN_SERIES = np.array([0, 0, 0, 4, 4, 1])
TRAIN_WRITER = np.array([10, 10, 11, 2200, 2200, 12])
TEST_SERIES = np.array([4, 4, 0, 0])
TEST_WRITER = np.array([2300, 2300, 12, 30])


def test_set_writers() -> None:
    found = w.set_writers(TRAIN_SERIES, TRAIN_WRITER)
    assert (found.n_digits, found.n_writers) == (6, 4)
    assert found.per_series == (w.SeriesCount(0, 3, 2), w.SeriesCount(1, 1, 1), w.SeriesCount(4, 2, 1))
    assert found.writer_ids.tolist() == [10, 11, 12, 2200]
    assert found.digits_per_writer.tolist() == [2, 1, 1, 2]
    assert found.student_writer.tolist() == [False, False, False, True]
    assert (found.digits_of(2200), found.digits_of(11), found.digits_of(13), found.digits_of(9999)) == (2, 1, 0, 0)
    assert found.median_digits_per_writer == 1.5
    assert found.summary()["per_series"][2] == {"series": 4, "digits": 2, "writers": 1}
    assert found.per_collection_digits == (4, 2) and found.per_collection_writers == (3, 1)


def test_overlap() -> None:
    found = w.overlap(TRAIN_WRITER, TEST_WRITER)
    assert found.shared.tolist() == [12] and found.n_shared == 1
    assert (found.train_digits, found.test_digits) == (1, 1)
    assert w.overlap(TRAIN_WRITER, np.array([99])).n_shared == 0


def test_check_claims() -> None:
    claims = w.check_claims(TRAIN_SERIES, TRAIN_WRITER, TEST_SERIES, TEST_WRITER, claimed_writers=4)
    assert claims.train_writers == 4 and claims.train_writers_holds
    assert claims.shared_writers == 1 and not claims.disjoint_holds
    assert claims.train_collections == (4, 2) and claims.test_collections == (2, 2)
    assert not claims.halves_exact  # the training set is 4 + 2, not 3 + 3
    assert not claims.halves_nearly  # 4 - 2 is a third of 6, more than 5 %
    series = np.array([0] * 51 + [4] * 49)  # 51 + 49: not exactly half and half, but within 5 %
    nearly = w.check_claims(series, np.arange(100), series, np.arange(100) + 100)
    assert nearly.halves_nearly and not nearly.halves_exact
    assert claims.test_half_students == (2, 0) and claims.half_size == 2
    assert not claims.first_half_employees_holds  # the first half is all students
    other = w.check_claims(TRAIN_SERIES[:4], TRAIN_WRITER[:4] + 1000, TEST_SERIES[::-1], TEST_WRITER[::-1],
                           claimed_writers=5, tolerance=0.1)
    assert not other.train_writers_holds  # 3 writers, not within 10 % of 5
    assert other.disjoint_holds and other.first_half_employees_holds
    assert w.check_claims(np.array([0, 4]), np.array([1, 2]), np.array([0, 4]), np.array([3, 4])).halves_exact


def test_group_error_and_compare() -> None:
    wrong = np.array([True, False, False, False, True, True, False, False])
    in_a = np.array([True, True, True, True, False, False, False, False])
    found = w.compare_errors(wrong, in_a)
    assert (found.a.n, found.a.errors, found.a.rate) == (4, 1, 0.25)
    assert (found.b.n, found.b.errors, found.b.rate) == (4, 2, 0.5)
    assert found.ratio == 0.5
    assert found.summary()["b"]["errors"] == 2 and found.summary()["fisher_p"] == found.p_value
    # Fisher's exact test of [[1, 3], [2, 2]]: every table with these margins is at least as extreme
    assert found.p_value == pytest.approx(1.0)
    low, high = found.a.ci
    assert low < 0.25 < high
    # Wilson 95 % interval for 1 of 4: (0.0456, 0.6994)
    assert (low, high) == pytest.approx((0.04558, 0.69936), abs=1e-4)
    lopsided = w.compare_errors(np.array([True] * 10 + [False] * 10), np.arange(20) < 10)
    # [[10, 0], [0, 10]]: two-sided p = 2 / C(20, 10)
    assert lopsided.p_value == pytest.approx(2 / 184756)
    assert lopsided.significant and not found.significant  # p < SIGNIFICANCE (0.05) or not


def test_first_half() -> None:
    assert w.first_half(5).tolist() == [True, True, False, False, False]


def test_series_means() -> None:
    images = np.stack([np.full((2, 2), v) for v in (0, 10, 20, 100)]).astype(np.uint8)
    labels = np.array([3, 3, 3, 7])
    series = np.array([0, 0, 4, 4])
    found = w.series_means(images, labels, series)
    assert found.employees[3].tolist() == [[5, 5], [5, 5]]
    assert found.students[3].tolist() == [[20, 20], [20, 20]]
    assert found.difference[3, 0, 0] == 15
    assert np.isnan(found.employees[7]).all() and found.students[7, 0, 0] == 100
    assert found.counts[3].tolist() == [2, 1] and found.counts[7].tolist() == [0, 1]


def test_writer_errors_and_gallery() -> None:
    writer = np.array([5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8])
    wrong_a = np.array([1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1], bool)
    wrong_b = np.array([0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1], bool)
    errors = w.writer_errors(writer, wrong_a, wrong_b)
    assert errors.writer_ids.tolist() == [5, 6, 7, 8]
    assert errors.digits.tolist() == [4, 4, 4, 1]
    assert errors.errors.tolist() == [1, 5, 0, 2]
    assert errors.rate.tolist() == [1 / 8, 5 / 8, 0, 1]
    assert errors.median_rate == (1 / 8 + 5 / 8) / 2
    gallery = w.gallery_writers(errors, min_digits=2, k=2)  # writer 8 (one digit) is not eligible
    assert gallery.eligible == 3
    assert (gallery.easiest, gallery.hardest, gallery.typical) == (7, 6, 5)
    assert gallery.hardest_few == (6, 5)
    assert w.gallery_writers(errors, min_digits=1).hardest == 8
    only = w.gallery_writers(errors, min_digits=2, within=np.array([5, 7]))
    assert (only.eligible, only.easiest, only.hardest) == (2, 7, 5)
    with pytest.raises(ValueError, match="no writer has 5 or more digits"):
        w.gallery_writers(errors, min_digits=5)


def test_gallery_ties() -> None:
    """Equal rates: easiest and hardest prefer more digits, then the lower ID; typical is another writer."""
    errors = w.WriterErrors(np.array([1, 2, 3]), np.array([2, 4, 4]), np.array([0, 0, 0]), 1)
    gallery = w.gallery_writers(errors, min_digits=1)
    assert gallery.easiest == gallery.hardest == 2
    assert gallery.typical == 3  # as many digits as the median, and not already shown
    alone = w.gallery_writers(w.WriterErrors(np.array([9]), np.array([3]), np.array([1]), 1), min_digits=1)
    assert alone.easiest == alone.hardest == alone.typical == 9


def test_writer_digits_by_class_then_index() -> None:
    writer = np.array([1, 2, 1, 1, 1])
    labels = np.array([5, 0, 3, 5, 3])
    index = np.array([0, 0, 3, 1, 2])
    assert w.writer_digits(writer, labels, index, 1).tolist() == [4, 2, 0, 3]


def test_map_style_hand_checked() -> None:
    # Class 0: two writers, each with two digits close together; class 1 likewise, far away.
    coords = np.array([[0, 0], [0, 0.1], [5, 0], [5, 0.1], [50, 0], [50, 0.1], [55, 0], [55, 0.1]])
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    writer = np.array([1, 1, 2, 2, 3, 3, 4, 4])
    style = w.map_style(coords, labels, writer, k=1, permutations=30, seed=0)
    assert style.observed == 1.0  # each digit's nearest same-class neighbour is by its writer
    assert style.chance == pytest.approx(1 / 3)  # one of the three other digits of its class
    assert style.ratio == pytest.approx(3.0)
    assert style.per_class_observed[:2].tolist() == [1.0, 1.0]
    assert style.per_class_chance[0] == pytest.approx(1 / 3) and np.isnan(style.per_class_chance[2])
    assert len(style.permuted) == 30 and style.permuted.mean() < 1.0
    assert style.p_value == pytest.approx((1 + np.sum(style.permuted >= 1.0)) / 31)
    assert style.summary()["permutations"] == 30 and style.summary()["ratio"] == pytest.approx(3.0)
    # Same writers, but each writer's digits far apart: neighbours are by the other writer.
    crossed = w.map_style(coords, labels, np.array([1, 2, 2, 1, 3, 4, 4, 3]), k=1, permutations=5)
    assert crossed.observed == 0.0 and crossed.chance == pytest.approx(1 / 3)


def test_map_style_excludes_the_digit_itself_even_when_points_coincide() -> None:
    coords = np.zeros((4, 2))  # every point at one place: neighbours are the other three
    labels = np.zeros(4, dtype=int)
    style = w.map_style(coords, labels, np.array([1, 1, 1, 1]), k=3, permutations=0)
    assert style.observed == 1.0 and style.chance == 1.0
    with pytest.raises(ValueError, match="class 0 has 4 digits"):
        w.map_style(coords, labels, np.array([1, 1, 1, 1]), k=4)


def test_who_and_error_report() -> None:
    found = w.who(TRAIN_SERIES, TRAIN_WRITER, TEST_SERIES, TEST_WRITER)
    assert (found.train.n_writers, found.test.n_writers, found.overlap.n_shared) == (4, 3, 1)
    assert found.claims.train_writers_claimed == 250 and not found.claims.train_writers_holds
    wrong = {"A": np.array([True, False, False, False]), "B": np.array([True, True, False, False])}
    report = w.error_report(TEST_SERIES, TEST_WRITER, wrong, min_digits=1)
    assert report.by_collection["A"].a.errors == 1 and report.by_collection["B"].a.errors == 2  # students: 0, 1
    assert report.by_half["B"].a.n == 2 and report.by_half["B"].b.errors == 0
    assert report.per_writer.errors.tolist() == [0, 0, 3]  # writers 12, 30, 2300
    assert report.galleries["students"].hardest == 2300 and report.galleries["employees"].eligible == 2
    assert report.student_writer.tolist() == [False, False, True] and report.overall.hardest_few[0] == 2300
    few = w.error_report(TEST_SERIES, TEST_WRITER, wrong, min_digits=20)  # nobody wrote 20: the most anyone wrote
    assert few.galleries["students"].min_digits == 2 and few.galleries["employees"].min_digits == 1
    assert few.overall.min_digits == 2 and few.overall.eligible == 1


def test_all_digits_table_gains_the_writer_columns() -> None:
    from mnistreport.render.explorer import all_digits_table

    coords, labels = np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 0.5]]), np.array([3, 1, 4])
    writers = {"series": np.array([4, 0, 0]), "writer": np.array([2154, 7, 7]), "writer_index": np.array([59, 0, 1])}
    frame = all_digits_table(coords, labels, labels, 2, writers=writers)
    assert list(frame.columns[-3:]) == ["series", "writer", "writer_index"]
    assert frame["writer"].tolist() == [2154, 7, 7] and frame["writer_index"].tolist() == [59, 0, 1]
    assert "writer" not in all_digits_table(coords, labels, labels, 2).columns
    with pytest.raises(ValueError, match=r"writer must hold one value per digit \(3\)"):
        all_digits_table(coords, labels, labels, 2, writers={"writer": np.array([1, 2])})


def test_prolific_writers() -> None:
    labels = np.array([3, 3, 3, 3, 3, 5, 3, 3])
    series = np.array([0, 0, 0, 4, 4, 4, 0, 4])
    writer = np.array([9, 9, 8, 2200, 2201, 2202, 7, 2201])
    found = w.prolific_writers(labels, series, writer, 3, per_collection=2)
    assert found == {"employees": (9, 7), "students": (2201, 2200)}  # 9 wrote two 3s; 7 and 8 one each: lower ID
    assert w.prolific_writers(labels, series, writer, 5)["employees"] == ()
