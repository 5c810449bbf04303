"""Lighthouse 12 scores of the report's pages, mobile and desktop, in both languages.

Builds the site (``--quick`` unless ``--full``) with ``--site-url`` set to where it is then
served: http://127.0.0.1:PORT/mnistreport/, a sub-path as on GitHub Pages, with gzip as Pages
serves it. Then runs Lighthouse on the home page, the explorer, the grid and classifier
chapters and a digit page, in each language, with the mobile and the desktop preset, and
prints a table of the four category scores (targets: performance 95, the others 100).

Lighthouse is not a project dependency; install it once outside the package, e.g.

    npm i -E --prefix benchmarks lighthouse@12.2.3      # benchmarks/node_modules is git-ignored

or point LIGHTHOUSE at its executable. Chromium: CHROME_PATH (default /usr/bin/chromium).

    .venv/bin/python benchmarks/lighthouse.py                 # quick build, all pages
    .venv/bin/python benchmarks/lighthouse.py --site DIR      # a site already built for PORT
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUB_PATH = "mnistreport"
PAGES = ("index", "explore", "grid", "classifier", "digit-3")
LANGS = ("en", "ja")
PRESETS = ("mobile", "desktop")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv"}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text gzipped when the client accepts it (as GitHub Pages does); no log lines."""

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix in COMPRESSED and path.is_file()
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(path.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=600")
            self.end_headers()
            return _Body(body)
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Body:
    """A file-like object over bytes, for SimpleHTTPRequestHandler's copyfile."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        chunk, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return chunk

    def close(self) -> None:
        pass


def lighthouse_executable() -> str:
    """LIGHTHOUSE, or benchmarks/node_modules/.bin/lighthouse, or one on PATH; else exit with how to install it."""
    for candidate in (os.environ.get("LIGHTHOUSE"), REPO / "benchmarks" / "node_modules" / ".bin" / "lighthouse",
                      shutil.which("lighthouse")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    sys.exit("Lighthouse not found: npm i -E --prefix benchmarks lighthouse@12.2.3 (or set LIGHTHOUSE)")


def build(out: Path, site_url: str, full: bool, cache_dir: Path | None) -> None:
    """The site, built by the project's own command line with --site-url."""
    command = [sys.executable, str(REPO / "build.py"), "--out", str(out), "--site-url", site_url]
    command += [] if full else ["--quick"]
    command += ["--cache-dir", str(cache_dir)] if cache_dir else []
    subprocess.run(command, check=True, cwd=REPO)


def audit(lighthouse: str, url: str, preset: str) -> dict[str, float]:
    """The category scores (0-100) of one Lighthouse run."""
    command = [lighthouse, url, "--output=json", "--output-path=stdout", "--quiet",
               "--only-categories=" + ",".join(CATEGORIES),
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run"]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url} ({preset}): {done.stderr.strip()[-800:]}")
    report = json.loads(done.stdout)
    failing = [f"{a['id']}" for a in report["audits"].values()
               if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") in ("binary", "numeric")
               and any(a["id"] == ref["id"] and ref.get("weight", 0) > 0
                       for c in report["categories"].values() for ref in c["auditRefs"])]
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    scores["failing"] = failing  # type: ignore[assignment]
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a site already built with --site-url http://127.0.0.1:PORT/mnistreport/")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--full", action="store_true", help="build the full site, not --quick")
    parser.add_argument("--cache-dir", type=Path, help="the build's cache folder (default: the build's own)")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), help=f"page names (default: {' '.join(PAGES)})")
    parser.add_argument("--langs", nargs="*", default=list(LANGS))
    parser.add_argument("--presets", nargs="*", default=list(PRESETS), choices=PRESETS)
    args = parser.parse_args()

    lighthouse = lighthouse_executable()
    base = f"http://127.0.0.1:{args.port}/{SUB_PATH}/"
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(site, base, args.full, args.cache_dir)
        root = Path(tmp) / "served"
        root.mkdir()
        (root / SUB_PATH).symlink_to(site.resolve())
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), partial(GzipHandler, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        rows = []
        try:
            for lang in args.langs:
                for page in args.pages:
                    for preset in args.presets:
                        scores = audit(lighthouse, f"{base}{lang}/{page}.html", preset)
                        rows.append((f"{lang}/{page}", preset, scores))
                        print(f"  {lang}/{page:<11} {preset:<8} " + " ".join(f"{scores[c]:>4}" for c in CATEGORIES)
                              + (f"   audits short of full marks: {', '.join(scores['failing'])}" if scores["failing"] else ""),
                              flush=True)
        finally:
            server.shutdown()
            server.server_close()
    print(f"\n{'page':<16} {'preset':<8} " + " ".join(f"{c[:13]:>14}" for c in CATEGORIES))
    for name, preset, scores in rows:
        print(f"{name:<16} {preset:<8} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES))
    short = [(name, preset, c, scores[c]) for name, preset, scores in rows for c in CATEGORIES if scores[c] < TARGETS[c]]
    print("\nall scores on target" if not short else
          "\nbelow target: " + "; ".join(f"{n} {p} {c} {s}" for n, p, c, s in short))


if __name__ == "__main__":
    main()
