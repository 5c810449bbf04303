"""Frame times of the digit explorer (static/explorer/) in headless Chromium, and its first-load bytes.

Serves a folder on 127.0.0.1 and opens the explorer page at 1280 x 900 in Debian's
Chromium (software rendering, as on a machine without a GPU). By default the folder is
a generated fixture of 70,000 digits: clustered map positions like a t-SNE map (or a
real map with ``--coords FILE.npy``, N x 2 in [0, 1]), the real MNIST images when they
are found (``--data DIR``, ``MNIST_DATA_DIR``, the download cache, ``../shared/data/mnist``)
or else synthetic digits, an MLP and a CNN prediction, a 265 x 265 grid, and sprite
sheets, all written with ``mnistreport.render.explorer``. ``--site DIR`` measures a built site's
``en/explore.html`` instead.

Then, for a few seconds per phase, a requestAnimationFrame loop in the page pans and
zooms (through the explorer's test hook) and draws every frame; the time between
frames gives the frame rate. Phases: the whole map zooming in and out (70,000 dots),
zoomed in on digit images (after their sheets arrived), the grid at the overview and
zoomed in, and the animated switch between map and grid. Targets: 60 frames per second
(>= 55 measured) in every phase, and <= 2 MB transferred on first load (page, scripts, styles,
points bundle; no sprite sheet before zooming in, no neighbours before a digit is selected).
The fixture includes the neighbours files, computed as the build does (PCA 50, then
``mnistreport.analysis.neighbours.nearest_neighbours``).

    python benchmarks/explorer_frames.py [--site DIR] [--coords FILE.npy] [--data DIR] [--seconds S] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from browser_support import EXPLORER_HOOK, SUB_PATH, launch_chromium, serve, widget_page  # noqa: E402
from mnistreport.analysis.neighbours import nearest_neighbours
from mnistreport.render.explorer import all_digits_table, points_bundle, quantise, sprite_sheets, write_neighbours, write_sprite_sheets
from mnistreport.website.words import load_words  # noqa: E402

FPS_TARGET = 55.0  # 60 fps, the display rate headless Chromium draws at, with a few frames of slack
BYTES_LIMIT = 2 * 2**20

# --------------------------------------------------------------------------- the fixture


def clustered_map(labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """Positions in [0, 1]^2 that look like a t-SNE map of MNIST: per class a few elongated blobs."""
    rng = np.random.default_rng(seed)
    coords = np.zeros((len(labels), 2))
    angles = rng.permutation(10) * 2 * np.pi / 10
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        centre = 0.5 + 0.32 * np.array([np.cos(angles[digit]), np.sin(angles[digit])])
        blobs = rng.integers(2, 5)
        which = rng.integers(0, blobs, len(members))
        for b in range(blobs):
            rows = members[which == b]
            offset = centre + rng.normal(0, 0.06, 2)
            a = rng.uniform(0, np.pi)
            rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
            spread = rng.uniform(0.015, 0.05, 2)
            coords[rows] = offset + (rng.standard_t(6, (len(rows), 2)) * spread) @ rot.T
    low, high = coords.min(axis=0), coords.max(axis=0)
    return (coords - low) / (high - low)


def rank_grid(coords: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """A quick stand-in for the linear assignment: rows by y, then columns by x (cells, (rows, cols))."""
    n = len(coords)
    side = int(np.ceil(np.sqrt(n)))
    cells = np.zeros(n, np.int64)
    by_y = np.argsort(coords[:, 1], kind="stable")
    for row in range(side):
        chunk = by_y[row * side:(row + 1) * side]
        cells[chunk[np.argsort(coords[chunk, 0], kind="stable")]] = row * side + np.arange(len(chunk))
    return cells, (side, side)


def wrong_predictions(labels: np.ndarray, rate: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    predictions = labels.copy()
    wrong = rng.random(len(labels)) < rate
    predictions[wrong] = (labels[wrong] + rng.integers(1, 10, wrong.sum())) % 10
    return predictions


def find_mnist(data: str | None):
    """The real MNIST digits (images, labels, n_train) when a folder with them is found, else None."""
    from mnistreport.sources.mnist import DataError, default_cache_dir, load_dir

    candidates = [data, os.environ.get("MNIST_DATA_DIR"), str(default_cache_dir()), str(REPO.parent / "shared/data/mnist")]
    for folder in [c for c in candidates if c]:
        try:
            mnist = load_dir(folder)
        except (DataError, OSError):
            continue
        return (np.concatenate([mnist.train_images, mnist.test_images]),
                np.concatenate([mnist.train_labels, mnist.test_labels]), len(mnist.train_labels), folder)
    return None


def synthetic_mnist(n_train: int = 60_000, n_test: int = 10_000, seed: int = 0):
    """Synthetic look-alikes: 60 drawn variants per class, shifted by up to 2 pixels."""
    from conftest import make_digits

    rng = np.random.default_rng(seed)
    variants = make_digits(np.repeat(np.arange(10, dtype=np.uint8), 60), seed).reshape(10, 60, 28, 28)
    labels = rng.integers(0, 10, n_train + n_test).astype(np.uint8)
    images = variants[labels, rng.integers(0, 60, len(labels))]
    for axis, shift in ((1, rng.integers(-2, 3, len(labels))), (2, rng.integers(-2, 3, len(labels)))):
        for s in range(-2, 3):
            rows = shift == s
            images[rows] = np.roll(images[rows], s, axis=axis)
    return images, labels, n_train, "synthetic digits"


def render_page(lang: str, words: dict, title: str, *, layout: str = "map", widget_id: str = "explorer") -> str:
    """A minimal page around templates/widgets/explorer.html, as the site will render it."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    widget = env.get_template("widgets/explorer.html").render(
        data="../data/explore/points.bin", sheets="../data/explore/sheets/", assets="../assets/", words=words,
        lang=lang, layout=layout, id=widget_id, table_href="../data/all-digits.csv.gz")
    return widget_page(lang, title, widget)


def write_pages(site: Path) -> None:
    """en/ and ja/explore.html, from the current template and words."""
    for lang, title in (("en", "All the digits"), ("ja", "すべての数字")):
        words = load_words(REPO / "content", lang)["explorer"]
        (site / lang).mkdir(exist_ok=True)
        (site / lang / "explore.html").write_text(render_page(lang, words, title), encoding="utf-8")


def write_fixture(site: Path, images, labels, n_train, coords, mlp, cnn=None, cells=None, grid_shape=None) -> dict:
    """Write a served folder: en/ and ja/explore.html, assets/ (a copy of static/), data/explore/, data/all-digits.csv.gz."""
    shutil.copytree(REPO / "static", site / "assets", dirs_exist_ok=True)
    folder = site / "data" / "explore"
    folder.mkdir(parents=True, exist_ok=True)
    bundle = points_bundle(coords, labels, mlp, n_train, cnn_predictions=cnn, cells=cells, grid_shape=grid_shape)
    (folder / "points.bin").write_bytes(bundle)
    x, y = quantise(coords)
    sheets = sprite_sheets(images, x, y)
    sheet_bytes = write_sprite_sheets(sheets, folder / "sheets")
    # Each digit's nearest neighbours in pixel space, as the build writes them (PCA 50, then the search).
    from mnistreport.analysis.describe import scale_pixels
    from mnistreport.analysis.embedding import pca

    features = pca(scale_pixels(images), min(50, len(images)), 0).features
    ids, method = nearest_neighbours(features, 8)
    write_neighbours(ids, site / "data" / "explore-neighbours", method=method)
    table = all_digits_table(coords, labels, mlp, n_train, cnn_predictions=cnn, cells=cells, grid_shape=grid_shape)
    with gzip.open(site / "data" / "all-digits.csv.gz", "wt", encoding="utf-8", newline="") as handle:
        table.to_csv(handle, index=False)
    write_pages(site)
    return {"bundle_bytes": len(bundle), "sheets": len(sheets), "sheet_bytes": sheet_bytes}


# --------------------------------------------------------------------------- the measurement


TRANSFERRED = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .map(e => [e.name.split('/').slice(-2).join('/'), e.transferSize || e.encodedBodySize || 0])"""

# One phase: each animation frame sets the view from the time (t in seconds) and draws it.
DRIVE = """async ([seconds, phase]) => {
  const ex = window.mnistExplorer;
  const views = {
    overview: (t) => ({ zoom: 1 + 1.5 * (1 - Math.cos(t * 2.2)), centre: [0.5 + 0.12 * Math.sin(t * 1.3), 0.5 + 0.12 * Math.cos(t * 1.1)] }),
    zoomed: (t) => ({ zoom: phase.zoom * (1 + 0.13 * Math.sin(t * 1.7)), centre: [phase.x + 0.03 * Math.sin(t * 0.9), phase.y + 0.03 * Math.cos(t * 0.7)] }),
  };
  const view = views[phase.kind];
  const frames = [], renders = [], modes = {};
  const start = performance.now();
  let last = start;
  await new Promise((resolve) => {
    function frame(now) {
      // The animation draws itself (its own requestAnimationFrame); the other phases draw here.
      if (phase.kind !== "animation") { ex.setView(view((now - start) / 1000)); renders.push(ex.renderNow()); }
      else renders.push(ex.state().lastRenderMs);
      const m = ex.state().mode; modes[m] = (modes[m] || 0) + 1;
      if (now > start) frames.push(now - last);
      last = now;
      if (phase.kind === "animation" && !ex.state().animating) ex.setLayout(ex.state().layout === "map" ? "grid" : "map");
      if (now - start < seconds * 1000) requestAnimationFrame(frame); else resolve();
    }
    requestAnimationFrame(frame);
  });
  return { frames, renders, modes, elapsed: performance.now() - start };
}"""


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def measure(url: str, seconds: float) -> int:
    failed = 0
    with launch_chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(EXPLORER_HOOK)  # the test hook drives the view
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        start = time.perf_counter()
        page.goto(url, wait_until="load")
        page.wait_for_function("window.mnistExplorer !== undefined", timeout=60_000)
        ready = time.perf_counter() - start
        page.wait_for_load_state("networkidle")
        entries = page.evaluate(TRANSFERRED)
        total = sum(size for _, size in entries)
        state = page.evaluate("window.mnistExplorer.state()")
        print(f"page: {url}")
        print(f"digits: {page.evaluate('window.mnistExplorer.n'):,}, grid: {state['hasGrid']}, CNN: {state['hasCnn']}; "
              f"explorer ready {ready:.2f} s after navigation")
        print("first load, transferred: " + ", ".join(f"{name} {size / 1024:.0f} KiB" for name, size in entries))
        over = total > BYTES_LIMIT
        failed += over
        print(f"first load total: {total / 1024:.0f} KiB (limit {BYTES_LIMIT / 1024:.0f} KiB): {'FAIL' if over else 'PASS'}")

        # A dense spot to zoom into: a digit in the most crowded 1/20 x 1/20 square of the map.
        spot = page.evaluate("""() => { const ex = window.mnistExplorer; const counts = new Map();
            for (let i = 0; i < ex.n; i++) { const [u, v] = ex.worldOf(i); const b = Math.floor(u * 20) * 20 + Math.floor(v * 20);
              counts.set(b, (counts.get(b) || 0) + 1); }
            const best = [...counts].sort((a, b) => b[1] - a[1])[0][0];
            for (let i = 0; i < ex.n; i++) { const [u, v] = ex.worldOf(i); if (Math.floor(u * 20) * 20 + Math.floor(v * 20) === best) return i; }
            return 0; }""")
        phases = [("map: whole map, zooming 1-4x (dots)", "map", {"kind": "overview"}, None)]
        phases.append(("map: zoomed in, digit images", "map", {"kind": "zoomed"}, True))
        if state["hasGrid"]:
            phases.append(("grid: whole grid, zooming 1-4x", "grid", {"kind": "overview"}, None))
            phases.append(("grid: zoomed in, digit images", "grid", {"kind": "zoomed"}, True))
            phases.append(("map <-> grid animation (dots)", "map", {"kind": "animation"}, None))
        print(f"\n{'phase':<40} {'frames':>6} {'median ms':>9} {'p95 ms':>7} {'fps':>6} {'draw ms':>8}  modes")
        for name, layout, phase, zoom in phases:
            page.evaluate(f"window.mnistExplorer.setLayout('{layout}', false)")
            if zoom:
                # The dense spot (in this layout) at the least zoom that shows digit images: the most images
                # to draw. Let its sheets arrive, then measure while zooming between that and 1.3 times it.
                centre = page.evaluate(f"window.mnistExplorer.worldOf({spot})")
                zoom = page.evaluate("""([c]) => { const ex = window.mnistExplorer;
                    for (let z = 2; z < ex.state().maxZoom; z *= 1.15) {
                      ex.setView({ zoom: z, centre: c }); ex.renderNow();
                      if (ex.state().mode === "images") return z; }
                    return ex.state().maxZoom; }""", [centre])
                page.evaluate("([z, c]) => window.mnistExplorer.setView({ zoom: z * 1.15, centre: c })", [zoom, centre])
                page.evaluate("window.mnistExplorer.idle()")
                phase = {**phase, "zoom": zoom * 1.15, "x": centre[0], "y": centre[1]}
                name = f"{name} ({zoom * 1.15:.0f}x)"
            else:
                page.evaluate("window.mnistExplorer.setView({ zoom: 1, centre: [0.5, 0.5] })")
            result = page.evaluate(DRIVE, [seconds, phase])
            frames = result["frames"]
            fps = len(frames) / (result["elapsed"] / 1000)
            ok = fps >= FPS_TARGET
            failed += not ok
            modes = ", ".join(f"{k} {v}" for k, v in sorted(result["modes"].items()))
            print(f"{name:<40} {len(frames):>6} {statistics.median(frames):>9.1f} {percentile(frames, 95):>7.1f} "
                  f"{fps:>6.1f} {statistics.median(result['renders']):>8.1f}  {modes}  {'PASS' if ok else 'FAIL'}")
        sheets = page.evaluate("window.mnistExplorer.state().sheetsRequested")
        print(f"\nsprite sheets fetched while zoomed in: {sheets}")
        if errors:
            failed += 1
            print("page errors: " + "; ".join(errors))
        context.close()
    print(f"\n{'PASS' if not failed else 'FAIL'}: target >= {FPS_TARGET:.0f} fps in every phase, first load <= 2 MB")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (measures its en/explore.html)")
    parser.add_argument("--coords", type=Path, help="map positions, .npy of shape (N, 2) in [0, 1] (default: clustered)")
    parser.add_argument("--data", help="folder with the MNIST files (default: found automatically, else synthetic)")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per phase (default 3)")
    parser.add_argument("--keep", type=Path, help="write the fixture here and keep it (reused when already there)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.site:
            root, page = args.site.resolve(), "en/explore.html"
        else:
            root = (args.keep or Path(tmp)).resolve()
            site = root / SUB_PATH
            site.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            if args.keep and (site / "data" / "explore" / "points.bin").exists():
                shutil.copytree(REPO / "static", site / "assets", dirs_exist_ok=True)
                write_pages(site)
                print(f"fixture: reusing {site} (pages, scripts and styles refreshed)")
                return serve_and_measure(root, f"{SUB_PATH}/en/explore.html", args.seconds)
            found = find_mnist(args.data) or synthetic_mnist()
            images, labels, n_train, origin = found
            coords = np.load(args.coords) if args.coords else clustered_map(labels)
            if len(coords) != len(labels):
                parser.error(f"--coords has {len(coords)} points, the data {len(labels)} digits")
            cells, shape = rank_grid(coords)
            info = write_fixture(site, images, labels, n_train, coords, wrong_predictions(labels, 0.022, 1),
                                 wrong_predictions(labels, 0.009, 2), cells, shape)
            print(f"fixture: {len(labels):,} digits ({origin}), map {'from ' + str(args.coords) if args.coords else 'clustered'}, "
                  f"grid {shape[0]}x{shape[1]}; bundle {info['bundle_bytes'] / 1024:.0f} KiB, {info['sheets']} sheets "
                  f"{info['sheet_bytes'] / 2**20:.1f} MiB; written in {time.perf_counter() - start:.1f} s")
            page = f"{SUB_PATH}/en/explore.html"
        return serve_and_measure(root, page, args.seconds)


def serve_and_measure(root: Path, page: str, seconds: float) -> int:
    with serve(root) as base:
        return measure(base + page, seconds)


if __name__ == "__main__":
    sys.exit(main())
