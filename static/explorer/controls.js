// The digit explorer's controls: the legend (a button a class, with its count), the filter and colour
// selects, the colour key, the layout, zoom, selection, region and help buttons, and "Go to a digit".
// They show the View's state (state.js) and turn clicks into changes of it: the View's own methods, and
// the explorer's (explore.js) where a change reaches further (the selection, the writers, the layout).

import { fill } from "../lib/words.js";
import { parseIdentity } from "./hash.js";
import { SERIES_COLOURS } from "./render.js";

const SELECTS = ["mistakes", "set", "series", "colour"];

export class Controls {
  constructor({ root, el, words, num, points, view, camera, panel, canvas, explorer }) {
    Object.assign(this, { root, el, words, num, points, view, camera, panel, canvas, explorer });
    this.classButtons = [...root.querySelectorAll(".explorer-class")];
    this.layoutButtons = [...root.querySelectorAll(".explorer-layout")];
    // What this edition has: no CNN options without the CNN, no layout switch without the grid.
    if (!points.cnn) {
      for (const select of [el("mistakes"), el("colour")]) select.querySelectorAll("option[data-cnn]").forEach((o) => o.remove());
    }
    el("layouts").hidden = !points.grid;
    this.showCounts();
    el("summary-count").textContent = fill(words.summary_count, { n: num(points.n), train: num(points.nTrain), test: num(points.nTest) });
    this.bind();
  }

  /** The selects as the view says. */
  sync() {
    for (const key of SELECTS) this.el(key).value = this.view.state[key];
  }

  /** The legend's buttons (pressed, count of each class, colour), how many digits are shown, the colour key. */
  showCounts() {
    const { view, num } = this;
    const classes = view.state.classes;
    for (const button of this.classButtons) {
      const d = Number(button.dataset.digit);
      button.setAttribute("aria-pressed", String(classes[d]));
      button.querySelector(".explorer-class-count").textContent = num(view.counts[d]);
      button.style.setProperty("--c", this.points.colours[d]);
    }
    this.el("count").textContent = fill(this.words.showing, { shown: num(view.shown), total: num(this.points.n) });
    this.showColourKey();
  }

  /** The words under the legend: what the colours mean (two swatches for the series), or whose digits are highlighted. */
  showColourKey() {
    const { view, words: w, num } = this;
    const st = view.state, byWriter = view.byWriter;
    const keyEl = this.el("colour-key");
    const key = { label: "colour_key_label", mlp: "colour_key_mlp", cnn: "colour_key_cnn", disagree: "colour_key_disagree", series: "colour_key_series" }[st.colour];
    keyEl.textContent = fill(w[key], { n: num(view.disagree) });
    if (st.colour === "series" && view.writers?.available) {
      keyEl.append(...[[w.series_key_employees, SERIES_COLOURS[0]], [w.series_key_students, SERIES_COLOURS[1]]].map(([text, colour]) => {
        const item = document.createElement("span");
        item.className = "explorer-series-key";
        item.style.setProperty("--c", colour);
        item.textContent = text;
        return item;
      }));
    }
    if (byWriter >= 0) {
      keyEl.textContent = fill(w.colour_key_writer, { writer: num(byWriter), n: num(view.writers.count[byWriter] || 0), shown: num(view.highlighted) });
    }
    this.el("writer-clear").hidden = byWriter < 0;
    keyEl.classList.toggle("explorer-muted-key", st.colour === "disagree" || byWriter >= 0);
  }

  /** The layout buttons, the map's name and the whole-view button as the layout is. */
  showLayout() {
    const { layout } = this.view.state, w = this.words;
    for (const b of this.layoutButtons) b.setAttribute("aria-pressed", String(b.dataset.layout === layout));
    this.canvas.setAttribute("aria-label", layout === "grid" ? w.canvas_label_grid : w.canvas_label);
    this.el("reset").textContent = layout === "grid" ? w.whole_grid : w.whole_map;
  }

  bind() {
    const { el, view, camera, panel, explorer } = this;
    const on = (name, handler) => el(name).addEventListener("click", handler);
    for (const button of this.classButtons) {
      button.addEventListener("click", () => { view.toggleClass(Number(button.dataset.digit)); explorer.afterFilter(); });
    }
    on("all", () => { view.setFilters({ classes: new Array(10).fill(true) }); explorer.afterFilter(); });
    for (const key of SELECTS) {
      el(key).addEventListener("change", (e) => {
        view.setFilters({ [key]: e.target.value });
        explorer.afterFilter();
        if (view.needsWriters()) explorer.ensureWriters();
      });
    }
    on("writer-button", () => explorer.toggleWriter());
    on("writer-clear", () => {
      view.setFilters({ writer: -1 });
      explorer.recolour();
      panel.showWriterLine();
      (view.state.selected >= 0 ? el("writer-button") : this.canvas).focus();
    });
    for (const b of this.layoutButtons) b.addEventListener("click", () => explorer.setLayout(b.dataset.layout));
    on("zoom-in", () => camera.zoomAt(1.6));
    on("zoom-out", () => camera.zoomAt(1 / 1.6));
    on("reset", () => camera.home());
    on("clear", () => { explorer.select(-1); this.canvas.focus(); });
    on("only-class", () => {
      const sel = view.state.selected;
      if (sel < 0) return;
      view.setFilters({ classes: view.state.classes.map((_, d) => d === this.points.label[sel]) });
      explorer.afterFilter();
    });
    on("lasso", () => panel.setLassoMode(!view.lassoMode));
    on("in-view", () => panel.summariseView());
    on("region-clear", () => { panel.clearRegion(); el("in-view").focus(); });
    on("help-button", () => panel.toggleHelp());
    on("help-close", () => { panel.toggleHelp(false); el("help-button").focus(); });
    el("help-panel").addEventListener("keydown", (e) => {
      if (e.key === "Escape") { panel.toggleHelp(false); el("help-button").focus(); }
    });
    this.bindGoto();
  }

  /** "Go to a digit": its name ("train #12,345", "テスト 1234") selects it and brings it to the centre. */
  bindGoto() {
    const { words: w, num, view } = this;
    const form = this.el("goto");
    const input = form.querySelector("input");
    const message = this.el("goto-message");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const r = parseIdentity(input.value, this.points.nTrain, this.points.nTest);
      if (r.error) {
        message.textContent = r.error === "syntax" ? fill(w.goto_bad, { text: input.value })
          : fill(w.goto_range, { set: r.test ? w.set_test : w.set_train, max: num(r.max) });
        input.setAttribute("aria-invalid", "true");
        return;
      }
      message.textContent = "";
      input.removeAttribute("aria-invalid");
      if (view.state.layout === "grid" && view.anim) view.stopAnimation();
      this.explorer.focusOn(r.id);
    });
  }
}
