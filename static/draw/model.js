// Chapter 8's "Draw a digit" widget (templates/widgets/draw.html): the NumPy network of
// mnistreport/mlp.py runs here, on a drawing prepared the way MNIST's digits were, and the
// drawing is placed among chapter 4's map digits. The data comes from one bundle written by
// mnistreport/drawmodel.py, fetched only when the reader first draws or asks for a test digit.
//
// The pure functions are exported (preprocess, forward, project, nearest, medianPosition,
// predictionText, prepareModel, loadModel) so that tests can run them in the page.

import { loadBundle } from "../lib/bundle.js";
import { fill, formatter, langOf, readWords } from "../lib/words.js";

export { fill };

export const SIDE = 28; // MNIST images are 28 x 28 ...
export const BOX = 20; // ... with the digit scaled to fit 20 x 20
const PIXELS = SIDE * SIDE;
// MNIST puts the centre of mass at (14, 14) in pixel-index coordinates (pixel i's centre
// at i), moving the digit by whole pixels: measured on the 10,000 test digits, every
// centre of mass lies in [13.5, 14.5) on both axes.
const CENTRE = 14;
const BUNDLE_KIND = "mnistreport draw model";

// ---------------------------------------------------------------- pure functions

/** Ink per pixel, 0..255: the alpha channel of an ImageData (or of RGBA bytes), or an array of width*height values. */
export function inkOf(source, width, height) {
  const n = width * height;
  const data = source && source.data !== undefined ? source.data : source;
  if (data.length === 4 * n) {
    const ink = new Uint8ClampedArray(n);
    for (let i = 0; i < n; i++) ink[i] = data[4 * i + 3];
    return ink;
  }
  if (data.length === n) return data;
  throw new Error(`expected ${n} or ${4 * n} values for ${width} x ${height}, got ${data.length}`);
}

/** The smallest box holding every pixel with ink (> 0): {x0, y0, w, h}, or null when there is none. */
export function inkBox(ink, width, height) {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (ink[row + x] > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

// Output cell j of `count` covers [j * step, (j + 1) * step) of `length` source pixels
// (step = length / count); each source pixel weighs the length it shares with the cell.
function areaWeights(length, count) {
  const step = length / count;
  const cells = [];
  for (let j = 0; j < count; j++) {
    const a = j * step;
    const b = j === count - 1 ? length : (j + 1) * step;
    const first = Math.floor(a);
    const last = Math.min(length - 1, Math.ceil(b) - 1);
    const weights = [];
    for (let p = first; p <= last; p++) weights.push(Math.min(b, p + 1) - Math.max(a, p));
    cells.push({ first, weights });
  }
  return cells;
}

/**
 * A drawing as MNIST would have made it: Float32Array(784), row-major, values in [0, 1]
 * (multiples of 1/255, as MNIST's bytes are). The ink's bounding box is scaled to fit
 * 20 x 20 keeping its aspect ratio, by area averaging (each output pixel is the mean ink
 * over the source area it covers); the patch is then placed in 28 x 28 so that its centre
 * of mass lands at (14, 14), moved by whole pixels (the classic recipe's rounded shift:
 * the centre ends in [13.5, 14.5), as in MNIST). `source` is an ImageData (its alpha is
 * the ink) or width*height ink values 0..255. No ink gives all zeros.
 */
export function preprocess(source, width, height) {
  const ink = inkOf(source, width, height);
  const out = new Float32Array(PIXELS);
  const box = inkBox(ink, width, height);
  if (!box) return out;
  const scale = BOX / Math.max(box.w, box.h);
  const ow = Math.max(1, Math.min(BOX, Math.round(box.w * scale)));
  const oh = Math.max(1, Math.min(BOX, Math.round(box.h * scale)));
  const wx = areaWeights(box.w, ow);
  const wy = areaWeights(box.h, oh);
  const rows = new Float64Array(box.h * ow); // horizontal pass
  for (let y = 0; y < box.h; y++) {
    const base = (box.y0 + y) * width + box.x0;
    for (let j = 0; j < ow; j++) {
      const { first, weights } = wx[j];
      let sum = 0;
      for (let t = 0; t < weights.length; t++) sum += weights[t] * ink[base + first + t];
      rows[y * ow + j] = sum;
    }
  }
  const area = (box.w / ow) * (box.h / oh);
  const patch = new Float64Array(oh * ow); // vertical pass, rounded to MNIST's 0..255 levels
  let mass = 0, my = 0, mx = 0;
  for (let i = 0; i < oh; i++) {
    const { first, weights } = wy[i];
    for (let j = 0; j < ow; j++) {
      let sum = 0;
      for (let t = 0; t < weights.length; t++) sum += weights[t] * rows[(first + t) * ow + j];
      const v = Math.min(255, Math.max(0, Math.round(sum / area)));
      patch[i * ow + j] = v;
      mass += v;
      my += v * i;
      mx += v * j;
    }
  }
  if (mass === 0) return out;
  // Whole-pixel shift putting the centre of mass in [13.5, 14.5): round(14 - c), ties kept low.
  const oy = Math.ceil(CENTRE - 0.5 - my / mass);
  const ox = Math.ceil(CENTRE - 0.5 - mx / mass);
  for (let i = 0; i < oh; i++) {
    const y = i + oy;
    if (y < 0 || y >= SIDE) continue;
    for (let j = 0; j < ow; j++) {
      const x = j + ox;
      if (x >= 0 && x < SIDE) out[y * SIDE + x] = patch[i * ow + j] / 255;
    }
  }
  return out;
}

/** Raw MNIST bytes (784 values 0..255) as the [0, 1] input that preprocess() returns. */
export function fromBytes(bytes) {
  const out = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) out[i] = bytes[i] / 255;
  return out;
}

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/**
 * The network's ten outputs for an input in [0, 1] (784 values), as mlp.forward computes
 * them: x = input * 0.99 + 0.01, hidden = sigmoid(W_h x), outputs = sigmoid(W_o hidden),
 * no biases. Sums in double precision over the float16 weights of the bundle.
 */
export function forward(model, input) {
  const { inputs, hidden, wHidden, wOutput, inputScale, inputOffset } = model;
  const x = new Float64Array(inputs);
  for (let i = 0; i < inputs; i++) x[i] = input[i] * inputScale + inputOffset;
  const h = new Float64Array(hidden);
  for (let j = 0; j < hidden; j++) {
    const row = j * inputs;
    let z = 0;
    for (let i = 0; i < inputs; i++) z += wHidden[row + i] * x[i];
    h[j] = sigmoid(z);
  }
  const out = new Float32Array(model.classes);
  for (let k = 0; k < model.classes; k++) {
    const row = k * hidden;
    let z = 0;
    for (let j = 0; j < hidden; j++) z += wOutput[row + j] * h[j];
    out[k] = sigmoid(z);
  }
  return out;
}

/** PCA features of an input in [0, 1]: (input - mean) @ components.T (scikit-learn's transform). */
export function project(model, input) {
  const { inputs, nComponents, pcaMean, pcaComponents } = model;
  const centred = new Float64Array(inputs);
  for (let i = 0; i < inputs; i++) centred[i] = input[i] - pcaMean[i];
  const features = new Float32Array(nComponents);
  for (let c = 0; c < nComponents; c++) {
    const row = c * inputs;
    let sum = 0;
    for (let i = 0; i < inputs; i++) sum += pcaComponents[row + i] * centred[i];
    features[c] = sum;
  }
  return features;
}

/** Indices of the k map digits nearest to `features` (Euclidean, PCA space), nearest first; ties by index. */
export function nearest(model, features, k = model.k) {
  const { mapN, nComponents, mapFeatures } = model;
  k = Math.min(k, mapN);
  const best = new Int32Array(k);
  const bestD = new Float64Array(k).fill(Infinity);
  for (let n = 0; n < mapN; n++) {
    const row = n * nComponents;
    let d = 0;
    for (let c = 0; c < nComponents; c++) {
      const diff = mapFeatures[row + c] - features[c];
      d += diff * diff;
    }
    if (d >= bestD[k - 1]) continue;
    let at = k - 1;
    while (at > 0 && bestD[at - 1] > d) {
      bestD[at] = bestD[at - 1];
      best[at] = best[at - 1];
      at--;
    }
    bestD[at] = d;
    best[at] = n;
  }
  return best;
}

function median(values) {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Where a new point goes on the map: the per-axis median of its neighbours' map positions
 * (openTSNE's "median" initialisation in prepare_partial). [x, y] in [0, 1], y up.
 */
export function medianPosition(model, indices) {
  const xs = [], ys = [];
  for (const n of indices) {
    xs.push(model.mapXY[2 * n]);
    ys.push(model.mapXY[2 * n + 1]);
  }
  return [median(xs), median(ys)];
}

/** Index of the largest output. */
export function argmax(values) {
  let top = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[top]) top = i;
  return top;
}

/** "Prediction: 7 (93 %)": the top output and its share of the sum of the ten outputs, in percent. */
export function predictionText(template, outputs) {
  const top = argmax(outputs);
  let sum = 0;
  for (const v of outputs) sum += v;
  return fill(template, { digit: top, percent: Math.round((100 * outputs[top]) / sum) });
}

/** The model object the functions above take, from a parsed bundle (see mnistreport/drawmodel.py). */
export function prepareModel({ meta, arrays }) {
  if (meta.kind !== BUNDLE_KIND) throw new Error(`not a drawing model bundle (kind ${JSON.stringify(meta.kind)})`);
  const mapXY = new Float32Array(arrays.map_xy.length);
  for (let i = 0; i < mapXY.length; i++) mapXY[i] = arrays.map_xy[i] / meta.map_xy_scale;
  return {
    meta,
    inputs: meta.inputs,
    hidden: meta.hidden,
    classes: meta.classes,
    inputScale: meta.input_scale,
    inputOffset: meta.input_offset,
    wHidden: arrays.w_hidden,
    wOutput: arrays.w_output,
    nComponents: meta.pca_components,
    pcaMean: arrays.pca_mean,
    pcaComponents: arrays.pca_components,
    mapN: meta.map_n,
    mapFeatures: arrays.map_features,
    mapXY,
    mapLabels: arrays.map_labels,
    examples: arrays.examples,
    exampleLabels: arrays.example_labels,
    nExamples: meta.examples,
    k: meta.k,
    colours: meta.colours,
  };
}

/** Fetch and prepare the model bundle at `url`. */
export async function loadModel(url) {
  return prepareModel(await loadBundle(url));
}

// ---------------------------------------------------------------- the widget

const MAP_MARGIN = 8;

function setUp(section) {
  const words = readWords(section);
  const lang = langOf(section);
  const part = (role) => section.querySelector(`[data-role="${role}"]`);
  const canvas = part("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const inputCanvas = part("input");
  const inputCtx = inputCanvas.getContext("2d");
  const mapCanvas = part("map");
  const mapCtx = mapCanvas.getContext("2d");
  const status = part("status");
  const message = part("message");
  const summary = part("summary");
  const neighbourList = part("neighbours");
  const bars = [...part("bars").querySelectorAll("li")].map((li) => ({
    li, fill: li.querySelector(".draw-fill"), value: li.querySelector(".draw-value"),
  }));
  const fromDisk = part("nojs");
  fromDisk.remove();
  section.classList.add("draw-ready");

  const number = { format: formatter(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) };
  const lineWidth = Math.round(canvas.width / 13);
  let model = null;
  let loading = null;
  let sheet = null; // the map-digit sheet, once decoded
  let mapBase = null; // the map's dots, drawn once
  let example = -1; // index of the test digit shown, or -1 for a drawing
  let frame = 0;
  let announce = false;
  let lastExample = -1;
  const pointers = new Map(); // pointerId -> last point of its stroke
  const neighbourCells = [];

  const inkRGB = () => {
    const match = getComputedStyle(canvas).color.match(/\d+(\.\d+)?/g) || ["0", "0", "0"];
    return match.slice(0, 3).map(Number);
  };

  function setStatus(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function showProblem(text) {
    message.textContent = text;
    message.hidden = false;
    setStatus(text);
  }

  function ensureModel() {
    if (!loading) {
      setStatus(words.loading);
      loading = loadModel(new URL(section.dataset.model, document.baseURI).href).then(
        (loaded) => {
          model = loaded;
          prepareView();
          schedule();
        },
        () => {
          if (location.protocol === "file:") { // a browser that ran the script from disk but will not fetch
            message.replaceChildren(...fromDisk.childNodes);
            message.hidden = false;
            setStatus(message.textContent);
          } else {
            showProblem(words.offline);
          }
        },
      );
    }
    return loading;
  }

  function prepareView() {
    // The map's dots, once.
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
    // The neighbours' cells.
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
    // The sheet of map digits, for the neighbours' pictures.
    const image = new Image();
    image.decoding = "async";
    image.onload = () => { sheet = image; schedule(); };
    image.src = section.dataset.sheet;
  }

  function mapPoint(x, y) {
    const span = mapCanvas.width - 2 * MAP_MARGIN;
    return [MAP_MARGIN + x * span, MAP_MARGIN + (1 - y) * span];
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(update);
  }

  function currentInput() {
    if (example >= 0) return fromBytes(model.examples.subarray(example * PIXELS, (example + 1) * PIXELS));
    return preprocess(ctx.getImageData(0, 0, canvas.width, canvas.height), canvas.width, canvas.height);
  }

  function update() {
    frame = 0;
    if (!model) return;
    const input = currentInput();
    showInput(input);
    if (!input.some((v) => v > 0)) {
      reset();
      if (announce) setStatus(words.ready);
      announce = false;
      return;
    }
    const outputs = forward(model, input);
    const top = argmax(outputs);
    bars.forEach((bar, d) => {
      bar.fill.style.transform = `scaleX(${outputs[d]})`;
      bar.value.textContent = number.format(outputs[d]);
      bar.li.classList.toggle("draw-top", d === top);
    });
    const near = nearest(model, project(model, input));
    showNeighbours(near);
    showMap(near);
    if (announce) {
      let text = predictionText(words.prediction, outputs);
      if (example >= 0) text += ` — ${fill(words.example, { label: model.exampleLabels[example] })}`;
      setStatus(text);
      announce = false;
    }
  }

  function showInput(input) {
    const image = inputCtx.createImageData(SIDE, SIDE);
    for (let i = 0; i < PIXELS; i++) {
      const v = Math.round(input[i] * 255);
      image.data.set([v, v, v, 255], 4 * i);
    }
    inputCtx.putImageData(image, 0, 0);
  }

  function showNeighbours(near) {
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
  }

  function showMap(near) {
    mapCtx.drawImage(mapBase, 0, 0);
    mapCtx.lineWidth = 1.5;
    mapCtx.strokeStyle = "#000";
    for (const n of near) {
      const [x, y] = mapPoint(model.mapXY[2 * n], model.mapXY[2 * n + 1]);
      mapCtx.beginPath();
      mapCtx.arc(x, y, 3.5, 0, 2 * Math.PI);
      mapCtx.stroke();
    }
    const [x, y] = mapPoint(...medianPosition(model, near));
    for (const [colour, width] of [["#fff", 6], ["#000", 3]]) {
      mapCtx.strokeStyle = colour;
      mapCtx.lineWidth = width;
      mapCtx.beginPath();
      mapCtx.arc(x, y, 11, 0, 2 * Math.PI);
      mapCtx.stroke();
    }
  }

  function reset() {
    bars.forEach((bar) => {
      bar.fill.style.transform = "scaleX(0)";
      bar.value.textContent = "–";
      bar.li.classList.remove("draw-top");
    });
    neighbourList.hidden = true;
    summary.textContent = "";
    if (mapBase) mapCtx.drawImage(mapBase, 0, 0);
  }

  // Drawing with a mouse, a finger or a pen.
  const point = (event) => {
    const rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) * (canvas.width / rect.width), (event.clientY - rect.top) * (canvas.height / rect.height)];
  };

  function stroke(from, to) {
    ctx.lineWidth = lineWidth;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault();
    try {
      canvas.setPointerCapture(event.pointerId); // keep the stroke when it leaves the square
    } catch {
      // a pointer the browser no longer tracks: draw without capture
    }
    ensureModel();
    example = -1; // drawing over a test digit makes the canvas the input again
    ctx.strokeStyle = `rgb(${inkRGB().join(",")})`;
    const p = point(event);
    pointers.set(event.pointerId, p);
    stroke(p, p);
    schedule();
  });
  canvas.addEventListener("pointermove", (event) => {
    let last = pointers.get(event.pointerId);
    if (!last) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of events.length ? events : [event]) {
      const p = point(e);
      stroke(last, p);
      last = p;
    }
    pointers.set(event.pointerId, last);
    schedule();
  });
  const end = (event) => {
    if (!pointers.delete(event.pointerId)) return;
    announce = true;
    schedule();
  };
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) canvas.addEventListener(type, end);

  part("clear").addEventListener("click", () => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    example = -1;
    pointers.clear();
    inputCtx.clearRect(0, 0, SIDE, SIDE);
    reset();
    if (message.hidden) setStatus(words.ready);
  });

  part("random").addEventListener("click", async () => {
    await ensureModel();
    if (!model || model.nExamples === 0) return;
    let pick = Math.floor(Math.random() * model.nExamples);
    if (pick === lastExample && model.nExamples > 1) pick = (pick + 1) % model.nExamples;
    lastExample = example = pick;
    paintExample(model.examples.subarray(pick * PIXELS, (pick + 1) * PIXELS));
    announce = true;
    schedule();
  });

  // Show a test digit on the pad, enlarged by whole pixels: drawing more starts from it.
  function paintExample(bytes) {
    const small = document.createElement("canvas");
    small.width = small.height = SIDE;
    const smallCtx = small.getContext("2d");
    const image = smallCtx.createImageData(SIDE, SIDE);
    const [r, g, b] = inkRGB();
    for (let i = 0; i < PIXELS; i++) image.data.set([r, g, b, bytes[i]], 4 * i);
    smallCtx.putImageData(image, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = true;
  }
}

if (typeof document !== "undefined") for (const section of document.querySelectorAll("[data-draw]")) {
  try {
    setUp(section);
  } catch (error) {
    const message = section.querySelector('[data-role="message"]');
    if (message) {
      message.textContent = `${error.message}`;
      message.hidden = false;
    }
    throw error;
  }
}
