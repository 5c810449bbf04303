// The digit explorer's camera and gestures.
//
// The camera is {zoom, cx, cy} in the view state: the world ([0, 1]^2, y up) point at the canvas
// centre, and how far it is zoomed in. Gestures, as readers know them from maps embedded in pages:
// the wheel scrolls the page unless the map is engaged (clicked or focused) or Ctrl / ⌘ is held
// (then it zooms; a hint says so otherwise); on touch one finger scrolls the page and two fingers
// pan and zoom; a mouse drags to pan, Shift + drag (or a drag in lasso mode) draws a lasso; the
// keyboard pans, zooms and picks. Methods mixed into the Explorer (see explore.js).

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const HINT_MS = 1600;
const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export const cameraMethods = {
  /** Device pixels per world unit. */
  scaleFor(zoom) { return Math.min(this.canvas.width, this.canvas.height) * 0.94 * zoom; },

  transform(view = this.state) {
    const s = this.scaleFor(view.zoom);
    return { s, ox: this.canvas.width / 2 - view.cx * s, oy: this.canvas.height / 2 + view.cy * s };
  },

  /** Client (CSS px) -> world. */
  toWorld(clientX, clientY) {
    const rect = this.canvas.getBoundingClientRect();
    const { s, ox, oy } = this.transform();
    const px = (clientX - rect.left) * this.dpr, py = (clientY - rect.top) * this.dpr;
    return [(px - ox) / s, (oy - py) / s];
  },

  /** Digit id -> client coordinates of its centre (CSS px), and whether it is inside the canvas. */
  screenOf(id) {
    const rect = this.canvas.getBoundingClientRect();
    const { s, ox, oy } = this.transform();
    const x = rect.left + (ox + this.U[id] * s) / this.dpr;
    const y = rect.top + (oy - this.V[id] * s) / this.dpr;
    return { x, y, inside: x >= rect.left && x < rect.right && y >= rect.top && y < rect.bottom };
  },

  setCamera(zoom, cx, cy) {
    const st = this.state;
    st.zoom = clamp(zoom, 1, this.maxZoom);
    st.cx = clamp(cx, 0, 1);
    st.cy = clamp(cy, 0, 1);
    this.changed();
  },

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
  },

  panBy(dxCss, dyCss) {
    const s = this.scaleFor(this.state.zoom);
    this.setCamera(this.state.zoom, this.state.cx - (dxCss * this.dpr) / s, this.state.cy + (dyCss * this.dpr) / s);
  },

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
  },

  /** Is the map engaged: clicked or focused (it or its zoom buttons), so that the wheel zooms it instead of scrolling the page? */
  isEngaged() { return this.view.contains(document.activeElement); },

  /** The short note over the map: how to zoom with the wheel, or how to move the map with fingers. */
  showHint(kind) {
    const hint = this.el("hint");
    hint.textContent = kind === "touch" ? this.words.hint_touch : this.fill(this.words.hint_wheel, { key: mac ? "⌘" : "Ctrl" });
    hint.hidden = false;
    hint.dataset.kind = kind;
    clearTimeout(this.hintTimer);
    this.hintTimer = setTimeout(() => { hint.hidden = true; }, HINT_MS);
  },

  bindPointer() {
    const c = this.canvas;
    c.addEventListener("wheel", (e) => {
      if (!(this.isEngaged() || e.ctrlKey || e.metaKey)) {
        // The page scrolls; the reader learns how to zoom instead.
        if (Math.abs(e.deltaY) > Math.abs(e.deltaX)) this.showHint("wheel");
        if (this.hover >= 0) { this.hover = -1; this.requestRender(); }
        this.hideTooltip();
        return;
      }
      e.preventDefault();
      this.el("hint").hidden = true;
      const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      this.zoomAt(Math.exp(-clamp(e.deltaY * lines, -300, 300) * 0.002), e.clientX, e.clientY);
      this.hoverAt(e.clientX, e.clientY);
    }, { passive: false });

    // Touch: one finger scrolls the page (touch-action: pan-x pan-y), two fingers move and zoom the
    // map (their touchmove is taken from the browser, which would otherwise scroll).
    this.touches = null;
    const touchState = (list) => {
      const [a, b] = [list[0], list[1]];
      return { x: (a.clientX + b.clientX) / 2, y: (a.clientY + b.clientY) / 2, d: Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY) };
    };
    c.addEventListener("touchstart", (e) => {
      if (e.touches.length >= 2) {
        this.touches = touchState(e.touches);
        this.cancelTap = true;
        this.el("hint").hidden = true;
        this.hideTooltip();
        e.preventDefault();
      } else if (!this.lassoMode) {
        this.oneFinger = { x: e.touches[0].clientX, y: e.touches[0].clientY };
      }
    }, { passive: false });
    c.addEventListener("touchmove", (e) => {
      if (e.touches.length >= 2 && this.touches) {
        e.preventDefault();
        const now = touchState(e.touches);
        if (now.d > 0 && this.touches.d > 0) {
          this.panBy(now.x - this.touches.x, now.y - this.touches.y);
          this.zoomAt(now.d / this.touches.d, now.x, now.y);
        }
        this.touches = now;
      } else if (e.touches.length === 1 && this.lassoMode) {
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
      const lasso = this.lassoMode || (e.shiftKey && e.pointerType === "mouse");
      if (e.pointerType !== "touch" || lasso) c.setPointerCapture(e.pointerId);
      if (e.pointerType === "touch") this.cancelTap = false;
      this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX, y0: e.clientY, type: e.pointerType, lasso });
      if (lasso && this.pointers.size === 1) { this.lasso = [this.toWorld(e.clientX, e.clientY)]; this.lassoOpen = true; }
      if (e.pointerType !== "mouse") this.hideTooltip();
    });
    c.addEventListener("pointermove", (e) => {
      const p = this.pointers.get(e.pointerId);
      if (!p) { if (e.pointerType === "mouse") this.hoverAt(e.clientX, e.clientY); return; }
      const dx = e.clientX - p.x, dy = e.clientY - p.y;
      p.x = e.clientX; p.y = e.clientY;
      if (Math.hypot(p.x - p.x0, p.y - p.y0) > 4) p.moved = true;
      if (p.lasso && this.lasso && this.pointers.size === 1) {
        this.lasso.push(this.toWorld(e.clientX, e.clientY));
        this.requestRender();
      } else if (p.type !== "touch" && this.pointers.size === 1 && p.moved) {
        this.panBy(dx, dy);
        this.hideTooltip();
        c.classList.add("dragging");
      }
    });
    const end = (e) => {
      const p = this.pointers.get(e.pointerId);
      if (!p) return;
      this.pointers.delete(e.pointerId);
      c.classList.remove("dragging");
      if (p.lasso && this.lasso) {
        this.lassoOpen = false;
        if (e.type === "pointerup" && p.moved && this.lasso.length > 2) this.finishLasso();
        else { this.lasso = null; this.requestRender(); }
        if (p.moved) return;
      }
      if (e.type === "pointerup" && !p.moved && this.pointers.size === 0 && !(p.type === "touch" && this.cancelTap)) {
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
  },

  hoverAt(clientX, clientY) {
    const id = this.pick(clientX, clientY);
    if (id !== this.hover) { this.hover = id; this.requestRender(); }
    this.showTooltip(id, clientX, clientY);
  },

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
        Escape: () => { if (this.lassoMode) this.setLassoMode(false); else { this.select(-1); this.hideTooltip(); } },
        Enter: () => this.pickCentre(), " ": () => this.pickCentre(),
        "?": () => this.toggleHelp(true),
        n: () => this.focusNeighbour(),
      };
      const action = keys[e.key];
      if (!action) return;
      e.preventDefault();
      action();
    });
    c.addEventListener("focus", () => { this.el("hint").hidden = true; this.requestRender(); });
    c.addEventListener("blur", () => this.requestRender());
  },

  pickCentre() {
    const rect = this.canvas.getBoundingClientRect();
    const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
    const id = this.pick(x, y, 40);
    this.select(id);
    if (id >= 0) {
      const p = this.screenOf(id);
      this.showTooltip(id, p.x, p.y);
    } else this.hideTooltip();
  },
};
