// The digit explorer: every MNIST digit on the t-SNE map (and on the grid), in one canvas.
//
// Data (see mnistreport/explore.py): a points bundle (x, y, label, mlp[, cnn][, cell])
// and sprite sheets, sheets/<tile>.png, fetched (and decoded in a worker,
// explore-sheets.js) only for the tiles on screen when zoomed in. Everything is written
// as pixels into one ImageData: dots (70,000 in a few milliseconds), grid squares, and
// the digits' own images, their ink blended in the class colour (bilinear below 28 px,
// crisp nearest-neighbour pixels from 28 px), then put on the canvas at once. The view
// (classes, mistakes filter, layout, zoom, centre, selected digit) lives in the URL hash
// so that a link reopens it.
//
// Markup: templates/widgets/explorer.html. Test hook: window.mnistExplorer (the first
// explorer on the page) and window.mnistExplorers[id]; see Explorer.hook().

import { loadBundle } from "./bundle.js";
import { decodeSheet } from "./explore-sheets.js";

const SIDE = 28;                      // pixels per digit side in the sheets
const MAX_FETCHES = 4;                // sheets fetched at once
const SHEET_BUDGET = 96 * 2 ** 20;    // bytes of decoded sheets kept (least recently used go first)
const IMAGE_MIN_PX = 14;              // CSS px per digit from which images replace dots
const MAX_IMAGES = 6000;              // more digits than this on screen: dots
const OVERDRAW = 4;                   // digit images cover at most this many canvas areas
const ANIMATION_MS = 750;
const WHOLE = { zoom: 1, cx: 0.5, cy: 0.5 };

const fmt = (template, values) => String(template).replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
const num = (n) => Number(n).toLocaleString("en-US");
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const ease = (t) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);

/** Digit id -> "train #12,345" / "訓練 #12,345" with the page's words. */
function identity(words, id, nTrain) {
  return id < nTrain ? fmt(words.id_train, { n: num(id) }) : fmt(words.id_test, { n: num(id - nTrain) });
}

/** The hash form of a digit: "train-12345" / "test-1234". */
function identityKey(id, nTrain) {
  return id < nTrain ? `train-${id}` : `test-${id - nTrain}`;
}

const IDENTITY = new RegExp(
  "^(train(?:ing)?|test|訓練(?:データ)?|学習(?:データ)?|テスト(?:データ)?)\\s*(?:の)?\\s*[-_]?\\s*(?:no\\.?|番号)?\\s*#?\\s*" +
  "(\\d{1,3}(?:,\\d{3})+|\\d+)\\s*(?:番目?)?$", "u");

/** Parse "train #12,345", "train 12345", "test-1234", "訓練 #12,345", "テスト 1234" ...:
 *  {id} or {error: "syntax"} or {error: "range", max}. */
export function parseIdentity(text, nTrain, nTest) {
  const s = String(text).normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");
  const m = IDENTITY.exec(s);
  if (!m) return { error: "syntax" };
  const isTest = /^(test|テスト)/.test(m[1]);
  const n = Number(m[2].replace(/,/g, ""));
  const size = isTest ? nTest : nTrain;
  if (!Number.isSafeInteger(n) || n >= size) return { error: "range", test: isTest, max: size - 1 };
  return { id: isTest ? nTrain + n : n };
}

function parseColour(ctx, css) {
  ctx.fillStyle = "#000";
  ctx.fillStyle = css;
  const v = ctx.fillStyle; // "#rrggbb" or "rgba(r, g, b, a)"
  if (v.startsWith("#")) return [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16));
  return v.match(/[\d.]+/g).slice(0, 3).map(Number);
}
const pack = ([r, g, b], a = 255) => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0; // RGBA bytes, little-endian
const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

/** Decoded sprite sheets (grey values), fetched on demand in a worker, a few at a time. */
class SheetStore {
  constructor(explorer) {
    this.x = explorer;
    this.sheets = new Map(); // tile -> {state: "loading" | "ready" | "failed", grey, width, bytes, used}
    this.queue = [];
    this.inflight = 0;
    this.bytes = 0;
    this.frame = 0;
    this.requested = 0;
    this.waiting = new Map(); // tile -> resolve, for the worker's answers
    try {
      this.worker = new Worker(new URL("./explore-sheets.js", import.meta.url), { type: "module" });
      this.worker.onmessage = ({ data }) => { this.waiting.get(data.tile)?.(data); this.waiting.delete(data.tile); };
      // A worker that cannot start (or dies): decode here instead, also what it was asked for.
      this.worker.onerror = () => {
        this.worker = null;
        for (const settle of this.waiting.values()) settle({ retry: true });
        this.waiting.clear();
      };
    } catch {
      this.worker = null;
    }
  }

  ready(tile) {
    const sheet = this.sheets.get(tile);
    if (sheet && sheet.state === "ready") { sheet.used = this.frame; return sheet; }
    return null;
  }

  /** Ask for these tiles (most wanted first); tiles no longer wanted leave the queue. */
  want(tiles, urgent = false) {
    const fresh = tiles.filter((t) => !this.sheets.has(t));
    if (urgent) this.queue = [...fresh, ...this.queue.filter((t) => !fresh.includes(t))];
    else this.queue = fresh;
    this.pump();
  }

  pump() {
    while (this.inflight < MAX_FETCHES && this.queue.length) {
      const tile = this.queue.shift();
      if (!this.sheets.has(tile)) this.load(tile);
    }
  }

  decode(tile, url) {
    if (!this.worker) return decodeSheet(url);
    return new Promise((resolve, reject) => {
      this.waiting.set(tile, (data) => {
        if (data.retry) decodeSheet(url).then(resolve, reject);
        else if (data.error) reject(new Error(data.error));
        else resolve(data);
      });
      this.worker.postMessage({ tile, url });
    });
  }

  async load(tile) {
    const url = new URL(`${this.x.sheetsUrl}${tile}.png`, document.baseURI).href;
    this.sheets.set(tile, { state: "loading" });
    this.inflight++;
    this.requested++;
    try {
      const { width, grey } = await this.decode(tile, url);
      this.sheets.set(tile, { state: "ready", grey, width, bytes: grey.length, used: this.frame });
      this.bytes += grey.length;
      this.evict();
    } catch (error) {
      this.sheets.set(tile, { state: "failed" });
      this.x.sheetFailed(url, error);
    } finally {
      this.inflight--;
      this.pump();
      this.x.requestRender();
    }
  }

  evict() {
    if (this.bytes <= SHEET_BUDGET) return;
    const ready = [...this.sheets.entries()].filter(([, s]) => s.state === "ready").sort((a, b) => a[1].used - b[1].used);
    for (const [tile, sheet] of ready) {
      if (this.bytes <= SHEET_BUDGET || sheet.used >= this.frame) break;
      this.sheets.delete(tile);
      this.bytes -= sheet.bytes;
    }
  }
}

class Explorer {
  constructor(root) {
    this.root = root;
    this.words = JSON.parse(root.querySelector(".explorer-words").textContent);
    this.dataUrl = root.dataset.data;
    this.sheetsUrl = root.dataset.sheets;
    this.initialLayout = root.dataset.layout === "grid" ? "grid" : "map";
    // Only the first explorer on a page keeps its view in the URL hash.
    // The first explorer on a page keeps its view in the URL hash, unless the page's hash is
    // for its own anchors (data-hash="off", as in a chapter that embeds the explorer).
    this.ownsHash = root === document.querySelector(".explorer[data-explorer]") && root.dataset.hash !== "off";
    this.el = (name) => root.querySelector(`.explorer-${name}`);
    this.canvas = this.el("canvas");
    this.view = this.el("view");
    this.ctx = this.canvas.getContext("2d", { alpha: false });
    this.state = { layout: this.initialLayout, classes: new Array(10).fill(true), mistakes: "none", selected: -1, ...WHOLE };
    this.hover = -1;
    this.pointers = new Map();
    this.anim = null;
    this.mode = "points";
    this.stats = { renders: 0, lastMs: 0 };
    this.loaded = false;
    this.renderQueued = false;
    this.ready = new Promise((resolve, reject) => { this._resolve = resolve; this._reject = reject; });
    this.ready.catch(() => {});
  }

  // ---------------------------------------------------------------- loading

  async start() {
    if (location.protocol === "file:") {
      this.el("file").hidden = false;
      this.el("loading").hidden = true;
      this._reject(new Error("opened from disk"));
      return;
    }
    let bundle;
    try {
      bundle = await loadBundle(this.dataUrl);
    } catch (error) {
      this.el("loading").hidden = true;
      this.showError(fmt(this.words.fetch_failed, { url: this.dataUrl, error: error.message }));
      this._reject(error);
      return;
    }
    this.setup(bundle);
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
    // A link on the page (or an edited address) changes the hash: show that view.
    window.addEventListener("hashchange", () => {
      if (!this.ownsHash) return;
      const trouble = this.applyHash(location.hash);
      if (trouble) this.showNote(trouble);
    });
    this.loaded = true;
    this.el("loading").hidden = true;
    this.renderNow();
    this._resolve(this.hook());
  }

  setup({ meta, arrays }) {
    const n = arrays.label.length;
    this.n = n;
    this.nTrain = meta.n_train;
    this.nTest = meta.n_test;
    this.label = arrays.label;
    this.mlp = arrays.mlp;
    this.cnn = arrays.cnn || null;
    this.tiles = meta.tiles;
    this.cols = meta.sheet_cols;
    this.colours = meta.colours;
    // Map positions in world units ([0, 1], y up) and each digit's tile and slot.
    this.mapU = new Float32Array(n);
    this.mapV = new Float32Array(n);
    const T = this.tiles;
    const tile = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const x = arrays.x[i], y = arrays.y[i];
      this.mapU[i] = x / 65535;
      this.mapV[i] = y / 65535;
      tile[i] = Math.min(T - 1, (y * T) >>> 16) * T + Math.min(T - 1, (x * T) >>> 16);
    }
    this.tile = tile;
    // A digit's slot on its tile's sheet: how many digits with a smaller id share the tile.
    this.slot = new Uint32Array(n);
    const taken = new Uint32Array(T * T);
    for (let i = 0; i < n; i++) this.slot[i] = taken[tile[i]]++;
    this.mapUnit = Math.min(1 / 64, 1.1 / Math.sqrt(Math.max(1, n)));
    this.mapIndex = this.buildIndex(this.mapU, this.mapV);
    // The grid: each digit at the centre of its square cell (row 0 at the bottom).
    this.grid = arrays.cell && meta.grid ? meta.grid : null;
    if (this.grid) {
      const { rows, cols } = this.grid;
      const S = Math.max(rows, cols);
      this.gridUnit = 1 / S;
      this.gridU = new Float32Array(n);
      this.gridV = new Float32Array(n);
      this.cellToId = new Int32Array(rows * cols).fill(-1);
      const dx = (S - cols) / 2, dy = (S - rows) / 2;
      for (let i = 0; i < n; i++) {
        const c = arrays.cell[i];
        this.cellToId[c] = i;
        this.gridU[i] = (dx + (c % cols) + 0.5) / S;
        this.gridV[i] = (dy + Math.floor(c / cols) + 0.5) / S;
      }
      this.gridOffset = [dx, dy];
    }
    const units = [this.mapUnit, ...(this.grid ? [this.gridUnit] : [])];
    this.maxZoom = Math.max(8, Math.round(0.2 / Math.min(...units)));
    this.visible = new Uint8Array(n);
    this.inView = new Uint32Array(n);
    this.animU = new Float32Array(n);
    this.animV = new Float32Array(n);
    this.sheetsStore = new SheetStore(this);
    this.readColours();
    this.computeVisible();
    // Words that need the data.
    if (!this.cnn) this.el("mistakes").querySelector('option[value="cnn"]').remove();
    this.el("layouts").hidden = !this.grid;
    this.el("summary-count").textContent = fmt(this.words.summary_count, { n: num(n), train: num(this.nTrain), test: num(this.nTest) });
    this.root.classList.add("explorer-ready");
  }

  readColours() {
    const style = getComputedStyle(this.view);
    this.bg = parseColour(this.ctx, style.backgroundColor && style.backgroundColor !== "rgba(0, 0, 0, 0)" ? style.backgroundColor : "#fff");
    this.fg = style.color;
    this.dark = this.bg.reduce((a, b) => a + b, 0) < 3 * 128;
    const rgb = this.colours.map((c) => parseColour(this.ctx, c));
    this.dots = new Uint32Array(rgb.map((c) => pack(c)));
    this.cells = new Uint32Array(rgb.map((c) => pack(mix(this.bg, c, this.dark ? 0.28 : 0.16))));
    this.bgPacked = pack(this.bg);
  }

  /** A uniform grid of buckets over [0, 1]^2 for hit tests. */
  buildIndex(U, V) {
    const n = U.length;
    const G = clamp(Math.round(Math.sqrt(n / 4)), 4, 256);
    const bucket = new Uint32Array(n);
    const start = new Uint32Array(G * G + 1);
    for (let i = 0; i < n; i++) {
      const b = Math.min(G - 1, Math.floor(V[i] * G)) * G + Math.min(G - 1, Math.floor(U[i] * G));
      bucket[i] = b;
      start[b + 1]++;
    }
    for (let b = 0; b < G * G; b++) start[b + 1] += start[b];
    const ids = new Uint32Array(n);
    const fill = start.slice(0, G * G);
    for (let i = 0; i < n; i++) ids[fill[bucket[i]]++] = i;
    return { G, start, ids };
  }

  computeVisible() {
    const { n, label, mlp, cnn, visible } = this;
    const classes = this.state.classes;
    const m = this.state.mistakes;
    const other = m === "cnn" ? cnn : mlp;
    const counts = new Array(10).fill(0);
    let shown = 0;
    for (let i = 0; i < n; i++) {
      const l = label[i];
      const passes = m === "none" || other[i] !== l;
      if (passes) counts[l]++;
      const v = passes && classes[l] ? 1 : 0;
      visible[i] = v;
      shown += v;
    }
    this.shown = shown;
    this.root.querySelectorAll(".explorer-class").forEach((button) => {
      const d = Number(button.dataset.digit);
      button.setAttribute("aria-pressed", String(classes[d]));
      button.querySelector(".explorer-class-count").textContent = num(counts[d]);
      if (this.colours) button.style.setProperty("--c", this.colours[d]);
    });
    this.el("count").textContent = fmt(this.words.showing, { shown: num(shown), total: num(n) });
  }

  // ---------------------------------------------------------------- geometry

  get U() { return this.anim ? this.animU : this.state.layout === "grid" ? this.gridU : this.mapU; }
  get V() { return this.anim ? this.animV : this.state.layout === "grid" ? this.gridV : this.mapV; }
  get unit() { return this.state.layout === "grid" ? this.gridUnit : this.mapUnit; }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const rect = this.canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(rect.width * dpr));
    const h = Math.max(1, Math.round(rect.height * dpr));
    this.dpr = dpr;
    if (w !== this.canvas.width || h !== this.canvas.height || !this.image) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.image = this.ctx.createImageData(w, h);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    if (this.loaded) this.renderNow();
  }

  /** Device pixels per world unit. */
  scaleFor(zoom) { return Math.min(this.canvas.width, this.canvas.height) * 0.94 * zoom; }

  transform(view = this.state) {
    const s = this.scaleFor(view.zoom);
    return { s, ox: this.canvas.width / 2 - view.cx * s, oy: this.canvas.height / 2 + view.cy * s };
  }

  /** Client (CSS px) -> world. */
  toWorld(clientX, clientY) {
    const rect = this.canvas.getBoundingClientRect();
    const { s, ox, oy } = this.transform();
    const px = (clientX - rect.left) * this.dpr, py = (clientY - rect.top) * this.dpr;
    return [(px - ox) / s, (oy - py) / s];
  }

  /** Digit id -> client coordinates of its centre (CSS px), and whether it is inside the canvas. */
  screenOf(id) {
    const rect = this.canvas.getBoundingClientRect();
    const { s, ox, oy } = this.transform();
    const x = rect.left + (ox + this.U[id] * s) / this.dpr;
    const y = rect.top + (oy - this.V[id] * s) / this.dpr;
    return { x, y, inside: x >= rect.left && x < rect.right && y >= rect.top && y < rect.bottom };
  }

  setCamera(zoom, cx, cy) {
    const st = this.state;
    st.zoom = clamp(zoom, 1, this.maxZoom);
    st.cx = clamp(cx, 0, 1);
    st.cy = clamp(cy, 0, 1);
    this.changed();
  }

  /** Zoom by factor keeping the world point under (client x, y) fixed. */
  zoomAt(factor, clientX, clientY) {
    const st = this.state;
    const rect = this.canvas.getBoundingClientRect();
    if (clientX === undefined) { clientX = rect.left + rect.width / 2; clientY = rect.top + rect.height / 2; }
    const [u, v] = this.toWorld(clientX, clientY);
    const zoom = clamp(st.zoom * factor, 1, this.maxZoom);
    const s = this.scaleFor(zoom);
    const px = (clientX - rect.left) * this.dpr - this.canvas.width / 2;
    const py = (clientY - rect.top) * this.dpr - this.canvas.height / 2;
    this.setCamera(zoom, u - px / s, v + py / s);
  }

  panBy(dxCss, dyCss) {
    const s = this.scaleFor(this.state.zoom);
    this.setCamera(this.state.zoom, this.state.cx - (dxCss * this.dpr) / s, this.state.cy + (dyCss * this.dpr) / s);
  }

  // ---------------------------------------------------------------- hit tests

  /** The digit drawn at client (x, y), or -1. */
  pick(clientX, clientY, radiusCss = 0) {
    if (this.anim) return -1;
    const [u, v] = this.toWorld(clientX, clientY);
    const s = this.scaleFor(this.state.zoom);
    if (this.state.layout === "grid") {
      const { rows, cols } = this.grid;
      const S = Math.max(rows, cols);
      const col = Math.floor(u * S - this.gridOffset[0]);
      const row = Math.floor(v * S - this.gridOffset[1]);
      if (col >= 0 && col < cols && row >= 0 && row < rows) {
        const id = this.cellToId[row * cols + col];
        if (id >= 0 && this.visible[id]) return id;
      }
      if (!radiusCss) return -1;
      return this.nearest(u, v, (radiusCss * this.dpr) / s);
    }
    if (this.mode === "images") {
      // Images overlap where digits are dense: of those whose square holds the pointer, the one
      // whose centre is nearest is the digit pointed at.
      const half = this.imageSize / 2;
      let best = -1, bestD = Infinity;
      this.eachNear(u, v, half, (i) => {
        const du = this.mapU[i] - u, dv = this.mapV[i] - v;
        const d = du * du + dv * dv;
        if (Math.abs(du) <= half && Math.abs(dv) <= half && (d < bestD || (d === bestD && i > best))) {
          best = i;
          bestD = d;
        }
      });
      if (best >= 0 || !radiusCss) return best;
      return this.nearest(u, v, (radiusCss * this.dpr) / s);
    }
    const r = (Math.max(radiusCss, 7) * this.dpr + this.pointSize() / 2) / s;
    return this.nearest(u, v, r);
  }

  nearest(u, v, r) {
    let best = -1, bestD = r * r;
    const U = this.U, V = this.V;
    const visit = (i) => {
      const d = (U[i] - u) ** 2 + (V[i] - v) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    };
    if (this.state.layout === "grid") {
      const { rows, cols } = this.grid;
      const S = Math.max(rows, cols);
      const c0 = Math.floor((u - r) * S - this.gridOffset[0]), c1 = Math.floor((u + r) * S - this.gridOffset[0]);
      const r0 = Math.floor((v - r) * S - this.gridOffset[1]), r1 = Math.floor((v + r) * S - this.gridOffset[1]);
      for (let row = Math.max(0, r0); row <= Math.min(rows - 1, r1); row++) {
        for (let col = Math.max(0, c0); col <= Math.min(cols - 1, c1); col++) {
          const id = this.cellToId[row * cols + col];
          if (id >= 0 && this.visible[id]) visit(id);
        }
      }
      return best;
    }
    this.eachNear(u, v, r, visit);
    return best;
  }

  /** Call fn(i) for each visible digit whose map bucket is within r of (u, v). */
  eachNear(u, v, r, fn) {
    const { G, start, ids } = this.mapIndex;
    const x0 = clamp(Math.floor((u - r) * G), 0, G - 1), x1 = clamp(Math.floor((u + r) * G), 0, G - 1);
    const y0 = clamp(Math.floor((v - r) * G), 0, G - 1), y1 = clamp(Math.floor((v + r) * G), 0, G - 1);
    for (let by = y0; by <= y1; by++) {
      for (let bx = x0; bx <= x1; bx++) {
        const b = by * G + bx;
        for (let k = start[b]; k < start[b + 1]; k++) {
          const i = ids[k];
          if (this.visible[i]) fn(i);
        }
      }
    }
  }

  // ---------------------------------------------------------------- drawing

  pointSize() {
    const unitPx = this.unit * this.scaleFor(this.state.zoom);
    return clamp(Math.round(unitPx * 0.55), Math.max(2, Math.round(1.5 * this.dpr)), Math.round(9 * this.dpr));
  }

  requestRender() {
    if (this.renderQueued || !this.loaded) return;
    this.renderQueued = true;
    const since = this.stats.renders;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      if (this.stats.renders === since || this.anim) this.renderNow(); // unless drawn meanwhile
    });
  }

  /** Draw the current view now; returns the milliseconds it took. */
  renderNow() {
    const t0 = performance.now();
    this.stepAnimation(t0);
    this.sheetsStore.frame++;
    const W = this.canvas.width, H = this.canvas.height;
    const { s, ox, oy } = this.transform();
    const U = this.U, V = this.V, visible = this.visible, n = this.n;
    const grid = this.state.layout === "grid" && !this.anim;
    const unit = this.anim ? Math.min(this.mapUnit, this.gridUnit) : this.unit;
    const unitPx = unit * s;
    // Which digits are on screen.
    const margin = unit / 2;
    const u0 = -ox / s - margin, u1 = (W - ox) / s + margin, v0 = (oy - H) / s - margin, v1 = oy / s + margin;
    const inView = this.inView;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (!visible[i]) continue;
      const u = U[i], v = V[i];
      if (u >= u0 && u <= u1 && v >= v0 && v <= v1) inView[count++] = i;
    }
    this.inViewCount = count;
    // Images where they are large enough to read. Where many overlap (a dense cluster), they are drawn
    // smaller than their full size, so that their total area stays within OVERDRAW canvases.
    const size = grid ? Math.max(1, Math.round(unitPx)) : Math.max(1, Math.min(Math.round(unitPx), Math.floor(Math.sqrt((OVERDRAW * W * H) / Math.max(1, count)))));
    const images = !this.anim && size >= IMAGE_MIN_PX * this.dpr && count <= MAX_IMAGES;
    this.mode = images ? "images" : "points";
    this.imageSize = images ? size / s : 0; // world units, for hit tests
    const px = this.pixels;
    px.fill(this.bgPacked);
    const label = this.label;
    const wanted = images ? new Map() : null;
    const lut = images ? this.lut(size) : null;
    if (grid) {
      // Squares that tile the grid exactly; a gap between them once they are large.
      const h = unit / 2;
      const gap = unitPx >= 6 ? 1 : 0;
      const colours = images ? this.cells : this.dots;
      for (let k = 0; k < count; k++) {
        const i = inView[k];
        const xs = Math.floor(ox + (U[i] - h) * s), ys = Math.floor(oy - (V[i] + h) * s);
        const x0 = Math.max(0, xs), x1 = Math.min(W, Math.max(xs + 1, Math.floor(ox + (U[i] + h) * s) - gap));
        const y0 = Math.max(0, ys), y1 = Math.min(H, Math.max(ys + 1, Math.floor(oy - (V[i] - h) * s) - gap));
        const c = colours[label[i]];
        if (x0 < x1) for (let y = y0; y < y1; y++) px.fill(c, y * W + x0, y * W + x1);
        if (images) {
          const sheet = this.sheetFor(i, wanted);
          if (sheet) this.blit(sheet, i, Math.round(ox + U[i] * s - size / 2), Math.round(oy - V[i] * s - size / 2), size, lut);
        }
      }
    } else {
      const p = images ? Math.max(2, Math.round(size / 4)) : this.pointSize();
      const half = p / 2;
      const dots = this.dots;
      for (let k = 0; k < count; k++) {
        const i = inView[k];
        if (images) {
          const sheet = this.sheetFor(i, wanted);
          if (sheet) {
            this.blit(sheet, i, Math.round(ox + U[i] * s - size / 2), Math.round(oy - V[i] * s - size / 2), size, lut);
            continue;
          }
        }
        // A dot (or, zoomed in, a small one standing in for an image not yet arrived).
        const x0 = Math.floor(ox + U[i] * s - half), y0 = Math.floor(oy - V[i] * s - half);
        const x1 = Math.min(W, x0 + p), y1 = Math.min(H, y0 + p);
        const c = dots[label[i]];
        for (let y = Math.max(0, y0); y < y1; y++) {
          if (x1 > Math.max(0, x0)) px.fill(c, y * W + Math.max(0, x0), y * W + x1);
        }
      }
    }
    this.ctx.putImageData(this.image, 0, 0);
    if (images) this.sheetsStore.want([...wanted.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t));
    this.drawMarks(s, ox, oy, unitPx);
    this.stats.renders++;
    this.stats.lastMs = performance.now() - t0;
    if (this.anim) this.requestRender();
    this.placeTooltip();
    return this.stats.lastMs;
  }

  /** Digit i's decoded sheet, or null (then its tile is counted in wanted, to be fetched). */
  sheetFor(i, wanted) {
    const t = this.tile[i];
    const sheet = this.sheetsStore.ready(t);
    if (!sheet) wanted.set(t, (wanted.get(t) || 0) + 1);
    return sheet;
  }

  /** Sampling tables for drawing a 28-pixel sprite at size px: bilinear below 28, nearest (crisp) from 28. */
  lut(size) {
    if (this.lutCache?.size === size) return this.lutCache;
    const i0 = new Int32Array(size), i1 = new Int32Array(size), f = new Float32Array(size);
    for (let d = 0; d < size; d++) {
      if (size >= SIDE) {
        i0[d] = i1[d] = Math.min(SIDE - 1, Math.floor(((d + 0.5) * SIDE) / size));
      } else {
        const src = clamp(((d + 0.5) * SIDE) / size - 0.5, 0, SIDE - 1);
        i0[d] = Math.floor(src);
        i1[d] = Math.min(SIDE - 1, i0[d] + 1);
        f[d] = src - i0[d];
      }
    }
    this.lutCache = { size, i0, i1, f };
    return this.lutCache;
  }

  /** Draw digit i's sprite into the pixels at (left, top), size px square: its ink in the class colour. */
  blit(sheet, i, left, top, size, lut) {
    const W = this.canvas.width, H = this.canvas.height, px = this.pixels;
    const x0 = Math.max(0, left), x1 = Math.min(W, left + size);
    const y0 = Math.max(0, top), y1 = Math.min(H, top + size);
    if (x0 >= x1 || y0 >= y1) return;
    const { grey, width: sw } = sheet;
    const slot = this.slot[i], C = this.cols;
    const base = Math.floor(slot / C) * SIDE * sw + (slot % C) * SIDE;
    const ink = this.dots[this.label[i]];
    const r = ink & 255, g = (ink >>> 8) & 255, b = (ink >>> 16) & 255;
    const { i0, i1, f } = lut;
    for (let y = y0; y < y1; y++) {
      const dy = y - top;
      const rowA = base + i0[dy] * sw, rowB = base + i1[dy] * sw, fy = f[dy];
      for (let x = x0, p = y * W + x0; x < x1; x++, p++) {
        const dx = x - left;
        const c0 = i0[dx], c1 = i1[dx], fx = f[dx];
        const a00 = grey[rowA + c0], a01 = grey[rowA + c1], a10 = grey[rowB + c0], a11 = grey[rowB + c1];
        if ((a00 | a01 | a10 | a11) === 0) continue;
        const upper = a00 + (a01 - a00) * fx, lower = a10 + (a11 - a10) * fx;
        const t = (upper + (lower - upper) * fy) / 255;
        const d = px[p];
        const dr = d & 255, dg = (d >>> 8) & 255, db = (d >>> 16) & 255;
        px[p] = (0xff000000 | (((db + (b - db) * t) & 255) << 16) | (((dg + (g - dg) * t) & 255) << 8) | ((dr + (r - dr) * t) & 255)) >>> 0;
      }
    }
  }

  drawMarks(s, ox, oy, unitPx) {
    const ctx = this.ctx;
    const dpr = this.dpr;
    const ring = (id, width, colour) => {
      if (id < 0) return;
      const size = Math.max(unitPx, 8 * dpr) + 6 * dpr;
      const x = ox + this.U[id] * s, y = oy - this.V[id] * s;
      ctx.lineWidth = width * dpr + 2 * dpr;
      ctx.strokeStyle = this.dark ? "#000" : "#fff";
      ctx.strokeRect(x - size / 2, y - size / 2, size, size);
      ctx.lineWidth = width * dpr;
      ctx.strokeStyle = colour;
      ctx.strokeRect(x - size / 2, y - size / 2, size, size);
    };
    if (this.hover !== this.state.selected) ring(this.hover, 1.5, this.fg);
    ring(this.state.selected, 3, this.fg);
    if (document.activeElement === this.canvas && this.canvas.matches(":focus-visible")) {
      // Cross-hair: the keyboard's pointer (Enter picks the digit nearest to it).
      const cx = this.canvas.width / 2, cy = this.canvas.height / 2, r = 10 * dpr;
      ctx.lineWidth = 2 * dpr;
      ctx.strokeStyle = this.fg;
      ctx.beginPath();
      ctx.moveTo(cx - r, cy); ctx.lineTo(cx - r / 3, cy); ctx.moveTo(cx + r / 3, cy); ctx.lineTo(cx + r, cy);
      ctx.moveTo(cx, cy - r); ctx.lineTo(cx, cy - r / 3); ctx.moveTo(cx, cy + r / 3); ctx.lineTo(cx, cy + r);
      ctx.stroke();
    }
  }

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

  // ---------------------------------------------------------------- selection, tooltip

  select(id) {
    this.state.selected = id;
    const panel = this.el("selected");
    const info = this.el("selected-info");
    const img = this.el("selected-img");
    if (id < 0) {
      info.textContent = this.words.none_selected;
      img.hidden = true;
      this.el("clear").hidden = true;
    } else {
      info.textContent = this.describe(id);
      img.hidden = false;
      this.el("clear").hidden = false;
      this.drawDigit(img, id);
    }
    panel.dataset.id = id;
    this.changed();
  }

  /** One sentence about a digit: identity, label, predictions (wrong ones marked). */
  describe(id) {
    const w = this.words;
    const l = this.label[id];
    const preds = [["MLP", this.mlp], ...(this.cnn ? [["CNN", this.cnn]] : [])].map(([model, p]) =>
      fmt(p[id] === l ? w.prediction_right : w.prediction_wrong, { model: w[`model_${model.toLowerCase()}`], d: p[id] }));
    return fmt(w.selected, { identity: identity(w, id, this.nTrain), label: l, predictions: preds.join(w.list_separator) });
  }

  /** Draw digit id into a 28 x 28 canvas (CSS enlarges it, pixelated): ink in its class colour. */
  drawDigit(canvas, id) {
    const ctx = canvas.getContext("2d");
    const sheet = this.sheetsStore.ready(this.tile[id]);
    canvas.dataset.id = id;
    if (!sheet) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      this.sheetsStore.want([this.tile[id]], true);
      canvas.dataset.pending = "1";
      return;
    }
    delete canvas.dataset.pending;
    const image = ctx.createImageData(SIDE, SIDE);
    const out = new Uint32Array(image.data.buffer);
    const ink = this.dots[this.label[id]] & 0xffffff;
    const slot = this.slot[id], C = this.cols, sw = sheet.width;
    const base = Math.floor(slot / C) * SIDE * sw + (slot % C) * SIDE;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) out[y * SIDE + x] = (ink | (sheet.grey[base + y * sw + x] << 24)) >>> 0;
    }
    ctx.putImageData(image, 0, 0);
  }

  /** Digit id's 784 grey values (row by row) when its sheet is loaded, else null. */
  pixelsOf(id) {
    const sheet = this.sheetsStore.ready(this.tile[id]);
    if (!sheet) return null;
    const slot = this.slot[id], C = this.cols, sw = sheet.width;
    const base = Math.floor(slot / C) * SIDE * sw + (slot % C) * SIDE;
    const out = [];
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) out.push(sheet.grey[base + y * sw + x]);
    return out;
  }

  showTooltip(id, clientX, clientY) {
    const tip = this.el("tooltip");
    if (id < 0) { this.hideTooltip(); return; }
    const w = this.words;
    const l = this.label[id];
    if (tip.dataset.id !== String(id)) {
      tip.dataset.id = id;
      tip.querySelector(".explorer-tip-identity").textContent = identity(w, id, this.nTrain);
      const labelEl = tip.querySelector(".explorer-tip-label");
      labelEl.textContent = fmt(w.tip_label, { d: l });
      labelEl.style.setProperty("--c", this.colours[l]);
      const lines = tip.querySelector(".explorer-tip-preds");
      lines.replaceChildren(...[["MLP", this.mlp], ...(this.cnn ? [["CNN", this.cnn]] : [])].map(([model, p]) => {
        const li = document.createElement("li");
        const wrong = p[id] !== l;
        li.className = wrong ? "wrong" : "right";
        li.textContent = fmt(wrong ? w.tip_wrong : w.tip_right, { model: w[`model_${model.toLowerCase()}`], d: p[id] });
        return li;
      }));
      this.drawDigit(tip.querySelector("canvas"), id);
    }
    tip.hidden = false;
    this.tipAt = [clientX, clientY];
    this.placeTooltip();
  }

  /** Draw the enlarged pictures (tooltip, selected digit) whose sheet has arrived since. */
  refreshPictures() {
    for (const canvas of [this.el("tooltip").querySelector("canvas"), this.el("selected-img")]) {
      const id = Number(canvas.dataset.id);
      if (canvas.dataset.pending && id >= 0 && this.sheetsStore.ready(this.tile[id])) this.drawDigit(canvas, id);
    }
  }

  placeTooltip() {
    this.refreshPictures();
    const tip = this.el("tooltip");
    if (tip.hidden || !this.tipAt) return;
    const box = this.view.getBoundingClientRect();
    const x = this.tipAt[0] - box.left, y = this.tipAt[1] - box.top;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    const left = x + 16 + w > box.width ? Math.max(0, x - 16 - w) : x + 16;
    const top = y + 16 + h > box.height ? Math.max(0, y - 16 - h) : y + 16;
    tip.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  hideTooltip() {
    const tip = this.el("tooltip");
    tip.hidden = true;
    this.tipAt = null;
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

  hashOf() {
    const st = this.state;
    const parts = [];
    if (st.layout !== this.initialLayout) parts.push(`layout=${st.layout}`);
    if (!st.classes.every(Boolean)) {
      const on = st.classes.map((v, d) => (v ? d : -1)).filter((d) => d >= 0);
      parts.push(`classes=${on.length ? on.join(",") : "none"}`);
    }
    if (st.mistakes !== "none") parts.push(`mistakes=${st.mistakes}`);
    const whole = Math.abs(st.zoom - 1) < 1e-3 && Math.abs(st.cx - 0.5) < 1e-5 && Math.abs(st.cy - 0.5) < 1e-5;
    if (!whole) parts.push(`zoom=${+st.zoom.toFixed(3)}`, `x=${st.cx.toFixed(5)}`, `y=${st.cy.toFixed(5)}`);
    if (st.selected >= 0) parts.push(`digit=${identityKey(st.selected, this.nTrain)}`);
    return parts.length ? `#${parts.join("&")}` : "";
  }

  writeHash() {
    const hash = this.hashOf();
    if (hash === (location.hash === "#" ? "" : location.hash)) return;
    history.replaceState(history.state, "", hash || location.pathname + location.search);
  }

  /** Apply a URL hash; returns a note (string) when it could not be used (then: the whole map). */
  applyHash(hash) {
    const w = this.words;
    let text = hash.replace(/^#/, "");
    let problem = null;
    try {
      text = decodeURIComponent(text);
    } catch {
      problem = fmt(w.reason_value, { text: text.slice(0, 40) });
    }
    const next = { layout: this.initialLayout, classes: new Array(10).fill(true), mistakes: "none", selected: -1, ...WHOLE };
    let explicitView = false;
    let digit = -1;
    const fail = (reason) => { problem = problem || reason; };
    for (const part of text && !problem ? text.split("&") : []) {
      if (!part) continue;
      const eq = part.indexOf("=");
      const key = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? "" : part.slice(eq + 1).trim();
      const bad = () => fail(fmt(w.reason_value, { text: part }));
      const number = (lo, hi) => {
        const v = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : NaN;
        return Number.isFinite(v) && v >= lo && v <= hi ? v : null;
      };
      switch (key) {
        case "layout":
          if (value === "map") next.layout = "map";
          else if (value === "grid" && this.grid) next.layout = "grid";
          else if (value === "grid") fail(w.reason_grid);
          else bad();
          break;
        case "classes": {
          if (value === "none") { next.classes = new Array(10).fill(false); break; }
          const digits = value.split(/[,\s]+/).filter(Boolean);
          if (!digits.length || !digits.every((d) => /^\d$/.test(d))) { bad(); break; }
          next.classes = new Array(10).fill(false);
          for (const d of digits) next.classes[Number(d)] = true;
          break;
        }
        case "mistakes":
          if (value === "mlp" || (value === "cnn" && this.cnn) || value === "none") next.mistakes = value;
          else bad();
          break;
        case "zoom": {
          const z = number(1, this.maxZoom);
          if (z === null) fail(fmt(w.reason_zoom, { text: value, max: this.maxZoom }));
          else { next.zoom = z; explicitView = true; }
          break;
        }
        case "x": case "y": {
          const v = number(0, 1);
          if (v === null) bad();
          else { next[key === "x" ? "cx" : "cy"] = v; explicitView = true; }
          break;
        }
        case "digit": {
          const r = parseIdentity(value, this.nTrain, this.nTest);
          if (r.error) fail(fmt(w.reason_digit, { text: value }));
          else digit = r.id;
          break;
        }
        default:
          bad();
      }
    }
    if (problem) {
      Object.assign(next, { layout: this.initialLayout, classes: new Array(10).fill(true), mistakes: "none", selected: -1, ...WHOLE });
      digit = -1;
      explicitView = false;
    }
    this.anim = null;
    Object.assign(this.state, next);
    this.computeVisible();
    this.updateLayoutButtons();
    this.el("mistakes").value = this.state.mistakes;
    if (digit >= 0 && !explicitView) this.focusOn(digit);
    else this.select(digit);
    this.hideNote();
    if (problem) history.replaceState(history.state, "", location.pathname + location.search);
    this.requestRender();
    return problem ? fmt(w.bad_link, { reason: problem }) : null;
  }

  /** Select a digit and bring it to the centre, zoomed in far enough to see it. */
  focusOn(id) {
    const st = this.state;
    if (!this.visible[id]) {
      st.classes[this.label[id]] = true;
      if (st.mistakes !== "none" && (st.mistakes === "cnn" ? this.cnn : this.mlp)[id] === this.label[id]) {
        st.mistakes = "none";
        this.el("mistakes").value = "none";
      }
      this.computeVisible();
    }
    this.anim = null;
    const target = (56 * this.dpr) / (this.unit * this.scaleFor(1));
    const zoom = Math.max(st.zoom, clamp(target, 1, this.maxZoom));
    this.setCamera(zoom, this.U[id], this.V[id]);
    this.select(id);
  }

  showNote(text) {
    const note = this.el("note");
    note.textContent = text;
    note.hidden = false;
  }

  hideNote() {
    const note = this.el("note");
    if (note.dataset.kind !== "error") { note.hidden = true; note.textContent = ""; }
  }

  showError(text) {
    const note = this.el("note");
    note.dataset.kind = "error";
    note.textContent = text;
    note.hidden = false;
  }

  sheetFailed(url, error) {
    if (this.sheetNoteShown) return;
    this.sheetNoteShown = true;
    this.showError(fmt(this.words.sheet_failed, { url, error: error.message }));
  }

  // ---------------------------------------------------------------- input

  bindControls() {
    this.root.querySelectorAll(".explorer-class").forEach((button) => {
      button.addEventListener("click", () => {
        const d = Number(button.dataset.digit);
        this.state.classes[d] = !this.state.classes[d];
        this.afterFilter();
      });
    });
    this.el("all").addEventListener("click", () => { this.state.classes.fill(true); this.afterFilter(); });
    this.el("mistakes").addEventListener("change", (e) => { this.state.mistakes = e.target.value; this.afterFilter(); });
    this.root.querySelectorAll(".explorer-layout").forEach((b) => b.addEventListener("click", () => this.setLayout(b.dataset.layout)));
    this.el("zoom-in").addEventListener("click", () => this.zoomAt(1.6));
    this.el("zoom-out").addEventListener("click", () => this.zoomAt(1 / 1.6));
    this.el("reset").addEventListener("click", () => this.setCamera(1, 0.5, 0.5));
    this.el("clear").addEventListener("click", () => { this.select(-1); this.canvas.focus(); });
    const form = this.el("goto");
    const input = form.querySelector("input");
    const message = this.el("goto-message");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const r = parseIdentity(input.value, this.nTrain, this.nTest);
      if (r.error) {
        message.textContent = r.error === "syntax" ? fmt(this.words.goto_bad, { text: input.value })
          : fmt(this.words.goto_range, { set: r.test ? this.words.set_test : this.words.set_train, max: num(r.max) });
        input.setAttribute("aria-invalid", "true");
        return;
      }
      message.textContent = "";
      input.removeAttribute("aria-invalid");
      if (this.state.layout === "grid" && this.anim) this.anim = null;
      this.focusOn(r.id);
    });
  }

  afterFilter() {
    this.computeVisible();
    if (this.hover >= 0 && !this.visible[this.hover]) { this.hover = -1; this.hideTooltip(); }
    this.changed();
  }

  bindPointer() {
    const c = this.canvas;
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      this.zoomAt(Math.exp(-clamp(e.deltaY * lines, -300, 300) * 0.002), e.clientX, e.clientY);
      this.hoverAt(e.clientX, e.clientY);
    }, { passive: false });
    c.addEventListener("pointerdown", (e) => {
      c.setPointerCapture(e.pointerId);
      this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX, y0: e.clientY, t0: performance.now() });
      if (this.pointers.size === 2) this.pinch = this.pinchState();
      if (e.pointerType !== "mouse") this.hideTooltip();
    });
    c.addEventListener("pointermove", (e) => {
      const p = this.pointers.get(e.pointerId);
      if (!p) { if (e.pointerType === "mouse") this.hoverAt(e.clientX, e.clientY); return; }
      const dx = e.clientX - p.x, dy = e.clientY - p.y;
      p.x = e.clientX; p.y = e.clientY;
      if (Math.hypot(p.x - p.x0, p.y - p.y0) > 4) p.moved = true;
      if (this.pointers.size === 1) {
        if (p.moved) { this.panBy(dx, dy); this.hideTooltip(); c.classList.add("dragging"); }
      } else if (this.pinch) {
        const now = this.pinchState();
        if (now.d > 0 && this.pinch.d > 0) {
          this.panBy(now.x - this.pinch.x, now.y - this.pinch.y);
          this.zoomAt(now.d / this.pinch.d, now.x, now.y);
        }
        this.pinch = now;
        for (const q of this.pointers.values()) q.moved = true;
      }
    });
    const end = (e) => {
      const p = this.pointers.get(e.pointerId);
      if (!p) return;
      this.pointers.delete(e.pointerId);
      this.pinch = this.pointers.size === 2 ? this.pinchState() : null;
      c.classList.remove("dragging");
      if (e.type === "pointerup" && !p.moved && this.pointers.size === 0) {
        const id = this.pick(e.clientX, e.clientY, e.pointerType === "mouse" ? 0 : 14);
        this.select(id === this.state.selected ? -1 : id);
        if (e.pointerType !== "mouse") this.showTooltip(id, e.clientX, e.clientY);
      }
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    c.addEventListener("pointerleave", (e) => {
      if (e.pointerType === "mouse" && !this.pointers.size) { this.hover = -1; this.hideTooltip(); this.requestRender(); }
    });
    c.addEventListener("dblclick", (e) => { e.preventDefault(); this.zoomAt(2, e.clientX, e.clientY); });
  }

  pinchState() {
    const [a, b] = [...this.pointers.values()];
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, d: Math.hypot(a.x - b.x, a.y - b.y) };
  }

  hoverAt(clientX, clientY) {
    const id = this.pick(clientX, clientY);
    if (id !== this.hover) { this.hover = id; this.requestRender(); }
    this.showTooltip(id, clientX, clientY);
  }

  bindKeys() {
    const c = this.canvas;
    c.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const rect = c.getBoundingClientRect();
      const step = (e.shiftKey ? 0.5 : 0.15) * Math.min(rect.width, rect.height);
      const keys = {
        ArrowLeft: () => this.panBy(step, 0), ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step), ArrowDown: () => this.panBy(0, -step),
        "+": () => this.zoomAt(1.5), "=": () => this.zoomAt(1.5), "-": () => this.zoomAt(1 / 1.5), _: () => this.zoomAt(1 / 1.5),
        "0": () => this.setCamera(1, 0.5, 0.5), Home: () => this.setCamera(1, 0.5, 0.5),
        Escape: () => { this.select(-1); this.hideTooltip(); },
        Enter: () => this.pickCentre(), " ": () => this.pickCentre(),
      };
      const action = keys[e.key];
      if (!action) return;
      e.preventDefault();
      action();
    });
    c.addEventListener("focus", () => this.requestRender());
    c.addEventListener("blur", () => this.requestRender());
  }

  pickCentre() {
    const rect = this.canvas.getBoundingClientRect();
    const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
    const id = this.pick(x, y, 40);
    this.select(id);
    if (id >= 0) {
      const p = this.screenOf(id);
      this.showTooltip(id, p.x, p.y);
    } else this.hideTooltip();
  }

  // ---------------------------------------------------------------- test hook

  hook() {
    const self = this;
    return {
      element: this.root,
      n: this.n,
      /** The view: {layout, zoom, centre, classes, mistakes, selected, selectedId, mode, shown, inView, hash, note, sheets}. */
      state() {
        const st = self.state;
        const note = self.el("note");
        return {
          layout: st.layout, zoom: st.zoom, centre: [st.cx, st.cy],
          classes: st.classes.map((v, d) => (v ? d : -1)).filter((d) => d >= 0), mistakes: st.mistakes,
          selected: st.selected >= 0 ? identity(self.words, st.selected, self.nTrain) : null, selectedId: st.selected,
          hover: self.hover, mode: self.mode, shown: self.shown, inView: self.inViewCount, animating: !!self.anim,
          hash: self.hashOf(), note: note.hidden ? "" : note.textContent, maxZoom: self.maxZoom, hasGrid: !!self.grid,
          hasCnn: !!self.cnn, sheetsLoaded: [...self.sheetsStore.sheets].filter(([, s]) => s.state === "ready").map(([t]) => t),
          sheetsRequested: self.sheetsStore.requested, sheetsInflight: self.sheetsStore.inflight,
          renders: self.stats.renders, lastRenderMs: self.stats.lastMs,
        };
      },
      screenOf: (id) => self.screenOf(id),
      pixelsOf: (id) => self.pixelsOf(id),
      /** Digit id -> [x, y] in world units ([0, 1], y up) of the current layout. */
      worldOf: (id) => [self.U[id], self.V[id]],
      isShown: (id) => !!self.visible[id],
      identity: (id) => identity(self.words, id, self.nTrain),
      idOf: (text) => { const r = parseIdentity(text, self.nTrain, self.nTest); return r.error ? null : r.id; },
      pick: (x, y) => self.pick(x, y),
      /** Set any of {layout, zoom, centre: [x, y], classes: [digits], mistakes, selected: id} without animation. */
      setView(view) {
        const st = self.state;
        if (view.layout && view.layout !== st.layout) self.setLayout(view.layout, false);
        if (view.classes) { st.classes = st.classes.map((_, d) => view.classes.includes(d)); }
        if (view.mistakes) { st.mistakes = view.mistakes; self.el("mistakes").value = view.mistakes; }
        if (view.classes || view.mistakes) self.computeVisible();
        if (view.zoom !== undefined || view.centre) {
          const [cx, cy] = view.centre || [st.cx, st.cy];
          self.setCamera(view.zoom ?? st.zoom, cx, cy);
        }
        if (view.selected !== undefined) self.select(view.selected);
        self.changed();
      },
      setLayout: (layout, animate = true) => self.setLayout(layout, animate),
      renderNow: () => self.renderNow(),
      writeHash: () => { clearTimeout(self.hashTimer); self.writeHash(); return location.hash; },
      /** Resolves when no sheet is loading and the view was redrawn. */
      async idle() {
        for (let k = 0; k < 600; k++) {
          await new Promise((r) => requestAnimationFrame(() => r()));
          if (!self.anim && !self.sheetsStore.inflight && !self.sheetsStore.queue.length && !self.renderQueued) {
            self.renderNow();
            if (!self.sheetsStore.inflight && !self.sheetsStore.queue.length) return true;
          }
        }
        return false;
      },
    };
  }
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
    explorer.showError(fmt(explorer.words.fetch_failed, { url: explorer.dataUrl, error: error.message }));
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
    begin();
  }
}
