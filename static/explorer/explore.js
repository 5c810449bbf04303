// The digit explorer: every MNIST digit on the t-SNE map (and on the grid), in one canvas.
//
// Markup: templates/widgets/explorer.html; words: the [explorer] section of content/<lang>/words.toml.
// Explorer.setup builds its objects (data.js, state.js, camera.js, render.js, panel.js, Controls here),
// each given what it uses, and holds the actions that span several; hook.js: the tests' hook.

import { clamp } from "../lib/numbers.js";
import { fill, formatter, langOf, readWords } from "../lib/words.js";
import { Camera, Input } from "./camera.js";
import { loadPoints, NeighbourStore, SheetStore, WriterStore } from "./data.js";
import { hashOf, parseHash, parseIdentity } from "./hash.js";
import { Notes, Panel } from "./panel.js";
import { Renderer, SERIES_COLOURS } from "./render.js";
import { View } from "./state.js";

const SELECTS = ["mistakes", "set", "series", "colour"];
const reducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

/** The legend, selects, colour key, buttons and "Go to a digit": they show the View and change it. */
class Controls {
  constructor({ root, el, words, num, points, view, camera, panel, explorer }) {
    Object.assign(this, { el, words, num, points, view, explorer });
    this.classes = [...root.querySelectorAll(".explorer-class")];
    this.layouts = [...root.querySelectorAll(".explorer-layout")];
    if (!points.cnn) for (const key of ["mistakes", "colour"]) el(key).querySelectorAll("option[data-cnn]").forEach((o) => o.remove());
    el("layouts").hidden = !points.grid;
    this.showCounts();
    el("summary-count").textContent = fill(words.summary_count, { n: num(points.n), train: num(points.nTrain), test: num(points.nTest) });
    const on = (name, handler) => el(name).addEventListener("click", handler);
    const filter = (filters) => { view.setFilters(filters); explorer.afterFilter(); };
    for (const b of this.classes) b.addEventListener("click", () => filter({ classes: view.state.classes.map((v, d) => (d === +b.dataset.digit ? !v : v)) }));
    on("all", () => filter({ classes: new Array(10).fill(true) }));
    for (const key of SELECTS) {
      el(key).addEventListener("change", (e) => {
        filter({ [key]: e.target.value });
        if (view.needsWriters()) explorer.ensureWriters();
      });
    }
    on("writer-button", () => explorer.toggleWriter());
    on("writer-clear", () => {
      view.setFilters({ writer: -1 });
      explorer.recolour();
      panel.showWriterLine();
      (view.state.selected >= 0 ? el("writer-button") : el("canvas")).focus();
    });
    for (const b of this.layouts) b.addEventListener("click", () => explorer.setLayout(b.dataset.layout));
    on("zoom-in", () => camera.zoomAt(1.6));
    on("zoom-out", () => camera.zoomAt(1 / 1.6));
    on("reset", () => camera.home());
    on("clear", () => { explorer.select(-1); el("canvas").focus(); });
    on("only-class", () => {
      const sel = view.state.selected;
      if (sel >= 0) filter({ classes: view.state.classes.map((_, d) => d === points.label[sel]) });
    });
    on("lasso", () => panel.setLassoMode(!view.lassoMode));
    on("in-view", () => panel.summariseView());
    on("region-clear", () => { panel.clearRegion(); el("in-view").focus(); });
    const closeHelp = () => { panel.toggleHelp(false); el("help-button").focus(); };
    on("help-button", () => panel.toggleHelp());
    on("help-close", closeHelp);
    el("help-panel").addEventListener("keydown", (e) => { if (e.key === "Escape") closeHelp(); });
    const form = el("goto"), input = form.querySelector("input"), message = el("goto-message");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const r = parseIdentity(input.value, points.nTrain, points.nTest);
      if (r.error) {
        message.textContent = r.error === "syntax" ? fill(words.goto_bad, { text: input.value })
          : fill(words.goto_range, { set: r.test ? words.set_test : words.set_train, max: num(r.max) });
        input.setAttribute("aria-invalid", "true");
        return;
      }
      message.textContent = "";
      input.removeAttribute("aria-invalid");
      if (view.state.layout === "grid" && view.anim) view.stopAnimation();
      explorer.focusOn(r.id);
    });
  }

  sync() {
    for (const key of SELECTS) this.el(key).value = this.view.state[key];
  }

  /** The legend, how many are shown, and under it what the colours mean or whose digits are highlighted. */
  showCounts() {
    const { view, words: w, num, el } = this;
    const st = view.state, byWriter = view.byWriter;
    for (const button of this.classes) {
      const d = Number(button.dataset.digit);
      button.setAttribute("aria-pressed", String(st.classes[d]));
      button.querySelector(".explorer-class-count").textContent = num(view.counts[d]);
      button.style.setProperty("--c", this.points.colours[d]);
    }
    el("count").textContent = fill(w.showing, { shown: num(view.shown), total: num(this.points.n) });
    const keyEl = el("colour-key");
    const key = { label: "colour_key_label", mlp: "colour_key_mlp", cnn: "colour_key_cnn", disagree: "colour_key_disagree", series: "colour_key_series" }[st.colour];
    keyEl.textContent = fill(w[key], { n: num(view.disagree) });
    if (st.colour === "series" && view.writers?.available) {
      keyEl.append(...[[w.series_key_employees, SERIES_COLOURS[0]], [w.series_key_students, SERIES_COLOURS[1]]].map(([text, colour]) => {
        const item = document.createElement("span");
        item.className = "explorer-series-key";
        item.style.setProperty("--c", colour);
        item.textContent = text;
        return item;
      }));
    }
    if (byWriter >= 0) {
      keyEl.textContent = fill(w.colour_key_writer, { writer: num(byWriter), n: num(view.writers.count[byWriter] || 0), shown: num(view.highlighted) });
    }
    el("writer-clear").hidden = byWriter < 0;
    keyEl.classList.toggle("explorer-muted-key", st.colour === "disagree" || byWriter >= 0);
  }

  showLayout() {
    const grid = this.view.state.layout === "grid", w = this.words;
    for (const b of this.layouts) b.setAttribute("aria-pressed", String(b.dataset.layout === this.view.state.layout));
    this.el("canvas").setAttribute("aria-label", grid ? w.canvas_label_grid : w.canvas_label);
    this.el("reset").textContent = grid ? w.whole_grid : w.whole_map;
  }
}

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
    const problem = this.applyHash(this.ownsHash ? location.hash : "");
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

  setup(points) {
    const { root, el, words, lang, num, canvas } = this;
    const box = el("view");
    this.points = points;
    const view = this.view = new View(points, this.initialLayout, { redraw: () => renderer.requestRender(), remember: () => this.scheduleHash() });
    const sheets = this.sheets = new SheetStore(root.dataset.sheets, {
      failed: (url, error) => {
        if (!this.sheetNoteShown) this.notes.error(fill(words.sheet_failed, { url, error: error.message }));
        this.sheetNoteShown = true;
      },
      settled: () => renderer.requestRender(),
    });
    const neighbourStore = this.neighbourStore = new NeighbourStore(root.dataset.neighbours);
    const writerStore = this.writerStore = new WriterStore(root.dataset.writers, points.n);
    const camera = this.camera = new Camera(canvas, view);
    const renderer = this.renderer = new Renderer({ canvas, box, points, view, camera, sheets, afterRender: () => panel.afterRender() });
    const panel = this.panel = new Panel({ root, el, words, lang, num, points, view, camera, renderer, sheets, neighbourStore, writerStore,
      focusOn: (id) => this.focusOn(id, { scroll: false }) });
    this.controls = new Controls({ root, el, words, num, points, view, camera, panel, explorer: this });
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

  changed() {
    this.renderer.requestRender();
    this.scheduleHash();
  }

  select(id) {
    this.view.select(id);
    this.panel.showSelected(id);
    if (id >= 0 && !this.view.writers) this.ensureWriters();
  }

  /** The counts; a selected digit the filters hide is unselected (unless keepSelection). */
  showFilters(keepSelection = false) {
    this.controls.showCounts();
    const sel = this.view.state.selected;
    if (sel >= 0 && !this.view.visible[sel] && !keepSelection) this.select(-1);
  }

  /** After the filters (a lasso's list goes) or, keepSelection, the colours or writers changed. */
  afterFilter(keepSelection = false) {
    this.showFilters(keepSelection);
    if (this.view.dropHiddenHover()) this.panel.hideTooltip();
    if (!keepSelection && this.view.region) this.panel.clearRegion();
    this.changed();
  }

  recolour() { this.afterFilter(true); }

  /** Fetch the writers (once), for the writer filter, colours and highlight (dropped without provenance). */
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

  toggleWriter() {
    if (!this.view.toggleWriter()) return;
    this.recolour();
    this.panel.showWriterLine();
  }

  setLayout(layout, animate = true) {
    if (!this.view.setLayout(layout, animate && !reducedMotion())) return;
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
    view.setCamera(Math.max(view.state.zoom, clamp(target, 1, this.points.maxZoom)), view.U[id], view.V[id]);
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
    window.scrollTo({ top: Math.max(0, scrollY + top - 8), behavior: reducedMotion() ? "auto" : "smooth" });
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
