"""The writers chapter: who wrote MNIST's digits, measured from QMNIST's provenance.

Pure functions over arrays (series, writer IDs, labels, classifier mistakes, map
coordinates), each returning a small frozen dataclass:

* :func:`set_writers`, :func:`overlap`: writers and digits per NIST series in one
  set; digits per writer; writers shared by the training and test sets;
* :func:`check_claims`: MNIST's documented claims against the data;
* :func:`compare_errors`: a classifier's test error in two groups of digits (two
  series, or the two halves of the test set), each with a Wilson interval, and
  Fisher's exact test of the difference (two-sided; the groups are disjoint, so
  unlike the classifier chapter's McNemar test the counts are independent);
* :func:`series_means`: the mean image of each digit per collection, and their difference;
* :func:`writer_errors`, :func:`gallery_writers`, :func:`writer_digits`: error per
  test writer, and whose digits to show, by a stated rule;
* :func:`map_style`: how often a digit's nearest same-class map neighbours share its writer,
  against chance.

NIST's series hsf0-3 were written by Census Bureau employees (Special Database 3),
hsf4 by high-school students (Special Database 1). Writer IDs are unique across series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnistreport.analysis.comparison import accuracy_ci
from mnistreport.analysis.neighbours import exact_neighbours
from mnistreport.sources.nist import STUDENT_SERIES  # hsf4 (SD-1); every other series is employees

COLLECTIONS = ("employees", "students")  # index 0 and 1 of every per-collection pair below


def is_student(series: np.ndarray) -> np.ndarray:
    """True where a digit comes from the high-school students' series (hsf4)."""
    return np.asarray(series) == STUDENT_SERIES


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array)
    array.setflags(write=False)
    return array


# --------------------------------------------------------------------------- who


@dataclass(frozen=True)
class SeriesCount:
    """Digits and distinct writers of one NIST series in one set."""

    series: int
    digits: int
    writers: int


@dataclass(frozen=True, eq=False)
class SetWriters:
    """Who wrote one set (training or test): per series, and digits per writer."""

    n_digits: int
    n_writers: int
    per_series: tuple[SeriesCount, ...]  # ascending series
    writer_ids: np.ndarray  # distinct writers, ascending
    digits_per_writer: np.ndarray  # aligned with writer_ids
    student_writer: np.ndarray  # aligned with writer_ids: True for the students' writers
    per_collection_digits: tuple[int, int]  # employees, students
    per_collection_writers: tuple[int, int]

    @property
    def median_digits_per_writer(self) -> float:
        return float(np.median(self.digits_per_writer))

    def summary(self) -> dict:
        """JSON-able numbers for results.json."""
        return {"digits": self.n_digits, "writers": self.n_writers,
                "per_series": [vars(s) for s in self.per_series],
                "digits_per_writer": {"min": int(self.digits_per_writer.min()),
                                      "median": self.median_digits_per_writer,
                                      "max": int(self.digits_per_writer.max())}}

    def digits_of(self, writer: int) -> int:
        """How many digits of this set ``writer`` wrote (0 for a writer not in it)."""
        at = int(np.searchsorted(self.writer_ids, writer))
        return int(self.digits_per_writer[at]) if at < len(self.writer_ids) and self.writer_ids[at] == writer else 0


def set_writers(series: np.ndarray, writer: np.ndarray) -> SetWriters:
    """Writers and digits per series, and how many digits each writer contributed."""
    series, writer = np.asarray(series), np.asarray(writer)
    ids, first, counts = np.unique(writer, return_index=True, return_counts=True)
    per_series = tuple(
        SeriesCount(int(s), int(np.sum(series == s)), len(np.unique(writer[series == s]))) for s in np.unique(series)
    )
    student = is_student(series)
    return SetWriters(
        n_digits=len(writer),
        n_writers=len(ids),
        per_series=per_series,
        writer_ids=_frozen(ids),
        digits_per_writer=_frozen(counts),
        student_writer=_frozen(student[first]),
        per_collection_digits=(int(np.sum(~student)), int(np.sum(student))),
        per_collection_writers=(len(np.unique(writer[~student])), len(np.unique(writer[student]))),
    )


@dataclass(frozen=True, eq=False)
class Overlap:
    """Writers in both sets, and how many digits of each set they wrote."""

    shared: np.ndarray  # writer IDs in both sets, ascending
    train_digits: int  # training digits by shared writers
    test_digits: int

    @property
    def n_shared(self) -> int:
        return len(self.shared)


def overlap(train_writer: np.ndarray, test_writer: np.ndarray) -> Overlap:
    """The writers who appear in both sets."""
    shared = np.intersect1d(train_writer, test_writer)
    return Overlap(_frozen(shared), int(np.isin(train_writer, shared).sum()), int(np.isin(test_writer, shared).sum()))


@dataclass(frozen=True, eq=False)
class Who:
    """Who wrote each set, the writers they share, and MNIST's claims checked: the chapter's first half."""

    train: SetWriters
    test: SetWriters
    overlap: Overlap
    claims: Claims


def who(train_series: np.ndarray, train_writer: np.ndarray, test_series: np.ndarray,
        test_writer: np.ndarray) -> Who:
    """:func:`set_writers` of both sets, their :func:`overlap` and :func:`check_claims` (default claims)."""
    return Who(set_writers(train_series, train_writer), set_writers(test_series, test_writer),
               overlap(train_writer, test_writer), check_claims(train_series, train_writer, test_series, test_writer))


# --------------------------------------------------------------------------- MNIST's claims


@dataclass(frozen=True)
class Claims:
    """MNIST's documentation, claim by claim, with the measured answer and whether it holds."""

    train_writers: int  # claimed: "approximately 250 writers"
    train_writers_claimed: int
    train_writers_holds: bool  # within ``tolerance`` of the claim
    tolerance: float
    shared_writers: int  # claimed: the sets of writers are disjoint
    disjoint_holds: bool
    train_collections: tuple[int, int]  # employees, students; claimed 30,000 each
    test_collections: tuple[int, int]  # claimed 5,000 each
    halves_exact: bool  # both sets split exactly as claimed
    halves_nearly: bool  # both sets split within ``split_tolerance`` of half and half
    split_tolerance: float
    test_half_students: tuple[int, int]  # students' digits in the first and in the second half of the test set
    half_size: int
    first_half_employees_holds: bool  # "the first 5,000 ... from the original NIST training set" (SD-3, employees)


def check_claims(train_series: np.ndarray, train_writer: np.ndarray, test_series: np.ndarray,
                 test_writer: np.ndarray, claimed_writers: int = 250, tolerance: float = 0.1,
                 split_tolerance: float = 0.05) -> Claims:
    """Check MNIST's documented claims.

    "Approximately" holds within ``tolerance`` (a share of the claim); a half-and-half split
    holds nearly when each set's two collections differ by at most ``split_tolerance`` of its
    size; the first half of the test set is from the employees' collection when most of its
    digits are.
    """
    n_writers = len(np.unique(train_writer))
    shared = len(np.intersect1d(train_writer, test_writer))
    train_students, test_students = is_student(train_series), is_student(test_series)
    train_split = (int(np.sum(~train_students)), int(np.sum(train_students)))
    test_split = (int(np.sum(~test_students)), int(np.sum(test_students)))
    half = len(test_series) // 2
    halves = (int(test_students[:half].sum()), int(test_students[half:].sum()))
    return Claims(
        train_writers=n_writers,
        train_writers_claimed=claimed_writers,
        train_writers_holds=abs(n_writers - claimed_writers) <= tolerance * claimed_writers,
        tolerance=tolerance,
        shared_writers=shared,
        disjoint_holds=shared == 0,
        train_collections=train_split,
        test_collections=test_split,
        halves_exact=(train_split[0] * 2 == len(train_series) and test_split[0] * 2 == len(test_series)),
        halves_nearly=all(abs(a - b) <= split_tolerance * (a + b) for a, b in (train_split, test_split)),
        split_tolerance=split_tolerance,
        test_half_students=halves,
        half_size=half,
        first_half_employees_holds=halves[0] < half / 2,
    )


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class GroupError:
    """A classifier's error on one group of test digits."""

    n: int
    errors: int
    ci: tuple[float, float]  # Wilson interval of the error rate

    @property
    def rate(self) -> float:
        return self.errors / self.n if self.n else float("nan")


#: The level below which the chapter calls a difference significant (two-sided).
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class ErrorComparison:
    """Error in group A against group B, and Fisher's exact two-sided p-value for the difference."""

    a: GroupError
    b: GroupError
    p_value: float

    @property
    def significant(self) -> bool:
        """Whether the difference is significant at the level the chapter uses (``SIGNIFICANCE``)."""
        return self.p_value < SIGNIFICANCE

    @property
    def ratio(self) -> float:
        """How many times A's error rate is B's (inf when B has none)."""
        return self.a.rate / self.b.rate if self.b.rate else float("inf")

    def summary(self) -> dict:
        """JSON-able numbers for results.json: each group's errors, n and interval, and the p-value."""
        return {"a": {"n": self.a.n, "errors": self.a.errors, "ci": list(self.a.ci)},
                "b": {"n": self.b.n, "errors": self.b.errors, "ci": list(self.b.ci)},
                "fisher_p": self.p_value}


def group_error(wrong: np.ndarray, confidence_level: float = 0.95) -> GroupError:
    """Errors among ``wrong`` (a boolean per digit), with the Wilson interval of the rate."""
    n, errors = len(wrong), int(np.sum(wrong))
    ci = accuracy_ci(errors, n, confidence_level, "wilson") if n else (float("nan"), float("nan"))
    return GroupError(n, errors, ci)


def compare_errors(wrong: np.ndarray, in_a: np.ndarray, confidence_level: float = 0.95) -> ErrorComparison:
    """Error of the digits where ``in_a`` against the others, with Fisher's exact test."""
    from scipy import stats

    wrong, in_a = np.asarray(wrong, bool), np.asarray(in_a, bool)
    a, b = group_error(wrong[in_a], confidence_level), group_error(wrong[~in_a], confidence_level)
    table = [[a.errors, a.n - a.errors], [b.errors, b.n - b.errors]]
    return ErrorComparison(a, b, float(stats.fisher_exact(table, alternative="two-sided").pvalue))


def first_half(n: int) -> np.ndarray:
    """True for the first half of ``n`` digits (MNIST's test set: its first 5,000)."""
    return np.arange(n) < n // 2


# --------------------------------------------------------------------------- images


@dataclass(frozen=True, eq=False)
class SeriesMeans:
    """Mean image of each digit for each collection, and students minus employees."""

    employees: np.ndarray  # (10, 28, 28) float, in pixel units 0-255; NaN where a digit has no example
    students: np.ndarray
    counts: np.ndarray  # (10, 2): digits per class and collection

    @property
    def difference(self) -> np.ndarray:
        return self.students - self.employees


def series_means(images: np.ndarray, labels: np.ndarray, series: np.ndarray) -> SeriesMeans:
    """Per digit and collection, the mean image."""
    student = is_student(series)
    means = np.full((2, 10, *images.shape[1:]), np.nan)
    counts = np.zeros((10, 2), dtype=np.int64)
    for c, members in enumerate((~student, student)):
        for digit in range(10):
            chosen = members & (labels == digit)
            counts[digit, c] = chosen.sum()
            if counts[digit, c]:
                means[c, digit] = images[chosen].mean(axis=0, dtype=np.float64)
    return SeriesMeans(_frozen(means[0]), _frozen(means[1]), _frozen(counts))


# --------------------------------------------------------------------------- writers' errors


@dataclass(frozen=True, eq=False)
class WriterErrors:
    """Per test writer: digits and mistakes, sorted by writer ID."""

    writer_ids: np.ndarray
    digits: np.ndarray
    errors: np.ndarray  # mistakes summed over the classifiers given
    classifiers: int

    @property
    def rate(self) -> np.ndarray:
        """Error rate per writer, over all the classifiers' answers on the writer's digits."""
        return self.errors / (self.digits * self.classifiers)

    @property
    def median_rate(self) -> float:
        return float(np.median(self.rate))


def writer_errors(writer: np.ndarray, *wrongs: np.ndarray) -> WriterErrors:
    """Each writer's digits and mistakes, summed over one or more classifiers' ``wrong`` arrays."""
    if not wrongs:
        raise ValueError("writer_errors needs at least one classifier's mistakes")
    ids, inverse, digits = np.unique(writer, return_inverse=True, return_counts=True)
    errors = sum(np.bincount(inverse, weights=np.asarray(w, bool), minlength=len(ids)) for w in wrongs)
    return WriterErrors(_frozen(ids), _frozen(digits), _frozen(np.asarray(errors).astype(np.int64)), len(wrongs))


@dataclass(frozen=True)
class Gallery:
    """Writers chosen by a stated rule among those with at least ``min_digits`` digits."""

    min_digits: int
    eligible: int
    easiest: int  # lowest error rate (ties: more digits, then lower ID)
    hardest: int  # highest error rate (ties: more digits, then lower ID)
    typical: int  # another writer: rate closest to the median rate (ties: digits closest to the median, lower ID)
    hardest_few: tuple[int, ...]  # the ``k`` hardest, hardest first


def gallery_writers(errors: WriterErrors, min_digits: int = 20, k: int = 5,
                    within: np.ndarray | None = None) -> Gallery:
    """Easiest, hardest and typical writers, and the k hardest, among writers with >= ``min_digits`` digits.

    ``within`` (writer IDs) narrows the choice, e.g. to one collection's writers.
    """
    eligible = errors.digits >= min_digits
    if within is not None:
        eligible &= np.isin(errors.writer_ids, within)
    if not eligible.any():
        raise ValueError(f"no writer has {min_digits} or more digits")
    ids, digits, rate = errors.writer_ids[eligible], errors.digits[eligible], errors.rate[eligible]

    def ranked(key: np.ndarray) -> np.ndarray:  # ascending key; ties: more digits, then lower ID
        return np.lexsort((ids, -digits, key))

    easiest, hardest = ranked(rate), ranked(-rate)
    typical_order = np.lexsort((ids, np.abs(digits - np.median(digits)), np.abs(rate - np.median(rate))))
    others = [i for i in typical_order if i not in (easiest[0], hardest[0])]
    typical = others[0] if others else typical_order[0]
    return Gallery(min_digits, int(eligible.sum()), int(ids[easiest[0]]), int(ids[hardest[0]]),
                   int(ids[typical]), tuple(int(i) for i in ids[hardest[:k]]))


@dataclass(frozen=True, eq=False)
class ErrorReport:
    """The classifiers' test errors by collection, by half of the test set and by writer, and the galleries."""

    by_collection: dict[str, ErrorComparison]  # classifier -> students (a) against employees (b)
    by_half: dict[str, ErrorComparison]  # classifier -> first half (a) against second half (b)
    per_writer: WriterErrors  # mistakes of all the classifiers summed
    student_writer: np.ndarray  # aligned with per_writer.writer_ids
    galleries: dict[str, Gallery]  # collection ("employees", "students") -> writers chosen among its own
    overall: Gallery  # writers chosen among all test writers


def error_report(series: np.ndarray, writer: np.ndarray, wrongs: dict[str, np.ndarray], min_digits: int = 20,
                 k: int = 5, confidence_level: float = 0.95) -> ErrorReport:
    """Errors of each classifier (``wrongs``: name -> wrong per test digit) by group and writer.

    Galleries choose among writers with at least ``min_digits`` test digits, or, where nobody
    wrote that many, among those with as many as the most prolific writer (each Gallery says which).
    """
    student = is_student(series)
    half = first_half(len(series))
    per_writer = writer_errors(writer, *wrongs.values())

    def gallery(within: np.ndarray | None) -> Gallery:  # nobody with min_digits (a small sample): the most anyone has
        candidates = per_writer.digits if within is None else per_writer.digits[np.isin(per_writer.writer_ids, within)]
        return gallery_writers(per_writer, min(min_digits, int(candidates.max())), k, within)

    galleries = {name: gallery(writer[members]) for name, members in zip(COLLECTIONS, (~student, student))
                 if members.any()}
    return ErrorReport(
        by_collection={name: compare_errors(wrong, student, confidence_level) for name, wrong in wrongs.items()},
        by_half={name: compare_errors(wrong, half, confidence_level) for name, wrong in wrongs.items()},
        per_writer=per_writer,
        student_writer=_frozen(np.isin(per_writer.writer_ids, writer[student])),
        galleries=galleries,
        overall=gallery(None),
    )


def prolific_writers(labels: np.ndarray, series: np.ndarray, writer: np.ndarray, digit: int,
                     per_collection: int = 4) -> dict[str, tuple[int, ...]]:
    """Per collection, the writers of the most digits ``digit`` (ties: lower ID), most first: a digit page's hands."""
    chosen = {}
    for name, members in zip(COLLECTIONS, (~is_student(series), is_student(series))):
        ids, counts = np.unique(writer[members & (labels == digit)], return_counts=True)
        order = np.lexsort((ids, -counts))[:per_collection]
        chosen[name] = tuple(int(i) for i in ids[order])
    return chosen


def writer_digits(writer: np.ndarray, labels: np.ndarray, writer_index: np.ndarray, who: int) -> np.ndarray:
    """Indices of all of ``who``'s digits, ordered by class, then by their index among the writer's digits."""
    mine = np.flatnonzero(np.asarray(writer) == who)
    return mine[np.lexsort((writer_index[mine], labels[mine]))]


# --------------------------------------------------------------------------- style on the map


@dataclass(frozen=True, eq=False)
class MapStyle:
    """Share of a digit's k nearest same-class map neighbours written by its own writer, against chance."""

    k: int
    observed: float  # mean over digits of (same-writer neighbours / k)
    chance: float  # mean over digits of (other digits of its writer and class / other digits of its class)
    per_class_observed: np.ndarray  # (10,)
    per_class_chance: np.ndarray
    permuted: np.ndarray  # observed with writers shuffled within each class, one value per permutation
    p_value: float  # (1 + permutations at least as high as observed) / (1 + permutations)
    n_digits: int

    @property
    def ratio(self) -> float:
        return self.observed / self.chance if self.chance else float("inf")

    def summary(self) -> dict:
        """JSON-able numbers for results.json."""
        return {"k": self.k, "observed": self.observed, "chance": self.chance, "ratio": self.ratio,
                "permutations": len(self.permuted), "permuted_max": float(self.permuted.max(initial=0.0)),
                "p_value": self.p_value, "digits": self.n_digits}


def _same_class_neighbours(coords: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """(n, k) indices of each point's k nearest points of its own class, itself excluded."""
    neighbours = np.empty((len(coords), k), dtype=np.int64)
    for digit in np.unique(labels):
        members = np.flatnonzero(labels == digit)
        if len(members) <= k:
            raise ValueError(f"class {digit} has {len(members)} digits; k = {k} neighbours need more")
        neighbours[members] = members[exact_neighbours(coords[members], k, dtype=np.float64)]
    return neighbours


def _same_writer_share(neighbours: np.ndarray, writer: np.ndarray) -> np.ndarray:
    return (writer[neighbours] == writer[:, None]).mean(axis=1)


def map_style(coords: np.ndarray, labels: np.ndarray, writer: np.ndarray, k: int = 10,
              permutations: int = 199, seed: int = 0) -> MapStyle:
    """How often same-class map neighbours share the writer, against two measures of chance.

    Chance, exactly: a neighbour drawn at random from the digit's class is its writer's
    with probability (its writer's other digits of that class) / (other digits of that class).
    The permutation check shuffles writer IDs within each class (``seed`` fixed) and measures again.
    """
    coords, labels, writer = np.asarray(coords, float), np.asarray(labels), np.asarray(writer)
    neighbours = _same_class_neighbours(coords, labels, k)
    share = _same_writer_share(neighbours, writer)
    pair = labels.astype(np.int64) * (int(writer.max()) + 1) + writer  # (class, writer) key
    _, inverse, counts = np.unique(pair, return_inverse=True, return_counts=True)
    class_size = np.bincount(labels, minlength=10)[labels]
    chance = (counts[inverse] - 1) / (class_size - 1)
    rng = np.random.default_rng(seed)
    classes = [np.flatnonzero(labels == digit) for digit in np.unique(labels)]
    permuted = []
    shuffled = writer.copy()
    for _ in range(permutations):
        for members in classes:
            shuffled[members] = rng.permutation(writer[members])
        permuted.append(_same_writer_share(neighbours, shuffled).mean())
    permuted_arr = np.array(permuted)
    observed = float(share.mean())

    def per_class(values: np.ndarray) -> np.ndarray:
        return _frozen(np.array([values[labels == d].mean() if np.any(labels == d) else np.nan for d in range(10)]))

    return MapStyle(k, observed, float(chance.mean()), per_class(share), per_class(chance), _frozen(permuted_arr),
                    float((1 + np.sum(permuted_arr >= observed)) / (1 + permutations)), len(labels))
