// The digit explorer's view in the URL hash (and digits' names): the codec, without the page.
//
// A view is {layout, classes[10], mistakes, set, series, colour, writer, zoom, cx, cy, selected}; its hash
// lists only what differs from the whole map:
// "#classes=3,5&set=test&series=students&colour=mlp&writer=2154&zoom=2.5&x=0.41&y=0.6&digit=test-12".

import { fill } from "../lib/words.js";

export const WHOLE = { zoom: 1, cx: 0.5, cy: 0.5 };
export const SERIES = ["all", "employees", "students"]; // the filter by the writers' NIST series

/** The view a page starts with. */
export function initialView(layout) {
  return { layout, classes: new Array(10).fill(true), mistakes: "none", set: "all", series: "all", colour: "label", writer: -1,
    selected: -1, ...WHOLE };
}

/** Digit id -> "train #12,345" / "訓練 #12,345" with the page's words and number format. */
export function identity(words, id, nTrain, num) {
  return id < nTrain ? fill(words.id_train, { n: num(id) }) : fill(words.id_test, { n: num(id - nTrain) });
}

/** The hash form of a digit: "train-12345" / "test-1234". */
export function identityKey(id, nTrain) {
  return id < nTrain ? `train-${id}` : `test-${id - nTrain}`;
}

const IDENTITY = new RegExp(
  "^(train(?:ing)?|test|訓練(?:データ)?|学習(?:データ)?|テスト(?:データ)?)\\s*(?:の)?\\s*[-_]?\\s*(?:no\\.?|番号)?\\s*#?\\s*" +
  "(\\d{1,3}(?:,\\d{3})+|\\d+)\\s*(?:番目?)?$", "u");

/** Parse "train #12,345", "train 12345", "test-1234", "訓練 #12,345", "テスト 1234" ...:
 *  {id} or {error: "syntax"} or {error: "range", test, max}. */
export function parseIdentity(text, nTrain, nTest) {
  const s = String(text).normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");
  const m = IDENTITY.exec(s);
  if (!m) return { error: "syntax" };
  const isTest = /^(test|テスト)/.test(m[1]);
  const n = Number(m[2].replace(/,/g, ""));
  const size = isTest ? nTest : nTrain;
  if (!Number.isSafeInteger(n) || n >= size) return { error: "range", test: isTest, max: size - 1 };
  return { id: isTest ? nTrain + n : n };
}

/** The hash of a view ("" for the whole map as the page starts). `data`: {initialLayout, nTrain}. */
export function hashOf(view, data) {
  const parts = [];
  if (view.layout !== data.initialLayout) parts.push(`layout=${view.layout}`);
  if (!view.classes.every(Boolean)) {
    const on = view.classes.map((v, d) => (v ? d : -1)).filter((d) => d >= 0);
    parts.push(`classes=${on.length ? on.join(",") : "none"}`);
  }
  if (view.mistakes !== "none") parts.push(`mistakes=${view.mistakes}`);
  if (view.set !== "all") parts.push(`set=${view.set}`);
  if (view.series !== "all") parts.push(`series=${view.series}`);
  if (view.colour !== "label") parts.push(`colour=${view.colour}`);
  if (view.writer >= 0) parts.push(`writer=${view.writer}`);
  const whole = Math.abs(view.zoom - 1) < 1e-3 && Math.abs(view.cx - 0.5) < 1e-5 && Math.abs(view.cy - 0.5) < 1e-5;
  if (!whole) parts.push(`zoom=${+view.zoom.toFixed(3)}`, `x=${view.cx.toFixed(5)}`, `y=${view.cy.toFixed(5)}`);
  if (view.selected >= 0) parts.push(`digit=${identityKey(view.selected, data.nTrain)}`);
  return parts.length ? `#${parts.join("&")}` : "";
}

/** Read a hash: {view, digit, explicitView, problem}. `data`: {initialLayout, hasGrid, hasCnn, maxZoom, nTrain, nTest};
 *  `words` for the problem's wording. With a problem, view is the initial one and digit -1. */
export function parseHash(hash, data, words) {
  const w = words;
  let text = String(hash).replace(/^#/, "");
  let problem = null;
  try {
    text = decodeURIComponent(text);
  } catch {
    problem = fill(w.reason_value, { text: text.slice(0, 40) });
  }
  const view = initialView(data.initialLayout);
  let explicitView = false;
  let digit = -1;
  const fail = (reason) => { problem = problem || reason; };
  for (const part of text && !problem ? text.split("&") : []) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    const bad = () => fail(fill(w.reason_value, { text: part }));
    const number = (lo, hi) => {
      const v = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : NaN;
      return Number.isFinite(v) && v >= lo && v <= hi ? v : null;
    };
    switch (key) {
      case "layout":
        if (value === "map") view.layout = "map";
        else if (value === "grid" && data.hasGrid) view.layout = "grid";
        else if (value === "grid") fail(w.reason_grid);
        else bad();
        break;
      case "classes": {
        if (value === "none") { view.classes = new Array(10).fill(false); break; }
        const digits = value.split(/[,\s]+/).filter(Boolean);
        if (!digits.length || !digits.every((d) => /^\d$/.test(d))) { bad(); break; }
        view.classes = new Array(10).fill(false);
        for (const d of digits) view.classes[Number(d)] = true;
        break;
      }
      case "mistakes":
        if (value === "mlp" || (value === "cnn" && data.hasCnn) || value === "none") view.mistakes = value;
        else bad();
        break;
      case "set":
        if (["all", "train", "test"].includes(value)) view.set = value;
        else bad();
        break;
      case "series":
        if (SERIES.includes(value)) view.series = value;
        else bad();
        break;
      case "colour":
        // "series" needs the writers file, checked once it has arrived (state.js, setWriters).
        if (["label", "mlp", "series"].includes(value) || (data.hasCnn && (value === "cnn" || value === "disagree"))) view.colour = value;
        else bad();
        break;
      case "writer":
        if (/^\d{1,5}$/.test(value) && Number(value) <= 65535) view.writer = Number(value);
        else bad();
        break;
      case "zoom": {
        const z = number(1, data.maxZoom);
        if (z === null) fail(fill(w.reason_zoom, { text: value, max: data.maxZoom }));
        else { view.zoom = z; explicitView = true; }
        break;
      }
      case "x": case "y": {
        const v = number(0, 1);
        if (v === null) bad();
        else { view[key === "x" ? "cx" : "cy"] = v; explicitView = true; }
        break;
      }
      case "digit": {
        const r = parseIdentity(value, data.nTrain, data.nTest);
        if (r.error) fail(fill(w.reason_digit, { text: value }));
        else digit = r.id;
        break;
      }
      default:
        bad();
    }
  }
  if (problem) return { view: initialView(data.initialLayout), digit: -1, explicitView: false, problem };
  return { view, digit, explicitView, problem: null };
}
