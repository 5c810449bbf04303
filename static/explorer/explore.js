// The digit explorer: every MNIST digit on the t-SNE map (and on the grid), in one canvas.
//
// Markup: templates/widgets/explorer.html; words: the [explorer] section of content/<lang>/words.toml.
// Its objects, one module each, built here (Explorer.setup) and each handed what it uses:
//   data.js      the points, and the stores of the sprite sheets (decoded by sheets.js in a worker),
//                the neighbours and who wrote each digit, fetched when needed
//   state.js     View: the state (filters, layout, camera, selection, marks), written only there
//   camera.js    Camera: world and screen coordinates, zoom and pan
//   render.js    Renderer: drawing into one ImageData, and the hit tests
//   panel.js     Panel: the selected digit, its neighbours, a region's digits, the tooltip, the help; Notes
//   controls.js  Controls: the legend, the filters, the buttons, "Go to a digit"
//   input.js     Input: wheel, touch, mouse, keyboard
//   hash.js      the view in the URL hash, digits' names
//   hook.js      the test hook (loaded only by tests)
// The Explorer here loads the points, keeps the view in the URL, and holds the actions that reach over
// several objects (select a digit, go to one, switch the layout, the writers' arrival).

import { clamp } from "../lib/math.js";
import { fill, formatter, langOf, readWords } from "../lib/words.js";
import { Camera } from "./camera.js";
import { Controls } from "./controls.js";
import { loadPoints, NeighbourStore, SheetStore, WriterStore } from "./data.js";
import { hashOf, parseHash } from "./hash.js";
import { Input } from "./input.js";
import { Notes, Panel } from "./panel.js";
import { Renderer } from "./render.js";
import { View } from "./state.js";

export { parseIdentity } from "./hash.js";

class Explorer {
  constructor(root) {
    this.root = root;
    this.words = readWords(root, ".explorer-words");
    this.lang = langOf(root);
    this.num = formatter(this.lang);
    this.dataUrl = root.dataset.data;
    this.initialLayout = root.dataset.layout === "grid" ? "grid" : "map";
    // The first explorer on a page keeps its view in the URL hash, unless the page's hash is
    // for its own anchors (data-hash="off", as in a chapter that embeds the explorer).
    this.ownsHash = root === document.querySelector(".explorer[data-explorer]") && root.dataset.hash !== "off";
    this.el = (name) => root.querySelector(`.explorer-${name}`);
    this.canvas = this.el("canvas");
    this.notes = new Notes(this.el("note"));
    this.ready = new Promise((resolve, reject) => { this._resolve = resolve; this._reject = reject; });
    this.ready.catch(() => {});
    this.bindSkipLink();
  }

  // ---------------------------------------------------------------- loading

  async start() {
    if (location.protocol === "file:") {
      this.el("file").hidden = false;
      this.el("loading").hidden = true;
      this._reject(new Error("opened from disk"));
      return;
    }
    let points;
    const progress = this.el("loading-text");
    try {
      points = await loadPoints(this.dataUrl, (received, total) => {
        progress.textContent = total
          ? fill(this.words.loading_percent, { percent: Math.min(100, Math.floor((100 * received) / total)) })
          : fill(this.words.loading_bytes, { kb: this.num(Math.round(received / 1024)) });
      });
    } catch (error) {
      this.el("loading").hidden = true;
      this.notes.error(fill(this.words.fetch_failed, { url: this.dataUrl, error: error.message }));
      this._reject(error);
      return;
    }
    const missingGrid = this.initialLayout === "grid" && !points.grid;
    if (missingGrid) this.initialLayout = "map";
    this.setup(points);
    new ResizeObserver(() => this.resize()).observe(this.el("view"));
    matchMedia("(prefers-color-scheme: dark)").addEventListener?.("change", () => { this.renderer.readColours(); this.renderer.requestRender(); });
    this.resize();
    const problem = this.ownsHash ? this.applyHash(location.hash) : this.applyHash("");
    if (problem || missingGrid) this.notes.show(problem || this.words.no_grid);
    // A link on the page (or an edited address) changes the hash: show that view. A hash naming an
    // element of the page (the skip links, headings) is not a view.
    window.addEventListener("hashchange", () => {
      if (!this.ownsHash || this.isAnchor(location.hash)) return;
      const trouble = this.applyHash(location.hash);
      if (trouble) this.notes.show(trouble);
    });
    this.el("loading").hidden = true;
    this.renderer.start();
    // A link to a view (explore.html#digit=test-12) opens with the map on screen.
    if (this.ownsHash && location.hash.length > 1 && !problem && !this.isAnchor(location.hash)) this.bringIntoView();
    if (window.mnistExplorerTestHook) {
      const { hook } = await import("./hook.js");
      this._resolve(hook(this));
    } else {
      this._resolve(this);
    }
  }

  /** The explorer's objects, for these points. */
  setup(points) {
    const { root, el, words, lang, num, canvas } = this;
    const box = el("view");
    this.points = points;
    const view = this.view = new View(points, this.initialLayout, {
      redraw: () => this.renderer.requestRender(),
      remember: () => this.scheduleHash(),
    });
    const sheets = this.sheets = new SheetStore(root.dataset.sheets, {
      failed: (url, error) => this.sheetFailed(url, error),
      settled: () => this.renderer.requestRender(),
    });
    const neighbourStore = this.neighbourStore = new NeighbourStore(root.dataset.neighbours);
    const writerStore = this.writerStore = new WriterStore(root.dataset.writers, points.n);
    const camera = this.camera = new Camera(canvas, view);
    const renderer = this.renderer = new Renderer({ canvas, box, points, view, camera, sheets, afterRender: () => panel.afterRender() });
    const panel = this.panel = new Panel({
      root, el, words, lang, num, points, view, camera, renderer, sheets, neighbourStore, writerStore,
      focusOn: (id) => this.focusOn(id, { scroll: false }),
    });
    this.controls = new Controls({ root, el, words, num, points, view, camera, panel, canvas, explorer: this });
    this.input = new Input({ canvas, box, hint: el("hint"), words, view, camera, renderer, panel, select: (id) => this.select(id) });
    root.classList.add("explorer-ready");
  }

  resize() {
    this.camera.resize();
    this.renderer.resize();
  }

  isAnchor(hash) {
    try {
      return hash.length > 1 && !!document.getElementById(decodeURIComponent(hash.slice(1)));
    } catch {
      return false;
    }
  }

  sheetFailed(url, error) {
    if (this.sheetNoteShown) return;
    this.sheetNoteShown = true;
    this.notes.error(fill(this.words.sheet_failed, { url, error: error.message }));
  }

  // ---------------------------------------------------------------- actions over several objects

  /** Redraw, and remember the view in the URL. */
  changed() {
    this.renderer.requestRender();
    this.scheduleHash();
  }

  select(id) {
    this.view.select(id);
    this.panel.showSelected(id);
    if (id >= 0 && !this.view.writers) this.ensureWriters();
  }

  /** The legend's counts and the colour key as the view is; a selected digit no longer shown is unselected
   *  (unless keepSelection). */
  showFilters(keepSelection = false) {
    this.controls.showCounts();
    const sel = this.view.state.selected;
    if (sel >= 0 && !this.view.visible[sel] && !keepSelection) this.select(-1);
  }

  /** After a filter changed: a lasso's list goes (it may hold hidden digits). */
  afterFilter() {
    this.showFilters();
    if (this.view.dropHiddenHover()) this.panel.hideTooltip();
    if (this.view.region) this.panel.clearRegion();
    this.changed();
  }

  /** After a change of colours or the writers' arrival (a lasso's list and the selection stay). */
  recolour() {
    this.showFilters(true);
    if (this.view.dropHiddenHover()) this.panel.hideTooltip();
    this.changed();
  }

  /** Fetch the writers file (once), then apply the view's writer filter, colours and highlight; without
   *  provenance in this edition, say so and drop them. */
  async ensureWriters() {
    const view = this.view;
    if (view.writers) return view.writers;
    const loading = this.writerStore.load();
    this.panel.showWriterLine();
    let writers;
    try {
      writers = await loading;
    } catch (error) {
      this.notes.show(fill(this.words.writers_failed, { error: error.message }));
      this.panel.showWriterLine();
      return null;
    }
    if (view.setWriters(writers)) this.notes.show(this.words.writers_missing);
    this.controls.sync();
    this.recolour();
    this.panel.showWriterLine();
    return writers;
  }

  /** Highlight the selected digit's writer's digits (or stop). */
  toggleWriter() {
    if (!this.view.toggleWriter()) return;
    this.recolour();
    this.panel.showWriterLine();
  }

  setLayout(layout, animate = true) {
    const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (!this.view.setLayout(layout, animate && !reduce)) return;
    this.panel.hideTooltip();
    this.panel.clearRegion();
    this.controls.showLayout();
  }

  /** Select a digit and bring it to the centre, zoomed in far enough to see it (and the map on screen). */
  focusOn(id, { scroll = true } = {}) {
    const { view, camera } = this;
    if (view.reveal(id)) {
      this.controls.sync();
      this.showFilters();
    }
    view.stopAnimation();
    const target = (56 * camera.dpr) / (view.unit * camera.scaleFor(1));
    const zoom = Math.max(view.state.zoom, clamp(target, 1, this.points.maxZoom));
    view.setCamera(zoom, view.U[id], view.V[id]);
    this.select(id);
    if (scroll) this.bringIntoView();
  }

  /** Scroll the page so that the whole map is on screen (when it is not): with the controls above it
   *  when they fit too, else the map alone. */
  bringIntoView() {
    const view = this.el("view").getBoundingClientRect();
    if (view.top >= 0 && view.bottom <= innerHeight) return;
    const controls = this.el("controls").getBoundingClientRect();
    const top = view.bottom - controls.top + 16 <= innerHeight ? controls.top : view.top;
    const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.scrollTo({ top: Math.max(0, scrollY + top - 8), behavior: reduce ? "auto" : "smooth" });
  }

  bindSkipLink() {
    // "Skip to the map": right after the page's own skip link when this explorer is the page's
    // (the map is then two Tab presses from the top), else at the explorer's start.
    const link = this.el("skip");
    if (!link) return;
    const pageSkip = document.querySelector("body > a.skip");
    if (pageSkip && this.ownsHash && !("lazy" in this.root.dataset)) { link.classList.add("skip"); pageSkip.after(link); }
    link.addEventListener("click", (event) => {
      event.preventDefault();
      this.canvas.focus({ preventScroll: true });
      this.bringIntoView();
    });
  }

  // ---------------------------------------------------------------- the view in the URL

  scheduleHash() {
    if (!this.ownsHash || this.view.anim) return;
    clearTimeout(this.hashTimer);
    this.hashTimer = setTimeout(() => this.writeHash(), 250);
  }

  hashOf() { return hashOf(this.view.state, { initialLayout: this.initialLayout, nTrain: this.points.nTrain }); }

  writeHash() {
    clearTimeout(this.hashTimer);
    const hash = this.hashOf();
    if (hash === (location.hash === "#" ? "" : location.hash)) return;
    history.replaceState(history.state, "", hash || location.pathname + location.search);
  }

  /** Apply a URL hash; returns a note (string) when it could not be used (then: the whole map). */
  applyHash(hash) {
    const p = this.points;
    const { view, digit, explicitView, problem } = parseHash(hash, {
      initialLayout: this.initialLayout, hasGrid: !!p.grid, hasCnn: !!p.cnn, maxZoom: p.maxZoom, nTrain: p.nTrain, nTest: p.nTest,
    }, this.words);
    this.view.replace(view);
    this.panel.clearRegion();
    this.controls.sync();
    this.showFilters();
    this.controls.showLayout();
    if (digit >= 0 && !explicitView) this.focusOn(digit, { scroll: false });
    else this.select(digit);
    this.notes.hide();
    if (problem) history.replaceState(history.state, "", location.pathname + location.search);
    if (this.view.needsWriters()) this.ensureWriters();
    this.renderer.requestRender();
    return problem ? fill(this.words.bad_link, { reason: problem }) : null;
  }
}

/** Run ``callback`` once the page has loaded and painted. */
function afterFirstPaint(callback) {
  const later = () => requestAnimationFrame(() => setTimeout(callback, 0));
  if (document.readyState === "complete") later();
  else window.addEventListener("load", later, { once: true });
}

// Start every explorer on the page.
window.mnistExplorers = window.mnistExplorers || {};
for (const root of document.querySelectorAll(".explorer[data-explorer]")) {
  if (root.explorer) continue;
  const explorer = new Explorer(root);
  root.explorer = explorer;
  window.mnistExplorers[root.id] = explorer.ready;
  if (explorer.ownsHash) explorer.ready.then((hook) => { window.mnistExplorer = hook; });
  const begin = () => explorer.start().catch((error) => {
    explorer.notes.error(fill(explorer.words.fetch_failed, { url: explorer.dataUrl, error: error.message }));
  });
  // data-lazy: an explorer further down a long page loads its points only when the reader
  // scrolls near it, so the page's first load stays light.
  if ("lazy" in root.dataset && "IntersectionObserver" in window) {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        begin();
      }
    }, { rootMargin: "400px" });
    observer.observe(root);
  } else {
    // After the page's own first paint (its text is what a reader sees first): the points are most
    // of the page's bytes, and fetched earlier they would compete with it on a slow connection.
    afterFirstPaint(begin);
  }
}
