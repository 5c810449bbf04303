// The digit explorer's panel beside the map: the selected digit (its picture, what the classifiers
// said, who wrote it and "show this writer's digits", a link to its digit's page, "only this class"),
// its nearest neighbours in pixel space
// (fetched when a digit is selected), what a lasso or the view holds, the tooltip, notes and the
// "?" help. Methods mixed into the Explorer (see explore.js).

import { SIDE } from "./data.js";
import { identity } from "./hash.js";
import { fill } from "../lib/words.js";

const REGION_IMAGES = 12; // pictures listed for a lasso or the view

export const panelMethods = {
  models() {
    return [["mlp", this.mlp], ...(this.cnn ? [["cnn", this.cnn]] : [])];
  },

  name(id) { return identity(this.words, id, this.nTrain, this.num); },

  select(id) {
    this.state.selected = id;
    const panel = this.el("selected");
    const info = this.el("selected-info");
    const img = this.el("selected-img");
    const w = this.words;
    this.el("selected-actions").hidden = id < 0;
    if (id < 0) {
      info.textContent = w.none_selected;
      img.hidden = true;
      this.neighbourIds = null;
      this.showNeighbours(null);
    } else {
      const l = this.label[id];
      info.textContent = this.describe(id);
      img.hidden = false;
      img.setAttribute("aria-label", this.fill(w.picture_of, { identity: this.name(id), label: l }));
      this.drawDigit(img, id);
      const page = this.el("digit-page");
      page.href = this.root.dataset.digitPage.replace("{digit}", l);
      page.textContent = this.fill(w.digit_page, { d: l });
      this.el("only-class").textContent = this.fill(w.only_class, { d: l });
      this.loadNeighbours(id);
    }
    panel.dataset.id = id;
    this.showWriterLine();
    if (id >= 0 && !this.writers) this.ensureWriters();
    this.changed();
  },

  /** The selected digit's writer ("writer 2,154 · students (hsf4) · 59th digit of 118") and the button that
   *  highlights the writer's digits; or why it is not known. */
  showWriterLine() {
    const line = this.el("selected-writer"), button = this.el("writer-button");
    const id = this.state.selected, w = this.words;
    button.hidden = true;
    line.hidden = id < 0;
    if (id < 0) { line.textContent = ""; return; }
    if (this.writersState === "failed") { line.textContent = fill(w.writers_failed, { error: this.writersError }); return; }
    if (!this.writers) { line.textContent = w.writer_loading; return; }
    if (!this.writers.available) { line.textContent = w.writers_missing; return; }
    line.textContent = this.writerLine(id);
    const writer = this.writers.writer[id];
    button.hidden = false;
    button.textContent = w.writer_show;
    button.setAttribute("aria-pressed", String(this.state.writer === writer));
  },

  /** Who wrote digit id, in one line (the writers file loaded). */
  writerLine(id) {
    const w = this.words, wr = this.writers;
    const writer = wr.writer[id], nth = wr.rank[id] + 1;
    const rule = new Intl.PluralRules(this.lang, { type: "ordinal" }).select(nth);
    const ordinal = fill({ one: w.ordinal_one, two: w.ordinal_two, few: w.ordinal_few }[rule] ?? w.ordinal_other, { n: this.num(nth) });
    const series = fill(wr.series[id] === wr.student ? w.series_students : w.series_employees, { s: wr.series[id] });
    return fill(w.writer_line, { writer: this.num(writer), series, nth: ordinal, count: this.num(wr.count[writer]) });
  },

  /** One sentence about a digit: identity, label, predictions (wrong ones marked). */
  describe(id) {
    const w = this.words;
    const l = this.label[id];
    const preds = this.models().map(([model, p]) =>
      this.fill(p[id] === l ? w.prediction_right : w.prediction_wrong, { model: w[`model_${model}`], d: p[id] }));
    return this.fill(w.selected, { identity: this.name(id), label: l, predictions: preds.join(w.list_separator) });
  },

  /** Draw digit id into a 28 x 28 canvas (CSS enlarges it, pixelated): ink in its colour on the map. */
  drawDigit(canvas, id) {
    const ctx = canvas.getContext("2d");
    const sheet = this.sheetsStore.ready(this.tile[id]);
    canvas.dataset.id = id;
    if (!sheet) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      this.sheetsStore.want([this.tile[id]], true);
      canvas.dataset.pending = "1";
      return;
    }
    delete canvas.dataset.pending;
    const image = ctx.createImageData(SIDE, SIDE);
    const out = new Uint32Array(image.data.buffer);
    const ink = this.dots[this.label[id]] & 0xffffff;
    const slot = this.slot[id], C = this.cols, sw = sheet.width;
    const base = Math.floor(slot / C) * SIDE * sw + (slot % C) * SIDE;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) out[y * SIDE + x] = (ink | (sheet.grey[base + y * sw + x] << 24)) >>> 0;
    }
    ctx.putImageData(image, 0, 0);
  },

  /** Digit id's 784 grey values (row by row) when its sheet is loaded, else null. */
  pixelsOf(id) {
    const sheet = this.sheetsStore.ready(this.tile[id]);
    if (!sheet) return null;
    const slot = this.slot[id], C = this.cols, sw = sheet.width;
    const base = Math.floor(slot / C) * SIDE * sw + (slot % C) * SIDE;
    const out = [];
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) out.push(sheet.grey[base + y * sw + x]);
    return out;
  },

  /** A button with digit id's picture: it selects that digit and brings it to the centre. */
  digitButton(id) {
    const l = this.label[id];
    const button = document.createElement("button");
    button.type = "button";
    button.className = "explorer-digit";
    button.dataset.id = id;
    button.style.setProperty("--c", this.colours[l]);
    const label = this.fill(this.words.show_digit, { identity: this.name(id), label: l });
    button.setAttribute("aria-label", label);
    button.title = label;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = SIDE;
    canvas.setAttribute("aria-hidden", "true");
    button.append(canvas);
    this.drawDigit(canvas, id);
    button.addEventListener("click", () => this.focusOn(id, { scroll: false }));
    return button;
  },

  // ---------------------------------------------------------------- neighbours

  async loadNeighbours(id) {
    const list = this.el("neighbours");
    const status = this.el("neighbours-status");
    this.neighbourIds = null;
    list.replaceChildren();
    status.textContent = this.words.neighbours_loading;
    this.el("neighbours-box").hidden = false;
    let ids;
    try {
      ids = await this.neighbourStore.of(id);
    } catch (error) {
      if (this.state.selected === id) status.textContent = this.fill(this.words.neighbours_failed, { error: error.message });
      return;
    }
    if (this.state.selected !== id) return;
    this.showNeighbours(ids);
  },

  showNeighbours(ids) {
    const list = this.el("neighbours");
    const status = this.el("neighbours-status");
    this.neighbourIds = ids;
    if (!ids) {
      list.replaceChildren();
      status.textContent = "";
      this.el("neighbours-box").hidden = true;
      return;
    }
    const same = ids.filter((j) => this.label[j] === this.label[this.state.selected]).length;
    status.textContent = this.fill(this.words.neighbours_summary, { k: ids.length, same, d: this.label[this.state.selected] });
    list.replaceChildren(...ids.map((j) => {
      const li = document.createElement("li");
      li.append(this.digitButton(j));
      return li;
    }));
    this.requestRender();
  },

  /** Keyboard: select the first neighbour (n). */
  focusNeighbour() {
    const first = this.el("neighbours").querySelector("button");
    if (first) first.focus();
  },

  // ---------------------------------------------------------------- what a lasso or the view holds

  finishLasso() {
    const ids = this.inPolygon(this.lasso);
    this.showRegion(ids, "lasso");
    this.requestRender();
  },

  /** The digits on screen now (the keyboard's way to a region). */
  summariseView() {
    const rect = this.canvas.getBoundingClientRect();
    const corners = [[rect.left, rect.top], [rect.right, rect.top], [rect.right, rect.bottom], [rect.left, rect.bottom]];
    this.lasso = null;
    this.showRegion(this.inPolygon(corners.map(([x, y]) => this.toWorld(x, y))), "view");
    this.requestRender();
  },

  showRegion(ids, kind) {
    const w = this.words;
    const box = this.el("region");
    const counts = new Array(10).fill(0);
    for (const i of ids) counts[this.label[i]]++;
    this.region = { ids, kind, counts };
    const head = this.fill(kind === "lasso" ? w.region_lasso : w.region_view, { n: this.num(ids.length) });
    this.el("region-info").textContent = head;
    const list = this.el("region-counts");
    list.replaceChildren(...counts.map((c, d) => [c, d]).filter(([c]) => c).sort((a, b) => b[0] - a[0]).map(([c, d]) => {
      const li = document.createElement("li");
      li.style.setProperty("--c", this.colours[d]);
      li.textContent = this.fill(w.region_count, { d, n: this.num(c) });
      return li;
    }));
    // A few pictures, spread over the region's digits.
    const step = Math.max(1, ids.length / REGION_IMAGES);
    const some = [];
    for (let k = 0; k < Math.min(REGION_IMAGES, ids.length); k++) some.push(ids[Math.floor(k * step)]);
    this.el("region-images").replaceChildren(...some.map((j) => {
      const li = document.createElement("li");
      li.append(this.digitButton(j));
      return li;
    }));
    box.hidden = false;
  },

  clearRegion() {
    this.lasso = null;
    this.region = null;
    this.el("region").hidden = true;
    this.requestRender();
  },

  setLassoMode(on) {
    this.lassoMode = on;
    this.el("lasso").setAttribute("aria-pressed", String(on));
    this.canvas.classList.toggle("lasso-mode", on);
  },

  // ---------------------------------------------------------------- tooltip

  showTooltip(id, clientX, clientY) {
    const tip = this.el("tooltip");
    if (id < 0) { this.hideTooltip(); return; }
    const w = this.words;
    const l = this.label[id];
    if (tip.dataset.id !== String(id)) {
      tip.dataset.id = id;
      tip.querySelector(".explorer-tip-identity").textContent = this.name(id);
      const labelEl = tip.querySelector(".explorer-tip-label");
      labelEl.textContent = this.fill(w.tip_label, { d: l });
      labelEl.style.setProperty("--c", this.colours[l]);
      const lines = tip.querySelector(".explorer-tip-preds");
      lines.replaceChildren(...this.models().map(([model, p]) => {
        const li = document.createElement("li");
        const wrong = p[id] !== l;
        li.className = wrong ? "wrong" : "right";
        li.textContent = this.fill(wrong ? w.tip_wrong : w.tip_right, { model: w[`model_${model}`], d: p[id] });
        return li;
      }));
      this.drawDigit(tip.querySelector("canvas"), id);
    }
    tip.hidden = false;
    this.tipAt = [clientX, clientY];
    this.placeTooltip();
  },

  /** Draw the pictures (tooltip, panel) whose sheet has arrived since. */
  refreshPictures() {
    for (const canvas of this.root.querySelectorAll("canvas[data-pending]")) {
      const id = Number(canvas.dataset.id);
      if (id >= 0 && this.sheetsStore.ready(this.tile[id])) this.drawDigit(canvas, id);
    }
  },

  afterRender() {
    this.refreshPictures();
    this.placeTooltip();
  },

  placeTooltip() {
    const tip = this.el("tooltip");
    if (tip.hidden || !this.tipAt) return;
    const box = this.view.getBoundingClientRect();
    const x = this.tipAt[0] - box.left, y = this.tipAt[1] - box.top;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    const left = x + 16 + w > box.width ? Math.max(0, x - 16 - w) : x + 16;
    const top = y + 16 + h > box.height ? Math.max(0, y - 16 - h) : y + 16;
    tip.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  },

  hideTooltip() {
    const tip = this.el("tooltip");
    tip.hidden = true;
    this.tipAt = null;
  },

  // ---------------------------------------------------------------- notes, help

  showNote(text) {
    const note = this.el("note");
    note.textContent = text;
    note.hidden = false;
  },

  hideNote() {
    const note = this.el("note");
    if (note.dataset.kind !== "error") { note.hidden = true; note.textContent = ""; }
  },

  showError(text) {
    const note = this.el("note");
    note.dataset.kind = "error";
    note.textContent = text;
    note.hidden = false;
  },

  sheetFailed(url, error) {
    if (this.sheetNoteShown) return;
    this.sheetNoteShown = true;
    this.showError(this.fill(this.words.sheet_failed, { url, error: error.message }));
  },

  toggleHelp(open) {
    const panel = this.el("help-panel");
    const button = this.el("help-button");
    const show = open ?? panel.hidden;
    panel.hidden = !show;
    button.setAttribute("aria-expanded", String(show));
    if (show) panel.focus();
  },
};
