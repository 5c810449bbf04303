// The digit explorer's renderer and hit tests: everything is written as pixels into one ImageData
// (dots, grid squares, and the digits' own images, their ink blended in their colour: bilinear
// below 28 px, crisp nearest-neighbour pixels from 28 px), then put on the canvas at once; rings,
// the lasso and the keyboard's cross-hair are drawn over it: the View (state.js) through the Camera.

import { clamp, SIDE } from "../lib/numbers.js";
import { spriteStart } from "./data.js";
import { MUTED } from "./state.js";

const IMAGE_MIN_PX = 14;              // CSS px per digit from which images replace dots
const MAX_IMAGES = 6000;              // more digits than this on screen: dots
const OVERDRAW = 4;                   // digit images cover at most this many canvas areas
export const SERIES_COLOURS = ["#0072b2", "#e69f00"]; // employees, students: Okabe & Ito's blue and orange

function parseColour(ctx, css) {
  ctx.fillStyle = "#000";
  ctx.fillStyle = css;
  const v = ctx.fillStyle; // "#rrggbb" or "rgba(r, g, b, a)"
  if (v.startsWith("#")) return [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16));
  return v.match(/[\d.]+/g).slice(0, 3).map(Number);
}
const pack = ([r, g, b], a = 255) => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0; // RGBA bytes, little-endian
const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

export class Renderer {
  /** `canvas` in `box`, whose colours it takes; afterRender() after each frame. */
  constructor({ canvas, box, points, view, camera, sheets, afterRender }) {
    Object.assign(this, { canvas, box, points, view, camera, sheets, afterRender, ctx: canvas.getContext("2d", { alpha: false }),
      inView: new Uint32Array(points.n), inViewCount: 0, mode: "points", stats: { renders: 0, lastMs: 0 }, started: false });
    this.readColours();
  }

  start() {
    this.started = true;
    this.renderNow();
  }

  /** Pixels as many as the canvas's (Camera.resize). */
  resize() {
    const { width, height } = this.canvas;
    if (!this.image || this.image.width !== width || this.image.height !== height) {
      this.image = this.ctx.createImageData(width, height);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    if (this.started) this.renderNow();
  }

  readColours() {
    const style = getComputedStyle(this.box);
    this.bg = parseColour(this.ctx, style.backgroundColor && style.backgroundColor !== "rgba(0, 0, 0, 0)" ? style.backgroundColor : "#fff");
    this.fg = style.color;
    this.dark = this.bg.reduce((a, b) => a + b, 0) < 3 * 128;
    const rgb = this.points.colours.map((c) => parseColour(this.ctx, c));
    rgb.push(mix(this.bg, parseColour(this.ctx, this.fg), this.dark ? 0.3 : 0.22)); // MUTED
    for (const c of SERIES_COLOURS) rgb.push(parseColour(this.ctx, c)); // EMPLOYEES, STUDENTS
    this.dots = new Uint32Array(rgb.map((c) => pack(c)));
    this.cells = new Uint32Array(rgb.map((c) => pack(mix(this.bg, c, this.dark ? 0.28 : 0.16))));
    this.bgPacked = pack(this.bg);
  }

  pointSize() {
    const unitPx = this.view.unit * this.camera.scaleFor(this.view.state.zoom);
    const dpr = this.camera.dpr;
    return clamp(Math.round(unitPx * 0.55), Math.max(2, Math.round(1.5 * dpr)), Math.round(9 * dpr));
  }

  requestRender() {
    if (this.queued || !this.started) return;
    this.queued = true;
    const since = this.stats.renders;
    requestAnimationFrame(() => {
      this.queued = false;
      if (this.stats.renders === since || this.view.anim) this.renderNow(); // unless drawn meanwhile
    });
  }

  /** Draw the current view now; returns the milliseconds it took. */
  renderNow() {
    const t0 = performance.now();
    const view = this.view, points = this.points;
    view.step(t0);
    this.sheets.nextFrame();
    const W = this.canvas.width, H = this.canvas.height;
    const { s, ox, oy } = this.camera.transform();
    const U = view.U, V = view.V, visible = view.visible, n = points.n;
    const anim = view.anim;
    const grid = view.state.layout === "grid" && !anim;
    const unit = anim ? Math.min(points.mapUnit, points.gridUnit) : view.unit;
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
    const images = !anim && size >= IMAGE_MIN_PX * this.camera.dpr && count <= MAX_IMAGES;
    this.mode = images ? "images" : "points";
    this.imageSize = images ? size / s : 0; // world units, for hit tests
    const px = this.pixels;
    px.fill(this.bgPacked);
    const colour = view.colourOf;
    const wanted = images ? new Map() : null;
    const lut = images ? this.lut(size) : null;
    const picture = (i) => { // digit i's image, if its sheet is here
      const sheet = this.sheetFor(i, wanted);
      if (sheet) this.blit(sheet, i, Math.round(ox + U[i] * s - size / 2), Math.round(oy - V[i] * s - size / 2), size, lut);
      return sheet;
    };
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
        const c = colours[colour[i]];
        if (x0 < x1) for (let y = y0; y < y1; y++) px.fill(c, y * W + x0, y * W + x1);
        if (images) picture(i);
      }
    } else {
      const p = images ? Math.max(2, Math.round(size / 4)) : this.pointSize();
      const half = p / 2;
      const dots = this.dots;
      // Grey digits first, so that the coloured ones stay on top.
      for (const pass of view.mutedFirst ? [0, 1] : [-1]) {
        for (let k = 0; k < count; k++) {
          const i = inView[k];
          if (pass >= 0 && (colour[i] === MUTED) !== (pass === 0)) continue;
          if (images && picture(i)) continue;
          // A dot (or, zoomed in, a small one standing in for an image not yet arrived).
          const x0 = Math.floor(ox + U[i] * s - half), y0 = Math.floor(oy - V[i] * s - half);
          const x1 = Math.min(W, x0 + p), y1 = Math.min(H, y0 + p);
          const c = dots[colour[i]];
          for (let y = Math.max(0, y0); y < y1; y++) {
            if (x1 > Math.max(0, x0)) px.fill(c, y * W + Math.max(0, x0), y * W + x1);
          }
        }
      }
    }
    this.ctx.putImageData(this.image, 0, 0);
    if (images) this.sheets.want([...wanted.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t));
    this.drawMarks(s, ox, oy, unitPx);
    this.stats.renders++;
    this.stats.lastMs = performance.now() - t0;
    if (view.anim) this.requestRender();
    this.afterRender();
    return this.stats.lastMs;
  }

  /** Digit i's decoded sheet, or null (then its tile is counted in wanted, to be fetched). */
  sheetFor(i, wanted) {
    const t = this.points.tile[i];
    const sheet = this.sheets.ready(t);
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

  /** Draw digit i's sprite into the pixels at (left, top), size px square: its ink in its colour. */
  blit(sheet, i, left, top, size, lut) {
    const W = this.canvas.width, H = this.canvas.height, px = this.pixels;
    const x0 = Math.max(0, left), x1 = Math.min(W, left + size);
    const y0 = Math.max(0, top), y1 = Math.min(H, top + size);
    if (x0 >= x1 || y0 >= y1) return;
    const { grey, width: sw } = sheet;
    const base = spriteStart(this.points, sheet, i);
    const ink = this.dots[this.view.colourOf[i]];
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

  /** Over the pixels: the neighbours' and the hovered digit's thin rings, the selected digit's ring,
   *  the lasso, and the keyboard's cross-hair. */
  drawMarks(s, ox, oy, unitPx) {
    const { ctx, view } = this;
    const dpr = this.camera.dpr;
    const U = view.U, V = view.V;
    const ring = (id, width, colour, scale = 1) => {
      if (id < 0) return;
      const size = (Math.max(unitPx, 8 * dpr) + 6 * dpr) * scale;
      const x = ox + U[id] * s, y = oy - V[id] * s;
      ctx.lineWidth = width * dpr + 2 * dpr;
      ctx.strokeStyle = this.dark ? "#000" : "#fff";
      ctx.strokeRect(x - size / 2, y - size / 2, size, size);
      ctx.lineWidth = width * dpr;
      ctx.strokeStyle = colour;
      ctx.strokeRect(x - size / 2, y - size / 2, size, size);
    };
    for (const id of view.neighbours || []) if (view.visible[id]) ring(id, 1, this.fg, 0.8);
    if (view.hover !== view.state.selected) ring(view.hover, 1.5, this.fg);
    ring(view.state.selected, 3, this.fg);
    const lasso = view.lasso;
    if (lasso && lasso.length > 1) {
      ctx.beginPath();
      lasso.forEach(([u, v], k) => (k ? ctx.lineTo(ox + u * s, oy - v * s) : ctx.moveTo(ox + u * s, oy - v * s)));
      if (!view.lassoOpen) ctx.closePath();
      ctx.fillStyle = this.dark ? "rgba(255,255,255,.08)" : "rgba(0,0,0,.06)";
      ctx.fill();
      ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.lineWidth = 2 * dpr;
      ctx.strokeStyle = this.fg;
      ctx.stroke();
      ctx.setLineDash([]);
    }
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

  /** The digit drawn at client (x, y), or -1. */
  pick(clientX, clientY, radiusCss = 0) {
    const { view, points } = this;
    if (view.anim) return -1;
    const [u, v] = this.camera.toWorld(clientX, clientY);
    const s = this.camera.scaleFor(view.state.zoom);
    const near = () => (radiusCss ? this.nearest(u, v, (radiusCss * this.camera.dpr) / s) : -1);
    if (view.state.layout === "grid") {
      const { rows, cols } = points.grid;
      const S = Math.max(rows, cols);
      const col = Math.floor(u * S - points.gridOffset[0]);
      const row = Math.floor(v * S - points.gridOffset[1]);
      if (col >= 0 && col < cols && row >= 0 && row < rows) {
        const id = points.cellToId[row * cols + col];
        if (id >= 0 && view.visible[id]) return id;
      }
      return near();
    }
    if (this.mode === "images") {
      // Images overlap where digits are dense: of those whose square holds the pointer, the one
      // whose centre is nearest is the digit pointed at.
      const half = this.imageSize / 2;
      let best = -1, bestD = Infinity;
      this.eachNear(u, v, half, (i) => {
        const du = points.mapU[i] - u, dv = points.mapV[i] - v;
        const d = du * du + dv * dv;
        if (Math.abs(du) <= half && Math.abs(dv) <= half && (d < bestD || (d === bestD && i > best))) {
          best = i;
          bestD = d;
        }
      });
      return best >= 0 ? best : near();
    }
    const r = (Math.max(radiusCss, 7) * this.camera.dpr + this.pointSize() / 2) / s;
    return this.nearest(u, v, r);
  }

  nearest(u, v, r) {
    const { view, points } = this;
    let best = -1, bestD = r * r;
    const U = view.U, V = view.V, visible = view.visible;
    const visit = (i) => {
      const d = (U[i] - u) ** 2 + (V[i] - v) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    };
    if (view.state.layout === "grid") {
      const { rows, cols } = points.grid;
      const S = Math.max(rows, cols);
      const [dx, dy] = points.gridOffset;
      const c0 = Math.floor((u - r) * S - dx), c1 = Math.floor((u + r) * S - dx);
      const r0 = Math.floor((v - r) * S - dy), r1 = Math.floor((v + r) * S - dy);
      for (let row = Math.max(0, r0); row <= Math.min(rows - 1, r1); row++) {
        for (let col = Math.max(0, c0); col <= Math.min(cols - 1, c1); col++) {
          const id = points.cellToId[row * cols + col];
          if (id >= 0 && visible[id]) visit(id);
        }
      }
      return best;
    }
    this.eachNear(u, v, r, visit);
    return best;
  }

  /** Call fn(i) for each visible digit whose map bucket is within r of (u, v). */
  eachNear(u, v, r, fn) {
    const { G, start, ids } = this.points.mapIndex;
    const visible = this.view.visible;
    const x0 = clamp(Math.floor((u - r) * G), 0, G - 1), x1 = clamp(Math.floor((u + r) * G), 0, G - 1);
    const y0 = clamp(Math.floor((v - r) * G), 0, G - 1), y1 = clamp(Math.floor((v + r) * G), 0, G - 1);
    for (let by = y0; by <= y1; by++) {
      for (let bx = x0; bx <= x1; bx++) {
        const b = by * G + bx;
        for (let k = start[b]; k < start[b + 1]; k++) {
          const i = ids[k];
          if (visible[i]) fn(i);
        }
      }
    }
  }

  /** The visible digits inside a polygon of world points ([[u, v], ...]) in the current layout. */
  inPolygon(polygon) {
    const { U, V, visible } = this.view, out = [];
    let u0 = Infinity, u1 = -Infinity, v0 = Infinity, v1 = -Infinity;
    for (const [u, v] of polygon) { u0 = Math.min(u0, u); u1 = Math.max(u1, u); v0 = Math.min(v0, v); v1 = Math.max(v1, v); }
    for (let i = 0; i < this.points.n; i++) {
      if (!visible[i]) continue;
      const x = U[i], y = V[i];
      if (x < u0 || x > u1 || y < v0 || y > v1) continue;
      let inside = false;
      for (let a = 0, b = polygon.length - 1; a < polygon.length; b = a++) {
        const [xa, ya] = polygon[a], [xb, yb] = polygon[b];
        if ((ya > y) !== (yb > y) && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
      }
      if (inside) out.push(i);
    }
    return out;
  }
}
