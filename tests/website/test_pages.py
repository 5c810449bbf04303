"""Content parsing, strict checks, link checking and the atomic swap of site/."""

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import CONTENT  # noqa: E402
from mnistreport.website import content, links, pages, publish
from mnistreport.website.content import SiteError

# The site's modules as one namespace (content files, links, publishing, rendering): these tests cover all four.
site = SimpleNamespace(**{**vars(content), **vars(links), **vars(publish), **vars(pages)})

REPO = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_is_parsed_and_line_numbers_are_kept(tmp_path):
    page = write(tmp_path / "p.md", "---\ntitle: Hello\nnav: Hi\n---\nline five\n")
    content = site.read_content(page)
    assert content.meta == {"title": "Hello", "nav": "Hi"}
    assert content.body.split("\n")[4] == "line five"


@pytest.mark.parametrize(
    "text, where",
    [
        ("no front matter\n", ":1: front matter missing"),
        ("---\ntitle: x\n", ":1: front matter not closed"),
        ("---\ntitle: x\nthis is not a key\n---\n", ":3: malformed front matter"),
        ("---\ntitle: x\ntitle: y\n---\n", ":3: front matter key 'title' given twice"),
        ("---\nnav: x\n---\n", ":1: front matter has no 'title'"),
    ],
)
def test_malformed_front_matter_names_file_and_line(tmp_path, text, where):
    page = write(tmp_path / "bad.md", text)
    with pytest.raises(SiteError, match="bad.md" + where):
        site.read_content(page)


def test_a_page_in_one_language_only_is_an_error(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    write(content / "en" / "extra.md", "---\ntitle: x\n---\n")
    with pytest.raises(SiteError, match="extra.md: exists in en but not in ja"):
        site.check_content_parity(content, site.LANGS)
    (content / "en" / "extra.md").unlink()
    (content / "ja" / "about.md").unlink()
    with pytest.raises(SiteError, match=r"en/about.md: exists in en but not in ja"):
        site.check_content_parity(content, site.LANGS)


def test_repository_content_has_the_same_pages_in_both_languages():
    site.check_content_parity(REPO / "content", site.LANGS)


def test_link_check_finds_broken_links_images_and_absolute_paths(tmp_path):
    write(tmp_path / "en" / "a.html", '<a href="b.html#x">ok</a><img src="../figures/f.png"><a href="https://example.org">ext</a>')
    write(tmp_path / "en" / "b.html", '<a href="missing.html">x</a>\n<img src="/figures/f.png"><a href="../../outside.html">o</a>')
    write(tmp_path / "figures" / "f.png", "png")
    problems = site.check_links(tmp_path)
    assert len(problems) == 3
    assert any("en/b.html:1: broken link 'missing.html'" in p for p in problems)
    assert any("absolute link '/figures/f.png'" in p for p in problems)
    assert any("outside.html" in p for p in problems)
    named = site.check_links(tmp_path, {"en/b.html": "content/en/b.md"})
    assert "en/b.html:1 (from content/en/b.md): broken link 'missing.html'" in named  # the Markdown to fix
    assert site.check_links(tmp_path, pages=lambda path: path == "en/a.html") == []  # the preview's edited page


def old_site(out: Path) -> Path:
    """A site an earlier build published: its index page and our marker."""
    write(out / site.SITE_MARKER, "")
    return write(out / "index.html", "old site")


def left_beside(out: Path) -> list[str]:
    """What is beside ``out`` apart from it and its lock file."""
    return sorted(p.name for p in out.parent.iterdir() if p.name not in (out.name, f".{out.name}.lock"))


def test_failed_write_leaves_the_previous_site_untouched(tmp_path):
    out = tmp_path / "site"
    old_site(out)

    def broken(staging: Path) -> None:
        write(staging / "index.html", "half new")
        raise RuntimeError("failure half-way")

    with pytest.raises(RuntimeError):
        site.write_site(out, write_pages=broken)
    assert (out / "index.html").read_text() == "old site"
    assert left_beside(out) == []  # no staging folder left behind


def test_broken_links_stop_the_publish(tmp_path):
    out = tmp_path / "site"
    old_site(out)
    with pytest.raises(SiteError, match="broken link"):
        site.write_site(out, write_pages=lambda staging: write(staging / "index.html", '<a href="nowhere.html">x</a>'))
    assert (out / "index.html").read_text() == "old site"


def test_successful_write_replaces_the_site(tmp_path):
    out = tmp_path / "site"
    write(out / site.SITE_MARKER, "")
    write(out / "stale.html", "old")
    site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert (out / "index.html").read_text() == "new"
    assert not (out / "stale.html").exists()
    assert (out / site.SITE_MARKER).is_file()  # the next build may replace it


def test_every_page_has_previous_and_next_in_reading_order():
    pages = site.find_pages(CONTENT)
    assert pages[0].slug == "index" and pages[-1].slug == "about"
    assert [p.slug for p in pages if p.kind == "digit"] == [f"digit-{d}" for d in range(10)]
    assert len({p.slug for p in pages}) == len(pages)


def test_japanese_line_breaks_inside_a_paragraph_are_joined_without_a_space():
    text = "最初の行です。\n次の行です。\n\n## 見出し\n- 項目\n- 項目\nEnglish line\n続き"
    joined = site.join_cjk_lines(text)
    assert "最初の行です。次の行です。" in joined
    assert "\n\n## 見出し\n- 項目\n- 項目\nEnglish line\n続き" in joined


def test_results_json_is_strict_json(tmp_path):
    site.write_json(tmp_path / "r.json", {"a": float("nan"), "b": [1.0, float("inf")], "c": {"d": 2}})
    assert (tmp_path / "r.json").read_text() .replace(" ", "").replace("\n", "") == '{"a":null,"b":[1.0,null],"c":{"d":2}}'


# --- what must not be lost ------------------------------------------------------------


def test_an_out_folder_this_program_did_not_write_is_refused_untouched(tmp_path):
    out = tmp_path / "clone"
    write(out / ".git" / "HEAD", "ref: refs/heads/main")
    write(out / "notes.txt", "uncommitted work")
    with pytest.raises(SiteError) as caught:
        site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    message = str(caught.value)
    assert message.startswith(f"{out}: expected an empty folder or a site written by this program") and "\n" not in message
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [".git", ".git/HEAD", "notes.txt"]
    assert (out / "notes.txt").read_text() == "uncommitted work"
    assert left_beside(out) == []
    write(tmp_path / "a-file", "x")
    with pytest.raises(SiteError, match="a-file: --out must be a folder"):
        site.check_out_dir(tmp_path / "a-file")


def test_an_empty_out_folder_or_a_site_from_before_the_marker_is_replaced(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    site.write_site(empty, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert (empty / "index.html").read_text() == "new"
    legacy = tmp_path / "legacy"
    for name in (".nojekyll", "sitemap.xml", "data/results.json", "index.html"):
        write(legacy / name, "")
    site.check_out_dir(legacy)


def test_staging_folders_of_killed_builds_are_removed(tmp_path):
    out = tmp_path / "site"
    old_site(out)
    killed = write(tmp_path / ".site.building-abc123" / "en" / "index.html", "half written").parent.parent
    other = write(tmp_path / ".other.building-xyz" / "keep", "another out folder's").parent
    site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert not killed.exists() and other.exists()
    assert (out / "index.html").read_text() == "new"


def test_publishing_never_leaves_a_moment_without_the_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    old_site(out)
    seen = []
    for name in ("replace", "rename"):
        real = getattr(os, name)

        def spy(src, dst, real=real):
            real(src, dst)
            seen.append((out / "index.html").is_file())

        monkeypatch.setattr(site.os, name, spy)
    site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert (out / "index.html").read_text() == "new"
    assert all(seen)
    assert left_beside(out) == []


def test_publishing_without_an_exchange_call_still_replaces_the_site(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "_exchange", lambda first, second: False)
    out = tmp_path / "site"
    old_site(out)
    site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert (out / "index.html").read_text() == "new"
    assert left_beside(out) == []


def test_two_builds_of_one_out_folder_take_turns(tmp_path, caplog):
    import threading
    import time

    out = tmp_path / "site"
    events: list[str] = []
    first_inside = threading.Event()

    def pages(name: str):
        def write_pages(staging: Path) -> None:
            events.append(f"{name} starts")
            first_inside.set()
            time.sleep(0.5)
            assert staging.is_dir()  # the other build did not take it for a killed build's
            write(staging / "index.html", name)
            events.append(f"{name} ends")
        return write_pages

    first = threading.Thread(target=site.write_site, args=(out,), kwargs={"write_pages": pages("first")})
    first.start()
    first_inside.wait(5)
    site.write_site(out, write_pages=pages("second"))
    first.join()
    assert events == ["first starts", "first ends", "second starts", "second ends"]
    assert (out / "index.html").read_text() == "second"
    assert "another build is writing" in caplog.text


def test_a_full_disk_names_the_file_keeps_the_cause_and_the_old_site(tmp_path):
    import errno

    out = tmp_path / "site"
    old_site(out)

    def full(staging: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(staging / "figures" / "map.png"))

    with pytest.raises(SiteError) as caught:
        site.write_site(out, write_pages=full)
    message = str(caught.value)
    assert message.startswith(f"{out.resolve()}: cannot write the site: No space left on device (writing ")
    assert "figures/map.png" in message and "\n" not in message  # the output first, then the file being written
    assert isinstance(caught.value.__cause__, OSError)
    assert (out / "index.html").read_text() == "old site" and left_beside(out) == []


# --- errors while rendering ---------------------------------------------------------


def make_renderer(tmp_path: Path, page_text: str, body: str = "Text.") -> site.SiteRenderer:
    """A renderer over a two-page content folder with ``page_text`` as templates/page.html."""
    content = tmp_path / "content"
    for lang in site.LANGS:
        write(content / lang / "index.md", f"---\ntitle: Home\nkind: home\norder: 0\n---\n{body}\n")
        write(content / lang / "about.md", "---\ntitle: About\nkind: about\norder: 1\n---\nAbout.\n")
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    write(templates / "page.html", page_text)
    words = {lang: {"ui": {}, "table": {}} for lang in site.LANGS}
    inputs = site.SiteInputs(computed=object(), figures={}, words=words, context={})  # type: ignore[arg-type]
    renderer = site.SiteRenderer(inputs, content_dir=content, templates_dir=templates, langs=("en",), banners=[])
    renderer._context = lambda lang, page, helpers: {}  # the results are not needed here
    return renderer


@pytest.mark.parametrize("page_text, where, what", [
    ("<p>\n{% if %}\n</p>", ":2: ", "Expected an expression"),
    ("<p>\n\n{{ no_such_thing.title }}</p>", ":3: ", "'no_such_thing' is undefined"),
])
def test_a_template_error_in_page_html_names_the_file_and_line(tmp_path, page_text, where, what):
    renderer = make_renderer(tmp_path, page_text)
    with pytest.raises(SiteError) as caught:
        renderer.render_all(tmp_path / "out")
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "templates" / "page.html") + where) and what in message
    assert "\n" not in message and caught.value.__cause__ is not None


def test_an_exception_raised_by_the_markdown_names_the_file_and_line(tmp_path):
    renderer = make_renderer(tmp_path, "{{ body }}", body="One.\n\n{{ 1 // 0 }}")
    with pytest.raises(SiteError) as caught:
        renderer.render_all(tmp_path / "out")
    assert str(caught.value) == f"{tmp_path / 'content' / 'en' / 'index.md'}:8: ZeroDivisionError: integer division or modulo by zero"
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


# --- head metadata, site URL, data origin, tables ------------------------------------------

SITE_URL = "https://example.org/mnistreport/"


@pytest.fixture(scope="module")
def published(tiny_site, tiny_cache, tmp_path_factory):
    """The tiny site written again with --site-url (figures from the tiny build's cache)."""
    import logging

    from mnistreport import report

    computed, _ = tiny_site
    out = tmp_path_factory.mktemp("published") / "site"
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("mnistreport")
    logger.addHandler(handler)
    try:
        report.write(computed, out, langs=site.LANGS, store=tiny_cache, site_url=SITE_URL)
    finally:
        logger.removeHandler(handler)
    return out, [r.getMessage() for r in records]


def head(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[: text.index("</head>")]


def test_with_a_site_url_every_url_that_must_be_absolute_is(published):
    import xml.etree.ElementTree as ET

    out, messages = published
    grid = head(out / "ja" / "grid.html")
    for needle in (f'<link rel="canonical" href="{SITE_URL}ja/grid.html">',
                   f'<meta property="og:url" content="{SITE_URL}ja/grid.html">',
                   f'<link rel="alternate" hreflang="en" href="{SITE_URL}en/grid.html">',
                   f'<link rel="alternate" hreflang="ja" href="{SITE_URL}ja/grid.html">',
                   f'<link rel="alternate" hreflang="x-default" href="{SITE_URL}">',
                   f'<meta property="og:image" content="{SITE_URL}figures/'):
        assert needle in grid, needle
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = ET.parse(out / "sitemap.xml").getroot().findall("s:url", ns)
    locs = [u.find("s:loc", ns).text for u in urls]
    assert locs[0] == SITE_URL and f"{SITE_URL}ja/digit-3.html" in locs
    assert len(locs) == 1 + len(site.LANGS) * len(site.find_pages(CONTENT))
    hrefs = [a.get("href") for u in urls for a in u.findall("x:link", ns)]
    assert hrefs and all(h.startswith(SITE_URL) for h in hrefs)
    page_urls = [u for u in urls if u.findall("x:link", ns)]
    assert all({a.get("hreflang") for a in u.findall("x:link", ns)} == {*site.LANGS, "x-default"} for u in page_urls)
    assert not [m for m in messages if "site-url" in m]


def test_without_a_site_url_nothing_that_needs_one_is_written_and_the_build_says_so_once(tiny_site, tiny_cache,
                                                                                        tmp_path, caplog):
    import logging

    from mnistreport import report

    computed, _ = tiny_site
    out = tmp_path / "site"
    with caplog.at_level(logging.INFO, logger="mnistreport"):
        report.write(computed, out, langs=site.LANGS, store=tiny_cache)
    assert len([r for r in caplog.records if "--site-url" in r.getMessage()]) == 1
    assert not (out / "sitemap.xml").exists()
    for page in [out / "index.html", out / "en" / "grid.html", out / "ja" / "digit-3.html"]:
        text = head(page)
        for absent in ('rel="canonical"', 'hreflang=', 'og:url', 'og:image'):
            assert absent not in text, (page, absent)


def test_site_url_must_be_an_absolute_web_address():
    assert site.normalise_site_url("https://a.github.io/r") == "https://a.github.io/r/"
    assert site.normalise_site_url("") == ""
    for bad in ("a.github.io/r", "/r/", "ftp://a/r", "https://a/r?x=1"):
        with pytest.raises(SiteError, match="--site-url"):
            site.normalise_site_url(bad)


def test_the_language_chooser_describes_the_site_for_a_shared_link(published):
    out, _ = published
    landing = head(out / "index.html")
    for needle in ('<meta name="description" content="A visual report', 'property="og:title"',
                   'property="og:description"', f'<meta property="og:image" content="{SITE_URL}figures/',
                   f'<link rel="canonical" href="{SITE_URL}">'):
        assert needle in landing, needle


def test_page_titles_do_not_repeat_the_site_title(tiny_site):
    import re

    _, out = tiny_site
    for lang in site.LANGS:
        for page in site.find_pages(CONTENT):
            title = re.search(r"<title>([^<]+)</title>", (out / lang / f"{page.slug}.html").read_text(encoding="utf-8"))[1]
            parts = title.split(" · ")
            assert len(parts) == len(set(parts)), title


@pytest.mark.parametrize("label", ["idx", "npz", "csv", "sample", "download"])
def test_where_the_data_came_from_is_said_in_each_language(label):
    from mnistreport.sources import mnist as data
    from mnistreport.website.words import load_all_words

    origin = {"sample": data.SAMPLE_ORIGIN, "download": site.DOWNLOADED_FROM + "https://mirror.example/"}.get(label)
    words = load_all_words(CONTENT, site.LANGS)
    said = {lang: site.describe_origin(origin or data.ORIGINS[label], words[lang]["data"]) for lang in site.LANGS}
    assert said["en"] != said["ja"] and "local copy" not in said["ja"]
    assert all(said.values())
    if label == "download":
        assert all("https://mirror.example/" in text for text in said.values())


def test_japanese_pages_do_not_show_the_english_data_label(tiny_site):
    _, out = tiny_site
    for page in ("index", "about", "dataset"):
        text = (out / "ja" / f"{page}.html").read_text(encoding="utf-8")
        assert "local copy" not in text and "IDX files" not in text


def test_every_table_scrolls_in_a_named_focusable_region(tiny_site):
    import re

    _, out = tiny_site
    for lang in site.LANGS:
        for page in ("dataset", "grid", "about"):
            text = (out / lang / f"{page}.html").read_text(encoding="utf-8")
            wraps = re.findall(r'<div class="table-wrap"[^>]*>', text)
            assert wraps and all('role="region" tabindex="0" aria-label="' in w for w in wraps), wraps


def test_digit_badges_get_the_text_colour_that_contrasts(tiny_site):
    from mnistreport.render.style import CLASS_COLOURS

    _, out = tiny_site
    text = head(out / "en" / "digit-8.html")
    assert f".c8{{--c:{CLASS_COLOURS[8]};--on-c:#000000}}" in text
    assert f".c0{{--c:{CLASS_COLOURS[0]};--on-c:#ffffff}}" in text


def test_large_figures_offer_smaller_copies_that_exist_at_their_stated_widths(tiny_site):
    import re

    from PIL import Image

    _, out = tiny_site
    offered = 0
    for lang in site.LANGS:
        for page in ("index", "grid", "first-look"):
            text = (out / lang / f"{page}.html").read_text(encoding="utf-8")
            for srcset in re.findall(r'<img [^>]*srcset="([^"]+)" sizes="\(max-width: 760px\)', text):
                for candidate in srcset.split(", "):
                    path, width = candidate.rsplit(" ", 1)
                    with Image.open(out / lang / path) as image:
                        assert f"{image.width}w" == width, candidate
                    offered += 1
    assert offered


def test_a_shrunk_figure_keeps_its_proportions_and_palette(tmp_path):
    from PIL import Image

    from mnistreport.render.charts import shrink_png

    Image.new("RGB", (1000, 500), (200, 30, 30)).quantize(16).save(tmp_path / "big.png")
    shrink_png(tmp_path / "big.png", tmp_path / "small.png", 400)
    with Image.open(tmp_path / "small.png") as small:
        assert small.size == (400, 200) and small.mode == "P"


def test_every_step_of_the_build_is_named_in_each_language():
    from mnistreport.report import report_graph
    from mnistreport.website.words import load_all_words

    words = load_all_words(CONTENT, site.LANGS)
    fields = {step.name for step in report_graph().steps}
    for lang in site.LANGS:
        missing = sorted(f for f in fields if f"step_{f}" not in words[lang]["table"])
        assert not missing, (lang, missing)
    assert words["ja"]["table"]["step_autoencoder"] != words["en"]["table"]["step_autoencoder"]


# One word per idea in the Japanese edition: the spelling on the right of each pair, never the left.
JAPANESE_VARIANTS = {
    r"頁": "ページ", r"ブラウザ(?!ー)": "ブラウザー", r"割当(?!て)": "割り当て", r"エクスプローラ(?!ー)": "エクスプローラー",
    r"パラメータ(?!ー)": "パラメーター", r"クラスタ(?!ー|リング)": "クラスター", r"(?:\d|\}) 字": "個 (digits are counted with 個)",
}


def test_the_japanese_edition_uses_one_word_per_idea():
    import re

    found = []
    for path in sorted((CONTENT / "ja").iterdir()):
        if path.suffix not in (".md", ".toml"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [f"{path.name}:{number}: {m.group()} -> {want}"
                      for pattern, want in JAPANESE_VARIANTS.items() for m in re.finditer(pattern, line)]
    assert not found, "\n".join(found)


def test_japanese_links_do_not_run_into_their_particle():
    import re

    # 「このサイトについてに」: a link's text followed straight by a particle reads as one word.
    for path in sorted((CONTENT / "ja").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\[[^\]]*について\]\([^)]*\)[にをがはで]", text), path.name


def test_the_build_writes_a_search_index_for_each_language(tiny_site, tmp_path):
    import json

    from mnistreport.website.search import SearchError, build_search_index

    _, out = tiny_site
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = len(site.find_pages(CONTENT))
    assert {lang: info["page_count"] for lang, info in entry["languages"].items()} == {lang: pages for lang in site.LANGS}
    assert not (out / "pagefind" / "pagefind-ui.js").exists()  # the site shows results with static/search/search.js
    write(tmp_path / "en" / "a.html", '<html lang="en"><body><article data-pagefind-body><h1>x</h1></article></body></html>')
    with pytest.raises(SearchError, match="indexed no page in ja"):
        build_search_index(tmp_path, site.LANGS)


def test_every_published_folder_and_file_is_readable_by_any_user_whatever_the_umask(tmp_path):
    out = tmp_path / "site"
    old = os.umask(0o077)
    try:
        site.write_site(out, write_pages=lambda staging: write(staging / "data" / "explore" / "points.bin", "x"))
    finally:
        os.umask(old)
    modes = {p.relative_to(out).as_posix(): p.stat().st_mode & 0o777 for p in [out, *out.rglob("*")]}
    assert modes["."] == 0o755 and modes["data"] == 0o755 and modes["data/explore"] == 0o755
    assert modes["data/explore/points.bin"] == 0o644


def test_a_staging_folder_started_from_the_published_site_never_writes_through_to_it(tmp_path):
    out = tmp_path / "site"
    site.write_site(out, write_pages=lambda staging: write(staging / "en" / "a.html", "first"))
    served = (out / "en" / "a.html")
    inode = served.stat().st_ino
    seen = []

    def edit(staging: Path) -> None:
        site.write_new(staging / "en" / "a.html", "second")
        seen.append(served.read_text())  # the published page, while the staging folder is being written

    site.write_site(out, write_pages=edit, start_from_published=True)
    assert seen == ["first"] and served.read_text() == "second" and served.stat().st_ino != inode


def test_a_byte_order_mark_before_the_front_matter_is_accepted(tmp_path):
    page = write(tmp_path / "en" / "index.md", "\ufeff---\ntitle: Home\nkind: home\norder: 0\n---\nText.\n")
    assert site.read_content(page).meta["title"] == "Home"


def test_an_unknown_include_is_a_template_not_found_naming_the_file_and_line(tmp_path):
    renderer = make_renderer(tmp_path, "{{ body }}", body="One.\n\n{% include 'nope.md' %}")
    with pytest.raises(SiteError, match=r"index.md:8: template 'nope.md' not found"):
        renderer.render_all(tmp_path / "out")


def test_a_list_items_indented_line_break_between_japanese_characters_is_joined_too():
    assert site.join_cjk_lines("- 主張の 2.2 倍です。\n  高校生だけを数える") == "- 主張の 2.2 倍です。高校生だけを数える"
    assert site.join_cjk_lines("English\n  line") == "English\n  line"
