"""The report's pages in Firefox, as readers use them: a second-engine check beside the Chromium tests.

Not part of the test suite (CI installs Chromium only). Serves a built site on 127.0.0.1 under
/mnistreport/ (a sub-path, as GitHub Pages serves a project site, text gzipped as Pages sends it) and
drives Debian's Firefox ESR through puppeteer-core over WebDriver BiDi (benchmarks/firefox_check.mjs)
with the mouse, the wheel and the keyboard, without the explorer's test hook. It opens, in English and
Japanese, at 1280x900 and 390x844: the home page, the grid chapter (its embedded explorer), the explore
page, the classifier chapter (the drawing pad) and a digit page, and checks on each:

- no console error, no page error, no failed request and no HTTP error, no request to another host;
- every image decoded (naturalWidth > 0 after setting loading=eager), after scrolling through the page;
- no horizontal overflow (the page no wider than the window, at 390 px as at 1280 px);
- home page: typing 'lapjv' (en) or 「自己符号化器」 (ja) in the header's search box lists the grid or the
  autoencoder chapter among the first three results, only pages of that language, and the index is not
  fetched before the reader types;
- explore page: the points load (loading message gone, counts written, the canvas drawn); the wheel
  over the map, not engaged, scrolls the page and leaves the map unzoomed (no zoom= in the address)
  with a hint on how to zoom; hovering shows a digit's tooltip and a click there fills the selected-digit
  panel; then (engaged) the wheel zooms the map and the page stays; keys 0, Escape and Enter on the
  focused map show the whole map, unselect, and pick the digit at the centre;
- grid chapter: its embedded explorer loads and draws once scrolled to;
- classifier chapter: a stroke drawn with the mouse on the pad gives "Prediction: d (p %)".

Prints a table (page, viewport, result, problems) and exits 1 if any check fails.

Install, once (nothing goes into the project's requirements; benchmarks/node_modules is git-ignored):

    apt-get update && apt-get install -y firefox-esr
    npm i --no-save --no-package-lock --prefix benchmarks puppeteer-core@24.43.1

(puppeteer-core 25 needs Node 22; Debian's Node 20 takes 24.x. Puppeteer's own browser download is not
used: the script points it at /usr/bin/firefox-esr. PUPPETEER_CORE=DIR uses a copy installed elsewhere,
DIR being its package folder, e.g. /opt/pp/node_modules/puppeteer-core.) Then:

    .venv/bin/python benchmarks/firefox_check.py --site site            # a site already built
    .venv/bin/python benchmarks/firefox_check.py                        # builds a --quick site first
    .venv/bin/python benchmarks/firefox_check.py --site site --langs ja --pages explore --widths 390 -v

-v also prints what each page showed (counts, the selected digit, the prediction);
--screenshots DIR saves each page's screen after its checks. The whole run takes about a minute.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lighthouse import GzipHandler  # noqa: E402  (the same server: gzip as Pages, no log lines)

SUB_PATH = "mnistreport"
PAGES = ("index", "grid", "explore", "classifier", "digit-3")
LANGS = ("en", "ja")
WIDTHS = ("1280", "390")


def firefox_executable(given: str | None) -> str:
    for candidate in (given, os.environ.get("FIREFOX"), shutil.which("firefox-esr"), shutil.which("firefox")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    sys.exit("Firefox not found: apt-get update && apt-get install -y firefox-esr (or --firefox PATH)")


def check_puppeteer() -> None:
    where = os.environ.get("PUPPETEER_CORE")
    folder = Path(where) if where else HERE / "node_modules" / "puppeteer-core"
    if not (folder / "package.json").exists():
        sys.exit(f"puppeteer-core not found in {folder}: "
                 "npm i --no-save --no-package-lock --prefix benchmarks puppeteer-core@24.43.1 (or set PUPPETEER_CORE)")
    if not shutil.which("node"):
        sys.exit("node not found: apt-get install -y nodejs")


def build(out: Path, full: bool, cache_dir: Path | None, data: Path | None) -> None:
    """A site built by the project's own command line (--quick unless full)."""
    command = [sys.executable, str(REPO / "build.py"), "--out", str(out), "-q"]
    command += [] if full else ["--quick"]
    command += ["--cache-dir", str(cache_dir)] if cache_dir else []
    command += ["--data", str(data)] if data else []
    subprocess.run(command, check=True, cwd=REPO)


def table(rows: list[dict], verbose: bool) -> str:
    """page, viewport, result, problems: one line per page and viewport, each further problem on its own line."""
    width = 96
    lines = [f"{'page':<16} {'viewport':<9} {'result':<6} problems", "-" * (16 + 9 + 6 + 3 + 40)]
    for row in rows:
        result = "FAIL" if row["problems"] else "ok"
        problems = row["problems"] or ["-"]
        first, *rest = [textwrap.shorten(p, width, placeholder=" …") for p in problems]
        lines.append(f"{row['page']:<16} {row['viewport']:<9} {result:<6} {first}")
        lines += [f"{'':<34}{p}" for p in rest]
        if verbose:
            lines += [f"{'':<34}· {textwrap.shorten(n, width, placeholder=' …')}" for n in row.get("notes", [])]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build a --quick one into a temporary folder)")
    parser.add_argument("--full", action="store_true", help="without --site: build the full site, not --quick")
    parser.add_argument("--cache-dir", type=Path, help="without --site: the build's cache folder")
    parser.add_argument("--data", type=Path, help="without --site: the MNIST folder for the build")
    parser.add_argument("--firefox", help="Firefox's executable (default: FIREFOX, then firefox-esr on PATH)")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), help=f"page names (default: {' '.join(PAGES)})")
    parser.add_argument("--langs", nargs="*", default=list(LANGS), choices=LANGS)
    parser.add_argument("--widths", nargs="*", default=list(WIDTHS), choices=WIDTHS, help="1280 (x900) and/or 390 (x844)")
    parser.add_argument("--screenshots", type=Path, help="save each page's screen after its checks into this folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print what each page showed")
    args = parser.parse_args()

    firefox = firefox_executable(args.firefox)
    check_puppeteer()
    with tempfile.TemporaryDirectory(prefix="firefox-check-") as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(site, args.full, args.cache_dir, args.data)
        if not (site / "en" / "index.html").exists():
            sys.exit(f"{site} is not a built site (no en/index.html)")
        root = Path(tmp) / "served"
        root.mkdir()
        (root / SUB_PATH).symlink_to(site.resolve())
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(GzipHandler, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}/"
        command = ["node", str(HERE / "firefox_check.mjs"), base, "--firefox", firefox,
                   "--pages", ",".join(args.pages), "--langs", ",".join(args.langs), "--widths", ",".join(args.widths)]
        if args.screenshots:
            args.screenshots.mkdir(parents=True, exist_ok=True)
            command += ["--screenshots", str(args.screenshots.resolve())]
        try:
            done = subprocess.run(command, stdout=subprocess.PIPE, text=True, timeout=900)
        finally:
            server.shutdown()
            server.server_close()
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    expected = len(args.pages) * len(args.langs) * len(args.widths)
    print()
    print(table(rows, args.verbose))
    failed = sum(bool(r["problems"]) for r in rows)
    if len(rows) < expected:
        print(f"\nthe browser run stopped early (exit {done.returncode}): {len(rows)} of {expected} pages checked")
        return 1
    print(f"\n{len(rows) - failed} of {len(rows)} pages and viewports passed every check in Firefox"
          + ("" if not failed else f"; {failed} failed"))
    return 1 if failed or done.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
