// The drawing pad's model (draw.js): the NumPy network of mnistreport/mlp.py run on a drawing prepared
// the way MNIST's digits were, and the drawing placed among chapter 4's map digits. Its data is one
// bundle written by mnistreport/drawmodel.py (loadModel). Pure functions, without the page, so that
// tests can run them in the page (preprocess, forward, project, nearest, medianPosition, predictionText).

import { loadBundle } from "../lib/bundle.js";
import { PIXELS, SIDE } from "../lib/numbers.js";
import { fill } from "../lib/words.js";

export const BOX = 20; // MNIST's digits are scaled to fit 20 x 20 in their 28 x 28
// MNIST puts the centre of mass at (14, 14) in pixel-index coordinates (pixel i's centre
// at i), moving the digit by whole pixels: measured on the 10,000 test digits, every
// centre of mass lies in [13.5, 14.5) on both axes.
const CENTRE = 14;
const BUNDLE_KIND = "mnistreport draw model";

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

/** Test digit k's raw MNIST bytes (784 values 0..255) from the model bundle. */
export function exampleBytes(model, k) {
  return model.examples.subarray(k * PIXELS, (k + 1) * PIXELS);
}

/** Raw MNIST bytes (784 values 0..255) as the [0, 1] input that preprocess() returns. */
export function fromBytes(bytes) {
  const out = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) out[i] = bytes[i] / 255;
  return out;
}

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** out[r] = f(the sum over c of matrix[r * n + c] * vector[c]), n = vector.length, for each row r of out
 *  (a row-major matrix times a vector, summed in double precision). */
function product(matrix, vector, out, f = (z) => z) {
  const n = vector.length;
  for (let r = 0; r < out.length; r++) {
    const row = r * n;
    let z = 0;
    for (let c = 0; c < n; c++) z += matrix[row + c] * vector[c];
    out[r] = f(z);
  }
  return out;
}

/**
 * The network's ten outputs for an input in [0, 1] (784 values), as mlp.forward computes
 * them: x = input * 0.99 + 0.01, hidden = sigmoid(W_h x), outputs = sigmoid(W_o hidden),
 * no biases. Sums in double precision over the float16 weights of the bundle.
 */
export function forward(model, input) {
  const { inputs, hidden, wHidden, wOutput, inputScale, inputOffset } = model;
  const x = new Float64Array(inputs);
  for (let i = 0; i < inputs; i++) x[i] = input[i] * inputScale + inputOffset;
  const h = product(wHidden, x, new Float64Array(hidden), sigmoid);
  return product(wOutput, h, new Float32Array(model.classes), sigmoid);
}

/** PCA features of an input in [0, 1]: (input - mean) @ components.T (scikit-learn's transform). */
export function project(model, input) {
  const { inputs, nComponents, pcaMean, pcaComponents } = model;
  const centred = new Float64Array(inputs);
  for (let i = 0; i < inputs; i++) centred[i] = input[i] - pcaMean[i];
  return product(pcaComponents, centred, new Float32Array(nComponents));
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
