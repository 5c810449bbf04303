"""How fast is the edit-rebuild loop? Times three builds in one run and prints them.

1. a cold build with ``--quick`` (empty cache),
2. a rebuild with nothing changed,
3. a rebuild after editing one Markdown file (English, then Japanese).

Target (issue 16): a rebuild after editing only Markdown takes at most 2.5 s
of wall time on a 2-core machine, cache keys (code fingerprints) included.

    python benchmarks/rebuild.py [--data DIR] [--full] [--cache-dir DIR]

``--full`` times the full-size build instead of ``--quick`` (minutes when cold);
``--cache-dir`` starts from an existing cache of the same code (the cold build is
then not timed: the first build only fills in what that cache lacks).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.5


def timed_build(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "build.py"), *args, "-q"], cwd=REPO, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.environ.get("MNIST_DATA_DIR", str(REPO.parent / "shared/data/mnist")))
    parser.add_argument("--full", action="store_true", help="time the full-size build instead of --quick")
    parser.add_argument("--cache-dir", type=Path, help="an existing cache to start from (not timed cold)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        content = work / "content"
        shutil.copytree(REPO / "content", content)
        cache = options.cache_dir or work / "cache"
        args = ["--data", options.data, "--out", str(work / "site"), "--cache-dir", str(cache),
                "--content", str(content)] + ([] if options.full else ["--quick"])
        cold = timed_build(args)
        unchanged = timed_build(args)
        page = content / "en" / "first-look.md"
        edit = f"Edited for the rebuild benchmark {time.time_ns()}."
        page.write_text(page.read_text(encoding="utf-8") + f"\n{edit}\n", encoding="utf-8")
        edited = timed_build(args)
        assert edit in (work / "site" / "en" / "first-look.html").read_text()
        page = content / "ja" / "first-look.md"  # Japanese pages take Pagefind longest to index
        edit = f"ベンチマークのための編集 {time.time_ns()}。"  # new text each run: no index cached from an earlier one
        page.write_text(page.read_text(encoding="utf-8") + f"\n{edit}\n", encoding="utf-8")
        edited_ja = timed_build(args)
        assert edit in (work / "site" / "ja" / "first-look.html").read_text()
    mode = "full" if options.full else "--quick"
    print(f"rebuild benchmark ({mode}, {os.cpu_count()} CPUs)")
    print(f"  {'first build (given cache)' if options.cache_dir else 'cold build':<32} {cold:8.2f} s")
    for label, seconds in (("rebuild, nothing changed", unchanged), ("rebuild after a Markdown edit", edited),
                           ("rebuild after a ja Markdown edit", edited_ja)):
        ratio = "" if options.cache_dir else f"   ({cold / seconds:6.1f}x faster than cold)"
        print(f"  {label:<32} {seconds:8.2f} s{ratio}")
    verdict = "PASS" if max(unchanged, edited, edited_ja) <= TARGET_SECONDS else "FAIL"
    print(f"  target: rebuilds <= {TARGET_SECONDS:.1f} s -> {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
