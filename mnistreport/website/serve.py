"""``python build.py serve``: build, serve the site on 127.0.0.1, rebuild on change, reload the browser.

Builds run in a warm worker process (``build.py worker``): an edit of the text,
the words, the templates or the styles re-renders the pages in it without
starting Python again; an edit of the package's code starts a fresh worker,
so new code takes effect. The analysis cache keeps every rebuild short. Pages are served with a small
script injected that asks the server for the build number once a second and
reloads when it changes (or shows the error of a failed rebuild). The script
exists only in served pages, never in the written site.
"""

from __future__ import annotations

from mnistreport.errors import ReportError

import errno
import functools
import http.server
import json
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from http import HTTPStatus
from pathlib import Path
from typing import Iterable, Sequence

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_DIR.parent

STATUS_PATH = "/__mnistreport_status"

RELOAD_SCRIPT = """<script>
(() => {
  let seen = null;
  async function poll() {
    try {
      const status = await (await fetch('%s', {cache: 'no-store'})).json();
      if (seen !== null && status.build !== seen) location.reload();
      seen = status.build;
      let box = document.getElementById('mnistreport-error');
      if (status.error && !box) {
        box = document.createElement('pre'); box.id = 'mnistreport-error';
        box.style.cssText = 'position:fixed;bottom:0;left:0;right:0;max-height:40vh;overflow:auto;margin:0;' +
          'padding:1rem;background:#7a0010;color:#fff;z-index:99;white-space:pre-wrap';
        document.body.appendChild(box);
      }
      if (box) { box.textContent = status.error || ''; box.hidden = !status.error; }
    } catch (e) {}
    setTimeout(poll, 1000);
  }
  poll();
})();
</script>""" % STATUS_PATH


class BuildState:
    """The number of the last good build and the error of the last failed one."""

    def __init__(self) -> None:
        self.build = 0
        self.error = ""
        self.lock = threading.Lock()

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"build": self.build, "error": self.error}).encode()


LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
MAX_PATH_BYTES = 2048


class ServeError(ReportError):
    """The preview server cannot start (the port is taken, or may not be opened)."""


def allowed_hosts(port: int) -> frozenset[str]:
    """The ``Host`` header values that name this server: a local name with its port (bare on port 80)."""
    hosts = {f"{name}:{port}" for name in LOCAL_NAMES}
    if port == 80:
        hosts.update(LOCAL_NAMES)
    return frozenset(hosts)


def path_problem(target: str) -> tuple[HTTPStatus, str] | None:
    """Why a request target cannot name a file of the site (status and message), or None if it can."""
    if len(target) > MAX_PATH_BYTES:  # http.server decodes the request line as Latin-1: one char per byte
        return HTTPStatus.REQUEST_URI_TOO_LONG, f"the request path is longer than {MAX_PATH_BYTES} bytes"
    raw = urllib.parse.unquote_to_bytes(urllib.parse.urlsplit(target).path)
    if b"\0" in raw:
        return HTTPStatus.BAD_REQUEST, "the request path contains a NUL byte (%00)"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return HTTPStatus.BAD_REQUEST, "the request path is not valid UTF-8 once percent-decoded"
    return None


class ReloadingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder; HTML pages get the reload script, and the status path answers JSON.

    GET and HEAD share one code path, so HEAD reports the length GET sends. Requests for
    another host (DNS rebinding), malformed paths and folders without ``index.html`` are
    answered with an error status and a one-line reason; nothing is listed.
    """

    state: BuildState
    error_message_format = "%(code)d %(message)s: %(explain)s\n"
    error_content_type = "text/plain; charset=utf-8"

    def __init__(self, *args, state: BuildState, **kwargs) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("serve: " + format, *args)

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        """Answer the request: an error, the status JSON, an HTML page with the script, or a plain file."""
        refusal = self._host_problem() or path_problem(self.path)
        if refusal is not None:
            self.send_error(refusal[0], explain=refusal[1])
            return
        if urllib.parse.urlsplit(self.path).path == STATUS_PATH:
            self._send(self.state.as_json(), "application/json", with_body)
            return
        page = self._html_page()
        if page is not None:
            try:
                text = page.read_text(encoding="utf-8")
            except OSError:  # removed by a rebuild's swap since it was found
                self.send_error(HTTPStatus.NOT_FOUND, explain="the page is being rebuilt; reload in a moment")
                return
            self._send(text.replace("</body>", RELOAD_SCRIPT + "\n</body>", 1).encode("utf-8"),
                       "text/html; charset=utf-8", with_body)
            return
        file = self.send_head()  # headers with the file's length, a redirect, or an error
        if file is not None:
            with file:
                if with_body:
                    self.copyfile(file, self.wfile)

    def _host_problem(self) -> tuple[HTTPStatus, str] | None:
        """A refusal if the ``Host`` header does not name this server (a DNS-rebinding page could send it)."""
        host = self.headers.get("Host")
        port = self.server.server_address[1]
        if host is None:
            return HTTPStatus.BAD_REQUEST, "the request has no Host header"
        if host.strip().lower() not in allowed_hosts(port):
            return HTTPStatus.FORBIDDEN, f"this preview answers only to 127.0.0.1:{port} or localhost:{port}"
        return None

    def _html_page(self) -> Path | None:
        """The HTML file the request names (a folder's ``index.html`` when the path ends in /), if it is one."""
        path = self.translate_path(self.path)
        if urllib.parse.urlsplit(self.path).path.endswith("/"):
            path = os.path.join(path, "index.html")
        return Path(path) if path.endswith(".html") and os.path.isfile(path) else None

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """No folder listings: a folder without ``index.html`` is not found."""
        self.send_error(HTTPStatus.NOT_FOUND, explain="this folder has no index.html (folders are not listed)")
        return None

    def _send(self, body: bytes, content_type: str, with_body: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)


class PreviewServer(http.server.ThreadingHTTPServer):
    """The threaded HTTP server, logging a failed request in one line (the traceback only with --verbose)."""

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        error = sys.exc_info()[1]
        log.warning("serve: request from %s failed: %r", client_address[0], error)
        log.debug("serve: traceback", exc_info=True)


def open_server(out_dir: Path, port: int, state: BuildState) -> PreviewServer:
    """Bind 127.0.0.1:``port`` for ``out_dir`` (not serving yet); a port in use is a ServeError."""
    handler = functools.partial(ReloadingHandler, state=state, directory=str(out_dir))
    try:
        return PreviewServer(("127.0.0.1", port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on 127.0.0.1 is in use (another server, or another `serve`?); "
                             f"choose another with --port") from exc
        raise ServeError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc


def snapshot(folders: Iterable[Path]) -> dict[Path, float]:
    """Modification time of every file under ``folders`` (the watcher compares two of these)."""
    times = {}
    for folder in folders:
        if folder.is_file():
            times[folder] = folder.stat().st_mtime
            continue
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                times[path] = path.stat().st_mtime
    return times


class Worker:
    """The warm builder: ``python build.py worker`` kept running between edits (its imports, data and results
    stay loaded); started again when the package's own code changed, since a running process keeps its code."""

    def __init__(self, build_args: Sequence[str]) -> None:
        self.build_args = list(build_args)
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.stop()
        self.process = subprocess.Popen([sys.executable, "build.py", "worker", *self.build_args], cwd=REPO_ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
        self.process = None

    def request(self, changed: Sequence[Path]) -> dict:
        """Ask for a build (or a re-render of the changed pages); the answer, or the worker's exit as an error."""
        if self.process is None or self.process.poll() is not None:
            self.start()
            changed = []  # a new worker builds everything it needs
        assert self.process is not None and self.process.stdin and self.process.stdout
        try:
            self.process.stdin.write(json.dumps({"changed": [str(p) for p in changed]}) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        except BrokenPipeError:
            answer = ""
        if not answer:
            status = self.process.wait()
            self.process = None
            return {"ok": False, "error": f"the builder stopped (exit status {status}); see the log above"}
        return json.loads(answer)


def run_build(worker: Worker, state: BuildState, changed: Sequence[Path] = ()) -> bool:
    """One build (or re-render) by the worker; on success bump the build number, else keep the error."""
    started = time.perf_counter()
    answer = worker.request(changed)
    with state.lock:
        if answer["ok"]:
            state.build += 1
            state.error = ""
        else:
            state.error = answer["error"][-4000:]
    if answer["ok"]:
        log.info("built in %.2f s", time.perf_counter() - started)
    else:
        log.error("build failed (the previous site is still served):\n%s", state.error)
    return bool(answer["ok"])


def changed_files(before: dict[Path, float], now: dict[Path, float]) -> list[Path]:
    """Files added, removed or modified between two snapshots."""
    return sorted(set(now) ^ set(before) | {p for p in now if before.get(p) != now[p]})


def serve(build_args: Sequence[str], out_dir: Path, watched: Sequence[Path], port: int,
          poll_seconds: float = 0.1, stop: threading.Event | None = None, worker: Worker | None = None) -> None:
    """Bind 127.0.0.1:``port``, build, serve ``out_dir``, and rebuild when a watched file changes.

    Raises ServeError, before building, if the port cannot be opened.
    """
    state = BuildState()
    httpd = open_server(out_dir, port, state)  # before the build: a port in use is reported at once
    worker = worker or Worker(build_args)
    try:
        before = snapshot(watched)
        run_build(worker, state)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        log.info("serving %s at http://127.0.0.1:%d/ (Ctrl-C to stop); watching %s", out_dir,
                 httpd.server_address[1], ", ".join(str(w) for w in watched))
        stop = stop or threading.Event()
        while not stop.wait(poll_seconds):
            now = snapshot(watched)
            changed = changed_files(before, now)
            if not changed:
                continue
            # the snapshot taken before the build: a file saved while it runs counts as changed next time
            before = now
            log.info("changed: %s; rebuilding", ", ".join(str(p) for p in changed[:5]))
            if any(PACKAGE_DIR in p.resolve().parents for p in changed):
                worker.start()  # new code: a fresh process
                changed = []
            run_build(worker, state, changed)
    finally:
        worker.stop()
        httpd.shutdown()
        httpd.server_close()
