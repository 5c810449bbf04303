"""`python build.py serve`: answers on 127.0.0.1, rebuilds after a content change, reloads pages.

The request tests run the preview server on a free port over a small hand-made site and talk
to it through raw sockets, so that malformed requests reach it exactly as written.
"""

import http.client
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest

from mnistreport.website.serve import RELOAD_SCRIPT, STATUS_PATH, BuildState, open_server, snapshot

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_snapshot_sees_new_and_changed_files(tmp_path):
    (tmp_path / "a.md").write_text("1")
    before = snapshot([tmp_path])
    (tmp_path / "b.md").write_text("2")
    assert snapshot([tmp_path]) != before


def test_serve_rebuilds_after_a_content_change(tmp_path, sample_cache, tiny_config_file):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MNIST_DATA_DIR"}
    proc = subprocess.Popen(
        [sys.executable, "build.py", "serve", "--no-download", "--quick", "--port", str(port), "--content", str(content),
         "--out", str(tmp_path / "site"), "--cache-dir", str(sample_cache), "--config", str(tiny_config_file),
         "--data-cache", str(tmp_path / "no-data")],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        page = wait_for(lambda: fetch(f"{base}/en/about.html"), 300, "the first build to be served")
        assert RELOAD_SCRIPT.strip() in page
        assert "__mnistreport_status" not in (tmp_path / "site" / "en" / "about.html").read_text()
        first = wait_for(lambda: fetch(f"{base}/__mnistreport_status"), 10, "status")
        about = content / "en" / "about.md"
        about.write_text(about.read_text(encoding="utf-8") + "\nA sentence added while serving.\n", encoding="utf-8")
        wait_for(lambda: fetch(f"{base}/__mnistreport_status") != first, 120, "the rebuild")
        assert "A sentence added while serving." in fetch(f"{base}/en/about.html")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "serving" in output


class Reply(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@pytest.fixture
def site_port(tmp_path: Path) -> Iterator[int]:
    """The preview server on a free port of 127.0.0.1, serving a small site; yields the port."""
    site = tmp_path / "site"
    for name, text in {"en/index.html": "<html><body>home</body></html>",
                       "en/page.html": "<html><body>a page</body></html>",
                       "en/sub/index.html": "<html><body>sub</body></html>",
                       "en/bare/secret-name.txt": "not to be listed",
                       "assets/style.css": "body { color: black; }"}.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    httpd = open_server(site, 0, BuildState())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def ask(port: int, target: bytes, method: str = "GET", host: str | None = "") -> Reply:
    """Send one request with ``target`` as written; ``host`` "" means 127.0.0.1:port, None no Host header."""
    host_line = b"" if host is None else b"Host: " + (host or f"127.0.0.1:{port}").encode() + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(method.encode() + b" " + target + b" HTTP/1.1\r\n" + host_line + b"Connection: close\r\n\r\n")
        reply = http.client.HTTPResponse(sock, method=method)
        reply.begin()  # a dropped connection raises RemoteDisconnected here
        return Reply(reply.status, reply.headers, reply.read())


@pytest.fixture
def console(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """After the test: nothing the server printed (no traceback) and no request logged as failed."""
    with caplog.at_level(logging.WARNING, logger="mnistreport.website.serve"):
        yield
    assert "Traceback" not in capfd.readouterr().err
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize("target", [b"/en/%00.html", b"/%00", b"/en/\x00index.html"])
def test_nul_byte_in_the_path_gets_400(site_port: int, console: None, target: bytes) -> None:
    reply = ask(site_port, target)
    assert (reply.status, reply.body) == (400, b"400 Bad Request: the request path contains a NUL byte (%00)\n")


def test_path_not_utf8_gets_400(site_port: int, console: None) -> None:
    reply = ask(site_port, b"/en/%ed%a0%80.html")  # an encoded surrogate: not UTF-8
    assert reply.status == 400 and b"not valid UTF-8" in reply.body


def test_over_long_path_gets_414_and_an_over_long_name_404(site_port: int, console: None) -> None:
    reply = ask(site_port, b"/en/" + b"a" * 3000 + b".html")
    assert reply.status == 414 and b"longer than 2048 bytes" in reply.body
    reply = ask(site_port, b"/en/" + b"a" * 300 + b".html")  # under the limit, too long a name for the disk
    assert reply.status == 404


def test_head_reports_the_length_get_sends(site_port: int, console: None) -> None:
    mismatches = {}
    for target in (b"/en/page.html", b"/en/", b"/assets/style.css", STATUS_PATH.encode()):
        got, head = ask(site_port, target), ask(site_port, target, method="HEAD")
        lengths = (len(got.body), got.headers["Content-Length"], head.headers["Content-Length"], len(head.body))
        if (got.status, head.status) != (200, 200) or lengths != (len(got.body), str(len(got.body)),
                                                                  str(len(got.body)), 0):
            mismatches[target] = (got.status, head.status, lengths)
    assert mismatches == {}


def test_folders_are_never_listed(site_port: int, console: None) -> None:
    reply = ask(site_port, b"/en/bare/")
    assert reply.status == 404 and b"secret-name" not in reply.body
    assert b"no index.html" in reply.body
    assert ask(site_port, b"/en/bare").status == 301  # to /en/bare/, as for any folder
    page = ask(site_port, b"/en/sub/")
    assert page.status == 200 and RELOAD_SCRIPT.encode() in page.body and b"sub" in page.body


def test_requests_for_another_host_are_refused(site_port: int, console: None) -> None:
    for host in ("evil.example", f"evil.example:{site_port}", f"127.0.0.1:{site_port + 1}", "localhost",
                 f"127.0.0.1.evil.example:{site_port}"):
        reply = ask(site_port, b"/en/page.html", host=host)
        assert reply.status == 403, host
        assert f"only to 127.0.0.1:{site_port}".encode() in reply.body
    assert ask(site_port, b"/en/page.html", host=None).status == 400
    for host in (f"127.0.0.1:{site_port}", f"localhost:{site_port}", f"LocalHost:{site_port}", f"[::1]:{site_port}"):
        assert ask(site_port, b"/en/page.html", host=host).status == 200, host


def test_a_port_in_use_is_reported_before_the_build(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "build.py", "serve", "--port", str(port), "--data", str(tmp_path / "no-data"),
             "--no-download", "--out", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache")],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )
    assert proc.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "cache").exists() and not (tmp_path / "site").exists()  # no build was started


def test_an_edit_saved_while_a_rebuild_runs_is_built_too(tmp_path):
    import threading

    from mnistreport.website.serve import serve

    content = tmp_path / "content"
    content.mkdir()
    page = content / "page.md"
    page.write_text("first")
    (tmp_path / "site").mkdir()
    stop = threading.Event()
    requests: list[list[str]] = []

    class SlowWorker:
        """A builder whose second build sees another edit saved while it runs."""

        def request(self, changed):
            requests.append(sorted(p.name for p in changed))
            if len(requests) == 2:
                time.sleep(0.3)
                page.write_text("saved during the rebuild")  # the reader saves again mid-build
                time.sleep(0.3)
            if len(requests) == 3:
                stop.set()
            return {"ok": True}

        def stop(self):
            pass

    def edit_then_wait() -> None:
        time.sleep(0.5)
        page.write_text("second")

    threading.Thread(target=edit_then_wait, daemon=True).start()
    threading.Timer(15, stop.set).start()  # a lost edit would never ask for a third build: stop anyway
    serve([], tmp_path / "site", [content], free_port(), poll_seconds=0.05, stop=stop, worker=SlowWorker())
    assert requests == [[], ["page.md"], ["page.md"]]  # the first build, the edit, and the edit saved during it
