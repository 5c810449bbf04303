"""Content files: front matter, the pages they make, and the same pages in every language.

Each page's Markdown is ``content/<lang>/<name>.md``: front matter of ``key: value``
lines between ``---`` lines, then the body. ``kind:`` and ``order:`` place it; a page
knows its URL in each language (:meth:`Page.path`), the one place the scheme is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mnistreport.engine.nodes import DIGITS
from mnistreport.errors import ReportError

LANGS = ("en", "ja")
LANG_NAMES = {"en": "English", "ja": "日本語"}

#: What a content file's front matter ``kind:`` may say. Pages are read from
#: ``content/<lang>/`` and put in reading order by their ``order:`` number;
#: chapters are numbered in that order; a ``digit`` page exists once per digit.
PAGE_KINDS = ("home", "chapter", "page", "digit", "about")


class SiteError(ReportError):
    """A content, template or link problem; the message names the file (and line)."""



@dataclass(frozen=True)
class Content:
    """A content file split into its front matter and its Markdown body."""

    path: Path
    meta: dict[str, str]
    body: str  # front-matter lines replaced by blank lines, so line numbers stay true


def read_content(path: Path) -> Content:
    """Parse ``---``-delimited front matter of ``key: value`` lines, then the body."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SiteError(f"{path}: not UTF-8 text ({exc})") from exc
    lines = text.removeprefix("\ufeff").split("\n")  # an editor's byte-order mark is not text
    if not lines or lines[0].strip() != "---":
        raise SiteError(f"{path}:1: front matter missing: the file must start with a line '---'")
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            body = "\n" * number + "\n".join(lines[number:])
            if "title" not in meta:
                raise SiteError(f"{path}:1: front matter has no 'title'")
            return Content(path, meta, body)
        if not line.strip():
            continue
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_-]*):\s*(.*)", line)
        if not match:
            raise SiteError(f"{path}:{number}: malformed front matter line {line!r}: expected 'key: value'")
        key, value = match.groups()
        if key in meta:
            raise SiteError(f"{path}:{number}: front matter key {key!r} given twice")
        meta[key] = value.strip()
    raise SiteError(f"{path}:1: front matter not closed: no second '---' line")


@dataclass(frozen=True)
class Page:
    """One page of the site, the same in every language."""

    slug: str  # output file name without .html
    source: str  # content file name without .md
    kind: str  # one of PAGE_KINDS
    order: int  # reading order (front matter ``order:``)
    digit: int | None = None
    chapter: int | None = None

    def path(self, lang: str) -> str:
        """The page's URL in ``lang``, relative to the site root: the one place the scheme is written."""
        return f"{lang}/{self.slug}.html"

    @property
    def href(self) -> str:
        """A link to the page from another page of the same language."""
        return f"{self.slug}.html"


def _page_kind(content: Content) -> tuple[str, int]:
    """The ``kind:`` and ``order:`` of a content file, checked."""
    path, meta = content.path, content.meta
    kind = meta.get("kind", "")
    if kind not in PAGE_KINDS:
        raise SiteError(f"{path}:1: front matter 'kind: {kind}' must be one of {', '.join(PAGE_KINDS)}")
    try:
        order = int(meta.get("order", ""))
    except ValueError as exc:
        raise SiteError(f"{path}:1: front matter 'order:' must be a whole number (the reading order), "
                        f"got {meta.get('order', '')!r}") from exc
    return kind, order


def find_pages(content_dir: Path, lang: str = LANGS[0]) -> list[Page]:
    """Every page in reading order, from the front matter of ``content_dir/lang/*.md``."""
    found = []
    for path in sorted((content_dir / lang).glob("*.md")):
        kind, order = _page_kind(read_content(path))
        found.append((order, path.stem, kind))
    pages: list[Page] = []
    chapter = 0
    for order, source, kind in sorted(found):
        if kind == "digit":
            pages += [Page(f"{source}-{d}", source, kind, order, digit=d) for d in DIGITS]
            continue
        if kind == "chapter":
            chapter += 1
        slug = "index" if kind == "home" else source
        pages.append(Page(slug, source, kind, order, chapter=chapter if kind == "chapter" else None))
    kinds = [p.kind for p in pages]
    if kinds.count("home") != 1 or kinds.count("about") != 1:
        raise SiteError(f"{content_dir / lang}: needs exactly one page of kind 'home' and one of kind 'about'")
    return pages


def check_content_parity(content_dir: Path, langs: tuple[str, ...] = LANGS) -> None:
    """Every language of the site has the same content files as the first, each with the same kind and order
    (all of ``LANGS`` are compared, whichever ``langs`` a build writes: the editions must not drift apart)."""
    names = {lang: {p.name for p in (content_dir / lang).glob("*.md")} for lang in LANGS}
    first = LANGS[0]
    problems = []
    if not names[langs[0]]:
        problems.append(f"{content_dir / langs[0]}: no content files (*.md)")
    for lang in LANGS[1:]:
        for missing in sorted(names[first] ^ names[lang]):
            have, lacks = (first, lang) if missing in names[first] else (lang, first)
            problems.append(f"{content_dir / have / missing}: exists in {have} but not in {lacks}")
        for name in sorted(names[first] & names[lang]):
            expected = _page_kind(read_content(content_dir / first / name))
            found = _page_kind(read_content(content_dir / lang / name))
            if found != expected:
                problems.append(f"{content_dir / lang / name}: kind/order {found} differ from {first}'s {expected}")
    if problems:
        raise SiteError("content problems:\n  " + "\n  ".join(problems))
