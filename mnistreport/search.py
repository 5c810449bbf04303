"""The site's search index: Pagefind, run on the written pages, one index per language.

Pagefind reads each page's ``<html lang>`` and writes a separate index for every language
into ``pagefind/`` under the site, with the script that searches it in the browser
(``static/search.js`` loads it once the reader types). The extended binary, from the
``pagefind[extended]`` package, segments Japanese text into words.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

#: Where the index and Pagefind's own script go, under the site root.
SEARCH_DIR = "pagefind"
#: Pagefind's ready-made interfaces, which the site does not use (static/search.js shows the results).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class SearchError(Exception):
    """The index could not be built; the message says why."""


def pagefind_executable() -> Path:
    """The extended Pagefind binary that the ``pagefind[extended]`` package installs."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as exc:
        raise SearchError(f"the search index needs pagefind[extended] (pip install -r requirements.txt): {exc}") from None
    return get_executable()


def build_search_index(site_dir: Path, langs: tuple[str, ...]) -> dict[str, int]:
    """Index the pages of ``site_dir/<lang>/`` into ``site_dir/pagefind/``; return the pages indexed per language."""
    command = [str(pagefind_executable()), "--site", str(site_dir), "--output-subdir", SEARCH_DIR,
               "--glob", "{" + ",".join(langs) + "}/*.html", "--keep-index-url", "--silent"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SearchError(f"pagefind failed (exit status {done.returncode}): {(done.stderr or done.stdout).strip()}")
    for name in UNUSED:
        (site_dir / SEARCH_DIR / name).unlink(missing_ok=True)
    entry = json.loads((site_dir / SEARCH_DIR / "pagefind-entry.json").read_text(encoding="utf-8"))
    counts = {lang: info["page_count"] for lang, info in entry["languages"].items()}
    missing = [lang for lang in langs if not counts.get(lang)]
    if missing:
        raise SearchError(f"pagefind indexed no page in {', '.join(missing)} (found: {counts})")
    return counts
