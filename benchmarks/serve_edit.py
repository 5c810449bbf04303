"""How soon does a Markdown edit reach the page that ``serve`` serves? Prints both loops in one run.

With ``python build.py serve`` running (its warm worker: ``build.py worker``), the script edits one
Markdown file several times (English and Japanese pages in turn) and times each edit from the
moment the file is saved until the served page, fetched over HTTP, holds the new text. Beside it,
the reference: the loop of the commit before the warm worker, a fresh ``python build.py`` process
per edit (same options, same warm cache), timed from the save until that process has published.

Target (issue 22): the median edit reaches the served page in at most 0.5 s.

    python benchmarks/serve_edit.py [--data DIR] [--cache-dir DIR] [--quick] [--edits N]

``--cache-dir`` should be a cache the same code has filled (the default is the repository's ``.cache``,
which ``./run build`` fills); the first build of the server fills in whatever it lacks (not timed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.5
PAGES = ("en/first-look", "ja/first-look", "en/grid", "ja/tsne")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served(port: int, page: str) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{page}.html", timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def append(content: Path, page: str, text: str) -> None:
    path = content / f"{page}.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def wait_until(condition, timeout: float) -> float:
    """Seconds until ``condition()`` is true, polling every 10 ms (an error after ``timeout``)."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"not done after {timeout:.0f} s")
        time.sleep(0.01)
    return time.perf_counter() - started


def edit_text(lang: str, number: int) -> str:
    stamp = time.time_ns()  # new text every run: no search index from an earlier run is reused
    return f"Edited for the serve benchmark {number} {stamp}." if lang == "en" else f"サーバーの計測のための編集 {number} {stamp}。"


def timed_edits(content: Path, edits: int, published: Callable[[str, str], None], settle: float = 0.0) -> list[float]:
    """Seconds from saving each edit until ``published(page, text)`` has returned (pages in turn), waiting
    ``settle`` seconds after each."""
    times = []
    for number in range(edits):
        page = PAGES[number % len(PAGES)]
        text = edit_text(page[:2], number)
        started = time.perf_counter()
        append(content, page, text)
        published(page, text)
        times.append(time.perf_counter() - started)
        time.sleep(settle)
    return times


def serve_loop(args: list[str], content: Path, edits: int) -> list[float]:
    """Edit-to-served-page seconds for each edit, with ``serve`` running."""
    port = free_port()
    log = open(Path(tempfile.gettempdir()) / "mnistreport-serve-benchmark.log", "w")
    server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--port", str(port), *args],
                              cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "<html" in served(port, "en/index"), timeout=1800)  # the first (untimed) build

        def served_page(page: str, text: str) -> None:
            wait_until(lambda: text in served(port, page), timeout=120)

        return timed_edits(content, edits, served_page, settle=1.5)  # the search index follows between edits
    finally:
        server.terminate()
        server.wait()
        log.close()


def fresh_process_loop(args: list[str], content: Path, out: Path, edits: int) -> list[float]:
    """Edit-to-published seconds with a fresh ``build.py`` process per edit (the loop before the worker)."""

    def rebuilt(page: str, text: str) -> None:
        subprocess.run([sys.executable, str(REPO / "build.py"), *args, "-q"], cwd=REPO, check=True)
        assert text in (out / f"{page}.html").read_text(encoding="utf-8")

    return timed_edits(content, edits, rebuilt)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.environ.get("MNIST_DATA_DIR", str(REPO.parent / "shared/data/mnist")))
    parser.add_argument("--provenance", default=os.environ.get("MNIST_PROVENANCE_DIR",
                                                               str(REPO.parent / "shared/data/qmnist")))
    parser.add_argument("--cache-dir", type=Path, default=REPO / ".cache")
    parser.add_argument("--quick", action="store_true", help="serve the --quick preview")
    parser.add_argument("--edits", type=int, default=8, help="edits timed with serve running")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        content = work / "content"
        shutil.copytree(REPO / "content", content)
        out = work / "site"
        args = ["--data", options.data, "--provenance", options.provenance, "--out", str(out),
                "--cache-dir", str(options.cache_dir), "--content", str(content), "--no-download"]
        args += ["--quick"] if options.quick else []
        warm = serve_loop(args, content, options.edits)
        fresh = fresh_process_loop(args, content, out, max(3, options.edits // 2))
    print(f"serve edit benchmark ({'--quick' if options.quick else 'full'}, {os.cpu_count()} CPUs)")
    print(f"  {'loop':<44} {'median':>8} {'min':>8} {'max':>8}")
    for label, times in (("serve (warm worker): edit -> served page", warm),
                         ("reference: fresh build.py process per edit", fresh)):
        print(f"  {label:<44} {statistics.median(times):7.2f}s {min(times):7.2f}s {max(times):7.2f}s")
    print(f"  each edit, serve: {', '.join(f'{t:.2f}' for t in warm)} s")
    ratio = statistics.median(fresh) / statistics.median(warm)
    verdict = "PASS" if statistics.median(warm) <= TARGET_SECONDS else "FAIL"
    print(f"  {ratio:.1f}x faster than a fresh process; target: median <= {TARGET_SECONDS:.1f} s -> {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
