// The digit explorer's camera: {zoom, cx, cy} in the view's state (state.js), the world ([0, 1]^2, y up)
// point at the canvas centre and how far it is zoomed in; here, what it means on the canvas (device pixels)
// and on the page (CSS pixels), and the moves that change it.

import { clamp } from "../lib/math.js";

export class Camera {
  /** `canvas`: the map's canvas; `view`: the View whose camera this is. */
  constructor(canvas, view) {
    this.canvas = canvas;
    this.view = view;
    this.dpr = window.devicePixelRatio || 1;
  }

  /** Device pixels per world unit. */
  scaleFor(zoom) { return Math.min(this.canvas.width, this.canvas.height) * 0.94 * zoom; }

  transform(camera = this.view.state) {
    const s = this.scaleFor(camera.zoom);
    return { s, ox: this.canvas.width / 2 - camera.cx * s, oy: this.canvas.height / 2 + camera.cy * s };
  }

  /** Client (CSS px) -> world. */
  toWorld(clientX, clientY) {
    const rect = this.canvas.getBoundingClientRect();
    const { s, ox, oy } = this.transform();
    const px = (clientX - rect.left) * this.dpr, py = (clientY - rect.top) * this.dpr;
    return [(px - ox) / s, (oy - py) / s];
  }

  /** World [u, v] -> client coordinates (CSS px). */
  toClient([u, v]) {
    const rect = this.canvas.getBoundingClientRect();
    const { s, ox, oy } = this.transform();
    return { x: rect.left + (ox + u * s) / this.dpr, y: rect.top + (oy - v * s) / this.dpr };
  }

  /** Digit id -> client coordinates of its centre (CSS px), and whether it is inside the canvas. */
  screenOf(id) {
    const rect = this.canvas.getBoundingClientRect();
    const { x, y } = this.toClient([this.view.U[id], this.view.V[id]]);
    return { x, y, inside: x >= rect.left && x < rect.right && y >= rect.top && y < rect.bottom };
  }

  /** Zoom by factor keeping the world point under (client x, y) fixed (by default the centre). */
  zoomAt(factor, clientX, clientY) {
    const st = this.view.state;
    const rect = this.canvas.getBoundingClientRect();
    if (clientX === undefined) { clientX = rect.left + rect.width / 2; clientY = rect.top + rect.height / 2; }
    const [u, v] = this.toWorld(clientX, clientY);
    const zoom = clamp(st.zoom * factor, 1, this.view.points.maxZoom);
    const s = this.scaleFor(zoom);
    const px = (clientX - rect.left) * this.dpr - this.canvas.width / 2;
    const py = (clientY - rect.top) * this.dpr - this.canvas.height / 2;
    this.view.setCamera(zoom, u - px / s, v + py / s);
  }

  panBy(dxCss, dyCss) {
    const st = this.view.state;
    const s = this.scaleFor(st.zoom);
    this.view.setCamera(st.zoom, st.cx - (dxCss * this.dpr) / s, st.cy + (dyCss * this.dpr) / s);
  }

  /** The whole map (or grid). */
  home() { this.view.setCamera(1, 0.5, 0.5); }

  /** The canvas's pixels as many as it has device pixels on screen. */
  resize() {
    this.dpr = window.devicePixelRatio || 1;
    const rect = this.canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(rect.width * this.dpr));
    const h = Math.max(1, Math.round(rect.height * this.dpr));
    if (w !== this.canvas.width) this.canvas.width = w;
    if (h !== this.canvas.height) this.canvas.height = h;
  }
}
