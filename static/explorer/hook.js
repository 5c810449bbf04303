// The digit explorer's test hook: what tests and benchmarks/explorer_frames.py read and drive.
// Not part of what readers load: explore.js imports this module only when the page was opened with
// window.mnistExplorerTestHook set (a test's init script). window.mnistExplorer is the hook of the
// explorer that keeps its view in the URL hash; window.mnistExplorers[id] resolves to each one's.

import { parseIdentity } from "./hash.js";
import { MUTED } from "./state.js";

/** The hook of an Explorer (explore.js), through its objects. */
export function hook(explorer) {
  const { view, camera, renderer, panel, input, points, sheets, neighbourStore, writerStore } = explorer;
  return {
    element: explorer.root,
    n: points.n,
    /** The view: {layout, zoom, centre, classes, mistakes, set, series, colour, writer, selected, selectedId, mode, shown, inView,
     *  hash, note, sheets, writers ("none", "loading", "ready", "unavailable", "failed"), ...}. */
    state() {
      const st = view.state, note = explorer.el("note");
      return {
        layout: st.layout, zoom: st.zoom, centre: [st.cx, st.cy],
        classes: st.classes.map((v, d) => (v ? d : -1)).filter((d) => d >= 0), mistakes: st.mistakes, set: st.set, series: st.series, colour: st.colour,
        writer: st.writer, writers: writerStore.status, writersRequested: writerStore.requested, highlighted: view.highlighted ?? 0,
        selected: st.selected >= 0 ? panel.name(st.selected) : null, selectedId: st.selected,
        hover: view.hover, mode: renderer.mode, shown: view.shown, inView: renderer.inViewCount, animating: !!view.anim,
        hash: explorer.hashOf(), note: note.hidden ? "" : note.textContent, maxZoom: points.maxZoom, hasGrid: !!points.grid,
        hasCnn: !!points.cnn, sheetsLoaded: [...sheets.sheets].filter(([, s]) => s.state === "ready").map(([t]) => t),
        sheetsRequested: sheets.requested, sheetsInflight: sheets.inflight,
        neighbourChunks: neighbourStore.requested, neighbours: view.neighbours ? [...view.neighbours] : null,
        region: view.region ? { kind: view.region.kind, ids: [...view.region.ids], counts: [...view.region.counts] } : null,
        engaged: input.isEngaged(), lassoMode: view.lassoMode,
        renders: renderer.stats.renders, lastRenderMs: renderer.stats.lastMs,
      };
    },
    screenOf: (id) => camera.screenOf(id),
    pixelsOf: (id) => { const grey = panel.pixelsOf(id); return grey && [...grey]; },
    /** Digit id -> [x, y] in world units ([0, 1], y up) of the current layout. */
    worldOf: (id) => [view.U[id], view.V[id]],
    /** World [x, y] -> client coordinates (CSS px). */
    clientOf: (point) => camera.toClient(point),
    isShown: (id) => !!view.visible[id],
    /** The digits shown in colour as the highlighted writer's (none when no writer is highlighted). */
    highlightedIds() {
      const out = [];
      if (view.state.writer < 0 || !view.writers?.available) return out;
      for (let i = 0; i < points.n; i++) if (view.visible[i] && view.colourOf[i] !== MUTED && view.writers.writer[i] === view.state.writer) out.push(i);
      return out;
    },
    /** The digits drawn in grey (dimmed). */
    dimmedIds() { const out = []; for (let i = 0; i < points.n; i++) if (view.visible[i] && view.colourOf[i] === MUTED) out.push(i); return out; },
    colourOf: (id) => view.colourOf[id],
    identity: (id) => panel.name(id),
    idOf: (text) => { const r = parseIdentity(text, points.nTrain, points.nTest); return r.error ? null : r.id; },
    pick: (x, y) => renderer.pick(x, y),
    /** Set any of {layout, zoom, centre: [x, y], classes: [digits], mistakes, set, series, colour, writer, selected: id} without animation. */
    setView(v) {
      const st = view.state;
      if (v.layout && v.layout !== st.layout) explorer.setLayout(v.layout, false);
      const filters = {};
      if (v.classes) filters.classes = st.classes.map((_, d) => v.classes.includes(d));
      for (const key of ["mistakes", "set", "series", "colour"]) if (v[key]) filters[key] = v[key];
      if (v.writer !== undefined) filters.writer = v.writer;
      if (Object.keys(filters).length) { view.setFilters(filters); explorer.controls.sync(); explorer.showFilters(); }
      if (v.zoom !== undefined || v.centre) {
        const [cx, cy] = v.centre || [st.cx, st.cy];
        view.setCamera(v.zoom ?? st.zoom, cx, cy);
      }
      if (v.selected !== undefined) explorer.select(v.selected);
      explorer.changed();
    },
    setLayout: (layout, animate = true) => explorer.setLayout(layout, animate),
    renderNow: () => renderer.renderNow(),
    writeHash: () => { explorer.writeHash(); return location.hash; },
    /** Resolves when no sheet is loading and the view was redrawn. */
    async idle() {
      for (let k = 0; k < 600; k++) {
        await new Promise((r) => requestAnimationFrame(() => r()));
        if (!view.anim && !sheets.inflight && !sheets.queue.length && !renderer.queued) {
          renderer.renderNow();
          if (!sheets.inflight && !sheets.queue.length) return true;
        }
      }
      return false;
    },
  };
}
