// The digit explorer: every MNIST digit on the t-SNE map (and on the grid), in one canvas.
//
// Markup: templates/widgets/explorer.html; words: the [explorer] section of content/<lang>/words.toml.
// The parts, one module each:
//   explore-data.js    the points bundle, the sprite sheets (fetched for what is on screen), the neighbours,
//                      who wrote each digit (fetched once a digit is selected or the series is shown)
//   explore-camera.js  the camera and the gestures (wheel, touch, mouse, keyboard)
//   explore-render.js  drawing into one ImageData, and the hit tests
//   explore-hash.js    the view in the URL hash, digits' names
//   explore-panel.js   the selected digit, its neighbours, a lasso's contents, the tooltip, the help
//   explore-hook.js    the test hook (loaded only by tests)
// This module holds the view state and the filters, and wires the controls.

import { cameraMethods } from "./camera.js";
import { loadPoints, NeighbourStore, SheetStore, WriterStore } from "./data.js";
import { hashOf, initialView, parseHash, parseIdentity, WHOLE } from "./hash.js";
import { panelMethods } from "./panel.js";
import { EMPLOYEES, MUTED, renderMethods, SERIES_COLOURS, STUDENTS } from "./render.js";
import { fill, formatter, langOf, readWords } from "../lib/words.js";

export { parseIdentity };

const ANIMATION_MS = 750;
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const ease = (t) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);

class Explorer {
  constructor(root) {
    this.root = root;
    this.words = readWords(root, ".explorer-words");
    this.lang = langOf(root);
    this.num = formatter(this.lang);
    this.fill = fill;
    this.dataUrl = root.dataset.data;
    this.sheetsUrl = root.dataset.sheets;
    this.initialLayout = root.dataset.layout === "grid" ? "grid" : "map";
    // The first explorer on a page keeps its view in the URL hash, unless the page's hash is
    // for its own anchors (data-hash="off", as in a chapter that embeds the explorer).
    this.ownsHash = root === document.querySelector(".explorer[data-explorer]") && root.dataset.hash !== "off";
    this.el = (name) => root.querySelector(`.explorer-${name}`);
    this.canvas = this.el("canvas");
    this.view = this.el("view");
    this.ctx = this.canvas.getContext("2d", { alpha: false });
    this.state = initialView(this.initialLayout);
    this.hover = -1;
    this.pointers = new Map();
    this.anim = null;
    this.mode = "points";
    this.stats = { renders: 0, lastMs: 0 };
    this.loaded = false;
    this.renderQueued = false;
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
    let data;
    const progress = this.el("loading-text");
    try {
      data = await loadPoints(this.dataUrl, (received, total) => {
        progress.textContent = total
          ? this.fill(this.words.loading_percent, { percent: Math.min(100, Math.floor((100 * received) / total)) })
          : this.fill(this.words.loading_bytes, { kb: this.num(Math.round(received / 1024)) });
      });
    } catch (error) {
      this.el("loading").hidden = true;
      this.showError(this.fill(this.words.fetch_failed, { url: this.dataUrl, error: error.message }));
      this._reject(error);
      return;
    }
    this.setup(data);
    this.bindControls();
    this.bindPointer();
    this.bindKeys();
    new ResizeObserver(() => this.resize()).observe(this.view);
    matchMedia("(prefers-color-scheme: dark)").addEventListener?.("change", () => { this.readColours(); this.requestRender(); });
    this.resize();
    const missingGrid = this.initialLayout === "grid" && !this.grid;
    if (missingGrid) this.initialLayout = this.state.layout = "map";
    const problem = this.ownsHash ? this.applyHash(location.hash) : this.applyHash("");
    if (problem || missingGrid) this.showNote(problem || this.words.no_grid);
    // A link on the page (or an edited address) changes the hash: show that view. A hash naming an
    // element of the page (the skip links, headings) is not a view.
    window.addEventListener("hashchange", () => {
      if (!this.ownsHash || this.isAnchor(location.hash)) return;
      const trouble = this.applyHash(location.hash);
      if (trouble) this.showNote(trouble);
    });
    this.loaded = true;
    this.el("loading").hidden = true;
    this.renderNow();
    // A link to a view (explore.html#digit=test-12) opens with the map on screen.
    if (this.ownsHash && location.hash.length > 1 && !problem && !this.isAnchor(location.hash)) this.bringIntoView();
    if (window.mnistExplorerTestHook) {
      const { hook } = await import("./hook.js");
      this._resolve(hook(this));
    } else {
      this._resolve(this);
    }
  }

  isAnchor(hash) {
    try {
      return hash.length > 1 && !!document.getElementById(decodeURIComponent(hash.slice(1)));
    } catch {
      return false;
    }
  }

  setup(data) {
    Object.assign(this, data);
    const n = this.n;
    this.visible = new Uint8Array(n);
    this.colourOf = new Uint8Array(n);
    this.inView = new Uint32Array(n);
    this.animU = new Float32Array(n);
    this.animV = new Float32Array(n);
    this.sheetsStore = new SheetStore(this);
    this.neighbourStore = new NeighbourStore(this.root.dataset.neighbours);
    this.writerStore = new WriterStore(this.root.dataset.writers, n);
    this.writers = null; // once fetched: see WriterStore
    this.writersState = "none"; // "loading", "ready", "unavailable" (no provenance) or "failed"
    this.readColours();
    // Words and controls that need the data.
    if (!this.cnn) {
      for (const select of [this.el("mistakes"), this.el("colour")]) {
        select.querySelectorAll('option[data-cnn]').forEach((o) => o.remove());
      }
    }
    this.el("layouts").hidden = !this.grid;
    this.computeVisible();
    this.el("summary-count").textContent = this.fill(this.words.summary_count, { n: this.num(n), train: this.num(this.nTrain), test: this.num(this.nTest) });
    this.root.classList.add("explorer-ready");
  }

  parseIdentity(text) { return parseIdentity(text, this.nTrain, this.nTest); }

  /** Which digits are shown (classes, set, mistakes and series filters) and their colours (colour mode;
   *  a highlighted writer's digits in colour, the rest in grey). */
  computeVisible(keepSelection = false) {
    const { n, label, mlp, cnn, visible, colourOf, nTrain } = this;
    const st = this.state;
    const classes = st.classes;
    const m = st.mistakes;
    const other = m === "cnn" ? cnn : mlp;
    const lo = st.set === "test" ? nTrain : 0, hi = st.set === "train" ? nTrain : n;
    const counts = new Array(10).fill(0);
    const byColour = st.colour === "mlp" ? mlp : st.colour === "cnn" ? cnn : label;
    // The writers' filter, colours and highlight apply once their file has arrived.
    const wr = this.writers?.available ? this.writers : null;
    const series = wr?.series, student = wr?.student;
    const wantStudents = wr && st.series !== "all" ? st.series === "students" : null;
    const byWriter = wr && st.writer >= 0 ? st.writer : -1;
    const bySeries = wr && st.colour === "series";
    let shown = 0, disagree = 0, highlighted = 0;
    for (let i = 0; i < n; i++) {
      const l = label[i];
      const passes = i >= lo && i < hi && (m === "none" || other[i] !== l) && (wantStudents === null || (series[i] === student) === wantStudents);
      if (passes) counts[l]++;
      const v = passes && classes[l] ? 1 : 0;
      visible[i] = v;
      shown += v;
      let c;
      if (st.colour === "disagree") {
        const differ = mlp[i] !== cnn[i];
        c = differ ? l : MUTED;
        disagree += v && differ;
      } else if (st.colour === "series") {
        c = !bySeries ? l : series[i] === student ? STUDENTS : EMPLOYEES;
      } else {
        c = byColour[i];
      }
      if (byWriter >= 0) {
        const mine = wr.writer[i] === byWriter;
        c = !mine ? MUTED : c === MUTED ? l : c;
        highlighted += v && mine;
      }
      colourOf[i] = c;
    }
    this.shown = shown;
    this.highlighted = highlighted;
    this.mutedFirst = st.colour === "disagree" || byWriter >= 0; // grey digits drawn first, under the others
    this.root.querySelectorAll(".explorer-class").forEach((button) => {
      const d = Number(button.dataset.digit);
      button.setAttribute("aria-pressed", String(classes[d]));
      button.querySelector(".explorer-class-count").textContent = this.num(counts[d]);
      if (this.colours) button.style.setProperty("--c", this.colours[d]);
    });
    this.el("count").textContent = this.fill(this.words.showing, { shown: this.num(shown), total: this.num(n) });
    this.showColourKey(disagree, byWriter, highlighted);
    if (this.state.selected >= 0 && !visible[this.state.selected] && !keepSelection) this.select(-1);
  }

  /** The words under the legend: what the colours mean (two swatches for the series), or whose digits are highlighted. */
  showColourKey(disagree, byWriter, highlighted) {
    const st = this.state, w = this.words;
    const keyEl = this.el("colour-key");
    const key = { label: "colour_key_label", mlp: "colour_key_mlp", cnn: "colour_key_cnn", disagree: "colour_key_disagree", series: "colour_key_series" }[st.colour];
    keyEl.textContent = this.fill(w[key], { n: this.num(disagree) });
    if (st.colour === "series" && this.writers?.available) {
      keyEl.append(...[[w.series_key_employees, SERIES_COLOURS[0]], [w.series_key_students, SERIES_COLOURS[1]]].map(([text, colour]) => {
        const item = document.createElement("span");
        item.className = "explorer-series-key";
        item.style.setProperty("--c", colour);
        item.textContent = text;
        return item;
      }));
    }
    if (byWriter >= 0) {
      keyEl.textContent = this.fill(w.colour_key_writer, { writer: this.num(byWriter), n: this.num(this.writers.count[byWriter] || 0), shown: this.num(highlighted) });
    }
    this.el("writer-clear").hidden = byWriter < 0;
    keyEl.classList.toggle("explorer-muted-key", st.colour === "disagree" || byWriter >= 0);
  }

  /** The selects and buttons as the state says. */
  syncControls() {
    this.el("mistakes").value = this.state.mistakes;
    this.el("set").value = this.state.set;
    this.el("series").value = this.state.series;
    this.el("colour").value = this.state.colour;
  }

  // ---------------------------------------------------------------- writers (fetched when first needed)

  /** Whether the view needs to know who wrote each digit. */
  needsWriters() {
    const st = this.state;
    return st.selected >= 0 || st.series !== "all" || st.colour === "series" || st.writer >= 0;
  }

  /** Fetch the writers file (once), then apply the view's writer filter, colours and highlight; without
   *  provenance in this edition, say so and drop them. */
  async ensureWriters() {
    if (this.writers) return this.writers;
    this.writersState = "loading";
    this.showWriterLine();
    try {
      this.writers = await this.writerStore.load();
    } catch (error) {
      this.writersState = "failed";
      this.writersError = error.message;
      this.showNote(this.fill(this.words.writers_failed, { error: error.message }));
      this.showWriterLine();
      return null;
    }
    this.writersState = this.writers.available ? "ready" : "unavailable";
    const st = this.state;
    if (!this.writers.available && (st.series !== "all" || st.colour === "series" || st.writer >= 0)) {
      Object.assign(st, { series: "all", colour: st.colour === "series" ? "label" : st.colour, writer: -1 });
      this.syncControls();
      this.showNote(this.words.writers_missing);
    }
    if (st.selected >= 0 && this.writers.available && st.series !== "all" && this.seriesName(st.selected) !== st.series) st.series = "all";
    this.syncControls();
    this.recolour();
    this.showWriterLine();
    return this.writers;
  }

  /** "employees" or "students": the series of digit id (the writers file loaded). */
  seriesName(id) { return this.writers.series[id] === this.writers.student ? "students" : "employees"; }

  /** Highlight the selected digit's writer's digits (or stop). */
  toggleWriter() {
    const st = this.state;
    if (!this.writers?.available || st.selected < 0) return;
    const writer = this.writers.writer[st.selected];
    st.writer = st.writer === writer ? -1 : writer;
    this.recolour();
    this.showWriterLine();
  }

  // ---------------------------------------------------------------- geometry of the current layout

  get U() { return this.anim ? this.animU : this.state.layout === "grid" ? this.gridU : this.mapU; }
  get V() { return this.anim ? this.animV : this.state.layout === "grid" ? this.gridV : this.mapV; }
  get unit() { return this.state.layout === "grid" ? this.gridUnit : this.mapUnit; }

  // ---------------------------------------------------------------- layouts

  setLayout(layout, animate = true) {
    if (layout === this.state.layout || (layout === "grid" && !this.grid)) return;
    const from = this.state.layout;
    const st = this.state;
    const sel = st.selected;
    const cam0 = { zoom: st.zoom, cx: st.cx, cy: st.cy };
    const toU = layout === "grid" ? this.gridU : this.mapU, toV = layout === "grid" ? this.gridV : this.mapV;
    const fromU = from === "grid" ? this.gridU : this.mapU, fromV = from === "grid" ? this.gridV : this.mapV;
    // Keep the selected digit in view (at the same zoom); otherwise show the whole layout.
    const cam1 = sel >= 0 && st.zoom > 1 ? { zoom: st.zoom, cx: toU[sel], cy: toV[sel] } : { ...WHOLE };
    st.layout = layout;
    this.hover = -1;
    this.hideTooltip();
    this.clearRegion();
    const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (animate && !reduce) {
      this.anim = { start: performance.now(), fromU, fromV, toU, toV, cam0, cam1 };
    } else {
      Object.assign(st, cam1);
    }
    this.updateLayoutButtons();
    this.changed();
  }

  stepAnimation(now) {
    const a = this.anim;
    if (!a) return;
    const t = clamp((now - a.start) / ANIMATION_MS, 0, 1);
    const e = ease(t);
    const { animU, animV, n } = this;
    for (let i = 0; i < n; i++) {
      animU[i] = a.fromU[i] + (a.toU[i] - a.fromU[i]) * e;
      animV[i] = a.fromV[i] + (a.toV[i] - a.fromV[i]) * e;
    }
    const st = this.state;
    st.zoom = Math.exp(Math.log(a.cam0.zoom) + (Math.log(a.cam1.zoom) - Math.log(a.cam0.zoom)) * e);
    st.cx = a.cam0.cx + (a.cam1.cx - a.cam0.cx) * e;
    st.cy = a.cam0.cy + (a.cam1.cy - a.cam0.cy) * e;
    if (t >= 1) { this.anim = null; Object.assign(st, a.cam1); this.scheduleHash(); }
  }

  updateLayoutButtons() {
    this.root.querySelectorAll(".explorer-layout").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.layout === this.state.layout)));
    this.canvas.setAttribute("aria-label", this.state.layout === "grid" ? this.words.canvas_label_grid : this.words.canvas_label);
    this.el("reset").textContent = this.state.layout === "grid" ? this.words.whole_grid : this.words.whole_map;
  }

  // ---------------------------------------------------------------- state, URL

  /** Called after every change of the view: redraw, remember in the URL. */
  changed() {
    this.requestRender();
    this.scheduleHash();
  }

  scheduleHash() {
    if (!this.ownsHash || this.anim) return;
    clearTimeout(this.hashTimer);
    this.hashTimer = setTimeout(() => this.writeHash(), 250);
  }

  hashOf() { return hashOf(this.state, this); }

  writeHash() {
    const hash = this.hashOf();
    if (hash === (location.hash === "#" ? "" : location.hash)) return;
    history.replaceState(history.state, "", hash || location.pathname + location.search);
  }

  /** Apply a URL hash; returns a note (string) when it could not be used (then: the whole map). */
  applyHash(hash) {
    const { view, digit, explicitView, problem } = parseHash(hash, {
      initialLayout: this.initialLayout, hasGrid: !!this.grid, hasCnn: !!this.cnn, maxZoom: this.maxZoom,
      nTrain: this.nTrain, nTest: this.nTest,
    }, this.words);
    this.anim = null;
    Object.assign(this.state, view, { selected: this.state.selected });
    this.clearRegion();
    this.syncControls();
    this.computeVisible();
    this.updateLayoutButtons();
    if (digit >= 0 && !explicitView) this.focusOn(digit, { scroll: false });
    else this.select(digit);
    this.hideNote();
    if (problem) history.replaceState(history.state, "", location.pathname + location.search);
    if (this.needsWriters()) this.ensureWriters();
    this.requestRender();
    return problem ? this.fill(this.words.bad_link, { reason: problem }) : null;
  }

  /** Select a digit and bring it to the centre, zoomed in far enough to see it (and the map on screen). */
  focusOn(id, { scroll = true } = {}) {
    const st = this.state;
    if (!this.visible[id]) {
      st.classes[this.label[id]] = true;
      if (st.mistakes !== "none" && (st.mistakes === "cnn" ? this.cnn : this.mlp)[id] === this.label[id]) st.mistakes = "none";
      if ((st.set === "train" && id >= this.nTrain) || (st.set === "test" && id < this.nTrain)) st.set = "all";
      if (st.series !== "all" && this.writers?.available && this.seriesName(id) !== st.series) st.series = "all";
      this.syncControls();
      this.computeVisible();
    }
    this.anim = null;
    const target = (56 * this.dpr) / (this.unit * this.scaleFor(1));
    const zoom = Math.max(st.zoom, clamp(target, 1, this.maxZoom));
    this.setCamera(zoom, this.U[id], this.V[id]);
    this.select(id);
    if (scroll) this.bringIntoView();
  }

  /** Scroll the page so that the whole map is on screen (when it is not): with the controls above it
   *  when they fit too, else the map alone. */
  bringIntoView() {
    const view = this.view.getBoundingClientRect();
    if (view.top >= 0 && view.bottom <= innerHeight) return;
    const controls = this.el("controls").getBoundingClientRect();
    const top = view.bottom - controls.top + 16 <= innerHeight ? controls.top : view.top;
    const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.scrollTo({ top: Math.max(0, scrollY + top - 8), behavior: reduce ? "auto" : "smooth" });
  }

  // ---------------------------------------------------------------- controls

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

  /** After a change of colours or the writers' arrival (a lasso's list and the selection stay). */
  recolour() {
    this.computeVisible(true);
    if (this.hover >= 0 && !this.visible[this.hover]) { this.hover = -1; this.hideTooltip(); }
    this.changed();
  }

  afterFilter() {
    this.computeVisible();
    if (this.hover >= 0 && !this.visible[this.hover]) { this.hover = -1; this.hideTooltip(); }
    if (this.region) this.clearRegion();
    this.changed();
  }

  bindControls() {
    const st = this.state;
    this.root.querySelectorAll(".explorer-class").forEach((button) => {
      button.addEventListener("click", () => {
        const d = Number(button.dataset.digit);
        st.classes[d] = !st.classes[d];
        this.afterFilter();
      });
    });
    this.el("all").addEventListener("click", () => { st.classes.fill(true); this.afterFilter(); });
    for (const key of ["mistakes", "set", "series", "colour"]) {
      this.el(key).addEventListener("change", (e) => {
        st[key] = e.target.value;
        this.afterFilter();
        if (this.needsWriters()) this.ensureWriters();
      });
    }
    this.el("writer-button").addEventListener("click", () => this.toggleWriter());
    this.el("writer-clear").addEventListener("click", () => {
      st.writer = -1;
      this.recolour();
      this.showWriterLine();
      (this.state.selected >= 0 ? this.el("writer-button") : this.canvas).focus();
    });
    this.root.querySelectorAll(".explorer-layout").forEach((b) => b.addEventListener("click", () => this.setLayout(b.dataset.layout)));
    this.el("zoom-in").addEventListener("click", () => this.zoomAt(1.6));
    this.el("zoom-out").addEventListener("click", () => this.zoomAt(1 / 1.6));
    this.el("reset").addEventListener("click", () => this.setCamera(1, 0.5, 0.5));
    this.el("clear").addEventListener("click", () => { this.select(-1); this.canvas.focus(); });
    this.el("only-class").addEventListener("click", () => {
      if (st.selected < 0) return;
      st.classes = st.classes.map((_, d) => d === this.label[st.selected]);
      this.afterFilter();
    });
    this.el("lasso").addEventListener("click", () => this.setLassoMode(!this.lassoMode));
    this.el("in-view").addEventListener("click", () => this.summariseView());
    this.el("region-clear").addEventListener("click", () => { this.clearRegion(); this.el("in-view").focus(); });
    this.el("help-button").addEventListener("click", () => this.toggleHelp());
    this.el("help-close").addEventListener("click", () => { this.toggleHelp(false); this.el("help-button").focus(); });
    this.el("help-panel").addEventListener("keydown", (e) => {
      if (e.key === "Escape") { this.toggleHelp(false); this.el("help-button").focus(); }
    });
    const form = this.el("goto");
    const input = form.querySelector("input");
    const message = this.el("goto-message");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const r = this.parseIdentity(input.value);
      if (r.error) {
        message.textContent = r.error === "syntax" ? this.fill(this.words.goto_bad, { text: input.value })
          : this.fill(this.words.goto_range, { set: r.test ? this.words.set_test : this.words.set_train, max: this.num(r.max) });
        input.setAttribute("aria-invalid", "true");
        return;
      }
      message.textContent = "";
      input.removeAttribute("aria-invalid");
      if (this.state.layout === "grid" && this.anim) this.anim = null;
      this.focusOn(r.id);
    });
  }
}

Object.assign(Explorer.prototype, cameraMethods, renderMethods, panelMethods);

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
    explorer.showError(fill(explorer.words.fetch_failed, { url: explorer.dataUrl, error: error.message }));
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
