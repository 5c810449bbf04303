// The digit explorer's data: the points bundle (prepared for drawing and hit tests), the sprite
// sheets (fetched and decoded for what is on screen), each digit's nearest neighbours
// (fetched one small chunk at a time, only once a digit is selected), and who wrote each digit
// (one file, fetched only once a digit is selected or the series is shown).
// Formats: mnistreport/explore.py.

import { loadBundle } from "../lib/bundle.js";
import { clamp, SIDE } from "../lib/numbers.js";

const MAX_FETCHES = 4;                // sheets fetched at once
const SHEET_BUDGET = 96 * 2 ** 20;    // bytes of decoded sheets kept (least recently used go first)
const decodeHere = (url) => import("./sheets.js").then((module) => module.decodeSheet(url));

/** Fetch the points bundle (onProgress(received, total) as it arrives) and prepare it. */
export async function loadPoints(url, onProgress) {
  return preparePoints(await loadBundle(url, onProgress));
}

/** Arrays for drawing: positions in world units ([0, 1], y up) on the map and the grid, tiles, slots, an index. */
export function preparePoints({ meta, arrays }) {
  const n = arrays.label.length;
  const d = {
    n, nTrain: meta.n_train, nTest: meta.n_test, label: arrays.label, mlp: arrays.mlp, cnn: arrays.cnn || null,
    tiles: meta.tiles, cols: meta.sheet_cols, colours: meta.colours,
  };
  d.mapU = new Float32Array(n);
  d.mapV = new Float32Array(n);
  const T = d.tiles;
  const tile = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const x = arrays.x[i], y = arrays.y[i];
    d.mapU[i] = x / 65535;
    d.mapV[i] = y / 65535;
    tile[i] = Math.min(T - 1, (y * T) >>> 16) * T + Math.min(T - 1, (x * T) >>> 16);
  }
  d.tile = tile;
  // A digit's slot on its tile's sheet: how many digits with a smaller id share the tile.
  d.slot = new Uint32Array(n);
  const taken = new Uint32Array(T * T);
  for (let i = 0; i < n; i++) d.slot[i] = taken[tile[i]]++;
  d.mapUnit = Math.min(1 / 64, 1.1 / Math.sqrt(Math.max(1, n)));
  d.mapIndex = buildIndex(d.mapU, d.mapV);
  // The grid: each digit at the centre of its square cell (row 0 at the bottom).
  d.grid = arrays.cell && meta.grid ? meta.grid : null;
  if (d.grid) {
    const { rows, cols } = d.grid;
    const S = Math.max(rows, cols);
    d.gridUnit = 1 / S;
    d.gridU = new Float32Array(n);
    d.gridV = new Float32Array(n);
    d.cellToId = new Int32Array(rows * cols).fill(-1);
    const dx = (S - cols) / 2, dy = (S - rows) / 2;
    for (let i = 0; i < n; i++) {
      const c = arrays.cell[i];
      d.cellToId[c] = i;
      d.gridU[i] = (dx + (c % cols) + 0.5) / S;
      d.gridV[i] = (dy + Math.floor(c / cols) + 0.5) / S;
    }
    d.gridOffset = [dx, dy];
  }
  const units = [d.mapUnit, ...(d.grid ? [d.gridUnit] : [])];
  d.maxZoom = Math.max(8, Math.round(0.2 / Math.min(...units)));
  return d;
}

/** Where digit i's sprite starts in its decoded sheet's grey values (rows sheet.width apart). */
export function spriteStart(points, sheet, i) {
  const slot = points.slot[i], C = points.cols;
  return Math.floor(slot / C) * SIDE * sheet.width + (slot % C) * SIDE;
}

/** A uniform grid of buckets over [0, 1]^2 for hit tests. */
export function buildIndex(U, V) {
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

/** Sprite sheets (url<tile>.png) fetched on demand, a few at a time, decoded in a worker started with the first. */
export class SheetStore {
  constructor(url, { failed, settled }) {
    this.url = url;
    this.failed = failed;
    this.settled = settled;
    this.sheets = new Map(); // tile -> {state: "loading" | "ready" | "failed", grey, width, bytes, used}
    this.queue = [];
    this.inflight = 0;
    this.bytes = 0;
    this.frame = 0;
    this.requested = 0;
    this.waiting = new Map(); // tile -> resolve, for the worker's answers
  }

  /** A new frame (evict keeps the sheets it uses). */
  nextFrame() { this.frame++; }

  ready(tile) {
    const sheet = this.sheets.get(tile);
    if (sheet && sheet.state === "ready") { sheet.used = this.frame; return sheet; }
    return null;
  }

  /** Ask for these tiles (most wanted first). Tiles no longer wanted leave the queue, except urgent ones
   *  (the enlarged pictures of the panel and the tooltip), which go first until they arrive. */
  want(tiles, urgent = false) {
    const fresh = tiles.filter((t) => !this.sheets.has(t));
    this.urgent = [...new Set([...(this.urgent || []), ...(urgent ? fresh : [])])].filter((t) => !this.sheets.has(t));
    this.queue = [...new Set([...this.urgent, ...(urgent ? this.queue : fresh)])];
    this.pump();
  }

  pump() {
    while (this.inflight < MAX_FETCHES && this.queue.length) {
      const tile = this.queue.shift();
      if (!this.sheets.has(tile)) this.load(tile);
    }
  }

  decode(tile, url) {
    if (this.worker === undefined) {
      try {
        this.worker = new Worker(new URL("./sheets.js", import.meta.url), { type: "module" });
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
    if (!this.worker) return decodeHere(url);
    return new Promise((resolve, reject) => {
      this.waiting.set(tile, (data) => {
        if (data.retry) decodeHere(url).then(resolve, reject);
        else if (data.error) reject(new Error(data.error));
        else resolve(data);
      });
      this.worker.postMessage({ tile, url });
    });
  }

  async load(tile) {
    const url = new URL(`${this.url}${tile}.png`, document.baseURI).href;
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
      this.failed(url, error);
    } finally {
      this.inflight--;
      this.pump();
      this.settled();
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

/** Each digit's nearest neighbours in pixel space, from `url` (a folder: meta.json, <chunk>.bin),
 *  fetched only when asked for, one chunk at a time. */
export class NeighbourStore {
  constructor(url) {
    this.url = new URL(url, document.baseURI).href;
    this.meta = null;
    this.chunks = new Map(); // chunk -> Promise of {first, ids, k}
    this.requested = 0;
  }

  async metaData() {
    if (!this.meta) {
      this.meta = fetch(new URL("meta.json", this.url)).then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.json();
      });
      this.meta.catch(() => { this.meta = null; });
    }
    return this.meta;
  }

  /** Digit id -> its neighbours' ids, nearest first (an array). */
  async of(id) {
    const meta = await this.metaData();
    const c = Math.floor(id / meta.chunk);
    if (!this.chunks.has(c)) {
      this.requested++;
      const chunk = loadBundle(new URL(`${c}.bin`, this.url).href).then(({ meta: m, arrays }) => ({ first: m.first, k: m.k, ids: arrays.ids }));
      chunk.catch(() => this.chunks.delete(c));
      this.chunks.set(c, chunk);
    }
    const { first, k, ids } = await this.chunks.get(c);
    return [...ids.subarray((id - first) * k, (id - first + 1) * k)];
  }
}

/** Who wrote each digit (explore-writers/writers.bin), fetched once, when first asked for.
 *  `load()` resolves to {available: false} for an edition built without the provenance, else to
 *  {available: true, series, writer, rank (typed arrays, one value a digit), count (digits per writer id),
 *  student (the students' series code)}. `status`: "none", "loading", "ready", "unavailable" or "failed" (`error`). */
export class WriterStore {
  constructor(url, n) {
    this.url = url ? new URL(url, document.baseURI).href : null;
    this.n = n;
    this.promise = null;
    this.requested = 0;
    this.status = "none";
    this.error = "";
  }

  load() {
    if (!this.promise) {
      this.requested++;
      this.status = "loading";
      const writers = this.url ? loadBundle(this.url).then((bundle) => prepareWriters(bundle, this.n)) : Promise.resolve({ available: false });
      this.promise = writers.then((result) => { this.status = result.available ? "ready" : "unavailable"; return result; });
      this.promise.catch((error) => { this.promise = null; this.status = "failed"; this.error = error.message; });
    }
    return this.promise;
  }
}

/** The writers bundle, checked against the number of digits, with each writer's count of digits. */
export function prepareWriters({ meta, arrays }, n) {
  if (!meta.available) return { available: false };
  const { series, writer, rank } = arrays;
  if (writer.length !== n) throw new Error(`the writers file has ${writer.length} digits, the map ${n}`);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, writer[i]);
  const count = new Uint32Array(max + 1);
  for (let i = 0; i < n; i++) count[writer[i]]++;
  return { available: true, series, writer, rank, count, student: meta.student_series ?? 4 };
}
