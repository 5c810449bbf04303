"""The digit explorer (static/explorer/) in a real browser, on a fixture of 400 digits made here.

The fixture (bundle, sprite sheets and table from mnistreport.render.explorer; a minimal page
rendering templates/widgets/explorer.html with the words of the [explorer] section of content/<lang>/words.toml)
is served on 127.0.0.1 under /mnistreport/, as GitHub Pages serves a project site:
the page at /mnistreport/en/explore.html, the assets at /mnistreport/assets/.
The fixture also holds each digit's 8 nearest neighbours (exact, in 64-digit chunks) and text after
the explorer, so that the page scrolls. Pages are opened with the explorer's test hook
(browser_support.EXPLORER_HOOK). Covered besides drawing, hover, links and keys: the wheel scrolls the
page until the map is engaged, touch (one finger scrolls, two fingers pan and zoom, a tap selects),
the neighbours of a selected digit, filters, colours, the lasso, the help, the skip link, "Go to a
digit" on a desktop and a phone, no layout shift while loading, and axe-core. Who wrote each digit: a
writers file for the 400 digits (20 made-up writers, employees and students), fetched only once needed;
a selected digit's writer, that writer's digits highlighted on the map and the grid and kept in the
URL, colour and filter by series, and an edition without provenance (a page whose writers file says so).
Skipped only where Chromium is not installed and this is not CI.
"""

from __future__ import annotations

import gzip
import re
import shutil

import jinja2
import numpy as np
import pytest

from browser_support import (
    EXPLORER_HOOK, SUB_PATH, PageWatch, launch_chromium, open_explorer_page, require_chromium, serve, widget_page,
)
from conftest import REPO, make_digits  # noqa: E402
from mnistreport.analysis.neighbours import exact_neighbours
from mnistreport.render.explorer import all_digits_table, points_bundle, quantise, sprite_sheets, write_neighbours, write_sprite_sheets, writer_ranks, writers_bundle
from mnistreport.website.words import load_words  # noqa: E402

require_chromium()
pytestmark = pytest.mark.browser

N_TRAIN, N_TEST = 300, 100
N = N_TRAIN + N_TEST
SIDE = 20  # the map: a jittered 20 x 20 lattice; the grid: 20 x 20 cells

def fixture_arrays() -> dict[str, np.ndarray]:
    """400 digits: classes in bands of a jittered lattice (points well apart), a shuffled grid, some mistakes."""
    rng = np.random.default_rng(7)
    labels = np.repeat(np.arange(10, dtype=np.uint8), N // 10)
    rng.shuffle(labels)
    slots = np.argsort(labels, kind="stable")  # digit slots[k] takes lattice point k: classes form bands
    lattice = (np.stack(np.meshgrid(np.arange(SIDE), np.arange(SIDE)), -1).reshape(-1, 2) + 0.5) / SIDE
    coords = np.zeros((N, 2))
    coords[slots] = lattice + rng.uniform(-0.2, 0.2, (N, 2)) / SIDE
    coords = (coords - coords.min(0)) / np.ptp(coords, 0)
    ids = np.arange(N)
    mlp = np.where(ids % 7 == 3, (labels + 1) % 10, labels).astype(np.uint8)
    cnn = np.where(ids % 11 == 5, (labels + 2) % 10, labels).astype(np.uint8)
    cells = rng.permutation(SIDE * SIDE)
    images = make_digits(labels, 7)
    neighbours = exact_neighbours(images.reshape(N, -1).astype(np.float32) / 255, 8)
    # Who wrote them: 10 employees (series 0-3) and 10 students (series 4, writer 2154 among them).
    other = np.random.default_rng(11)
    writer_ids = np.r_[np.arange(10) * 37 + 12, 2154 + np.arange(10) * 11]
    writer = writer_ids[other.integers(0, 20, N)]
    series = np.where(writer >= 2100, 4, writer % 4)
    writer_index = other.permutation(N)
    return {"coords": coords, "labels": labels, "mlp": mlp, "cnn": cnn, "cells": cells, "images": images, "neighbours": neighbours,
            "writer": writer, "series": series, "writer_index": writer_index}


def render_page(lang: str, layout: str = "map", data: str = "points.bin", **options: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    words = load_words(REPO / "content", lang)["explorer"]
    widget = env.get_template("widgets/explorer.html").render(
        data=f"../data/explore/{data}", sheets="../data/explore/sheets/", assets="../assets/", words=words,
        lang=lang, layout=layout, id="explorer", table_href="../data/all-digits.csv.gz", **options)
    # Text after the explorer, so that the page scrolls.
    after = '<p style="min-height: 1200px">After the explorer.</p>'
    return widget_page(lang, "Explorer", widget + after)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    """The served root (holding mnistreport/) and the fixture's arrays."""
    root = tmp_path_factory.mktemp("explore-served")
    site = root / SUB_PATH
    shutil.copytree(REPO / "static", site / "assets")
    a = fixture_arrays()
    data = site / "data" / "explore"
    data.mkdir(parents=True)
    (data / "points.bin").write_bytes(points_bundle(a["coords"], a["labels"], a["mlp"], N_TRAIN, cnn_predictions=a["cnn"],
                                                    cells=a["cells"], grid_shape=(SIDE, SIDE), tiles=4, sheet_cols=8))
    # A build without the CNN and without the grid.
    (data / "points-plain.bin").write_bytes(points_bundle(a["coords"], a["labels"], a["mlp"], N_TRAIN, tiles=4, sheet_cols=8))
    x, y = quantise(a["coords"])
    write_sprite_sheets(sprite_sheets(a["images"], x, y, 4, 8), data / "sheets")
    write_neighbours(a["neighbours"], site / "data" / "explore-neighbours", chunk=64)
    for folder, data in (("explore-writers", writers_bundle(a["series"], a["writer"], a["writer_index"])),
                         ("explore-writers-none", writers_bundle(None))):
        (site / "data" / folder).mkdir()
        (site / "data" / folder / "writers.bin").write_bytes(data)
    table = all_digits_table(a["coords"], a["labels"], a["mlp"], N_TRAIN, cnn_predictions=a["cnn"], cells=a["cells"],
                             grid_shape=(SIDE, SIDE))
    with gzip.open(site / "data" / "all-digits.csv.gz", "wt", encoding="utf-8") as handle:
        table.to_csv(handle, index=False)
    for lang in ("en", "ja"):
        (site / lang).mkdir()
        (site / lang / "explore.html").write_text(render_page(lang), encoding="utf-8")
        (site / lang / "grid.html").write_text(render_page(lang, "grid"), encoding="utf-8")
        (site / lang / "plain.html").write_text(render_page(lang, data="points-plain.bin"), encoding="utf-8")
        (site / lang / "plain-grid.html").write_text(render_page(lang, "grid", "points-plain.bin"), encoding="utf-8")
        (site / lang / "no-writers.html").write_text(render_page(lang, writers="../data/explore-writers-none/writers.bin"),
                                                     encoding="utf-8")
    return root, a


@pytest.fixture(scope="module")
def server(fixture_site):
    with serve(fixture_site[0]) as base:
        yield f"{base}{SUB_PATH}/"


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as launched:
        yield launched


@pytest.fixture
def arrays(fixture_site):
    return fixture_site[1]


@pytest.fixture
def open_explorer(browser, server):
    """open_explorer(path_and_hash) -> (page, watch), the explorer ready; contexts closed afterwards."""
    contexts = []

    def open_(path: str = "en/explore.html", *, wait: bool = True, width: int = 1280, scroll: bool = True, **options):
        context, page, watch = open_explorer_page(browser, server + path, width=width, **options)
        contexts.append(context)
        if wait:
            page.wait_for_function("window.mnistExplorer !== undefined", timeout=15_000)
            if scroll:
                page.evaluate("document.querySelector('.explorer-view').scrollIntoView()")
        return page, watch

    yield open_
    for context in contexts:
        context.close()


def state(page) -> dict:
    return page.evaluate("window.mnistExplorer.state()")


def hover(page, digit: int) -> str:
    """Move the mouse onto a digit; the tooltip's text ('' when hidden)."""
    point = page.evaluate(f"""(() => {{ let p = window.mnistExplorer.screenOf({digit});
        if (p.y < 0 || p.y >= innerHeight) {{ scrollBy(0, p.y - innerHeight / 2); p = window.mnistExplorer.screenOf({digit}); }}
        return p; }})()""")
    assert point["inside"], point
    page.mouse.move(point["x"], point["y"])
    page.evaluate("window.mnistExplorer.idle()")
    return page.evaluate("(t => t.hidden ? '' : t.innerText)(document.querySelector('.explorer-tooltip'))")


PIXEL = """([id]) => { const ex = window.mnistExplorer; ex.renderNow(); const p = ex.screenOf(id);
  const canvas = ex.element.querySelector('.explorer-canvas'); const r = canvas.getBoundingClientRect();
  const s = canvas.width / r.width;
  return [...canvas.getContext('2d').getImageData(Math.floor((p.x - r.left) * s), Math.floor((p.y - r.top) * s), 1, 1).data]; }"""


def test_loads_cleanly_and_only_from_127_0_0_1(open_explorer):
    page, watch = open_explorer()
    page.wait_for_load_state("networkidle")
    s = state(page)
    assert (s["layout"], s["zoom"], s["centre"], s["shown"], s["note"]) == ("map", 1, [0.5, 0.5], N, "")
    assert s["hasGrid"] and s["hasCnn"] and s["mode"] == "points" and s["inView"] == N
    assert s["sheetsRequested"] == 0, "no sprite sheet before zooming in"
    assert page.is_hidden(".explorer-loading") and page.is_hidden(".explorer-file")
    assert "400 digits (300 training, 100 test)" in page.inner_text(".explorer-summary")
    assert not watch.errors, watch.errors
    assert watch.hosts == {"127.0.0.1"}, watch.hosts


@pytest.mark.parametrize("digit", [17, N_TRAIN + 45])
def test_hover_shows_identity_label_and_predictions(open_explorer, arrays, digit):
    page, _ = open_explorer()
    tip = hover(page, digit)
    label = int(arrays["labels"][digit])
    name = f"train #{digit}" if digit < N_TRAIN else f"test #{digit - N_TRAIN}"
    assert name in tip and f"Label {label}" in tip, tip
    mlp, cnn = int(arrays["mlp"][digit]), int(arrays["cnn"][digit])
    assert f"MLP: {mlp}" in tip and f"CNN: {cnn}" in tip
    assert ("✗ wrong" in tip) == (mlp != label or cnn != label)
    page.mouse.down()
    page.mouse.up()
    assert state(page)["selected"] == name
    assert name in page.inner_text(".explorer-selected-info")


def test_wrong_prediction_is_marked_and_zoomed_in_shows_images(open_explorer, arrays):
    page, watch = open_explorer()
    digit = 3 if arrays["mlp"][3] != arrays["labels"][3] else 10
    assert arrays["mlp"][digit] != arrays["labels"][digit]
    centre = page.evaluate(f"window.mnistExplorer.worldOf({digit})")
    page.evaluate("([c]) => window.mnistExplorer.setView({ zoom: 5, centre: c })", [centre])
    page.evaluate("window.mnistExplorer.idle()")
    s = state(page)
    assert s["mode"] == "images"
    assert 0 < len(s["sheetsLoaded"]) < 16, "only the sheets on screen"
    pixels = page.evaluate(f"window.mnistExplorer.pixelsOf({digit})")
    assert pixels == arrays["images"][digit].ravel().tolist(), "the sheet holds the digit's raw values"
    tip = hover(page, digit)
    assert f"MLP: {arrays['mlp'][digit]} ✗ wrong" in tip
    assert page.evaluate("document.querySelector('.explorer-tooltip canvas').dataset.pending") is None
    assert not watch.errors


def test_sheets_load_without_module_workers_too(browser, server, arrays):
    context = browser.new_context()
    context.add_init_script(EXPLORER_HOOK)
    context.add_init_script("window.Worker = undefined")
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(server + "en/explore.html#zoom=5&x=0.3&y=0.3")
    page.wait_for_function("window.mnistExplorer !== undefined")
    page.evaluate("window.mnistExplorer.idle()")
    assert state(page)["mode"] == "images" and state(page)["sheetsLoaded"]
    some = page.evaluate("(() => { const ex = window.mnistExplorer; for (let i = 0; i < ex.n; i++) if (ex.pixelsOf(i)) return i; })()")
    assert page.evaluate(f"window.mnistExplorer.pixelsOf({some})") == arrays["images"][some].ravel().tolist()
    assert not watch.errors, watch.errors
    context.close()


def test_legend_hides_a_class(open_explorer, arrays):
    page, _ = open_explorer()
    d = int(arrays["labels"][17])
    before = page.evaluate(PIXEL, [17])
    button = page.locator(f".explorer-class[data-digit='{d}']")
    assert button.get_attribute("aria-pressed") == "true"
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    s = state(page)
    assert d not in s["classes"] and s["shown"] == N - N // 10
    assert not page.evaluate("window.mnistExplorer.isShown(17)")
    after = page.evaluate(PIXEL, [17])
    assert before != after
    background = page.evaluate("getComputedStyle(document.querySelector('.explorer-view')).backgroundColor")
    assert re.findall(r"\d+", background)[:3] == [str(v) for v in after[:3]], (background, after)
    assert "train #17" not in hover(page, 17)
    page.click(".explorer-all")
    assert state(page)["shown"] == N


def test_url_keeps_the_view(open_explorer, server, arrays):
    page, _ = open_explorer()
    page.evaluate("window.mnistExplorer.setView({ zoom: 3.5, centre: [0.4, 0.62], classes: [1, 3, 5], mistakes: 'mlp', selected: 310 })")
    hash_ = page.evaluate("window.mnistExplorer.writeHash()")
    assert hash_ == "#classes=1,3,5&mistakes=mlp&zoom=3.5&x=0.40000&y=0.62000&digit=test-10", hash_
    first = state(page)
    again, watch = open_explorer("en/explore.html" + hash_)
    second = state(again)
    for key in ("layout", "classes", "mistakes", "selected", "shown"):
        assert first[key] == second[key], key
    assert second["zoom"] == pytest.approx(3.5) and second["centre"] == pytest.approx([0.4, 0.62], abs=1e-5)
    assert second["note"] == ""
    assert "test #10" in again.inner_text(".explorer-selected-info")
    assert not watch.errors
    # The grid layout and a CNN filter round-trip too.
    page.evaluate("window.mnistExplorer.setView({ layout: 'grid', mistakes: 'cnn', classes: [0,1,2,3,4,5,6,7,8,9] })")
    hash_ = page.evaluate("window.mnistExplorer.writeHash()")
    third = state(open_explorer("en/explore.html" + hash_)[0])
    assert (third["layout"], third["mistakes"], third["shown"]) == ("grid", "cnn", int((arrays["cnn"] != arrays["labels"]).sum()))


def test_a_link_with_one_class(open_explorer, arrays):
    page, _ = open_explorer("en/explore.html#classes=3")
    s = state(page)
    assert s["classes"] == [3] and s["shown"] == int((arrays["labels"] == 3).sum()) and s["note"] == ""
    assert page.locator(".explorer-class[aria-pressed='true']").count() == 1
    # A digit link: centred, zoomed in, selected.
    page, _ = open_explorer("en/explore.html#digit=test-45")
    s = state(page)
    assert s["selected"] == "test #45" and s["zoom"] > 1
    assert s["centre"] == pytest.approx(page.evaluate(f"window.mnistExplorer.worldOf({N_TRAIN + 45})"), abs=1e-6)


@pytest.mark.parametrize("hash_", ["#zoom=banana&x=7", "#digit=train-99999", "#zoom=100000", "#%E0%A4%A", "#layout=cube&classes=12"])
def test_a_broken_link_shows_the_whole_map_and_a_note(open_explorer, hash_):
    page, watch = open_explorer("en/explore.html" + hash_)
    s = state(page)
    assert (s["layout"], s["zoom"], s["centre"], s["shown"], s["selected"]) == ("map", 1, [0.5, 0.5], N, None)
    assert s["note"].startswith("The view in this link could not be shown"), s["note"]
    assert page.is_visible(".explorer-note")
    assert page.evaluate("window.mnistExplorer.idle()")
    drawn = page.evaluate("""() => { const c = document.querySelector('.explorer-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]); return seen.size; }""")
    assert drawn > 5, "the map is drawn, not blank"
    assert not watch.errors


def test_keyboard_pans_zooms_and_picks(open_explorer):
    page, _ = open_explorer()
    page.focus(".explorer-canvas")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")  # focus by keyboard: the focus ring shows
    assert page.evaluate("document.activeElement.classList.contains('explorer-canvas')")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("+")
    page.evaluate("window.mnistExplorer.idle()")
    assert state(page)["zoom"] == pytest.approx(1.5)
    page.keyboard.press("+")
    page.keyboard.press("ArrowRight")
    s = state(page)
    assert s["zoom"] == pytest.approx(2.25) and s["centre"][0] > 0.5 and s["centre"][1] == pytest.approx(0.5)
    page.keyboard.press("ArrowUp")
    assert state(page)["centre"][1] > 0.5
    page.keyboard.press("-")
    assert state(page)["zoom"] == pytest.approx(1.5)
    page.keyboard.press("Enter")
    selected = state(page)["selected"]
    assert selected and selected in page.inner_text(".explorer-selected-info")
    page.keyboard.press("Escape")
    page.keyboard.press("0")
    s = state(page)
    assert s["selected"] is None and s["zoom"] == 1 and s["centre"] == [0.5, 0.5]


def test_mouse_wheel_and_drag(open_explorer):
    page, _ = open_explorer()
    box = page.locator(".explorer-canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(cx, cy)  # engaged: the wheel zooms the map
    page.mouse.wheel(0, -300)
    page.evaluate("window.mnistExplorer.idle()")
    zoom = state(page)["zoom"]
    assert zoom > 1.5
    page.mouse.down()
    page.mouse.move(cx - 100, cy, steps=5)
    page.mouse.up()
    assert state(page)["centre"][0] > 0.5
    # The address follows the view (written a moment after it stops changing).
    page.wait_for_function("location.hash.includes('zoom=') && location.hash === window.mnistExplorer.state().hash")


def test_the_wheel_scrolls_the_page_over_the_map_until_it_is_engaged(open_explorer):
    page, _ = open_explorer(scroll=False)
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator(".explorer-canvas").bounding_box()
    assert box["y"] < 900 - 100, "part of the map is on the first screen"
    x, y = box["x"] + box["width"] / 2, min(box["y"] + 60, 850)
    page.mouse.move(x, y)
    page.mouse.wheel(0, 300)
    page.wait_for_function("window.scrollY > 0")
    s = state(page)
    assert s["zoom"] == 1 and not s["engaged"], "the map did not zoom"
    assert page.is_visible(".explorer-hint") and "Ctrl" in page.inner_text(".explorer-hint")
    # Ctrl + wheel zooms without engaging (as does a trackpad's pinch, which arrives as one).
    box = page.locator(".explorer-canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 200)
    page.mouse.move(x, y)
    scrolled = page.evaluate("window.scrollY")
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    page.wait_for_function("window.mnistExplorer.state().zoom > 1")
    assert page.evaluate("window.scrollY") == scrolled
    # A click engages the map: the wheel zooms it and the page stays; Tab away and the page scrolls again.
    page.mouse.click(x, y)
    zoom = state(page)["zoom"]
    page.mouse.wheel(0, -200)
    page.wait_for_function(f"window.mnistExplorer.state().zoom > {zoom}")
    assert page.evaluate("window.scrollY") == scrolled and state(page)["engaged"]
    page.evaluate("document.activeElement.blur()")
    page.mouse.wheel(0, 200)
    page.wait_for_function(f"window.scrollY > {scrolled}")


def test_go_to_a_digit_by_its_name(open_explorer):
    page, _ = open_explorer()
    for text, expected in (("test #12", "test #12"), ("train 250", "train #250"), ("TRAIN #1,2", None), ("train #300", None)):
        page.fill(".explorer-goto input", text)
        page.press(".explorer-goto input", "Enter")
        if expected:
            assert state(page)["selected"] == expected, text
        else:
            assert page.get_attribute(".explorer-goto input", "aria-invalid") == "true", text
            assert page.inner_text(".explorer-goto-message"), text
    assert "#0 to #299" in page.inner_text(".explorer-goto-message")
    ja, _ = open_explorer("ja/explore.html")
    for text, expected in (("テスト #12", "テスト #12"), ("訓練 250", "訓練 #250"), ("訓練データの１２番", "訓練 #12")):
        ja.fill(".explorer-goto input", text)
        ja.press(".explorer-goto input", "Enter")
        assert state(ja)["selected"] == expected, text


def test_grid_view_hover_names_the_right_digit(open_explorer, arrays):
    page, watch = open_explorer()
    page.click(".explorer-layout[data-layout='grid']")
    page.wait_for_function("!window.mnistExplorer.state().animating")
    assert state(page)["layout"] == "grid"
    assert page.get_attribute(".explorer-layout[data-layout='grid']", "aria-pressed") == "true"
    for digit in (5, N_TRAIN + 77):
        cell = int(arrays["cells"][digit])
        x, y = page.evaluate(f"window.mnistExplorer.worldOf({digit})")
        assert (x, y) == pytest.approx(((cell % SIDE + 0.5) / SIDE, (cell // SIDE + 0.5) / SIDE), abs=1e-6)
        name = f"train #{digit}" if digit < N_TRAIN else f"test #{digit - N_TRAIN}"
        assert name in hover(page, digit)
    # Zoomed in: the digits as 28 px (or larger) images, each in its cell.
    page.evaluate(f"window.mnistExplorer.setView({{ zoom: 4, centre: window.mnistExplorer.worldOf(9) }})")
    page.evaluate("window.mnistExplorer.idle()")
    assert state(page)["mode"] == "images"
    assert "train #9" in hover(page, 9)
    # The grid page starts in the grid.
    grid_page, _ = open_explorer("en/grid.html")
    assert state(grid_page)["layout"] == "grid" and state(grid_page)["hash"] == ""
    assert not watch.errors


def test_without_cnn_or_grid_only_the_mlp_and_the_map(open_explorer):
    page, watch = open_explorer("en/plain.html")
    s = state(page)
    assert not s["hasCnn"] and not s["hasGrid"] and s["layout"] == "map"
    assert page.is_hidden(".explorer-layouts")
    assert page.eval_on_selector_all(".explorer-mistakes option", "os => os.map(o => o.value)") == ["none", "mlp"]
    tip = hover(page, 17)
    assert "MLP:" in tip and "CNN" not in tip
    assert not watch.errors
    page, _ = open_explorer("en/plain.html#layout=grid")
    assert state(page)["layout"] == "map" and "no grid view" in state(page)["note"]
    page, _ = open_explorer("en/plain-grid.html")
    assert state(page)["layout"] == "map" and state(page)["note"] == "This edition has no grid yet, so the map is shown."


def test_failed_fetches_show_a_message(browser, server):
    context = browser.new_context()
    context.add_init_script(EXPLORER_HOOK)
    page = context.new_page()
    page.route("**/points.bin", lambda route: route.fulfill(status=404, body="not here"))
    page.goto(server + "en/explore.html")
    page.wait_for_selector(".explorer-note:not([hidden])")
    assert "Could not load the digits" in page.inner_text(".explorer-note")
    assert page.is_hidden(".explorer-loading")
    page.close()
    page = context.new_page()
    page.route("**/sheets/*.png", lambda route: route.abort())
    page.goto(server + "en/explore.html#zoom=5")
    page.wait_for_function("window.mnistExplorer !== undefined")
    page.wait_for_selector(".explorer-note:not([hidden])")
    assert "Some digit images could not be loaded" in page.inner_text(".explorer-note")
    context.close()


def test_opened_from_disk_it_says_how_to_serve_it(browser, fixture_site):
    context = browser.new_context()
    page = context.new_page()
    page.goto((fixture_site[0] / SUB_PATH / "en" / "explore.html").as_uri())
    assert page.is_visible(".explorer-file")
    assert "python3 -m http.server --directory site" in page.inner_text(".explorer-file")
    assert page.is_hidden(".explorer-loading")
    context.close()


@pytest.mark.parametrize("path", ["en/explore.html", "ja/explore.html", "ja/grid.html#digit=train-3"])
def test_no_serious_accessibility_violation(open_explorer, path):
    from axe_playwright_python.sync_playwright import Axe

    page, _ = open_explorer(path)
    hover(page, 3 if "digit" in path else 12)
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


def test_no_horizontal_scrolling_on_a_phone(open_explorer):
    page, _ = open_explorer(width=390)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert state(page)["shown"] == N


def touch(cdp, kind: str, points: list[tuple[float, float]]) -> None:
    """A real touch event through the browser's input pipeline (so that it can scroll the page)."""
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [
        {"x": x, "y": y, "id": k, "radiusX": 4, "radiusY": 4, "force": 1} for k, (x, y) in enumerate(points)]})


def test_on_touch_one_finger_scrolls_the_page_and_two_fingers_move_the_map(open_explorer):
    page, watch = open_explorer(width=390, scroll=False, has_touch=True, is_mobile=True)
    assert page.evaluate("getComputedStyle(document.querySelector('.explorer-canvas')).touchAction") == "pan-x pan-y"
    page.evaluate("document.querySelector('.explorer-view').scrollIntoView({block: 'center'})")
    cdp = page.context.new_cdp_session(page)
    box = page.locator(".explorer-canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # One finger, upwards: the page scrolls, the map stays.
    before = page.evaluate("window.scrollY")
    touch(cdp, "touchStart", [(x, y + 80)])
    for k in range(1, 11):
        touch(cdp, "touchMove", [(x, y + 80 - 16 * k)])
        page.wait_for_timeout(16)
    touch(cdp, "touchEnd", [])
    page.wait_for_function(f"window.scrollY > {before} + 40")
    s = state(page)
    assert s["zoom"] == 1 and s["centre"] == [0.5, 0.5] and s["selectedId"] == -1
    # Two fingers spreading apart and moving: the map zooms and pans, the page does not scroll.
    page.evaluate("""new Promise((done) => { let last = -1, still = 0;   // the fling of the swipe settles
        const check = () => { still = scrollY === last ? still + 1 : 0; last = scrollY; still > 10 ? done() : requestAnimationFrame(check); };
        check(); })""")
    box = page.locator(".explorer-canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = page.evaluate("window.scrollY")
    touch(cdp, "touchStart", [(x - 30, y), (x + 30, y)])
    for k in range(1, 11):
        touch(cdp, "touchMove", [(x - 30 - 8 * k, y - 2 * k), (x + 30 + 8 * k, y - 2 * k)])
        page.wait_for_timeout(16)
    touch(cdp, "touchEnd", [])
    s = state(page)
    assert s["zoom"] > 2, s["zoom"]
    assert page.evaluate("window.scrollY") == before
    # A tap selects the digit under the finger.
    page.evaluate("window.mnistExplorer.setView({ zoom: 3, centre: window.mnistExplorer.worldOf(17) })")
    p = page.evaluate("window.mnistExplorer.screenOf(17)")
    touch(cdp, "touchStart", [(p["x"], p["y"])])
    touch(cdp, "touchEnd", [])
    page.wait_for_function("window.mnistExplorer.state().selectedId === 17")
    assert not watch.errors, watch.errors


def test_the_neighbours_of_a_selected_digit(open_explorer, arrays):
    page, watch = open_explorer()
    page.wait_for_load_state("networkidle")
    assert not any("explore-neighbours" in u for u in watch.urls), "nothing fetched before a selection"
    assert page.is_hidden(".explorer-neighbours-box")
    digit = 70
    page.evaluate(f"window.mnistExplorer.setView({{ selected: {digit} }})")
    page.wait_for_selector(".explorer-neighbours button")
    expected = arrays["neighbours"][digit].tolist()
    assert state(page)["neighbours"] == expected
    buttons = page.locator(".explorer-neighbours button")
    assert buttons.count() == 8
    first = expected[0]
    name = f"train #{first}" if first < N_TRAIN else f"test #{first - N_TRAIN}"
    assert name in buttons.first.get_attribute("aria-label")
    assert any(u.endswith("explore-neighbours/1.bin") for u in watch.urls), "only the chunk that holds it (64 a chunk)"
    assert sum("explore-neighbours/" in u and u.endswith(".bin") for u in watch.urls) == 1
    # Their pictures are drawn (the sheets arrive), and each opens its digit: selected, centred.
    page.wait_for_function("!document.querySelector('.explorer-neighbours canvas[data-pending]')")
    buttons.first.click()
    s = state(page)
    assert s["selectedId"] == first
    assert s["centre"] == pytest.approx(page.evaluate(f"window.mnistExplorer.worldOf({first})"), abs=1e-6)
    page.wait_for_function(f"(window.mnistExplorer.state().neighbours || [])[0] === {arrays['neighbours'][first][0]}")
    # The selected digit's page, and "only this class" in one action.
    label = int(arrays["labels"][first])
    assert page.get_attribute(".explorer-digit-page", "href") == f"digit-{label}.html"
    page.click(".explorer-only-class")
    s = state(page)
    assert s["classes"] == [label] and s["selectedId"] == first
    # The keyboard reaches them: N from the map focuses the first neighbour.
    page.focus(".explorer-canvas")
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.classList.contains('explorer-digit')")
    assert not watch.errors, watch.errors


def test_filters_colours_lasso_and_help(open_explorer, arrays):
    page, watch = open_explorer()
    page.select_option(".explorer-set", "test")
    assert state(page)["shown"] == N_TEST and state(page)["set"] == "test"
    page.select_option(".explorer-set", "all")
    page.select_option(".explorer-colour", "disagree")
    differ = arrays["mlp"] != arrays["cnn"]
    assert page.evaluate("window.mnistExplorer.colourOf(3)") == (int(arrays["labels"][3]) if differ[3] else 10)
    assert f"the {int(differ.sum())} digits shown" in page.inner_text(".explorer-colour-key")
    page.select_option(".explorer-colour", "mlp")
    assert all(page.evaluate(f"window.mnistExplorer.colourOf({i})") == int(arrays["mlp"][i]) for i in (0, 3, 10))
    page.wait_for_function("window.mnistExplorer.state().hash.includes('colour=mlp')")
    # A lasso (Shift + drag) around part of the map lists what it holds.
    box = page.locator(".explorer-canvas").bounding_box()
    x0, y0, x1, y1 = box["x"] + 40, box["y"] + 40, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.keyboard.down("Shift")
    page.mouse.move(x0, y0)
    page.mouse.down()
    for x, y in ((x1, y0), (x1, y1), (x0, y1), (x0, y0 + 2)):
        page.mouse.move(x, y, steps=4)
    page.mouse.up()
    page.keyboard.up("Shift")
    region = state(page)["region"]
    inside = [i for i in range(N) if (lambda p: x0 < p["x"] < x1 and y0 < p["y"] < y1)(page.evaluate(f"window.mnistExplorer.screenOf({i})"))]
    assert region["kind"] == "lasso" and sorted(region["ids"]) == inside
    assert sum(region["counts"]) == len(inside) and state(page)["zoom"] == 1, "a lasso does not pan"
    assert f"{len(inside)} digits in the lasso" in page.inner_text(".explorer-region-info")
    assert page.locator(".explorer-region-images button").count() == min(12, len(inside))
    # The keyboard's way: what is in view.
    page.click(".explorer-in-view")
    assert state(page)["region"]["kind"] == "view" and len(state(page)["region"]["ids"]) == N
    # "?" opens the help; Esc closes it and gives the focus back.
    page.click(".explorer-help-button")
    assert page.is_visible(".explorer-help-panel") and page.get_attribute(".explorer-help-button", "aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert page.is_hidden(".explorer-help-panel")
    assert page.evaluate("document.activeElement.classList.contains('explorer-help-button')")
    assert not watch.errors, watch.errors


def test_go_to_a_digit_brings_the_map_on_screen_with_the_digit_at_its_centre(open_explorer):
    page, _ = open_explorer(scroll=False)
    page.evaluate("window.scrollTo(0, 0)")
    page.fill(".explorer-goto input", "test #45")
    page.press(".explorer-goto input", "Enter")
    page.wait_for_function("""(() => { const r = document.querySelector('.explorer-view').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight; })()""")
    page.wait_for_timeout(600)  # the smooth scroll settles
    view = page.locator(".explorer-view").bounding_box()
    assert view["y"] >= 0 and view["y"] + view["height"] <= 900
    p = page.evaluate(f"window.mnistExplorer.screenOf({N_TRAIN + 45})")
    canvas = page.locator(".explorer-canvas").bounding_box()
    assert p["x"] == pytest.approx(canvas["x"] + canvas["width"] / 2, abs=2)
    assert p["y"] == pytest.approx(canvas["y"] + canvas["height"] / 2, abs=2)
    # The controls, the map and the selected digit fit one 1280 x 900 screen.
    controls = page.locator(".explorer-controls").bounding_box()
    selected = page.locator(".explorer-selected-info").bounding_box()
    assert controls["y"] >= 0 and selected["y"] + selected["height"] <= 900
    assert "test #45" in page.inner_text(".explorer-selected-info")


def test_no_layout_shift_while_loading(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(EXPLORER_HOOK + """
        window.shifts = [];
        new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.shifts.push(e.value); })
          .observe({ type: 'layout-shift', buffered: true });""")
    page = context.new_page()
    # The points arrive late, as on a slow connection: the loading message first, on the page's background.
    page.route("**/points.bin", lambda route: (page.wait_for_timeout(700), route.continue_()))
    page.goto(server + "en/explore.html")
    loading = page.locator(".explorer-loading")
    assert loading.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.explorer-canvas')).visibility") == "hidden"
    colours = page.evaluate("""[getComputedStyle(document.querySelector('.explorer-loading')).backgroundColor,
        getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('.explorer-loading')).color]""")
    assert colours[0] == colours[1], "the page's background, not a black canvas"
    assert colours[2] != colours[0]
    page.wait_for_function("window.mnistExplorer !== undefined")
    page.wait_for_timeout(300)
    assert sum(page.evaluate("window.shifts")) < 0.01, page.evaluate("window.shifts")
    context.close()


def test_the_skip_link_reaches_the_map(open_explorer):
    page, _ = open_explorer(scroll=False)
    page.evaluate("window.scrollTo(0, 0)")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the map"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('explorer-canvas')")
    assert page.evaluate("location.hash") == "" and state(page)["note"] == ""


def test_no_serious_accessibility_violation_with_the_panel_open(open_explorer):
    from axe_playwright_python.sync_playwright import Axe

    page, _ = open_explorer("ja/explore.html")
    page.evaluate("window.mnistExplorer.setView({ selected: 70 })")
    page.wait_for_selector(".explorer-neighbours button")
    page.click(".explorer-in-view")
    page.click(".explorer-help-button")
    page.select_option(".explorer-colour", "disagree")
    results = Axe().run(page)
    serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_a_link_keeps_the_set_and_the_colours(open_explorer, arrays):
    page, watch = open_explorer("ja/explore.html#set=train&colour=disagree&classes=2,3")
    s = state(page)
    assert (s["set"], s["colour"], s["classes"], s["note"]) == ("train", "disagree", [2, 3], "")
    assert s["shown"] == int(np.isin(arrays["labels"][:N_TRAIN], [2, 3]).sum())
    assert page.input_value(".explorer-set") == "train" and page.input_value(".explorer-colour") == "disagree"
    assert s["hash"] == "#classes=2,3&set=train&colour=disagree"
    page, _ = open_explorer("en/plain.html#colour=cnn")  # no CNN in this edition
    assert state(page)["colour"] == "label" and "not understood" in state(page)["note"]
    assert not watch.errors


def test_go_to_a_digit_on_a_phone_shows_the_map_and_the_selected_digit(open_explorer):
    page, _ = open_explorer(width=390, scroll=False, has_touch=True, is_mobile=True)
    page.fill(".explorer-goto input", "train #12")
    page.press(".explorer-goto input", "Enter")
    page.wait_for_timeout(800)  # the smooth scroll settles
    view = page.locator(".explorer-view").bounding_box()
    info = page.locator(".explorer-selected-info").bounding_box()
    height = page.evaluate("innerHeight")
    assert view["y"] >= 0 and view["y"] + view["height"] <= height
    assert info["y"] + info["height"] <= height, (info, height)
    assert state(page)["selected"] == "train #12"



# ----------------------------------------------------------------------------- who wrote each digit


def writer_line(arrays, digit: int, lang: str = "en") -> str:
    """The panel's line for a digit, made here from the fixture's arrays."""
    writer, series = int(arrays["writer"][digit]), int(arrays["series"][digit])
    mine = arrays["writer"] == writer
    nth = int((arrays["writer_index"][mine] < arrays["writer_index"][digit]).sum()) + 1
    assert nth == writer_ranks(arrays["writer"], arrays["writer_index"])[digit] + 1
    count = int(mine.sum())
    if lang == "ja":
        who = "高校生" if series == 4 else "職員"
        return f"書き手 {writer:,} · {who} (hsf{series}) · {count} 個中 {nth} 個目"
    suffix = "th" if 10 <= nth % 100 < 20 else {1: "st", 2: "nd", 3: "rd"}.get(nth % 10, "th")
    who = "students" if series == 4 else "employees"
    return f"writer {writer:,} · {who} (hsf{series}) · {nth}{suffix} digit of {count}"


def highlighted(page) -> list[int]:
    return page.evaluate("window.mnistExplorer.highlightedIds()")


def test_a_selected_digit_shows_its_writer_and_highlights_their_digits(open_explorer, arrays):
    page, watch = open_explorer()
    page.wait_for_load_state("networkidle")
    assert not any("explore-writers" in u for u in watch.urls), "no writers file before a selection"
    assert state(page)["writersRequested"] == 0 and page.is_hidden(".explorer-selected-writer")
    digit = next(i for i in range(N) if arrays["writer"][i] == 2154)
    hover(page, digit)
    page.mouse.down()
    page.mouse.up()
    page.wait_for_function("window.mnistExplorer.state().writers === 'ready'")
    assert page.inner_text(".explorer-selected-writer") == writer_line(arrays, digit)
    assert writer_line(arrays, digit).startswith("writer 2,154 · students (hsf4) · ")
    # The keyboard presses "Show this writer's digits": exactly that writer's digits in colour, the rest grey.
    button = page.locator(".explorer-writer-button")
    assert button.inner_text() == "Show this writer’s digits" and button.get_attribute("aria-pressed") == "false"
    button.focus()
    page.keyboard.press("Enter")
    mine = np.flatnonzero(arrays["writer"] == 2154).tolist()
    assert highlighted(page) == mine
    assert page.evaluate("window.mnistExplorer.dimmedIds()") == sorted(set(range(N)) - set(mine))
    assert button.get_attribute("aria-pressed") == "true"
    assert f"{len(mine)} digits shown of the {len(mine)} by writer 2,154" in page.inner_text(".explorer-colour-key")
    hash_ = page.evaluate("window.mnistExplorer.writeHash()")
    assert "writer=2154" in hash_ and f"digit=train-{digit}" in hash_
    # On the grid too, and only the shown ones when a filter hides some.
    page.evaluate("window.mnistExplorer.setLayout('grid', false)")
    assert highlighted(page) == mine
    page.evaluate("window.mnistExplorer.setView({ set: 'test' })")
    assert highlighted(page) == [i for i in mine if i >= N_TRAIN]
    page.evaluate("window.mnistExplorer.setView({ set: 'all' })")
    # The link restores the highlight (the writers file fetched for it, once).
    page2, watch2 = open_explorer("en/explore.html#layout=grid&writer=2154")
    page2.wait_for_function("window.mnistExplorer.state().writers === 'ready'")
    assert highlighted(page2) == mine and state(page2)["layout"] == "grid"
    assert sum("explore-writers/writers.bin" in u for u in watch2.urls) == 1
    # Stop highlighting: every digit in its own colour again, and the URL forgets the writer.
    page2.click(".explorer-writer-clear")
    assert highlighted(page2) == [] and page2.evaluate("window.mnistExplorer.dimmedIds()") == []
    assert "writer=" not in page2.evaluate("window.mnistExplorer.writeHash()")
    assert not watch.errors and not watch2.errors, watch.errors + watch2.errors


def test_colour_and_filter_by_series(open_explorer, arrays):
    page, watch = open_explorer("ja/explore.html")
    page.select_option(".explorer-colour", "series")
    page.wait_for_function("window.mnistExplorer.state().writers === 'ready'")
    students = arrays["series"] == 4
    for i in (0, 1, 2, 3, 50, 399):
        assert page.evaluate(f"window.mnistExplorer.colourOf({i})") == (12 if students[i] else 11)
    key = page.inner_text(".explorer-colour-key")
    assert "国勢調査局の職員 (hsf0〜3)" in key and "高校生 (hsf4)" in key
    page.select_option(".explorer-series", "students")
    s = state(page)
    assert s["shown"] == int(students.sum()) and s["series"] == "students"
    assert all(page.evaluate(f"window.mnistExplorer.isShown({i})") == bool(students[i]) for i in range(0, N, 7))
    assert page.evaluate("window.mnistExplorer.writeHash()").endswith("series=students&colour=series")
    # A digit of the other series, chosen by name, is shown again (the filter goes back to everyone).
    employee = int(np.flatnonzero(~students)[0])
    page.fill(".explorer-goto input", f"train #{employee}")
    page.press(".explorer-goto input", "Enter")
    s = state(page)
    assert s["selectedId"] == employee and s["series"] == "all" and s["shown"] == N
    page.wait_for_function(f"document.querySelector('.explorer-selected-writer').innerText.includes('{int(arrays['writer'][employee]):,}')")
    assert page.inner_text(".explorer-selected-writer") == writer_line(arrays, employee, "ja")
    # The link keeps both.
    page2, _ = open_explorer("en/explore.html#series=employees&colour=series")
    page2.wait_for_function("window.mnistExplorer.state().writers === 'ready'")
    assert state(page2)["shown"] == int((~students).sum()) and page2.input_value(".explorer-series") == "employees"
    assert not watch.errors, watch.errors


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_edition_without_provenance_says_so(open_explorer, lang):
    words = load_words(REPO / "content", lang)["explorer"]
    page, watch = open_explorer(f"{lang}/no-writers.html#writer=2154&colour=series")
    page.wait_for_function("window.mnistExplorer.state().writers === 'unavailable'")
    s = state(page)
    assert (s["writer"], s["colour"], s["note"]) == (-1, "label", words["writers_missing"])
    assert "--provenance DIR" in words["writers_missing"]
    page.evaluate("window.mnistExplorer.setView({ selected: 5 })")
    assert page.inner_text(".explorer-selected-writer") == words["writers_missing"]
    assert page.is_hidden(".explorer-writer-button")
    assert not watch.errors, watch.errors


def test_no_serious_accessibility_violation_with_a_writer_highlighted(open_explorer, arrays):
    from axe_playwright_python.sync_playwright import Axe

    for path in ("ja/explore.html#colour=series", "en/explore.html#writer=2154&digit=train-0"):
        page, _ = open_explorer(path)
        page.wait_for_function("window.mnistExplorer.state().writers === 'ready'")
        results = Axe().run(page)
        serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                   for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, serious
