// The digit explorer's test hook: what tests and benchmarks/explorer_frames.py read and drive.
// Not part of what readers load: explore.js imports this module only when the page was opened with
// window.mnistExplorerTestHook set (a test's init script). window.mnistExplorer is the hook of the
// explorer that keeps its view in the URL hash; window.mnistExplorers[id] resolves to each one's.

export function hook(self) {
  return {
    element: self.root,
    n: self.n,
    /** The view: {layout, zoom, centre, classes, mistakes, set, series, colour, writer, selected, selectedId, mode, shown, inView,
     *  hash, note, sheets, writers ("none", "loading", "ready", "unavailable", "failed"), ...}. */
    state() {
      const st = self.state;
      const note = self.el("note");
      return {
        layout: st.layout, zoom: st.zoom, centre: [st.cx, st.cy],
        classes: st.classes.map((v, d) => (v ? d : -1)).filter((d) => d >= 0), mistakes: st.mistakes, set: st.set, series: st.series, colour: st.colour,
        writer: st.writer, writers: self.writersState, writersRequested: self.writerStore.requested, highlighted: self.highlighted ?? 0,
        selected: st.selected >= 0 ? self.name(st.selected) : null, selectedId: st.selected,
        hover: self.hover, mode: self.mode, shown: self.shown, inView: self.inViewCount, animating: !!self.anim,
        hash: self.hashOf(), note: note.hidden ? "" : note.textContent, maxZoom: self.maxZoom, hasGrid: !!self.grid,
        hasCnn: !!self.cnn, sheetsLoaded: [...self.sheetsStore.sheets].filter(([, s]) => s.state === "ready").map(([t]) => t),
        sheetsRequested: self.sheetsStore.requested, sheetsInflight: self.sheetsStore.inflight,
        neighbourChunks: self.neighbourStore.requested, neighbours: self.neighbourIds ? [...self.neighbourIds] : null,
        region: self.region ? { kind: self.region.kind, ids: [...self.region.ids], counts: [...self.region.counts] } : null,
        engaged: self.isEngaged(), lassoMode: !!self.lassoMode,
        renders: self.stats.renders, lastRenderMs: self.stats.lastMs,
      };
    },
    screenOf: (id) => self.screenOf(id),
    pixelsOf: (id) => self.pixelsOf(id),
    /** Digit id -> [x, y] in world units ([0, 1], y up) of the current layout. */
    worldOf: (id) => [self.U[id], self.V[id]],
    /** World [x, y] -> client coordinates (CSS px). */
    clientOf: ([u, v]) => {
      const rect = self.canvas.getBoundingClientRect();
      const { s, ox, oy } = self.transform();
      return { x: rect.left + (ox + u * s) / self.dpr, y: rect.top + (oy - v * s) / self.dpr };
    },
    isShown: (id) => !!self.visible[id],
    /** The digits shown in colour as the highlighted writer's (none when no writer is highlighted). */
    highlightedIds() {
      const out = [];
      if (self.state.writer < 0 || !self.writers?.available) return out;
      for (let i = 0; i < self.n; i++) if (self.visible[i] && self.colourOf[i] !== 10 && self.writers.writer[i] === self.state.writer) out.push(i);
      return out;
    },
    /** The digits drawn in grey (dimmed). */
    dimmedIds() { const out = []; for (let i = 0; i < self.n; i++) if (self.visible[i] && self.colourOf[i] === 10) out.push(i); return out; },
    colourOf: (id) => self.colourOf[id],
    identity: (id) => self.name(id),
    idOf: (text) => { const r = self.parseIdentity(text); return r.error ? null : r.id; },
    pick: (x, y) => self.pick(x, y),
    /** Set any of {layout, zoom, centre: [x, y], classes: [digits], mistakes, set, colour, selected: id} without animation. */
    setView(view) {
      const st = self.state;
      if (view.layout && view.layout !== st.layout) self.setLayout(view.layout, false);
      if (view.classes) { st.classes = st.classes.map((_, d) => view.classes.includes(d)); }
      for (const key of ["mistakes", "set", "series", "colour"]) if (view[key]) st[key] = view[key];
      if (view.writer !== undefined) st.writer = view.writer;
      if (view.classes || view.mistakes || view.set || view.series || view.colour || view.writer !== undefined) { self.syncControls(); self.computeVisible(); }
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
        const store = self.sheetsStore;
        if (!self.anim && !store.inflight && !store.queue.length && !self.renderQueued) {
          self.renderNow();
          if (!store.inflight && !store.queue.length) return true;
        }
      }
      return false;
    },
  };
}
