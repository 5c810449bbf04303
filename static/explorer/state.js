// The digit explorer's state, written only here (View): the view that the URL hash keeps (hash.js), the
// digit under the pointer, the switch between the layouts, the marks over the map, the lasso mode, who
// wrote each digit once fetched; and what follows: which digits are shown, in which colour. The other
// parts read it and change it through its methods, which call redraw() (and remember() when the view of
// the URL changed), given by explore.js.

import { clamp } from "../lib/math.js";
import { initialView, WHOLE } from "./hash.js";

const ANIMATION_MS = 750;
const ease = (t) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);
export const MUTED = 10;              // colour index of digits shown in grey ("where the classifiers agree")
export const EMPLOYEES = 11, STUDENTS = 12; // colour indices of the two series (colour by the writers' series)

export class View {
  /** `points`: as data.js prepares them; `layout`: "map" or "grid". */
  constructor(points, layout, { redraw, remember }) {
    this.points = points;
    this.redraw = redraw;
    this.remember = remember;
    this.state = initialView(layout);
    this.hover = -1;
    this.anim = null;       // the switch between layouts under way
    this.writers = null;    // who wrote each digit (data.js, WriterStore)
    this.neighbours = null; // the selected digit's neighbours' ids, ringed on the map
    this.lasso = null;      // its world points [[u, v], ...], open while drawn
    this.lassoOpen = false;
    this.lassoMode = false; // a drag draws a lasso
    this.region = null;     // what a lasso or the view holds: {ids, kind: "lasso" | "view", counts}
    const n = points.n;
    this.visible = new Uint8Array(n);
    this.colourOf = new Uint8Array(n);
    this.animU = new Float32Array(n);
    this.animV = new Float32Array(n);
    this.computeVisible();
  }

  changed(hash = true) {
    this.redraw();
    if (hash) this.remember();
  }

  // ---------------------------------------------------------------- geometry of the current layout

  get U() { return this.anim ? this.animU : this.state.layout === "grid" ? this.points.gridU : this.points.mapU; }
  get V() { return this.anim ? this.animV : this.state.layout === "grid" ? this.points.gridV : this.points.mapV; }
  get unit() { return this.state.layout === "grid" ? this.points.gridUnit : this.points.mapUnit; }

  // ---------------------------------------------------------------- filters and colours

  /** Which digits are shown (classes, set, mistakes and series filters) and their colours (colour mode;
   *  a highlighted writer's digits in colour, the rest in grey); per class, how many the other filters pass. */
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

  /** Set any of {classes (ten booleans), mistakes, set, series, colour, writer}. */
  setFilters(filters) {
    const st = this.state;
    for (const key of ["classes", "mistakes", "set", "series", "colour", "writer"]) if (filters[key] !== undefined) st[key] = filters[key];
    this.computeVisible();
    this.changed();
  }

  /** Highlight the selected digit's writer's digits, or stop; false when there is no writer to highlight. */
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

  /** Who wrote each digit has arrived. Without provenance, the series filter and colours and the writer's
   *  highlight are dropped: returns true when one was in use. */
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

  /** Show digit id: its class on, and no mistakes, set or series filter that hides it; whether one changed. */
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

  /** A view read from the URL (hash.js, parseHash); the selection stays, for the caller to change. */
  replace(view) {
    this.anim = null;
    Object.assign(this.state, view, { selected: this.state.selected });
    this.computeVisible();
    this.changed();
  }

  // ---------------------------------------------------------------- selection, pointer, marks

  select(id) {
    this.state.selected = id;
    this.changed();
  }

  setHover(id) {
    if (id === this.hover) return;
    this.hover = id;
    this.redraw();
  }

  /** No digit under the pointer if it is no longer shown; whether it was dropped. */
  dropHiddenHover() {
    if (this.hover < 0 || this.visible[this.hover]) return false;
    this.setHover(-1);
    return true;
  }

  setNeighbours(ids) {
    this.neighbours = ids;
    this.redraw();
  }

  setLassoMode(on) { this.lassoMode = on; }

  startLasso(point) {
    this.lasso = [point];
    this.lassoOpen = true;
  }

  extendLasso(point) {
    this.lasso.push(point);
    this.redraw();
  }

  /** The lasso drawn: kept (closed) for its region, or dropped. */
  closeLasso(keep) {
    this.lassoOpen = false;
    if (!keep) this.lasso = null;
    this.redraw();
  }

  /** What a region holds, or none (null; then no lasso either). */
  setRegion(region) {
    if (!region) this.lasso = null;
    this.region = region;
    this.redraw();
  }

  // ---------------------------------------------------------------- camera, layouts

  setCamera(zoom, cx, cy) {
    const st = this.state;
    st.zoom = clamp(zoom, 1, this.points.maxZoom);
    st.cx = clamp(cx, 0, 1);
    st.cy = clamp(cy, 0, 1);
    this.changed();
  }

  stopAnimation() { this.anim = null; }

  /** Switch to the map or the grid, moving the digits there over ANIMATION_MS if `animate`: the selected
   *  digit in view (at the same zoom), else the whole layout. Returns whether the layout changed. */
  setLayout(layout, animate) {
    const st = this.state, p = this.points;
    if (layout === st.layout || (layout === "grid" && !p.grid)) return false;
    const from = st.layout;
    const sel = st.selected;
    const cam0 = { zoom: st.zoom, cx: st.cx, cy: st.cy };
    const toU = layout === "grid" ? p.gridU : p.mapU, toV = layout === "grid" ? p.gridV : p.mapV;
    const fromU = from === "grid" ? p.gridU : p.mapU, fromV = from === "grid" ? p.gridV : p.mapV;
    const cam1 = sel >= 0 && st.zoom > 1 ? { zoom: st.zoom, cx: toU[sel], cy: toV[sel] } : { ...WHOLE };
    st.layout = layout;
    this.hover = -1;
    if (animate) this.anim = { start: performance.now(), fromU, fromV, toU, toV, cam0, cam1 };
    else Object.assign(st, cam1);
    this.changed();
    return true;
  }

  /** The switch between layouts at time `now` (ms): every digit's position, and the camera. */
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
