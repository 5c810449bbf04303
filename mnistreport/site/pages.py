"""Rendering and writing the static site (the output edge of the program).

Each page's Markdown in ``content/<lang>/`` is first rendered as a Jinja
template with the computed results (so every number comes from the build),
then converted to HTML with Python-Markdown and placed into
``templates/page.html``. Everything is written into a staging folder that
replaces ``site/`` only after every page was written and every internal link
and image was checked, so a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import html
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import traceback
from dataclasses import dataclass, fields
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import unquote, urlsplit

import jinja2
import markdown
from markdown.extensions.toc import TocExtension, slugify_unicode

from mnistreport.sources import mnist as mnist_data
from mnistreport.render import tables
from mnistreport.engine.store import file_lock
from mnistreport.declare import DIGITS, Table
from mnistreport.outputs import FigureFile
from mnistreport.results import Results
from mnistreport.render.style import CLASS_COLOURS, CLASS_TEXT_COLOURS

log = logging.getLogger(__name__)

LANGS = ("en", "ja")
LANG_NAMES = {"en": "English", "ja": "日本語"}

#: What a content file's front matter ``kind:`` may say. Pages are read from
#: ``content/<lang>/`` and put in reading order by their ``order:`` number;
#: chapters are numbered in that order; a ``digit`` page exists once per digit.
PAGE_KINDS = ("home", "chapter", "page", "digit", "about")


class SiteError(Exception):
    """A content, template or link problem; the message names the file (and line)."""


# --- content files -------------------------------------------------------------------


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
    lines = text.split("\n")
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


def check_content_parity(content_dir: Path, langs: tuple[str, ...]) -> None:
    """Every language has the same content files, each with the same kind and order."""
    names = {lang: {p.name for p in (content_dir / lang).glob("*.md")} for lang in LANGS}
    problems = []
    if not names[langs[0]]:
        problems.append(f"{content_dir / langs[0]}: no content files (*.md)")
    for missing in sorted(names["en"] ^ names["ja"]):
        have = "en" if missing in names["en"] else "ja"
        lacks = "ja" if have == "en" else "en"
        problems.append(f"{content_dir / have / missing}: exists in {have} but not in {lacks}")
    for name in sorted(names["en"] & names["ja"]):
        first = _page_kind(read_content(content_dir / "en" / name))
        other = _page_kind(read_content(content_dir / "ja" / name))
        if first != other:
            problems.append(f"{content_dir / 'ja' / name}: kind/order {other} differ from en's {first}")
    if problems:
        raise SiteError("content problems:\n  " + "\n  ".join(problems))


# --- rendering -----------------------------------------------------------------------


def _format_number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _format_percent(value: float, digits: int = 1) -> str:
    return f"{100.0 * value:.{digits}f} %"


def _format_bytes(count: int) -> str:
    """A file size for a caption: kilobytes below a tenth of a megabyte, else megabytes."""
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{max(1, round(count / 1e3))} KB"


def _format_mib(value: float, digits: int = 1) -> str:
    return f"{value / 2**20:,.{digits}f} MiB"


@dataclass(frozen=True)
class SiteInputs:
    """What the pages are made from besides the content files: results, drawn figures, declared tables, words."""

    results: Results
    figures: Mapping[tuple[str, str], FigureFile]  # (lang, name) -> written file
    tables: Mapping[str, Table]  # name -> declared table
    words: Mapping[str, Mapping[str, Mapping[str, str]]]  # lang -> section -> key -> text


class PageHelpers:
    """Functions the Markdown calls: numbered figures and tables, widgets, for one page."""

    def __init__(self, inputs: SiteInputs, lang: str, page: Page, widgets: jinja2.Environment) -> None:
        self.inputs, self.lang, self.page, self.widgets = inputs, lang, page, widgets
        self.words = inputs.words[lang]
        self.figure_count = 0
        self.table_count = 0
        self.widget_count = 0
        self.first_figure: str | None = None  # path of the page's first figure (its Open Graph image)

    def _name(self, name: str) -> str:
        """A figure or table name; ``{digit}`` in it is this digit page's digit."""
        return name.format(digit=self.page.digit) if "{digit}" in name else name

    def _figure_file(self, name: str) -> FigureFile:
        try:
            return self.inputs.figures[(self.lang, self._name(name))]
        except KeyError as exc:
            known = sorted({n for (_, n) in self.inputs.figures})
            raise SiteError(f"figure {self._name(name)!r} does not exist; known figures: {', '.join(known)}") from exc

    def figure(self, name: str, alt: str, caption: str = "", css_class: str = "", full: str | None = None) -> str:
        """A ``<figure>`` with a numbered caption; ``full`` names a larger version that the picture links to."""
        info = self._figure_file(name)
        ui = self.words["ui"]
        self.figure_count += 1
        self.first_figure = self.first_figure or info.path
        # The home page's first picture is what a reader sees first (fetched at once, first); elsewhere
        # the text comes first, and on a phone the figures are below it: they load as they come near.
        hero = self.figure_count == 1 and self.page.kind == "home"
        loading = 'loading="eager" fetchpriority="high"' if hero else 'loading="lazy"'
        src = "../" + info.path
        caption_html = html.escape(caption or alt)
        large = self._figure_file(full) if full else info if info.variants else None
        href = "../" + large.path if large else src
        if large:  # a picture shown smaller than it is opens at full size
            size = ui["full_size"].format(width=large.width, height=large.height, size=_format_bytes(large.bytes))
            caption_html += f' <a href="{href}">{html.escape(size)}</a>'
        return (
            f'<figure class="fig {css_class}" id="figure-{self.figure_count}">'
            f'<a href="{href}"><img src="{src}"{responsive_sources(info)} alt="{html.escape(alt)}" '
            f'width="{info.width}" height="{info.height}" {loading} decoding="async"></a>'
            f'<figcaption><span class="label">{ui["figure"]} {self.figure_count}</span> {caption_html}</figcaption>'
            f"</figure>"
        )

    def table(self, name: str, caption: str, **options: Any) -> str:
        """A numbered table built by the table the chapters declare under ``name``."""
        declared = self.inputs.tables.get(name)
        if declared is None:
            raise SiteError(f"table {name!r} does not exist; known tables: {', '.join(sorted(self.inputs.tables))}")
        if declared.per_digit and self.page.digit is not None:
            options.setdefault("digit", self.page.digit)
        frame = declared.build(self.inputs.results, self.words["table"], **options)
        self.table_count += 1
        return self._scroll_box(tables.render_table(frame, caption, self.table_count, self.words["ui"]["table"],
                                                    css_class=name), caption)

    def pixel_table(self, image: Any, caption: str) -> str:
        """A numbered table of one image's pixel values."""
        self.table_count += 1
        return self._scroll_box(tables.pixel_table(image, caption, self.table_count, self.words["ui"]["table"],
                                                   self.words["table"]["row_col"]), caption)

    def _scroll_box(self, table_html: str, caption: str) -> str:
        """A table's wrapper made a named, keyboard-focusable region, so a table wider than the
        screen scrolls inside its own box and a keyboard can scroll it too."""
        label = html.escape(f'{self.words["ui"]["table"]} {self.table_count}: {caption}', quote=True)
        wrapper = '<div class="table-wrap">'
        if not table_html.startswith(wrapper):
            raise SiteError(f"table {self.table_count} of {self.page.slug}: its HTML does not start with {wrapper}")
        return f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">' + table_html[len(wrapper):]

    def legend(self) -> str:
        """The ten class colours as an HTML legend."""
        items = "".join(
            f'<li><span class="swatch" style="background:{colour}"></span>{d}</li>' for d, colour in enumerate(CLASS_COLOURS)
        )
        return f'<ul class="legend" aria-label="{html.escape(self.words["ui"]["digits"])}">{items}</ul>'

    def tsne_method(self, result: Any) -> str:
        """How a t-SNE map was computed, in this language, from the method the map recorded."""
        method = self.words["method"]
        gradient = method[f"gradient_{result.gradient}"].format(theta=result.theta)
        return method["tsne"].format(gradient=gradient, early=result.iterations[0], main=result.iterations[1],
                                     neighbours=method[f"neighbours_{result.neighbours}"])

    def grid_method(self, result: Any) -> str:
        """How a large grid assignment was computed, in this language, from what the result recorded."""
        method = self.words["method"]
        if result.exact:
            return method["grid_exact"].format(points=len(result.cell_of_point), rows=result.rows, cols=result.cols)
        sides = " → ".join(f"{rows}×{cols}" for rows, cols in result.levels)
        stop = method["grid_converged" if result.converged else "grid_pass_limit"].format(tolerance=result.tolerance)
        return method["grid_multilevel"].format(sides=sides, block=result.block, window=result.window,
                                                half=result.window // 2, passes=result.passes, stop=stop)

    def widget(self, name: str, **variables: Any) -> str:
        """An interactive part: ``templates/widgets/<name>.html`` with its ``[<name>]`` words.

        Paths in ``variables`` under the site root's ``data/`` (``model="data/draw/model.bin"``)
        become relative to the page.
        """
        self.widget_count += 1
        template = self.widgets.get_template(f"{name}.html")
        relative = {key: "../" + value if isinstance(value, str) and value.startswith("data/") else value
                    for key, value in variables.items()}
        return template.render(assets="../assets/", words=self.words.get(name, {}), lang=self.lang,
                               id=f"{name}-{self.widget_count}", page=self.page, colours=CLASS_COLOURS, **relative)


#: The width a figure is shown at, for ``sizes``: the phone column (below the layout's 760 px
#: breakpoint), else the article's (48rem, beside the 15rem navigation), never above its own width.
FIGURE_SIZES = "(max-width: 760px) calc(100vw - 2rem), min({width}px, 48rem, calc(100vw - 19rem))"


def responsive_sources(info: FigureFile) -> str:
    """The ``srcset``/``sizes`` attributes of a figure that has smaller copies (empty otherwise)."""
    if not info.variants:
        return ""
    sources = [f"../{path} {width}w" for path, width, _ in info.variants] + [f"../{info.path} {info.width}w"]
    return f' srcset="{", ".join(sources)}" sizes="{FIGURE_SIZES.format(width=info.width)}"'


def _template_error(exc: Exception, path: Path) -> SiteError:
    """One line naming the template file and line for any exception raised while rendering it.

    A syntax error names the file it is in (a widget's template, say); any other error the
    line of ``path`` being rendered when it was raised. Jinja's own errors keep their message,
    Python's (``{{ 1 // 0 }}``) are named by type. The caller chains ``exc`` (``raise ... from exc``).
    """
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        path = Path(exc.filename)
    line = getattr(exc, "lineno", None)
    if line is None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        line = frames[-1].lineno if frames else None
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template {exc.name!r} not found"
    elif isinstance(exc, jinja2.TemplateError):
        message = exc.message or type(exc).__name__
    elif isinstance(exc, SiteError) and exc.args:
        message = str(exc.args[0])
    else:
        message = f"{type(exc).__name__}: {exc}"
    where = f"{path}:{line}" if line is not None else str(path)
    return SiteError(f"{where}: {' '.join(message.split())}")


CJK = "\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef"
_CJK_LINE_BREAK = re.compile(f"(?<=[{CJK}])\n(?=[{CJK}])")


def join_cjk_lines(text: str) -> str:
    """Join a paragraph's lines where both sides are Japanese: a browser would show that break as a space."""
    return _CJK_LINE_BREAK.sub("", text)


#: How data.py's loaders word a download: "downloaded from MIRROR, MIRROR".
DOWNLOADED_FROM = "downloaded from "


def describe_origin(origin: str, words: Mapping[str, str]) -> str:
    """Where the data came from, in a page's language: the loader's label (``MnistData.origin``)
    looked up in the ``[data]`` words; a label this function does not know is shown as it is."""
    known = {label: f"origin_{kind}" for kind, label in mnist_data.ORIGINS.items()}
    known[mnist_data.SAMPLE_ORIGIN] = "origin_sample"
    if origin in known:
        return words[known[origin]]
    if origin.startswith(DOWNLOADED_FROM):
        return words["origin_download"].format(mirrors=origin[len(DOWNLOADED_FROM):])
    return words["origin_other"].format(origin=origin)


def normalise_site_url(url: str) -> str:
    """The published site's address (``--site-url``) ending in one slash, or "" for none; anything
    but an absolute http(s) URL without query or fragment is a SiteError."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SiteError(f"--site-url {url!r}: expected the site's absolute address, such as "
                        "https://user.github.io/mnistreport/")
    return url.rstrip("/") + "/"


class SiteRenderer:
    """Renders all pages of all languages from content, results and templates."""

    def __init__(self, inputs: SiteInputs, *, content_dir: Path, templates_dir: Path, langs: tuple[str, ...],
                 banners: list[str], site_url: str = "", compiled_dir: Path | None = None) -> None:
        self.inputs, self.results = inputs, inputs.results
        self.site_url = normalise_site_url(site_url)
        self.content_dir, self.langs, self.banners = content_dir, langs, banners
        self.ui = {lang: inputs.words[lang]["ui"] for lang in langs}
        self.pages = find_pages(content_dir, langs[0])
        self.sources: dict[str, tuple[str, str]] = {}  # template name -> (text, content file path)
        # Compiled content templates are kept in ``compiled_dir`` (keyed by their text), so a
        # rebuild compiles only the pages whose Markdown changed.
        if compiled_dir is not None:
            compiled_dir.mkdir(parents=True, exist_ok=True)
        self.content_env = jinja2.Environment(
            loader=jinja2.FunctionLoader(lambda name: (*self.sources[name], lambda: True)),
            undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled_dir)) if compiled_dir else None,
        )
        self.content_env.filters.update(num=_format_number, pct=_format_percent, mib=_format_mib)
        self.page_env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir), undefined=jinja2.StrictUndefined, autoescape=True
        )
        self.widget_env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir / "widgets"), undefined=jinja2.StrictUndefined,
            autoescape=True,
        )
        self.titles: dict[tuple[str, str], str] = {}
        self.hero_image: str | None = None  # the home page's first figure: the picture of a shared link

    def _context(self, lang: str, page: Page, helpers: PageHelpers) -> dict[str, Any]:
        context = {f.name: getattr(self.results, f.name) for f in fields(self.results)}
        context.update(n_train=self.results.n_train, n_test=self.results.n_test, clusters=self.results.clusters)
        context.update(
            lang=lang, page=page, digit=page.digit, figure=helpers.figure, table=helpers.table,
            pixel_table=helpers.pixel_table, legend=helpers.legend, widget=helpers.widget, ui=self.ui[lang],
            words=helpers.words, tsne_method=helpers.tsne_method, grid_method=helpers.grid_method,
            results=self.results, chapter_list=self.chapter_list(lang), digit_row=self.digit_row(lang),
            data_origin=describe_origin(self.results.data.origin, helpers.words["data"]),
        )
        return context

    def _render(self, lang: str, page: Page, content: Content, text: str) -> tuple[str, PageHelpers]:
        """Render one content string as a Jinja template with the results; errors name the file and line."""
        helpers = PageHelpers(self.inputs, lang, page, self.widget_env)
        # Named by content, so a text shared by pages (digit.md, ten times) is compiled once.
        name = f"{content.path}#{hashlib.sha1(text.encode()).hexdigest()}"
        self.sources[name] = (text, str(content.path))
        try:
            template = self.content_env.get_template(name)
            return template.render(self._context(lang, page, helpers)), helpers
        except Exception as exc:  # whatever the template ran raised: name the file and line, keep the cause
            raise _template_error(exc, content.path) from exc

    def _layout(self, name: str, context: Mapping[str, Any]) -> str:
        """Render ``templates/<name>``; any error names that file and line."""
        path = Path(self.page_env.loader.searchpath[0]) / name  # type: ignore[union-attr]
        try:
            template = self.page_env.get_template(name)
            path = Path(template.filename or path)
            return template.render(context)
        except Exception as exc:
            raise _template_error(exc, path) from exc

    def render_all(self, out_dir: Path) -> None:
        """Write every page of every language, and the bilingual landing page, into ``out_dir``."""
        contents = {
            (lang, page.slug): read_content(self.content_dir / lang / f"{page.source}.md")
            for lang in self.langs
            for page in self.pages
        }
        metas = {}
        for lang in self.langs:  # titles first: the navigation of every page needs all of them
            for page in self.pages:
                content = contents[(lang, page.slug)]
                metas[(lang, page.slug)] = {k: self._render(lang, page, content, v)[0] for k, v in content.meta.items()}
                self.titles[(lang, page.slug)] = metas[(lang, page.slug)].get("nav", metas[(lang, page.slug)]["title"])
        for lang in self.langs:
            for page in self.pages:
                content = contents[(lang, page.slug)]
                text, helpers = self._render(lang, page, content, content.body)
                if lang == "ja":
                    text = join_cjk_lines(text)
                converter = markdown.Markdown(extensions=["tables", "attr_list", "md_in_html",
                                                          TocExtension(slugify=slugify_unicode)])
                body = converter.convert(text)
                if page.kind == "home":
                    self.hero_image = self.hero_image or helpers.first_figure
                toc = [(t["id"], t["name"]) for t in converter.toc_tokens if t["level"] == 2]
                context = self._page_context(lang, page, metas[(lang, page.slug)], body)
                context.update(toc=toc if len(toc) >= 3 else [],
                               og_image=self.absolute(helpers.first_figure or self.hero_image or "assets/favicon.svg"),
                               canonical=self.absolute(f"{lang}/{page.slug}.html"),
                               alternates=self.alternates(f"{{lang}}/{page.slug}.html"))
                target = out_dir / lang / f"{page.slug}.html"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(self._layout("page.html", context), encoding="utf-8")
        home = self._one("home")
        landing = self._layout("landing.html", dict(
            langs=self.langs, ui=self.ui, names=LANG_NAMES, banners=self.banners,
            descriptions={lang: metas[(lang, home.slug)].get("description", "") for lang in self.langs},
            og_image=self.absolute(self.hero_image or "assets/favicon.svg"), canonical=self.absolute(""),
            alternates=self.alternates(f"{{lang}}/{home.slug}.html"),
        ))
        (out_dir / "index.html").write_text(landing, encoding="utf-8")
        not_found = self._layout("404.html", dict(
            langs=self.langs, ui=self.ui, names=LANG_NAMES, base=self.site_url, banners=self.banners,
            og_image=self.absolute("assets/favicon.svg"),
        ))
        (out_dir / "404.html").write_text(not_found, encoding="utf-8")
        if self.site_url:
            (out_dir / "sitemap.xml").write_text(self.sitemap(), encoding="utf-8")
        else:
            log.info("no --site-url given: canonical links, hreflang alternates, og:url, og:image and sitemap.xml "
                     "are left out (they need absolute URLs)")

    def absolute(self, path: str) -> str | None:
        """The absolute URL of ``path`` (relative to the site root) with --site-url; None without it."""
        return self.site_url + path if self.site_url else None

    def alternates(self, pattern: str) -> list[tuple[str, str]]:
        """(hreflang, absolute URL) of a page in every language, ``{lang}`` in ``pattern`` filled in, and
        ``x-default`` for the language chooser; empty without --site-url (hreflang needs absolute URLs)."""
        if not self.site_url:
            return []
        return [(lang, self.site_url + pattern.format(lang=lang)) for lang in self.langs] + [("x-default", self.site_url)]

    def sitemap(self) -> str:
        """sitemap.xml listing the language chooser and every page with its other-language alternates (hreflang)."""
        base = self.site_url
        entries = [f"  <url>\n    <loc>{html.escape(base)}</loc>\n  </url>"]
        for lang in self.langs:
            for page in self.pages:
                alternates = "".join(
                    f'\n    <xhtml:link rel="alternate" hreflang="{other}" href="{html.escape(base)}{other}/{page.slug}.html"/>'
                    for other in self.langs
                )
                entries.append(f"  <url>\n    <loc>{html.escape(base)}{lang}/{page.slug}.html</loc>{alternates}\n  </url>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
                + "\n".join(entries) + "\n</urlset>\n")

    def chapter_list(self, lang: str) -> str:
        """An ordered list of the chapters with links (for the home page)."""
        items = "".join(
            f'<li><a href="{p.slug}.html">{html.escape(self.titles.get((lang, p.slug), p.slug))}</a></li>'
            for p in self.pages if p.kind == "chapter"
        )
        return f'<ol class="chapter-list">{items}</ol>'

    def digit_row(self, lang: str) -> str:
        """The ten digits as coloured links to their pages."""
        items = "".join(
            f'<li><a class="c{d}" href="digit-{d}.html" aria-label="{html.escape(self.ui[lang]["digit"].format(digit=d))}">{d}</a></li>'
            for d in range(10)
        )
        return f'<ul class="digit-row">{items}</ul>'

    def _one(self, kind: str) -> Page:
        return next(p for p in self.pages if p.kind == kind)

    def _page_context(self, lang: str, page: Page, meta: dict[str, str], body: str) -> dict[str, Any]:
        """Everything ``templates/page.html`` needs for one page."""
        index = self.pages.index(page)
        def link(p: Page | None) -> dict[str, str] | None:
            return None if p is None else {"href": f"{p.slug}.html", "title": self.titles[(lang, p.slug)]}
        other = next((l for l in LANGS if l != lang), lang)
        return {
            "lang": lang,
            "ui": self.ui[lang],
            "page": page,
            "title": meta["title"],
            "description": meta.get("description", ""),
            "body": body,
            "banners": [self.ui[lang][b] for b in self.banners],
            "previous": link(self.pages[index - 1] if index > 0 else None),
            "next": link(self.pages[index + 1] if index + 1 < len(self.pages) else None),
            "other_lang": other,
            "other_lang_href": f"../{other}/{page.slug}.html",
            "other_lang_available": other in self.langs,
            "chapters": [dict(link(p), current=p == page, chapter=p.chapter) for p in self.pages if p.kind == "chapter"],
            "extras": [dict(link(p), current=p == page) for p in self.pages if p.kind == "page"],
            "digits": [dict(link(p), current=p == page, digit=p.digit) for p in self.pages if p.kind == "digit"],
            "home": dict(link(self._one("home")), current=page.kind == "home"),
            "about": dict(link(self._one("about")), current=page.kind == "about"),
            "colours": CLASS_COLOURS,
            "text_colours": CLASS_TEXT_COLOURS,
        }


# --- writing and checking ------------------------------------------------------------


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


def check_links(site_dir: Path) -> list[str]:
    """Every internal link and image of every page resolves; return the problems found."""
    problems = []
    for page in sorted(site_dir.rglob("*.html")):
        collector = _LinkCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        for line, target in collector.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                if parts.scheme not in ("http", "https", "mailto"):
                    problems.append(f"{page.relative_to(site_dir)}:{line}: unsupported link {target!r}")
                continue
            if target.startswith("/"):
                problems.append(f"{page.relative_to(site_dir)}:{line}: absolute link {target!r} breaks under a sub-path")
                continue
            if not parts.path:
                continue
            resolved = (page.parent / unquote(parts.path)).resolve()
            exists = resolved.is_dir() if parts.path.endswith("/") else resolved.is_file()  # a folder of sheets
            if not exists or site_dir.resolve() not in resolved.parents:
                problems.append(f"{page.relative_to(site_dir)}:{line}: broken link {target!r}")
    return problems


def _json_safe(value: Any) -> Any:
    """NaN and infinities (a measure that does not apply) become null: strict JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def write_json(path: Path, payload: Any) -> None:
    """Write strict JSON with a trailing newline, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_json_safe(payload), indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


#: The file every site this program writes carries at its top: ``--out`` replaces only a folder that has it.
SITE_MARKER = ".mnistreport-site"
_MARKER_TEXT = "Written by mnistreport (python build.py). The next build replaces this whole folder.\n"
#: What a site written before the marker existed always holds: such a folder is ours too.
_LEGACY_SITE_FILES = (".nojekyll", "sitemap.xml", "data/results.json")


def check_out_dir(out_dir: Path) -> None:
    """Raise SiteError unless ``out_dir`` is absent, empty, or a site this program wrote (it has SITE_MARKER).

    A build replaces the whole output folder, so a folder of anything else (a clone, a home
    folder given by mistake) is refused before a single file is touched.
    """
    if not out_dir.exists() and not out_dir.is_symlink():
        return
    if not out_dir.is_dir():
        raise SiteError(f"{out_dir}: --out must be a folder for the site, found a file")
    if (out_dir / SITE_MARKER).is_file() or all((out_dir / name).is_file() for name in _LEGACY_SITE_FILES):
        return
    if next(out_dir.iterdir(), None) is not None:
        raise SiteError(f"{out_dir}: expected an empty folder or a site written by this program (with "
                        f"{SITE_MARKER}), found other files; nothing was changed: choose another --out")


def _staging_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}.building-"


def staging_dir(out_dir: Path) -> Path:
    """A fresh folder beside ``out_dir`` (same file system, so publishing is a rename)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=_staging_prefix(out_dir), dir=out_dir.parent))


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove staging folders that killed builds left beside ``out_dir``; return them.

    Call it only while holding :func:`out_lock`: every build keeps its staging folder
    inside that lock, so any staging folder found then belongs to no running build.
    """
    stale = sorted(out_dir.parent.glob(_staging_prefix(out_dir) + "*"))
    for folder in stale:
        log.info("removing %s, left by an interrupted build", folder)
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def out_lock(out_dir: Path) -> contextlib.AbstractContextManager[None]:
    """One writer at a time per output folder (a lock file beside it), whatever cache each build uses."""
    return file_lock(out_dir.parent / f".{out_dir.name}.lock", f"another build is writing {out_dir}; waiting for it to finish")


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # Linux renameat2 flag
_RENAME_SWAP = 2  # macOS renamex_np flag


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the system has no call for it.

    Linux: ``renameat2(..., RENAME_EXCHANGE)`` (kernel 3.15, glibc 2.28); macOS: ``renamex_np(...,
    RENAME_SWAP)``. A file system without support (EINVAL, ENOTSUP, ENOSYS) also gives False.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    a, b = os.fsencode(first), os.fsencode(second)
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        status = libc.renameat2(ctypes.c_int(_AT_FDCWD), a, ctypes.c_int(_AT_FDCWD), b, ctypes.c_uint(_RENAME_EXCHANGE))
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        status = libc.renamex_np(a, b, ctypes.c_uint(_RENAME_SWAP))
    else:
        return False
    if status == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(second))


def publish(staging: Path, out_dir: Path) -> None:
    """Put the finished staging folder in place of ``out_dir`` in one step: there is always a ``site/``.

    When ``out_dir`` exists, the two folders are exchanged atomically (``_exchange``:
    renameat2 RENAME_EXCHANGE on Linux, renamex_np RENAME_SWAP on macOS), so a reader or
    web server sees either the whole old site or the whole new one, never a missing or
    half-written folder; the old site, now at the staging path, is then deleted. ``out_dir``
    stays a real folder (not a symlink), so tools that upload or serve it need no care.
    Where no exchange call exists, the old folder is renamed away and the new one renamed in,
    two renames a moment apart. A first build renames the staging folder into place.
    """
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = out_dir.with_name(f"{_staging_prefix(out_dir)}old-{os.getpid()}")
    os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def write_site(
    out_dir: Path,
    *,
    write_pages: Callable[[Path], None],
) -> None:
    """Run ``write_pages`` into a staging folder, check its links, then publish it.

    Holds :func:`out_lock` throughout, so builds writing the same folder take turns and any
    staging folder found at the start was left by a killed build (it is removed). On any
    error the staging folder is removed and ``out_dir`` stays as it was; an OSError (a full
    disk) becomes a SiteError naming the file.
    """
    out_dir = out_dir.resolve()  # a symlinked --out: the folder it points to is the one replaced
    with out_lock(out_dir):
        remove_stale_staging(out_dir)
        staging = staging_dir(out_dir)
        try:
            write_pages(staging)
            problems = check_links(staging)
            if problems:
                raise SiteError("broken internal links or images:\n  " + "\n  ".join(problems))
            (staging / SITE_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
            os.chmod(staging, 0o755)
            check_out_dir(out_dir)  # again under the lock: what is there now is what gets replaced
            publish(staging, out_dir)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            where = exc.filename or staging
            raise SiteError(f"{where}: cannot write the site: {exc.strerror or exc}; {out_dir} was left as it was") from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
