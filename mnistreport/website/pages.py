"""Rendering the pages: each page's Markdown as a Jinja template with the results, then HTML.

Each page's Markdown in ``content/<lang>/`` is first rendered as a Jinja template
with the computed results (so every number comes from the build), then converted
to HTML with Python-Markdown and placed into ``templates/page.html``. The Markdown
calls ``figure``, ``table`` and ``widget`` by name (:class:`PageHelpers`); every
step's value and every fact is in its context by name.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import logging
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import jinja2
import markdown
from markdown.extensions.toc import TocExtension, slugify_unicode

from mnistreport.engine.nodes import Node
from mnistreport.engine.run import Computed, call
from mnistreport.render import formats, tables
from mnistreport.render.style import CLASS_COLOURS, CLASS_TEXT_COLOURS
from mnistreport.website.content import LANG_NAMES, LANGS, Content, Page, SiteError, find_pages, read_content
from mnistreport.website.outputs import FigureFile
from mnistreport.website.publish import SITE_MARKER, write_new
from mnistreport.sources import mnist as mnist_data

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteInputs:
    """What the pages are made from besides the content files: results and facts, figures, words, built-ins."""

    computed: Computed  # the steps' values and the facts, and the graph that declares every table
    figures: Mapping[tuple[str, str], FigureFile]  # (lang, name) -> written file
    words: Mapping[str, Mapping[str, Mapping[str, str]]]  # lang -> section -> key -> text
    context: Mapping[str, Any]  # what the Markdown may read besides the steps and facts (data, config, ...)

    def table(self, name: str) -> Node | None:
        return self.computed.graph.node("table", name)

    def table_names(self) -> list[str]:
        return sorted(node.name for node in self.computed.graph.of_kind("table"))


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
            close = difflib.get_close_matches(self._name(name), known, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else f"{len(known)} figures exist (their names are in the chapters)"
            raise SiteError(f"figure {self._name(name)!r} does not exist; {hint}") from exc

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
            size = ui["full_size"].format(width=large.width, height=large.height, size=formats.file_size(large.bytes))
            caption_html += f'{ui["sentence_gap"]}<a href="{href}">{html.escape(size)}</a>'
        return (
            f'<figure class="fig {css_class}" id="figure-{self.figure_count}">'
            f'<a href="{href}"><img src="{src}"{responsive_sources(info)} alt="{html.escape(alt)}" '
            f'width="{info.width}" height="{info.height}" {loading} decoding="async"></a>'
            f'<figcaption><span class="label">{ui["figure"]} {self.figure_count}</span> {caption_html}</figcaption>'
            f"</figure>"
        )

    def table(self, name: str, caption: str, **options: Any) -> str:
        """A numbered table built by the table the chapters declare under ``name``."""
        declared = self.inputs.table(name)
        if declared is None:
            raise SiteError(f"table {name!r} does not exist; known tables: {', '.join(self.inputs.table_names())}")
        if declared in self.inputs.computed.skipped:
            raise SiteError(f"table {name!r} is drawn from results this build skipped (no provenance files); "
                            "the page must not ask for it then")
        given: dict[str, Any] = {"words": self.words["table"], **options}
        if declared.per_digit and self.page.digit is not None:
            given.setdefault("digit", self.page.digit)
        frame = call(declared, self.inputs.computed, **given)
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
        """An interactive part, asked for by name: ``templates/widgets/<name>.html`` with its ``[<name>]`` words.

        The template names the files it loads with ``asset("data/explore/points.bin")`` (the chapters
        declare the folders they write), so the Markdown passes only choices such as ``layout="grid"``.
        """
        self.widget_count += 1
        template = self.widgets.get_template(f"{name}.html")
        return template.render(assets="../assets/", words=self.words.get(name, {}), lang=self.lang, asset=self.asset,
                               id=f"{name}-{self.widget_count}", page=self.page, colours=CLASS_COLOURS, **variables)

    def asset(self, path: str) -> str:
        """The URL, from this page, of a file under a folder a chapter's asset writes; any other path is an error."""
        folders = sorted(node.name for node in self.inputs.computed.graph.of_kind("asset"))
        if not any(path == folder or path.startswith(folder + "/") for folder in folders):
            raise SiteError(f"asset {path!r} is under no folder a chapter writes ({', '.join(folders)})")
        return "../" + path


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
_CJK_LINE_BREAK = re.compile(f"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])")  # with a list item's indentation


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
        self.inputs = inputs
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
            loader=jinja2.FunctionLoader(self._content_source),
            undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled_dir)) if compiled_dir else None,
        )
        self.content_env.filters.update(num=formats.number, pct=formats.percent, mib=formats.mib)
        self.page_env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir), undefined=jinja2.StrictUndefined, autoescape=True
        )
        self.widget_env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir / "widgets"), undefined=jinja2.StrictUndefined,
            autoescape=True,
        )
        self.titles: dict[tuple[str, str], str] = {}
        self.hero_image: str | None = None  # the home page's first figure: the picture of a shared link

    def _content_source(self, name: str) -> tuple[str, str, Any] | None:
        """A content template's text, file and up-to-date check; None (TemplateNotFound) for an unknown name,
        such as an ``{% include %}`` of a file that is not a content file."""
        if name not in self.sources:
            return None
        return (*self.sources[name], lambda: True)

    def _context(self, lang: str, page: Page, helpers: PageHelpers) -> dict[str, Any]:
        computed = self.inputs.computed
        context = {**computed.values, **computed.facts, **self.inputs.context}
        context.update(
            lang=lang, page=page, digit=page.digit, figure=helpers.figure, table=helpers.table,
            pixel_table=helpers.pixel_table, legend=helpers.legend, widget=helpers.widget, ui=self.ui[lang],
            words=helpers.words, tsne_method=helpers.tsne_method, grid_method=helpers.grid_method,
            chapter_list=self.chapter_list(lang), digit_row=self.digit_row(lang),
            data_origin=describe_origin(self.inputs.context["data"].origin, helpers.words["data"]),
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

    def render_all(self, out_dir: Path, only: Callable[[Page, str], bool] | None = None) -> None:
        """Write every page of every language, and the bilingual landing page, into ``out_dir``;
        ``only(page, lang)`` picks the pages to write (the preview's edit of one page's text)."""
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
                if only is not None and not only(page, lang):
                    continue
                content = contents[(lang, page.slug)]
                text, helpers = self._render(lang, page, content, content.body)
                text = join_cjk_lines(text)  # a no-op where the text has no Japanese
                converter = markdown.Markdown(extensions=["tables", "attr_list", "md_in_html",
                                                          TocExtension(slugify=slugify_unicode)])
                body = converter.convert(text)
                if page.kind == "home":
                    self.hero_image = self.hero_image or helpers.first_figure
                toc = [(t["id"], t["name"]) for t in converter.toc_tokens if t["level"] == 2]
                context = self._page_context(lang, page, metas[(lang, page.slug)], body)
                context.update(toc=toc if len(toc) >= 3 else [],
                               og_image=self.absolute(helpers.first_figure or self.hero_image or "assets/favicon.svg"),
                               canonical=self.absolute(page.path(lang)),
                               alternates=self.alternates(page))
                target = out_dir / page.path(lang)
                write_new(target, self._layout("page.html", context))
        home = self._one("home")
        landing = self._layout("landing.html", dict(
            langs=self.langs, ui=self.ui, names=LANG_NAMES, banners=self.banners,
            descriptions={lang: metas[(lang, home.slug)].get("description", "") for lang in self.langs},
            og_image=self.absolute(self.hero_image or "assets/favicon.svg"), canonical=self.absolute(""),
            alternates=self.alternates(home),
        ))
        write_new(out_dir / "index.html", landing)
        not_found = self._layout("404.html", dict(
            langs=self.langs, ui=self.ui, names=LANG_NAMES, base=self.site_url, banners=self.banners, marker=SITE_MARKER,
            og_image=self.absolute("assets/favicon.svg"),
        ))
        write_new(out_dir / "404.html", not_found)
        if self.site_url:
            write_new(out_dir / "sitemap.xml", self.sitemap())
        else:
            log.info("no --site-url given: canonical links, hreflang alternates, og:url, og:image and sitemap.xml "
                     "are left out (they need absolute URLs)")

    def absolute(self, path: str) -> str | None:
        """The absolute URL of ``path`` (relative to the site root) with --site-url; None without it."""
        return self.site_url + path if self.site_url else None

    def alternates(self, page: Page) -> list[tuple[str, str]]:
        """(hreflang, absolute URL) of a page in every language, and ``x-default`` for the language
        chooser; empty without --site-url (hreflang needs absolute URLs)."""
        if not self.site_url:
            return []
        return [(lang, self.site_url + page.path(lang)) for lang in self.langs] + [("x-default", self.site_url)]

    def sitemap(self) -> str:
        """sitemap.xml listing the language chooser and every page with the alternates its head names
        (:meth:`alternates`: every language, and ``x-default`` for the chooser)."""
        base = self.site_url
        entries = [f"  <url>\n    <loc>{html.escape(base)}</loc>\n  </url>"]
        for lang in self.langs:
            for page in self.pages:
                alternates = "".join(
                    f'\n    <xhtml:link rel="alternate" hreflang="{hreflang}" href="{html.escape(url)}"/>'
                    for hreflang, url in self.alternates(page)
                )
                entries.append(f"  <url>\n    <loc>{html.escape(base + page.path(lang))}</loc>{alternates}\n  </url>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
                + "\n".join(entries) + "\n</urlset>\n")

    def chapter_list(self, lang: str) -> str:
        """An ordered list of the chapters with links (for the home page)."""
        items = "".join(
            f'<li><a href="{p.href}">{html.escape(self.titles.get((lang, p.slug), p.slug))}</a></li>'
            for p in self.pages if p.kind == "chapter"
        )
        return f'<ol class="chapter-list">{items}</ol>'

    def digit_row(self, lang: str) -> str:
        """The ten digits as coloured links to their pages."""
        items = "".join(
            f'<li><a class="c{p.digit}" href="{p.href}" aria-label="{html.escape(self.ui[lang]["digit"].format(digit=p.digit))}">{p.digit}</a></li>'
            for p in self.pages if p.kind == "digit"
        )
        return f'<ul class="digit-row">{items}</ul>'

    def _one(self, kind: str) -> Page:
        return next(p for p in self.pages if p.kind == kind)

    def _page_context(self, lang: str, page: Page, meta: dict[str, str], body: str) -> dict[str, Any]:
        """Everything ``templates/page.html`` needs for one page."""
        index = self.pages.index(page)
        def link(p: Page | None) -> dict[str, str] | None:
            return None if p is None else {"href": p.href, "title": self.titles[(lang, p.slug)]}
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
            "other_lang_href": "../" + page.path(other),
            "other_lang_available": other in self.langs,
            "chapters": [dict(link(p), current=p == page, chapter=p.chapter) for p in self.pages if p.kind == "chapter"],
            "extras": [dict(link(p), current=p == page) for p in self.pages if p.kind == "page"],
            "digits": [dict(link(p), current=p == page, digit=p.digit) for p in self.pages if p.kind == "digit"],
            "home": dict(link(self._one("home")), current=page.kind == "home"),
            "about": dict(link(self._one("about")), current=page.kind == "about"),
            "colours": CLASS_COLOURS,
            "text_colours": CLASS_TEXT_COLOURS,
        }
