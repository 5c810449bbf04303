// The digit explorer's state, written only here: the view (hash.js), the hover, the layout switch, the marks,
// the writers; which digits are shown, in which colour. Its methods call redraw() and remember() (explore.js).

import { clamp } from "../lib/numbers.js";
import { initialView, WHOLE } from "./hash.js";

const ANIMATION_MS = 750;
const ease = (t) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);
export const MUTED = 10;              // colour index of digits shown in grey ("where the classifiers agree")
export const EMPLOYEES = 11, STUDENTS = 12; // colour indices of the two series (colour by the writers' series)

export class View {
  constructor(points, layout, { redraw, remember }) {
    const n = points.n;
    Object.assign(this, { points, redraw, remember, state: initialView(layout), hover: -1, anim: null, writers: null,
      neighbours: null, lasso: null, lassoOpen: false, lassoMode: false, region: null, // region: {ids, kind, counts}
      visible: new Uint8Array(n), colourOf: new Uint8Array(n), animU: new Float32Array(n), animV: new Float32Array(n) });
    this.computeVisible();
  }

  changed() {
    this.redraw();
    this.remember();
  }


  /** The digits' positions [U, V] in a layout. */
  coords(layout) { const p = this.points; return layout === "grid" ? [p.gridU, p.gridV] : [p.mapU, p.mapV]; }
  get U() { return this.anim ? this.animU : this.coords(this.state.layout)[0]; }
  get V() { return this.anim ? this.animV : this.coords(this.state.layout)[1]; }
  get unit() { return this.state.layout === "grid" ? this.points.gridUnit : this.points.mapUnit; }


  /** Which digits are shown (classes, set, mistakes and series filters) and their colours (colour mode;
   *  a highlighted writer's digits in colour, the rest in grey); per class, how many pass the others. */
  computeVisible() {
    const { n, label, mlp, cnn, nTrain } = this.points;
    const { visible, colourOf } = this;
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
    Object.assign(this, { shown, highlighted, disagree, counts, byWriter });
    this.mutedFirst = st.colour === "disagree" || byWriter >= 0; // grey digits drawn first, under the others
  }

  /** Any of {classes (ten booleans), mistakes, set, series, colour, writer}. */
  setFilters(filters) {
    const st = this.state;
    for (const key of ["classes", "mistakes", "set", "series", "colour", "writer"]) if (filters[key] !== undefined) st[key] = filters[key];
    this.computeVisible();
    this.changed();
  }

  /** Highlight the selected digit's writer's digits, or stop; false without a writer. */
  toggleWriter() {
    const st = this.state;
    if (!this.writers?.available || st.selected < 0) return false;
    const writer = this.writers.writer[st.selected];
    this.setFilters({ writer: st.writer === writer ? -1 : writer });
    return true;
  }

  /** Whether the view needs to know who wrote each digit. */
  needsWriters() {
    const st = this.state;
    return st.selected >= 0 || st.series !== "all" || st.colour === "series" || st.writer >= 0;
  }

  /** "employees" or "students": the series of digit id (the writers file loaded). */
  seriesName(id) { return this.writers.series[id] === this.writers.student ? "students" : "employees"; }

  /** The writers arrived; without provenance their filter, colours, highlight go (true if used). */
  setWriters(writers) {
    const st = this.state;
    this.writers = writers;
    const dropped = !writers.available && (st.series !== "all" || st.colour === "series" || st.writer >= 0);
    if (dropped) Object.assign(st, { series: "all", colour: st.colour === "series" ? "label" : st.colour, writer: -1 });
    if (st.selected >= 0 && writers.available && st.series !== "all" && this.seriesName(st.selected) !== st.series) st.series = "all";
    this.computeVisible();
    this.changed();
    return dropped;
  }

  /** Show digit id: its class on, no mistakes, set or series filter that hides it; whether one changed. */
  reveal(id) {
    if (this.visible[id]) return false;
    const st = this.state, { label, mlp, cnn, nTrain } = this.points;
    st.classes[label[id]] = true;
    if (st.mistakes !== "none" && (st.mistakes === "cnn" ? cnn : mlp)[id] === label[id]) st.mistakes = "none";
    if ((st.set === "train" && id >= nTrain) || (st.set === "test" && id < nTrain)) st.set = "all";
    if (st.series !== "all" && this.writers?.available && this.seriesName(id) !== st.series) st.series = "all";
    this.computeVisible();
    this.changed();
    return true;
  }

  /** A view from the URL (parseHash); the selection is the caller's. */
  replace(view) {
    this.anim = null;
    Object.assign(this.state, view, { selected: this.state.selected });
    this.computeVisible();
    this.changed();
  }


  select(id) { this.state.selected = id; this.changed(); }

  setHover(id) { if (id !== this.hover) { this.hover = id; this.redraw(); } }

  /** No hover on a hidden digit; whether it was dropped. */
  dropHiddenHover() {
    const drop = this.hover >= 0 && !this.visible[this.hover];
    if (drop) this.setHover(-1);
    return drop;
  }

  setNeighbours(ids) { this.neighbours = ids; this.redraw(); }

  setLassoMode(on) { this.lassoMode = on; }

  /** The lasso as it is drawn (open), or drawn (closed; `points` null: none). */
  setLasso(points, open) { this.lasso = points; this.lassoOpen = open; this.redraw(); }

  /** What a region holds, or none (null; then no lasso either). */
  setRegion(region) {
    if (!region) this.lasso = null;
    this.region = region;
    this.redraw();
  }


  setCamera(zoom, cx, cy) {
    const st = this.state;
    st.zoom = clamp(zoom, 1, this.points.maxZoom);
    st.cx = clamp(cx, 0, 1);
    st.cy = clamp(cy, 0, 1);
    this.changed();
  }

  stopAnimation() { this.anim = null; }

  /** To the map or the grid (animated), the selected digit in view at the same zoom, else all; whether it switched. */
  setLayout(layout, animate) {
    const st = this.state;
    if (layout === st.layout || (layout === "grid" && !this.points.grid)) return false;
    const sel = st.selected;
    const cam0 = { zoom: st.zoom, cx: st.cx, cy: st.cy };
    const [toU, toV] = this.coords(layout), [fromU, fromV] = this.coords(st.layout);
    const cam1 = sel >= 0 && st.zoom > 1 ? { zoom: st.zoom, cx: toU[sel], cy: toV[sel] } : { ...WHOLE };
    st.layout = layout;
    this.hover = -1;
    if (animate) this.anim = { start: performance.now(), fromU, fromV, toU, toV, cam0, cam1 };
    else Object.assign(st, cam1);
    this.changed();
    return true;
  }

  /** The layout switch at time `now` (ms): every digit's position, and the camera. */
  step(now) {
    const a = this.anim;
    if (!a) return;
    const t = clamp((now - a.start) / ANIMATION_MS, 0, 1);
    const e = ease(t);
    const { animU, animV } = this;
    for (let i = 0; i < this.points.n; i++) {
      animU[i] = a.fromU[i] + (a.toU[i] - a.fromU[i]) * e;
      animV[i] = a.fromV[i] + (a.toV[i] - a.fromV[i]) * e;
    }
    const st = this.state;
    st.zoom = Math.exp(Math.log(a.cam0.zoom) + (Math.log(a.cam1.zoom) - Math.log(a.cam0.zoom)) * e);
    st.cx = a.cam0.cx + (a.cam1.cx - a.cam0.cx) * e;
    st.cy = a.cam0.cy + (a.cam1.cy - a.cam0.cy) * e;
    if (t >= 1) { this.anim = null; Object.assign(st, a.cam1); this.remember(); }
  }
}
