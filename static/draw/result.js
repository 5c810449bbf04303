// What the drawing pad shows of its model's answer (draw.js): the input as the network sees it, the ten
// outputs as bars, the nearest map digits with their pictures, and the map with the drawing's place on it.

import { PIXELS, SIDE } from "../lib/mnist.js";
import { fill, formatter } from "../lib/words.js";
import { medianPosition } from "./model.js";

const MAP_MARGIN = 8;

export class Result {
  /** `part(role)`: the widget's element [data-role=role]. */
  constructor(part, words, lang) {
    this.words = words;
    this.inputCtx = part("input").getContext("2d");
    this.mapCanvas = part("map");
    this.mapCtx = this.mapCanvas.getContext("2d");
    this.summary = part("summary");
    this.neighbourList = part("neighbours");
    this.bars = [...part("bars").querySelectorAll("li")].map((li) => ({
      li, fill: li.querySelector(".draw-fill"), value: li.querySelector(".draw-value"),
    }));
    this.format = formatter(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    this.model = null;
    this.sheet = null; // the map-digit sheet, once decoded
    this.mapBase = null; // the map's dots, drawn once
    this.neighbourCells = [];
  }

  /** Set up for the model once it has arrived: the map's dots, the bars' colours, the neighbours' cells, and
   *  the sheet of map digits (`sheetUrl`) fetched for their pictures (`onSheet()` once it is decoded). */
  prepare(model, sheetUrl, onSheet) {
    this.model = model;
    const mapBase = this.mapBase = document.createElement("canvas");
    mapBase.width = this.mapCanvas.width;
    mapBase.height = this.mapCanvas.height;
    const base = mapBase.getContext("2d");
    base.fillStyle = "#fff";
    base.fillRect(0, 0, mapBase.width, mapBase.height);
    base.globalAlpha = 0.8;
    for (let n = 0; n < model.mapN; n++) {
      const [x, y] = this.mapPoint(model.mapXY[2 * n], model.mapXY[2 * n + 1]);
      base.fillStyle = model.colours[model.mapLabels[n]];
      base.fillRect(x - 1.5, y - 1.5, 3, 3);
    }
    this.mapCtx.drawImage(mapBase, 0, 0);
    this.bars.forEach((bar, d) => { bar.fill.style.background = model.colours[d]; });
    for (let i = 0; i < model.k; i++) {
      const li = document.createElement("li");
      const cell = document.createElement("canvas");
      cell.width = cell.height = model.meta.cell;
      cell.setAttribute("role", "img");
      li.append(cell);
      this.neighbourList.append(li);
      this.neighbourCells.push(cell);
    }
    this.neighbourList.hidden = true;
    const image = new Image();
    image.decoding = "async";
    image.onload = () => { this.sheet = image; onSheet(); };
    image.src = sheetUrl;
  }

  mapPoint(x, y) {
    const span = this.mapCanvas.width - 2 * MAP_MARGIN;
    return [MAP_MARGIN + x * span, MAP_MARGIN + (1 - y) * span];
  }

  /** The network's input (784 values in [0, 1]) as a 28 x 28 picture. */
  showInput(input) {
    const image = this.inputCtx.createImageData(SIDE, SIDE);
    for (let i = 0; i < PIXELS; i++) {
      const v = Math.round(input[i] * 255);
      image.data.set([v, v, v, 255], 4 * i);
    }
    this.inputCtx.putImageData(image, 0, 0);
  }

  clearInput() { this.inputCtx.clearRect(0, 0, SIDE, SIDE); }

  /** The ten outputs as bars, the top one marked. */
  showOutputs(outputs, top) {
    this.bars.forEach((bar, d) => {
      bar.fill.style.transform = `scaleX(${outputs[d]})`;
      bar.value.textContent = this.format(outputs[d]);
      bar.li.classList.toggle("draw-top", d === top);
    });
  }

  /** The nearest map digits (indices): their pictures, and how many of each class. */
  showNeighbours(near) {
    const { model, words } = this;
    const { cell, sheet_columns: columns } = model.meta;
    const counts = new Array(model.classes).fill(0);
    near.forEach((n, i) => {
      const label = model.mapLabels[n];
      counts[label]++;
      const target = this.neighbourCells[i].getContext("2d");
      target.fillStyle = "#000";
      target.fillRect(0, 0, cell, cell);
      if (this.sheet) target.drawImage(this.sheet, (n % columns) * cell, Math.floor(n / columns) * cell, cell, cell, 0, 0, cell, cell);
      this.neighbourCells[i].setAttribute("aria-label", fill(words.neighbour_label, { label }));
      this.neighbourCells[i].style.setProperty("--c", model.colours[label]);
    });
    this.neighbourList.hidden = false;
    const order = counts.map((count, digit) => ({ count, digit })).filter((c) => c.count > 0)
      .sort((a, b) => b.count - a.count || a.digit - b.digit);
    this.summary.textContent = fill(words.neighbours_summary, {
      k: near.length, counts: order.map((c) => fill(words.count, c)).join(words.list_separator),
    });
  }

  /** The map with the nearest digits ringed and the drawing's place (their median position) marked. */
  showMap(near) {
    const { model, mapCtx } = this;
    mapCtx.drawImage(this.mapBase, 0, 0);
    mapCtx.lineWidth = 1.5;
    mapCtx.strokeStyle = "#000";
    for (const n of near) {
      const [x, y] = this.mapPoint(model.mapXY[2 * n], model.mapXY[2 * n + 1]);
      mapCtx.beginPath();
      mapCtx.arc(x, y, 3.5, 0, 2 * Math.PI);
      mapCtx.stroke();
    }
    const [x, y] = this.mapPoint(...medianPosition(model, near));
    for (const [colour, width] of [["#fff", 6], ["#000", 3]]) {
      mapCtx.strokeStyle = colour;
      mapCtx.lineWidth = width;
      mapCtx.beginPath();
      mapCtx.arc(x, y, 11, 0, 2 * Math.PI);
      mapCtx.stroke();
    }
  }

  /** Nothing to show: empty bars, no neighbours, the bare map. */
  reset() {
    this.bars.forEach((bar) => {
      bar.fill.style.transform = "scaleX(0)";
      bar.value.textContent = "–";
      bar.li.classList.remove("draw-top");
    });
    this.neighbourList.hidden = true;
    this.summary.textContent = "";
    if (this.mapBase) this.mapCtx.drawImage(this.mapBase, 0, 0);
  }
}
