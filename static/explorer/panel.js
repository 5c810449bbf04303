// The digit explorer's panel beside the map: the selected digit (its picture, what the classifiers
// said, who wrote it and "show this writer's digits", a link to its digit's page, "only this class"),
// its nearest neighbours in pixel space (fetched when a digit is selected), what a lasso or the view
// holds, the tooltip, the "?" help; and the notes over the map.

import { SIDE } from "../lib/numbers.js";
import { fill } from "../lib/words.js";
import { spriteStart } from "./data.js";
import { identity } from "./hash.js";

const REGION_IMAGES = 12; // pictures listed for a lasso or the view

/** The note over the map (an error stays). */
export class Notes {
  constructor(note) { this.note = note; }

  show(text) {
    this.note.textContent = text;
    this.note.hidden = false;
  }

  hide() {
    if (this.note.dataset.kind !== "error") { this.note.hidden = true; this.note.textContent = ""; }
  }

  error(text) {
    this.note.dataset.kind = "error";
    this.show(text);
  }
}

export class Panel {
  /** `el(name)`: the element .explorer-<name>; focusOn(id): what a digit's button does. */
  constructor({ root, el, words, lang, num, points, view, camera, renderer, sheets, neighbourStore, writerStore, focusOn }) {
    Object.assign(this, { root, el, words, lang, num, points, view, camera, renderer, sheets, neighbourStore, writerStore, focusOn, tipAt: null });
  }

  models() {
    const { mlp, cnn } = this.points;
    return [["mlp", mlp], ...(cnn ? [["cnn", cnn]] : [])];
  }

  name(id) { return identity(this.words, id, this.points.nTrain, this.num); }

  /** The selected digit (or none: -1): what it is, its picture, links, writer and neighbours. */
  showSelected(id) {
    const info = this.el("selected-info");
    const img = this.el("selected-img");
    const w = this.words;
    this.el("selected-actions").hidden = id < 0;
    if (id < 0) {
      info.textContent = w.none_selected;
      img.hidden = true;
      this.showNeighbours(null);
    } else {
      const l = this.points.label[id];
      info.textContent = this.describe(id);
      img.hidden = false;
      img.setAttribute("aria-label", fill(w.picture_of, { identity: this.name(id), label: l }));
      this.drawDigit(img, id);
      const page = this.el("digit-page");
      page.href = this.root.dataset.digitPage.replace("{digit}", l);
      page.textContent = fill(w.digit_page, { d: l });
      this.el("only-class").textContent = fill(w.only_class, { d: l });
      this.loadNeighbours(id);
    }
    this.el("selected").dataset.id = id;
    this.showWriterLine();
  }

  /** The selected digit's writer ("writer 2,154 · students (hsf4) · 59th digit of 118") and the button that
   *  highlights the writer's digits; or why it is not known. */
  showWriterLine() {
    const line = this.el("selected-writer"), button = this.el("writer-button");
    const { state, writers } = this.view, w = this.words;
    const id = state.selected;
    button.hidden = true;
    line.hidden = id < 0;
    if (id < 0) { line.textContent = ""; return; }
    if (this.writerStore.status === "failed") { line.textContent = fill(w.writers_failed, { error: this.writerStore.error }); return; }
    if (!writers) { line.textContent = w.writer_loading; return; }
    if (!writers.available) { line.textContent = w.writers_missing; return; }
    line.textContent = this.writerLine(id);
    button.hidden = false;
    button.textContent = w.writer_show;
    button.setAttribute("aria-pressed", String(state.writer === writers.writer[id]));
  }

  /** Who wrote digit id, in one line (the writers file loaded). */
  writerLine(id) {
    const w = this.words, wr = this.view.writers;
    const writer = wr.writer[id], nth = wr.rank[id] + 1;
    const rule = new Intl.PluralRules(this.lang, { type: "ordinal" }).select(nth);
    const ordinal = fill({ one: w.ordinal_one, two: w.ordinal_two, few: w.ordinal_few }[rule] ?? w.ordinal_other, { n: this.num(nth) });
    const series = fill(wr.series[id] === wr.student ? w.series_students : w.series_employees, { s: wr.series[id] });
    return fill(w.writer_line, { writer: this.num(writer), series, nth: ordinal, count: this.num(wr.count[writer]) });
  }

  /** One sentence about a digit: identity, label, predictions (wrong ones marked). */
  describe(id) {
    const w = this.words;
    const l = this.points.label[id];
    const preds = this.models().map(([model, p]) =>
      fill(p[id] === l ? w.prediction_right : w.prediction_wrong, { model: w[`model_${model}`], d: p[id] }));
    return fill(w.selected, { identity: this.name(id), label: l, predictions: preds.join(w.list_separator) });
  }

  /** Digit id's 784 grey values (row by row) when its sheet is loaded, else null. */
  pixelsOf(id) {
    const sheet = this.sheets.ready(this.points.tile[id]);
    if (!sheet) return null;
    const start = spriteStart(this.points, sheet, id), out = new Uint8Array(SIDE * SIDE);
    for (let y = 0; y < SIDE; y++) out.set(sheet.grey.subarray(start + y * sheet.width, start + y * sheet.width + SIDE), y * SIDE);
    return out;
  }

  /** Draw digit id into a 28 x 28 canvas (CSS enlarges it, pixelated): ink in its colour on the map. */
  drawDigit(canvas, id) {
    const ctx = canvas.getContext("2d");
    const grey = this.pixelsOf(id);
    canvas.dataset.id = id;
    if (!grey) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      this.sheets.want([this.points.tile[id]], true);
      canvas.dataset.pending = "1";
      return;
    }
    delete canvas.dataset.pending;
    const image = ctx.createImageData(SIDE, SIDE);
    const out = new Uint32Array(image.data.buffer);
    const ink = this.renderer.dots[this.points.label[id]] & 0xffffff;
    for (let i = 0; i < grey.length; i++) out[i] = (ink | (grey[i] << 24)) >>> 0;
    ctx.putImageData(image, 0, 0);
  }

  /** A list item: a button with digit id's picture, which focuses on it. */
  digitItem(id) {
    const l = this.points.label[id];
    const button = document.createElement("button");
    button.type = "button";
    button.className = "explorer-digit";
    button.dataset.id = id;
    button.style.setProperty("--c", this.points.colours[l]);
    const label = fill(this.words.show_digit, { identity: this.name(id), label: l });
    button.setAttribute("aria-label", label);
    button.title = label;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = SIDE;
    canvas.setAttribute("aria-hidden", "true");
    button.append(canvas);
    this.drawDigit(canvas, id);
    button.addEventListener("click", () => this.focusOn(id));
    const li = document.createElement("li");
    li.append(button);
    return li;
  }

  async loadNeighbours(id) {
    const list = this.el("neighbours");
    const status = this.el("neighbours-status");
    this.view.setNeighbours(null);
    list.replaceChildren();
    status.textContent = this.words.neighbours_loading;
    this.el("neighbours-box").hidden = false;
    let ids;
    try {
      ids = await this.neighbourStore.of(id);
    } catch (error) {
      if (this.view.state.selected === id) status.textContent = fill(this.words.neighbours_failed, { error: error.message });
      return;
    }
    if (this.view.state.selected !== id) return;
    this.showNeighbours(ids);
  }

  showNeighbours(ids) {
    const list = this.el("neighbours");
    const status = this.el("neighbours-status");
    this.view.setNeighbours(ids);
    if (!ids) {
      list.replaceChildren();
      status.textContent = "";
      this.el("neighbours-box").hidden = true;
      return;
    }
    const d = this.points.label[this.view.state.selected];
    const same = ids.filter((j) => this.points.label[j] === d).length;
    status.textContent = fill(this.words.neighbours_summary, { k: ids.length, same, d });
    list.replaceChildren(...ids.map((j) => this.digitItem(j)));
  }

  /** Keyboard: select the first neighbour (n). */
  focusNeighbour() {
    const first = this.el("neighbours").querySelector("button");
    if (first) first.focus();
  }

  finishLasso() {
    this.showRegion(this.renderer.inPolygon(this.view.lasso), "lasso");
  }

  /** The digits on screen now (the keyboard's way to a region). */
  summariseView() {
    const rect = this.camera.canvas.getBoundingClientRect();
    const corners = [[rect.left, rect.top], [rect.right, rect.top], [rect.right, rect.bottom], [rect.left, rect.bottom]];
    this.view.setRegion(null);
    this.showRegion(this.renderer.inPolygon(corners.map(([x, y]) => this.camera.toWorld(x, y))), "view");
  }

  showRegion(ids, kind) {
    const w = this.words;
    const counts = new Array(10).fill(0);
    for (const i of ids) counts[this.points.label[i]]++;
    this.view.setRegion({ ids, kind, counts });
    this.el("region-info").textContent = fill(kind === "lasso" ? w.region_lasso : w.region_view, { n: this.num(ids.length) });
    this.el("region-counts").replaceChildren(...counts.map((c, d) => [c, d]).filter(([c]) => c).sort((a, b) => b[0] - a[0]).map(([c, d]) => {
      const li = document.createElement("li");
      li.style.setProperty("--c", this.points.colours[d]);
      li.textContent = fill(w.region_count, { d, n: this.num(c) });
      return li;
    }));
    // A few pictures, spread over the region's digits.
    const step = Math.max(1, ids.length / REGION_IMAGES);
    const some = [];
    for (let k = 0; k < Math.min(REGION_IMAGES, ids.length); k++) some.push(ids[Math.floor(k * step)]);
    this.el("region-images").replaceChildren(...some.map((j) => this.digitItem(j)));
    this.el("region").hidden = false;
  }

  clearRegion() {
    this.view.setRegion(null);
    this.el("region").hidden = true;
  }

  setLassoMode(on) {
    this.view.setLassoMode(on);
    this.el("lasso").setAttribute("aria-pressed", String(on));
    this.camera.canvas.classList.toggle("lasso-mode", on);
  }

  showTooltip(id, clientX, clientY) {
    const tip = this.el("tooltip");
    if (id < 0) { this.hideTooltip(); return; }
    const w = this.words;
    const l = this.points.label[id];
    if (tip.dataset.id !== String(id)) {
      tip.dataset.id = id;
      tip.querySelector(".explorer-tip-identity").textContent = this.name(id);
      const labelEl = tip.querySelector(".explorer-tip-label");
      labelEl.textContent = fill(w.tip_label, { d: l });
      labelEl.style.setProperty("--c", this.points.colours[l]);
      const lines = tip.querySelector(".explorer-tip-preds");
      lines.replaceChildren(...this.models().map(([model, p]) => {
        const li = document.createElement("li");
        const wrong = p[id] !== l;
        li.className = wrong ? "wrong" : "right";
        li.textContent = fill(wrong ? w.tip_wrong : w.tip_right, { model: w[`model_${model}`], d: p[id] });
        return li;
      }));
      this.drawDigit(tip.querySelector("canvas"), id);
    }
    tip.hidden = false;
    this.tipAt = [clientX, clientY];
    this.placeTooltip();
  }

  /** After each frame: the pictures whose sheet has arrived, and the tooltip's place. */
  afterRender() {
    for (const canvas of this.root.querySelectorAll("canvas[data-pending]")) {
      const id = Number(canvas.dataset.id);
      if (id >= 0 && this.sheets.ready(this.points.tile[id])) this.drawDigit(canvas, id);
    }
    this.placeTooltip();
  }

  placeTooltip() {
    const tip = this.el("tooltip");
    if (tip.hidden || !this.tipAt) return;
    const box = this.el("view").getBoundingClientRect();
    const x = this.tipAt[0] - box.left, y = this.tipAt[1] - box.top;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    const left = x + 16 + w > box.width ? Math.max(0, x - 16 - w) : x + 16;
    const top = y + 16 + h > box.height ? Math.max(0, y - 16 - h) : y + 16;
    tip.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  hideTooltip() {
    this.el("tooltip").hidden = true;
    this.tipAt = null;
  }

  toggleHelp(open) {
    const panel = this.el("help-panel");
    const button = this.el("help-button");
    const show = open ?? panel.hidden;
    panel.hidden = !show;
    button.setAttribute("aria-expanded", String(show));
    if (show) panel.focus();
  }
}
