// The digit explorer's camera and gestures. The camera is {zoom, cx, cy} in the view state (state.js):
// the world ([0, 1]^2, y up) point at the canvas centre, and how far it is zoomed in. Gestures, as
// readers know them from maps embedded in pages: the wheel scrolls the page unless the map is engaged
// (clicked or focused) or Ctrl / ⌘ is held (then it zooms; a hint says so otherwise); on touch one
// finger scrolls the page and two fingers pan and zoom; a mouse drags to pan, Shift + drag (or a drag
// in lasso mode) draws a lasso; the keyboard pans, zooms and picks.

import { clamp } from "../lib/numbers.js";
import { fill } from "../lib/words.js";

const HINT_MS = 1600;
const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export class Camera {
  constructor(canvas, view) {
    Object.assign(this, { canvas, view, dpr: window.devicePixelRatio || 1 });
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

  /** Zoom by factor keeping the world point under (client x, y) fixed (by default the centre's). */
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

  home() { this.view.setCamera(1, 0.5, 0.5); }

  resize() {
    this.dpr = window.devicePixelRatio || 1;
    const rect = this.canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(rect.width * this.dpr));
    const h = Math.max(1, Math.round(rect.height * this.dpr));
    if (w !== this.canvas.width) this.canvas.width = w;
    if (h !== this.canvas.height) this.canvas.height = h;
  }
}

export class Input {
  /** `box`: the canvas and its buttons; select(id): what a pick does. */
  constructor({ canvas, box, hint, words, view, camera, renderer, panel, select }) {
    Object.assign(this, { canvas, box, hint, words, view, camera, renderer, panel, select, pointers: new Map(), touches: null });
    this.bindPointer();
    this.bindKeys();
  }

  /** Is the map engaged: clicked or focused (it or its zoom buttons), so that the wheel zooms it instead of scrolling the page? */
  isEngaged() { return this.box.contains(document.activeElement); }

  /** The short note over the map: how to zoom with the wheel, or how to move the map with fingers. */
  showHint(kind) {
    const hint = this.hint;
    hint.textContent = kind === "touch" ? this.words.hint_touch : fill(this.words.hint_wheel, { key: mac ? "⌘" : "Ctrl" });
    hint.hidden = false;
    hint.dataset.kind = kind;
    clearTimeout(this.hintTimer);
    this.hintTimer = setTimeout(() => { hint.hidden = true; }, HINT_MS);
  }

  hoverAt(clientX, clientY) {
    const id = this.renderer.pick(clientX, clientY);
    this.view.setHover(id);
    this.panel.showTooltip(id, clientX, clientY);
  }

  bindPointer() {
    const { canvas: c, view, camera, panel } = this;
    c.addEventListener("wheel", (e) => {
      if (!(this.isEngaged() || e.ctrlKey || e.metaKey)) {
        // The page scrolls; the reader learns how to zoom instead.
        if (Math.abs(e.deltaY) > Math.abs(e.deltaX)) this.showHint("wheel");
        view.setHover(-1);
        panel.hideTooltip();
        return;
      }
      e.preventDefault();
      this.hint.hidden = true;
      const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      camera.zoomAt(Math.exp(-clamp(e.deltaY * lines, -300, 300) * 0.002), e.clientX, e.clientY);
      this.hoverAt(e.clientX, e.clientY);
    }, { passive: false });

    // Touch: one finger scrolls the page (touch-action: pan-x pan-y), two fingers move and zoom the
    // map (their touchmove is taken from the browser, which would otherwise scroll).
    const touchState = (list) => {
      const [a, b] = [list[0], list[1]];
      return { x: (a.clientX + b.clientX) / 2, y: (a.clientY + b.clientY) / 2, d: Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY) };
    };
    c.addEventListener("touchstart", (e) => {
      if (e.touches.length >= 2) {
        this.touches = touchState(e.touches);
        this.cancelTap = true;
        this.hint.hidden = true;
        panel.hideTooltip();
        e.preventDefault();
      } else if (!view.lassoMode) {
        this.oneFinger = { x: e.touches[0].clientX, y: e.touches[0].clientY };
      }
    }, { passive: false });
    c.addEventListener("touchmove", (e) => {
      if (e.touches.length >= 2 && this.touches) {
        e.preventDefault();
        const now = touchState(e.touches);
        if (now.d > 0 && this.touches.d > 0) {
          camera.panBy(now.x - this.touches.x, now.y - this.touches.y);
          camera.zoomAt(now.d / this.touches.d, now.x, now.y);
        }
        this.touches = now;
      } else if (e.touches.length === 1 && view.lassoMode) {
        e.preventDefault();
      } else if (e.touches.length === 1 && this.oneFinger && !this.touches) {
        const t = e.touches[0];
        if (Math.hypot(t.clientX - this.oneFinger.x, t.clientY - this.oneFinger.y) > 12) { this.showHint("touch"); this.oneFinger = null; }
      }
    }, { passive: false });
    const touchEnd = (e) => {
      if (e.touches.length < 2) this.touches = null;
      if (!e.touches.length) this.oneFinger = null;
    };
    c.addEventListener("touchend", touchEnd);
    c.addEventListener("touchcancel", touchEnd);

    // Pointers: a mouse (or pen) drags to pan; Shift + drag or lasso mode draws a lasso; a tap or click selects.
    c.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      const lasso = view.lassoMode || (e.shiftKey && e.pointerType === "mouse");
      if (e.pointerType !== "touch" || lasso) c.setPointerCapture(e.pointerId);
      if (e.pointerType === "touch") this.cancelTap = false;
      this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX, y0: e.clientY, type: e.pointerType, lasso });
      if (lasso && this.pointers.size === 1) view.setLasso([camera.toWorld(e.clientX, e.clientY)], true);
      if (e.pointerType !== "mouse") panel.hideTooltip();
    });
    c.addEventListener("pointermove", (e) => {
      const p = this.pointers.get(e.pointerId);
      if (!p) { if (e.pointerType === "mouse") this.hoverAt(e.clientX, e.clientY); return; }
      const dx = e.clientX - p.x, dy = e.clientY - p.y;
      p.x = e.clientX; p.y = e.clientY;
      if (Math.hypot(p.x - p.x0, p.y - p.y0) > 4) p.moved = true;
      if (p.lasso && view.lasso && this.pointers.size === 1) {
        view.setLasso([...view.lasso, camera.toWorld(e.clientX, e.clientY)], true);
      } else if (p.type !== "touch" && this.pointers.size === 1 && p.moved) {
        camera.panBy(dx, dy);
        panel.hideTooltip();
        c.classList.add("dragging");
      }
    });
    const end = (e) => {
      const p = this.pointers.get(e.pointerId);
      if (!p) return;
      this.pointers.delete(e.pointerId);
      c.classList.remove("dragging");
      if (p.lasso && view.lasso) {
        const keep = e.type === "pointerup" && p.moved && view.lasso.length > 2;
        view.setLasso(keep ? view.lasso : null, false);
        if (keep) panel.finishLasso();
        if (p.moved) return;
      }
      if (e.type === "pointerup" && !p.moved && this.pointers.size === 0 && !(p.type === "touch" && this.cancelTap)) {
        const id = this.renderer.pick(e.clientX, e.clientY, e.pointerType === "mouse" ? 0 : 14);
        this.select(id === view.state.selected ? -1 : id);
        if (e.pointerType !== "mouse") panel.showTooltip(id, e.clientX, e.clientY);
      }
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    c.addEventListener("pointerleave", (e) => {
      if (e.pointerType === "mouse" && !this.pointers.size) { view.setHover(-1); panel.hideTooltip(); }
    });
    c.addEventListener("dblclick", (e) => { e.preventDefault(); camera.zoomAt(2, e.clientX, e.clientY); });
  }

  bindKeys() {
    const { canvas: c, camera, panel } = this;
    c.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const rect = c.getBoundingClientRect();
      const step = (e.shiftKey ? 0.5 : 0.15) * Math.min(rect.width, rect.height);
      const keys = {
        ArrowLeft: () => camera.panBy(step, 0), ArrowRight: () => camera.panBy(-step, 0),
        ArrowUp: () => camera.panBy(0, step), ArrowDown: () => camera.panBy(0, -step),
        "+": () => camera.zoomAt(1.5), "=": () => camera.zoomAt(1.5), "-": () => camera.zoomAt(1 / 1.5), _: () => camera.zoomAt(1 / 1.5),
        "0": () => camera.home(), Home: () => camera.home(),
        Escape: () => { if (this.view.lassoMode) panel.setLassoMode(false); else { this.select(-1); panel.hideTooltip(); } },
        Enter: () => this.pickCentre(), " ": () => this.pickCentre(),
        "?": () => panel.toggleHelp(true),
        n: () => panel.focusNeighbour(),
      };
      const action = keys[e.key];
      if (!action) return;
      e.preventDefault();
      action();
    });
    c.addEventListener("focus", () => { this.hint.hidden = true; this.renderer.requestRender(); });
    c.addEventListener("blur", () => this.renderer.requestRender());
  }

  pickCentre() {
    const rect = this.canvas.getBoundingClientRect();
    const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
    const id = this.renderer.pick(x, y, 40);
    this.select(id);
    if (id >= 0) {
      const p = this.camera.screenOf(id);
      this.panel.showTooltip(id, p.x, p.y);
    } else this.panel.hideTooltip();
  }
}
