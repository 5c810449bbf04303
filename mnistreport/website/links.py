"""The link check: every internal link and image of every written page resolves, under any sub-path."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import unquote, urlsplit

class _LinkCollector(HTMLParser):
    """Collects every href/src of a page, and the data files widgets name in ``data-*`` attributes
    (``data-model="../data/draw/model.bin"``): the targets the link check follows."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name in ("href", "src") or (name.startswith("data-") and value.startswith("../data/"))):
                self.targets.append((self.getpos()[0], value))


def check_links(site_dir: Path, sources: Mapping[str, str] | None = None,
                pages: Callable[[str], bool] | None = None) -> list[str]:
    """Every internal link and image of every page (or of the pages ``pages`` picks by their path) resolves;
    return the problems found, each naming the written page and line and, where ``sources`` knows it, the
    content file it came from."""
    problems = []
    for page in sorted(site_dir.rglob("*.html")):
        relative = page.relative_to(site_dir).as_posix()
        if pages is not None and not pages(relative):
            continue
        collector = _LinkCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        origin = f" (from {sources[relative]})" if sources and relative in sources else ""
        for line, target in collector.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                if parts.scheme not in ("http", "https", "mailto"):
                    problems.append(f"{relative}:{line}{origin}: unsupported link {target!r}")
                continue
            if target.startswith("/"):
                problems.append(f"{relative}:{line}{origin}: absolute link {target!r} breaks under a sub-path")
                continue
            if not parts.path:
                continue
            resolved = (page.parent / unquote(parts.path)).resolve()
            exists = resolved.is_dir() if parts.path.endswith("/") else resolved.is_file()  # a folder of sheets
            if not exists or site_dir.resolve() not in resolved.parents:
                problems.append(f"{relative}:{line}{origin}: broken link {target!r}")
    return problems
