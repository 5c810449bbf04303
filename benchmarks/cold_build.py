"""How long does a cold full build take, per step, now and at a reference commit? Prints both side by side.

Each side is built once, from an empty cache, on the full MNIST (``--require-full --no-download``):
first the current checkout (its working tree, uncommitted changes included), then the reference
commit (default 5aa7b04, the commit before the engine rewrite), checked out with
``git worktree add --detach`` into a temporary folder (removed at the end) and run with the same
Python. The builds run one after the other, never together. The total is the wall time of the
whole ``build.py`` command, measured here; the steps' seconds are those of ``site/data/results.json``,
plus the site phases (figures and assets, pages, search index) read from the step table the build
prints when ``results.json`` lacks them. Steps are matched by their ``Results`` field: a side whose
``mnistreport.chapters`` gives label -> field has its labels translated, other names are kept.

    .venv/bin/python benchmarks/cold_build.py [--quick] [--reference COMMIT] [--only current|reference]
                                              [--data DIR] [--provenance DIR] [--jobs N]

A full run takes about 8 minutes per side on 2 cores; ``--quick`` passes ``--quick`` to both
builds, a smoke test of this script (still about 5 minutes per side on the full MNIST, most of
it the map of all 70,000 digits).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rebuild import REPO  # noqa: E402

PHASES = ("figures and assets", "pages", "search index")  # written by the site phase, after the steps
FIELDS = ("import json; from mnistreport.chapters import CHAPTERS; "
          "print(json.dumps({s.name: s.field for ch in CHAPTERS for s in ch.steps}))")
TABLE_ROW = re.compile(r"^(?P<name>\S.*?)\s+(?P<seconds>\d+\.\d+)\s+(yes|no)$")  # cli.StepLog.table


@dataclass
class Build:
    commit: str
    wall: float
    steps: dict[str, float]  # step (a Results field where known) -> seconds
    labels: dict[str, str]  # step -> the label its side printed, where they differ


def git(tree: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=tree, check=True, capture_output=True, text=True).stdout.strip()


def describe(tree: Path) -> str:
    dirty = git(tree, "status", "--porcelain", "--untracked-files=no")
    return git(tree, "rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else "")


def step_fields(tree: Path) -> dict[str, str]:
    """label -> Results field of the tree's steps, or {} if its chapters cannot be read that way."""
    done = subprocess.run([sys.executable, "-c", FIELDS], cwd=tree, capture_output=True, text=True)
    try:
        return json.loads(done.stdout.splitlines()[-1]) if done.returncode == 0 else {}
    except (IndexError, json.JSONDecodeError):
        return {}


def run_build(tree: Path, args: list[str]) -> tuple[float, list[str]]:
    """Run ``build.py`` in ``tree``, its log passed through to stderr; return the wall time and the log."""
    log: list[str] = []
    started = time.perf_counter()
    with subprocess.Popen([sys.executable, "build.py", *args], cwd=tree, stderr=subprocess.PIPE, text=True) as proc:
        try:
            for line in proc.stderr or ():
                sys.stderr.write(line)
                log.append(line.rstrip("\n"))
        except BaseException:  # interrupted: stop the build too (its output is in a temporary folder)
            proc.kill()
            raise
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"the build in {tree} failed with exit status {proc.returncode}")
    return wall, log


def cold_build(tree: Path, work: Path, build_args: list[str], cache: Path | None = None) -> Build:
    """One build of ``tree`` from an empty cache (``cache``, or one in ``work``) into ``work``."""
    cache = cache or work / "cache"
    if cache.exists() and any(cache.iterdir()):
        raise SystemExit(f"{cache}: --keep-cache needs a folder that does not exist or is empty (a cold build)")
    wall, log = run_build(tree, [*build_args, "--cache-dir", str(cache), "--out", str(work / "site")])
    recorded = json.loads((work / "site" / "data" / "results.json").read_text(encoding="utf-8")).get("steps", [])
    printed = [(re.sub(r" \(.*\)$", "", m["name"]), float(m["seconds"]))  # "figures and assets (0/80 from cache)"
               for m in map(TABLE_ROW.match, log) if m]
    fields = step_fields(tree)
    steps: dict[str, float] = {}
    labels: dict[str, str] = {}
    for step in recorded:
        key = fields.get(step["name"], step["name"])
        steps[key] = float(step["seconds"])
        if key != step["name"]:
            labels[key] = step["name"]
    for name, seconds in printed:  # the printed table repeats the steps; only the site phases are new
        if name in PHASES and name not in steps:
            steps[name] = seconds
    return Build(describe(tree), wall, steps, labels)


def cell(value: float | None) -> str:
    return f"{value:11.2f}" if value is not None else f"{'-':>11}"


def report(reference: Build | None, current: Build | None, quick: bool) -> None:
    builds = [b for b in (reference, current) if b]
    names = list(dict.fromkeys(name for b in builds for name in b.steps))
    names.sort(key=lambda name: name in PHASES)  # steps first, in build order, then the site phases
    rows = [(next((f"{name} ({b.labels[name]})" for b in builds if name in b.labels), name),
             reference.steps.get(name) if reference else None, current.steps.get(name) if current else None)
            for name in names]
    totals = [("sum of steps", *(sum(b.steps.values()) if b else None for b in (reference, current))),
              ("wall time of build.py", *(b.wall if b else None for b in (reference, current)))]
    width = max(len(row[0]) for row in rows + totals)

    def line(text: str, ref: float | None, cur: float | None, ratio: bool = False) -> str:
        if ref is None or cur is None:
            return f"{text:<{width}}  {cell(ref)}  {cell(cur)}  {cell(None)}"
        times = f"  {cur / ref:11.2f}x" if ratio and ref else ""
        return f"{text:<{width}}  {cell(ref)}  {cell(cur)}  {cur - ref:+11.2f}{times}"

    print(f"cold build{' (--quick)' if quick else ''}: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"  reference: {reference.commit if reference else '(not run)'}")
    print(f"  current:   {current.commit if current else '(not run)'}")
    print(f"{'step':<{width}}  {'reference s':>11}  {'current s':>11}  {'difference':>11}  {'ratio':>12}")
    print("-" * (width + 53))
    print("\n".join(line(*row) for row in rows))
    print("-" * (width + 53))
    print("\n".join(line(*row, ratio=True) for row in totals))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", default="5aa7b04", metavar="COMMIT", help="the commit to compare with")
    parser.add_argument("--data", metavar="DIR", help="MNIST (default: $MNIST_DATA_DIR, else ../shared/data/mnist)",
                        default=os.environ.get("MNIST_DATA_DIR") or str(REPO.parent / "shared/data/mnist"))
    parser.add_argument("--provenance", metavar="DIR", help="QMNIST (default: $MNIST_PROVENANCE_DIR, else "
                        "../shared/data/qmnist)",
                        default=os.environ.get("MNIST_PROVENANCE_DIR") or str(REPO.parent / "shared/data/qmnist"))
    parser.add_argument("--jobs", type=int, metavar="N", help="passed to both builds")
    parser.add_argument("--quick", action="store_true", help="pass --quick to both builds (a smoke test)")
    parser.add_argument("--only", choices=("current", "reference"), help="build one side only")
    parser.add_argument("--keep-cache", type=Path, metavar="DIR", help="an empty folder to keep the current side's "
                        "cache in (e.g. for benchmarks/serve_edit.py --cache-dir DIR afterwards)")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a kill cleans up like Ctrl-C
    build_args = ["--data", str(Path(options.data).resolve()), "--provenance", str(Path(options.provenance).resolve()),
                  "--require-full", "--no-download"]
    build_args += (["--jobs", str(options.jobs)] if options.jobs else []) + (["--quick"] if options.quick else [])
    current: Build | None = None
    reference: Build | None = None
    with tempfile.TemporaryDirectory(prefix="cold-build-") as tmp:
        work = Path(tmp)
        if options.only != "reference":  # first: a half-finished rewrite fails before the reference's minutes
            current = cold_build(REPO, work / "current", build_args, options.keep_cache)
        if options.only != "current":
            tree = work / "reference-tree"
            try:
                git(REPO, "worktree", "add", "--detach", str(tree), options.reference)
                reference = cold_build(tree, work / "reference", build_args)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, capture_output=True)
    report(reference, current, options.quick)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; the reference worktree and the temporary builds were removed")
