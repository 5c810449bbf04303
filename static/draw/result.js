// What the drawing pad shows of the model's answer: the input as the network sees it, the ten outputs
// as bars, the nearest map digits with their pictures, and the map with the drawing's place on it.

import { PIXELS, SIDE } from "../lib/numbers.js";
import { fill, formatter } from "../lib/words.js";

const MAP_MARGIN = 8;

/** The widget's result parts (`part(role)`: its element [data-role=role]). */
export function result(part, words, lang) {
  const inputCtx = part("input").getContext("2d");
  const mapCanvas = part("map");
  const mapCtx = mapCanvas.getContext("2d");
  const summary = part("summary");
  const neighbourList = part("neighbours");
  const bars = [...part("bars").querySelectorAll("li")].map((li) => ({
    li, fill: li.querySelector(".draw-fill"), value: li.querySelector(".draw-value"),
  }));
  const number = { format: formatter(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) };
  let model = null;
  let sheet = null; // the map-digit sheet, once decoded
  let mapBase = null; // the map's dots, drawn once
  const neighbourCells = [];

  function mapPoint(x, y) {
    const span = mapCanvas.width - 2 * MAP_MARGIN;
    return [MAP_MARGIN + x * span, MAP_MARGIN + (1 - y) * span];
  }

  return {
    /** Ready for the model: the map's dots, the bars' colours, the neighbours' cells, and the sheet of map
     *  digits for their pictures (`sheetUrl`; `onSheet()` once it is decoded). */
    prepare(loaded, sheetUrl, onSheet) {
      model = loaded;
      mapBase = document.createElement("canvas");
      mapBase.width = mapCanvas.width;
      mapBase.height = mapCanvas.height;
      const base = mapBase.getContext("2d");
      base.fillStyle = "#fff";
      base.fillRect(0, 0, mapBase.width, mapBase.height);
      base.globalAlpha = 0.8;
      for (let n = 0; n < model.mapN; n++) {
        const [x, y] = mapPoint(model.mapXY[2 * n], model.mapXY[2 * n + 1]);
        base.fillStyle = model.colours[model.mapLabels[n]];
        base.fillRect(x - 1.5, y - 1.5, 3, 3);
      }
      mapCtx.drawImage(mapBase, 0, 0);
      bars.forEach((bar, d) => { bar.fill.style.background = model.colours[d]; });
      for (let i = 0; i < model.k; i++) {
        const li = document.createElement("li");
        const cell = document.createElement("canvas");
        cell.width = cell.height = model.meta.cell;
        cell.setAttribute("role", "img");
        li.append(cell);
        neighbourList.append(li);
        neighbourCells.push(cell);
      }
      neighbourList.hidden = true;
      const image = new Image();
      image.decoding = "async";
      image.onload = () => { sheet = image; onSheet(); };
      image.src = sheetUrl;
    },

    /** The network's input (784 values in [0, 1]), or none. */
    showInput(input) {
      if (!input) { inputCtx.clearRect(0, 0, SIDE, SIDE); return; }
      const image = inputCtx.createImageData(SIDE, SIDE);
      for (let i = 0; i < PIXELS; i++) {
        const v = Math.round(input[i] * 255);
        image.data.set([v, v, v, 255], 4 * i);
      }
      inputCtx.putImageData(image, 0, 0);
    },

    /** The outputs (the top one marked), the nearest map digits (`near`, indices) and the drawing's `place` on the map. */
    show(outputs, top, near, place) {
      bars.forEach((bar, d) => {
        bar.fill.style.transform = `scaleX(${outputs[d]})`;
        bar.value.textContent = number.format(outputs[d]);
        bar.li.classList.toggle("draw-top", d === top);
      });
      const { cell, sheet_columns: columns } = model.meta;
      const counts = new Array(model.classes).fill(0);
      near.forEach((n, i) => {
        const label = model.mapLabels[n];
        counts[label]++;
        const target = neighbourCells[i].getContext("2d");
        target.fillStyle = "#000";
        target.fillRect(0, 0, cell, cell);
        if (sheet) target.drawImage(sheet, (n % columns) * cell, Math.floor(n / columns) * cell, cell, cell, 0, 0, cell, cell);
        neighbourCells[i].setAttribute("aria-label", fill(words.neighbour_label, { label }));
        neighbourCells[i].style.setProperty("--c", model.colours[label]);
      });
      neighbourList.hidden = false;
      const order = counts.map((count, digit) => ({ count, digit })).filter((c) => c.count > 0)
        .sort((a, b) => b.count - a.count || a.digit - b.digit);
      summary.textContent = fill(words.neighbours_summary, {
        k: near.length, counts: order.map((c) => fill(words.count, c)).join(words.list_separator),
      });
      mapCtx.drawImage(mapBase, 0, 0);
      mapCtx.lineWidth = 1.5;
      mapCtx.strokeStyle = "#000";
      for (const n of near) {
        const [x, y] = mapPoint(model.mapXY[2 * n], model.mapXY[2 * n + 1]);
        mapCtx.beginPath();
        mapCtx.arc(x, y, 3.5, 0, 2 * Math.PI);
        mapCtx.stroke();
      }
      const [x, y] = mapPoint(...place);
      for (const [colour, width] of [["#fff", 6], ["#000", 3]]) {
        mapCtx.strokeStyle = colour;
        mapCtx.lineWidth = width;
        mapCtx.beginPath();
        mapCtx.arc(x, y, 11, 0, 2 * Math.PI);
        mapCtx.stroke();
      }
    },

    /** Nothing to show: empty bars, no neighbours, the bare map. */
    reset() {
      bars.forEach((bar) => {
        bar.fill.style.transform = "scaleX(0)";
        bar.value.textContent = "–";
        bar.li.classList.remove("draw-top");
      });
      neighbourList.hidden = true;
      summary.textContent = "";
      if (mapBase) mapCtx.drawImage(mapBase, 0, 0);
    },
  };
}
