"""``python build.py serve``: build, serve the site on 127.0.0.1, rebuild on change, reload the browser.

Every rebuild runs ``build.py`` in a fresh process, so edits to the package's
code take effect as well as edits to content and templates; the analysis cache
keeps text-only rebuilds to a second or two. Pages are served with a small
script injected that asks the server for the build number once a second and
reloads when it changes (or shows the error of a failed rebuild). The script
exists only in served pages, never in the written site.
"""

from __future__ import annotations

import functools
import http.server
import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterable, Sequence

log = logging.getLogger(__name__)

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


class ReloadingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder; HTML pages get the reload script, and the status path answers JSON."""

    state: BuildState

    def __init__(self, *args, state: BuildState, **kwargs) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("serve: " + format, *args)

    def do_GET(self) -> None:
        if self.path.split("?")[0] == STATUS_PATH:
            self._send(self.state.as_json(), "application/json")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            text = path.read_text(encoding="utf-8").replace("</body>", RELOAD_SCRIPT + "\n</body>", 1)
            self._send(text.encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


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


def run_build(build_args: Sequence[str], state: BuildState) -> bool:
    """One build in a fresh process; on success bump the build number, else keep the error."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "build.py", *build_args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    with state.lock:
        if proc.returncode == 0:
            state.build += 1
            state.error = ""
        else:
            state.error = (proc.stderr or proc.stdout).strip()[-4000:]
    if proc.returncode == 0:
        log.info("built in %.1f s", time.perf_counter() - started)
    else:
        log.error("build failed (the previous site is still served):\n%s", state.error)
    return proc.returncode == 0


def serve(build_args: Sequence[str], out_dir: Path, watched: Sequence[Path], port: int,
          poll_seconds: float = 0.5, stop: threading.Event | None = None) -> None:
    """Build, serve ``out_dir`` on 127.0.0.1:``port``, and rebuild when a watched file changes."""
    state = BuildState()
    run_build(build_args, state)
    handler = functools.partial(ReloadingHandler, state=state, directory=str(out_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    log.info("serving %s at http://127.0.0.1:%d/ (Ctrl-C to stop); watching %s", out_dir, httpd.server_address[1],
             ", ".join(str(w) for w in watched))
    stop = stop or threading.Event()
    before = snapshot(watched)
    try:
        while not stop.wait(poll_seconds):
            now = snapshot(watched)
            if now != before:
                changed = sorted(str(p) for p in set(now) ^ set(before) | {p for p in now if before.get(p) != now[p]})
                log.info("changed: %s; rebuilding", ", ".join(changed[:5]))
                run_build(build_args, state)
                before = snapshot(watched)
    finally:
        httpd.shutdown()
        httpd.server_close()
