"""The built site in a real browser (Debian's Chromium driven by Playwright).

The tiny site is served on 127.0.0.1 under a sub-path (``/mnistreport/``), as
GitHub Pages serves a project site, and every page is opened the way a reader
would. Skipped only where Chromium is not installed and this is not CI.
"""

from __future__ import annotations

import shutil

import pytest

from browser_support import SUB_PATH, launch_chromium, open_page, require_chromium, serve
from conftest import CONTENT  # noqa: E402
from mnistreport.website.content import LANGS, find_pages

require_chromium()
pytestmark = pytest.mark.browser

ALL_PAGES = [f"{lang}/{page.slug}.html" for lang in LANGS for page in find_pages(CONTENT)]


def representative_pages() -> list[str]:
    """One page of each kind in each language, and the chapters with widgets (the explorer's grid, the
    drawing pad): for properties that come from the layout, the same on every page of a kind. What
    must hold on every page (links, language switches, the reading order, decodable images) is
    checked on the HTML files without a browser (tests/test_pipeline.py)."""
    pages = find_pages(CONTENT)
    chosen = [next(p for p in pages if p.kind == kind) for kind in dict.fromkeys(p.kind for p in pages)]
    chosen += [p for p in pages if p.slug in ("grid", "classifier") and p not in chosen]
    return [f"{lang}/{page.slug}.html" for lang in LANGS for page in chosen]


REPRESENTATIVE = representative_pages()


@pytest.fixture(scope="module")
def server(tiny_site, tmp_path_factory):
    """Serve the tiny site at http://127.0.0.1:PORT/mnistreport/."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(tiny_site[1], root / SUB_PATH)
    with serve(root) as base:
        yield f"{base}{SUB_PATH}/"


@pytest.fixture(scope="module")
def full_server(full_site, tmp_path_factory):
    """Serve the full-MNIST site (the integration build) the same way."""
    root = tmp_path_factory.mktemp("served-full")
    (root / SUB_PATH).symlink_to(full_site, target_is_directory=True)
    with serve(root) as base:
        yield f"{base}{SUB_PATH}/"


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as launched:
        yield launched


# Bytes transferred for the page and everything it loaded, from the browser's Performance API.
TRANSFERRED = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .reduce((sum, entry) => sum + (entry.transferSize || entry.encodedBodySize || 0), 0)"""


DECODE_ALL_IMAGES = """async () => {
  const images = [...document.images];
  for (const img of images) img.loading = 'eager';
  const widths = await Promise.all(images.map(img => img.decode().then(() => img.naturalWidth, () => 0)));
  return images.map((img, i) => [img.getAttribute('src'), widths[i]]);
}"""


OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page."""
    from axe_playwright_python.sync_playwright import Axe

    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]


def test_the_page_checks_fire_on_a_broken_page(browser, server):
    # control: the same checks on a page given a missing picture, an image without text and a wide box
    context, page, watch = open_page(browser, f"{server}en/dataset.html", width=390)
    page.evaluate("""() => {
      const img = Object.assign(document.createElement('img'), {src: '../figures/missing.png'});
      const wide = Object.assign(document.createElement('div'), {style: 'width: 900px; height: 4px'});
      document.querySelector('main').prepend(img, wide);
    }""")
    images = page.evaluate(DECODE_ALL_IMAGES)
    page.wait_for_load_state("networkidle")
    assert watch.errors and [src for src, width in images if width == 0] == ["../figures/missing.png"]
    assert page.evaluate(OVERFLOW) > 0
    assert any(finding.startswith("image-alt") for finding in serious_violations(page))
    context.close()


@pytest.mark.parametrize("path", REPRESENTATIVE)
def test_page_loads_cleanly_with_every_image_decoded(browser, server, path):
    context, page, watch = open_page(browser, server + path)
    images = page.evaluate(DECODE_ALL_IMAGES)
    page.wait_for_load_state("networkidle")
    context.close()
    assert not watch.errors, watch.errors
    assert watch.hosts <= {"127.0.0.1"}, f"requests left 127.0.0.1: {watch.hosts}"
    assert all(width > 0 for _, width in images), [src for src, width in images if width == 0]


@pytest.mark.parametrize("path", REPRESENTATIVE)
def test_language_switch_lands_on_the_same_page(browser, server, path):
    context, page, _ = open_page(browser, server + path)
    page.click("a.lang-switch")
    page.wait_for_load_state("load")
    lang, name = path.split("/")
    other = next(l for l in LANGS if l != lang)
    assert page.url == f"{server}{other}/{name}"
    assert page.get_attribute("html", "lang") == other
    context.close()


def test_the_navigation_on_a_page_reaches_every_page(browser, server):
    context, page, _ = open_page(browser, f"{server}en/about.html")
    page.click("a[rel=prev]")
    page.wait_for_load_state("load")
    targets = {page.url.rsplit("/", 1)[0] + "/" + a for a in page.eval_on_selector_all(
        "nav.site-nav a", "els => els.map(e => e.getAttribute('href'))")}
    context.close()
    assert {f"{server}en/{p.slug}.html" for p in find_pages(CONTENT) if p.slug != "index"} <= targets


# Every page in English (their content differs: tables, figures, widgets), one of each kind in Japanese.
@pytest.mark.parametrize("path", [p for p in ALL_PAGES if p.startswith("en/")] +
                         [p for p in REPRESENTATIVE if not p.startswith("en/")])
def test_no_serious_accessibility_violation(browser, server, path):
    context, page, _ = open_page(browser, server + path)
    serious = serious_violations(page)
    context.close()
    assert not serious, serious


@pytest.mark.parametrize("width, paths", [(390, ALL_PAGES), (1280, REPRESENTATIVE)])
def test_no_horizontal_scrolling(browser, server, width, paths):
    overflowing = []
    for path in paths:  # on a phone every page (wide tables and figures differ); on a desktop, the layout
        context, page, _ = open_page(browser, server + path, width=width)
        extra = page.evaluate(OVERFLOW)
        if extra > 0:
            overflowing.append((path, extra))
        context.close()
    assert not overflowing, f"pages wider than {width}px: {overflowing}"


def test_page_weight_of_every_page_of_the_full_site(browser, full_server, capsys):
    weights = {}
    for path in ALL_PAGES:
        context, page, _ = open_page(browser, full_server + path)
        page.wait_for_load_state("networkidle")
        weights[path] = page.evaluate(TRANSFERRED)
        context.close()
    with capsys.disabled():
        print("\npage weight on first load (full site): " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in weights.items()))
    assert all(0 < w < 2 * 2**20 for w in weights.values()), weights


@pytest.mark.parametrize("lang, query, chapter", [("en", "lapjv", "grid"), ("ja", "自己符号化器", "autoencoder")])
def test_search_finds_the_chapter_in_the_page_language_without_fetching_early(browser, server, lang, query, chapter):
    context, page, watch = open_page(browser, f"{server}{lang}/index.html", width=390, height=844)
    page.wait_for_load_state("networkidle")
    assert not [u for u in watch.urls if "/pagefind/" in u], "the index was fetched before the reader typed"
    page.fill("#search-input", query)
    page.wait_for_selector(".search-results li a")
    hrefs = page.eval_on_selector_all(".search-results li a", "els => els.map(e => e.href)")
    status = page.inner_text(".search-status")
    context.close()
    assert f"{server}{lang}/{chapter}.html" in hrefs[:3], hrefs
    assert all(h.startswith(f"{server}{lang}/") for h in hrefs), hrefs  # only pages of the reader's language
    assert query in status
    assert watch.hosts <= {"127.0.0.1"} and not watch.errors, (watch.hosts, watch.errors)


@pytest.mark.parametrize("lang", LANGS)
def test_the_navigation_folds_into_a_menu_on_a_phone_only(browser, server, lang):
    context, page, _ = open_page(browser, f"{server}{lang}/grid.html", width=390, height=844)
    link = page.locator(".nav-main a").first
    assert not link.is_visible()
    assert page.locator("main h1").bounding_box()["y"] < 844 / 2  # the page starts near the top, not below the menu
    page.click(".nav-menu > summary")
    assert link.is_visible()
    context.close()
    context, page, _ = open_page(browser, f"{server}{lang}/grid.html", width=1280, height=900)
    assert page.locator(".nav-main a").first.is_visible() and not page.locator(".nav-menu > summary").is_visible()
    context.close()


def test_a_wide_table_scrolls_in_its_own_box_on_a_phone(browser, server):
    context, page, _ = open_page(browser, f"{server}en/dataset.html", width=390, height=844)
    box = page.locator(".table-wrap:has(table.pixel-table)")
    widths = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
    cell = page.locator("table.pixel-table td").first.evaluate("e => [e.scrollWidth, e.clientWidth]")
    box.focus()
    page.keyboard.press("ArrowRight")
    scrolled = box.evaluate("e => new Promise(done => setTimeout(() => done(e.scrollLeft), 600))")  # smooth scroll
    context.close()
    assert widths[0] > widths[1] and scrolled > 0, (widths, scrolled)
    assert cell[0] <= cell[1], "a pixel value overflows its cell"


def test_the_404_page_links_to_the_site_at_any_depth_without_a_site_url(browser, server, tiny_site):
    # A host answers a missing URL at any depth with 404.html, as GitHub Pages does: its links must still
    # reach the site's pages (the tiny site is built without --site-url, so they start relative).
    not_found = (tiny_site[1] / "404.html").read_text(encoding="utf-8")
    page = browser.new_page()
    try:
        page.route("**/en/nope/deeper.html",
                   lambda route: route.fulfill(status=404, body=not_found, content_type="text/html"))
        page.goto(server + "en/nope/deeper.html")
        page.wait_for_function("document.querySelector('a[hreflang=en]').href.endsWith('/mnistreport/en/index.html')")
        hrefs = page.eval_on_selector_all("a[data-site-path]", "links => links.map(a => a.href)")
        assert hrefs == [server + f"{lang}/index.html" for lang in ("en", "ja")]
        assert page.goto(hrefs[1]).status == 200
    finally:
        page.close()
