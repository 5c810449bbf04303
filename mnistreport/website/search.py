"""The site's search index: Pagefind, run on the written pages, one index per language.

Pagefind reads each page's ``<html lang>`` and writes a separate index for every language
into ``pagefind/`` under the site, with the script that searches it in the browser
(``static/search/search.js`` loads it once the reader types). The extended binary, from the
``pagefind[extended]`` package, segments Japanese text into words.
"""

from __future__ import annotations

from mnistreport.errors import ReportError

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

#: Where the index and Pagefind's own script go, under the site root.
SEARCH_DIR = "pagefind"
#: Pagefind's ready-made interfaces, which the site does not use (static/search/search.js shows the results).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class SearchError(ReportError):
    """The index could not be built; the message says why."""


def pagefind_executable() -> Path:
    """The extended Pagefind binary that the ``pagefind[extended]`` package installs."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as exc:
        raise SearchError(f"the search index needs pagefind[extended] (pip install -r requirements.lock): {exc}") from None
    return get_executable()


def indexed_pages(site_dir: Path, langs: tuple[str, ...]) -> list[Path]:
    """The pages the index covers, in a stable order."""
    return sorted(p for lang in langs for p in (site_dir / lang).glob("*.html"))


def index_inputs_digest(site_dir: Path, langs: tuple[str, ...]) -> str:
    """A digest of the pages the index is made from (its key adds the code and Pagefind's version)."""
    digest = hashlib.sha256()
    for page in indexed_pages(site_dir, langs):
        digest.update(page.relative_to(site_dir).as_posix().encode() + b"\0" + page.read_bytes())
    return digest.hexdigest()


def build_search_index(site_dir: Path, langs: tuple[str, ...], output_dir: Path | None = None) -> dict[str, int]:
    """Index the pages of ``site_dir/<lang>/`` into ``output_dir`` (default ``site_dir/pagefind/``);
    return the pages indexed per language."""
    output_dir = output_dir or site_dir / SEARCH_DIR
    command = [str(pagefind_executable()), "--site", str(site_dir), "--output-path", str(output_dir),
               "--glob", "{" + ",".join(langs) + "}/*.html", "--keep-index-url", "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except OSError as exc:
        raise SearchError(f"{command[0]}: the search indexer cannot run ({exc.strerror or exc}); reinstall it with "
                          "./run (pagefind[extended] in the lock)") from exc
    if done.returncode != 0:
        raise SearchError(f"pagefind failed (exit status {done.returncode}): {(done.stderr or done.stdout).strip()}")
    for name in UNUSED:
        (output_dir / name).unlink(missing_ok=True)
    entry = json.loads((output_dir / "pagefind-entry.json").read_text(encoding="utf-8"))
    counts = {lang: info["page_count"] for lang, info in entry["languages"].items()}
    missing = [lang for lang in langs if not counts.get(lang)]
    if missing:
        raise SearchError(f"pagefind indexed no page in {', '.join(missing)} (found: {counts})")
    return counts


def merge_indexes(folders: list[Path], output_dir: Path) -> None:
    """One bundle from per-language Pagefind outputs: their files (content-hashed, so they never
    collide) and one ``pagefind-entry.json`` listing every language."""
    entry: dict = {}
    for folder in folders:
        shutil.copytree(folder, output_dir, dirs_exist_ok=True)
        part = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        languages = {**entry.get("languages", {}), **part["languages"]}
        entry = {**part, "languages": dict(sorted(languages.items()))}
    (output_dir / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                                                    encoding="utf-8")
