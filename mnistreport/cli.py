"""The command line: ``python build.py [build|clean] [options]``.

Errors that a user can fix (bad data, bad parameters, broken content) are
printed as one clear message naming the file, with exit status 1; the previous
``site/`` is left as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Sequence

from mnistreport.config import load_config
from mnistreport.engine.run import StepRecord
from mnistreport.engine.store import LOCK, Store, file_lock
from mnistreport.errors import ReportError
from mnistreport.report import REPO_ROOT, Published, SitePaths, compute, reindex, rerender, write
from mnistreport.website.content import LANGS
from mnistreport.website.pages import normalise_site_url
from mnistreport.website.publish import check_out_dir
from mnistreport.sources.mnist import MNIST_MIRRORS, default_cache_dir, locate
from mnistreport.sources.qmnist import QMNIST_URLS, load_provenance, provenance_cache

log = logging.getLogger("mnistreport")


def parser() -> argparse.ArgumentParser:
    """The argument parser; every option says its default."""
    p = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the bilingual MNIST report (a static site) from MNIST, the parameters and content/.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("command", nargs="?", choices=("build", "serve", "clean", "worker"), default="build",
                   help="build: compute and write the site; serve: build, serve on 127.0.0.1, rebuild and "
                        "reload the browser on every change; clean: empty the analysis cache; worker: the "
                        "warm builder that serve starts (requests on stdin)")
    p.add_argument("--data", type=Path, metavar="DIR", default=None,
                   help="folder with MNIST (the four IDX files, gzipped or not; or mnist.npz; or "
                        "mnist_train.csv + mnist_test.csv). Default: $MNIST_DATA_DIR, then the download cache, "
                        "then a download, then the 5,000-digit sample")
    p.add_argument("--provenance", type=Path, metavar="DIR", default=None,
                   help="folder with QMNIST's extended labels (qmnist-train-labels-idx2-int.gz, "
                        "qmnist-test-labels-idx2-int.gz), who wrote each digit. Default: $MNIST_PROVENANCE_DIR, "
                        "then the --data folder, then qmnist/ in the download cache, then a download; without them the "
                        "writers chapter says how to get them")
    p.add_argument("--require-full", action="store_true",
                   help="fail instead of falling back to the 5,000-digit sample when the full MNIST is unavailable, "
                        "or building without the QMNIST provenance labels")
    p.add_argument("--no-download", action="store_true", help="never try to download MNIST")
    p.add_argument("--lang", choices=("all",) + LANGS, default="all", help="which language(s) to build")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "site", help="output folder (replaced atomically)")
    p.add_argument("--config", type=Path, default=REPO_ROOT / "report.toml", help="parameter file")
    p.add_argument("--cache-dir", type=Path, default=REPO_ROOT / ".cache",
                   help="folder for cached analysis results")
    p.add_argument("--data-cache", type=Path, default=None,
                   help="folder where downloaded MNIST is kept (default: ~/.cache/mnistreport/mnist)")
    p.add_argument("--content", type=Path, default=REPO_ROOT / "content",
                   help="folder with the Markdown texts, one subfolder per language")
    p.add_argument("--force", action="store_true", help="recompute every analysis, ignoring the cache")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="CPU threads the analyses may use")
    p.add_argument("--site-url", default=os.environ.get("SITE_URL", ""), metavar="URL",
                   help="public address of the site (e.g. https://USER.github.io/mnistreport/), for sitemap.xml, "
                        "Open Graph and 404.html links; default: $SITE_URL, or relative links")
    p.add_argument("--port", type=int, default=8000, help="port for `serve` (on 127.0.0.1)")
    p.add_argument("--quick", action="store_true",
                   help="small sample sizes for a fast preview; every page says it is a preview")
    verbosity = p.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print debugging detail")
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    return p


class OptionError(ReportError):
    """A command-line option outside what it may be (named in the message)."""


def check_options(args: argparse.Namespace) -> None:
    """Every option checked before any work, so a bad one costs no minutes of computing."""
    if args.jobs < 1:
        raise OptionError(f"--jobs {args.jobs}: expected a whole number of CPU threads, at least 1")
    if not 0 < args.port < 65536:
        raise OptionError(f"--port {args.port}: expected a TCP port from 1 to 65535")
    normalise_site_url(args.site_url)


def build_lock(cache_dir: Path) -> contextlib.AbstractContextManager[None]:
    """One build at a time per cache folder: a second one waits and says so. A folder that is not a cache
    is refused first, so nothing (not even the lock file) is written into a folder the build will not use."""
    Store(cache_dir).check_ours()
    return file_lock(cache_dir / LOCK, f"another build is running with cache {cache_dir}; waiting for it to finish")


def print_step(record: StepRecord) -> None:
    """One live line per finished step."""
    origin = "cache" if record.cached else "computed"
    log.info("  %-34s %8.2f s  (%s)", record.name, record.seconds, origin)


class StepLog:
    """Prints each step as it finishes and keeps them for the closing table.

    On a terminal, the step under way is shown as a live line with its elapsed time.
    """

    def __init__(self, live: bool) -> None:
        self.records: list[StepRecord] = []
        self.live = live
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def start(self, step: str) -> None:
        """Show ``step`` as under way (a line rewritten every second) until it is reported."""
        if not self.live:
            return
        self._stop_ticker()
        started = time.perf_counter()
        self._stop = threading.Event()

        def tick(stop: threading.Event) -> None:
            while True:
                sys.stderr.write(f"\r  {step:<34} {time.perf_counter() - started:8.0f} s  ...")
                sys.stderr.flush()
                if stop.wait(1.0):
                    return

        self._ticker = threading.Thread(target=tick, args=(self._stop,), daemon=True)
        self._ticker.start()

    def _stop_ticker(self) -> None:
        if self._ticker is not None:
            self._stop.set()
            self._ticker.join()
            self._ticker = None
            sys.stderr.write("\r\033[K")

    def __call__(self, record: StepRecord) -> None:
        self._stop_ticker()
        self.records.append(record)
        print_step(record)

    def table(self) -> str:
        width = max(len(r.name) for r in self.records)
        lines = [f"{'step':<{width}}  {'seconds':>8}  from cache", "-" * (width + 22)]
        lines += [f"{r.name:<{width}}  {r.seconds:8.2f}  {'yes' if r.cached else 'no'}" for r in self.records]
        lines.append(f"{'total':<{width}}  {sum(r.seconds for r in self.records):8.2f}")
        return "\n".join(lines)


def build(args: argparse.Namespace) -> Published:
    """Load the data and parameters, compute every result, then write the site."""
    started = time.perf_counter()
    check_out_dir(args.out)  # a folder the build may not replace is refused before minutes of work
    config = load_config(args.config)
    log.info("Loading MNIST ...")
    data = locate(
        data_dir=args.data,
        env=os.environ,
        cache_dir=args.data_cache or default_cache_dir(),
        mirrors=MNIST_MIRRORS if not args.no_download else (),
        allow_download=not args.no_download,
        allow_sample=not args.require_full,
        progress=not args.quiet,
    )
    log.info("  data: %s (%s), %d training and %d test images", data.source, data.origin,
             len(data.train_labels), len(data.test_labels))
    provenance = load_provenance(
        data,
        required=args.require_full,
        provenance_dir=args.provenance,
        data_dir=args.data,
        env=os.environ,
        cache_dir=provenance_cache(args.data_cache),
        urls=QMNIST_URLS if not args.no_download else (),
        allow_download=not args.no_download,
        progress=not args.quiet,
    )
    if provenance is not None:
        log.info("  provenance: %s", provenance.origin)
    store = Store(args.cache_dir, force=args.force)
    store.remove_stale_temporaries()  # left by a killed build (we hold the lock, so none is running)
    steps = StepLog(live=sys.stderr.isatty() and not args.quiet)
    log.info("Computing results ...")
    computed = compute(data, config, store, provenance=provenance, quick=args.quick, jobs=args.jobs, report=steps,
                       on_start=steps.start)
    langs = LANGS if args.lang == "all" else (args.lang,)
    log.info("Writing the site ...")
    published = write(computed, args.out, langs=langs, store=store, paths=SitePaths(content=args.content),
                      site_url=args.site_url, jobs=args.jobs, report=steps)
    log.info("\n%s", steps.table())
    log.info("Done in %.1f s: %s", time.perf_counter() - started, args.out)
    if data.source == "sample":
        log.warning("This site was built from the 5,000-digit sample, not the full MNIST (every page says so).")
    return published


def build_args_for_serve(argv: Sequence[str]) -> list[str]:
    """The build options of a ``serve`` command line: the same words without the command and ``--port``."""
    passed, skip = [], False
    for word in argv:
        if skip:
            skip = False
        elif word == "serve":
            continue
        elif word == "--port":
            skip = True
        elif not word.startswith("--port="):
            passed.append(word)
    return passed


def is_content(path: Path, args: argparse.Namespace) -> bool:
    """True for a file whose change needs only the pages re-rendered (text, words, templates, static files)."""
    resolved = path.resolve()
    return any(folder.resolve() in resolved.parents
               for folder in (args.content, REPO_ROOT / "templates", REPO_ROOT / "static"))


def worker(args: argparse.Namespace) -> int:
    """``python build.py worker [options]``: the preview's warm builder (``serve`` starts it).

    Reads one JSON request a line on stdin (``{"changed": [paths]}``) and answers one JSON line on
    stdout (``{"ok": ..., "error": ...}``). The first request builds; later ones whose changed files
    are all content, templates or static files only re-render the pages in this warm process, and
    the answer is sent before the search index is made again.
    """
    published: Published | None = None
    for line in sys.stdin:
        changed = [Path(p) for p in json.loads(line).get("changed", [])]
        quick = published is not None and bool(changed) and all(is_content(p, args) for p in changed)
        store = Store(args.cache_dir)
        try:
            with build_lock(args.cache_dir):
                if quick and published is not None:
                    rerender(published, store, changed)
                else:
                    published = build(args)
            reply = {"ok": True}
        except ReportError as exc:
            log.error("error: %s", exc, exc_info=exc if args.verbose else None)
            reply = {"ok": False, "error": str(exc)}
        except OSError as exc:
            reply = {"ok": False, "error": describe_os_error(exc, args.cache_dir)}
        print(json.dumps(reply), flush=True)
        if quick and published is not None and reply["ok"]:
            try:
                with build_lock(args.cache_dir):
                    reindex(published, store)
            except (ReportError, OSError) as exc:
                log.error("error: the search index: %s", exc)
    return 0


def describe_os_error(exc: OSError, where: Path) -> str:
    """One line: the file and the system's reason; when the system named no file, the cache folder ``where``."""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename else f"{reason} (cache {where})"


def stopped(args: argparse.Namespace, message: str, exc: BaseException) -> int:
    """Report a stopped command in one line (its traceback, causes included, only with --verbose); return 1."""
    log.error("error: %s", message, exc_info=exc if args.verbose else None)
    if args.command == "clean":
        log.error("Nothing was removed from %s.", args.cache_dir)
    elif args.command != "worker":
        log.error("The build stopped; %s was left as it was.", args.out)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    # Our messages at the chosen level; other libraries' (openTSNE, TensorFlow) only when they warn.
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    log.setLevel(level)
    try:
        check_options(args)
        if args.command == "clean":
            if not args.cache_dir.exists():
                log.info("%s does not exist: there is no cache to clean", args.cache_dir)
                return 0
            with build_lock(args.cache_dir):
                removed = Store(args.cache_dir).clear()
            log.info("Removed %d cached file(s) from %s", removed, args.cache_dir)
            return 0
        if args.command == "serve":
            from mnistreport.website.serve import serve

            watched = [args.content, REPO_ROOT / "templates", REPO_ROOT / "static", REPO_ROOT / "mnistreport", args.config]
            serve(build_args_for_serve(argv), args.out, watched, args.port)
            return 0
        if args.command == "worker":
            return worker(args)
        with build_lock(args.cache_dir):
            build(args)
        return 0
    except ReportError as exc:  # every error of ours: one line naming the file, the setting or the node
        return stopped(args, str(exc), exc)
    except OSError as exc:  # a full disk, a folder that cannot be written: the file and the system's reason
        return stopped(args, describe_os_error(exc, args.cache_dir), exc)
    except KeyboardInterrupt:
        log.error("interrupted; %s was left as it was.", args.out)
        return 130
