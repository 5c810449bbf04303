// Chapter 8's "Draw a digit" widget (templates/widgets/draw.html): the NumPy network of
// mnistreport/mlp.py runs here, on a drawing prepared the way MNIST's digits were, and the
// drawing is placed among chapter 4's map digits. The parts: pen.js (the paper and the strokes),
// model.js (the model's bundle, fetched only when the reader first draws or asks for a test
// digit, and what it computes), result.js (what it says); this module joins them and keeps the
// status line, the buttons and the redrawing after each stroke.

import { fill, langOf, readWords } from "../lib/words.js";
import { argmax, exampleBytes, forward, fromBytes, loadModel, nearest, predictionText, preprocess, project } from "./model.js";
import { Pad } from "./pen.js";
import { Result } from "./result.js";

class DrawWidget {
  constructor(section) {
    this.section = section;
    this.words = readWords(section);
    const part = (role) => section.querySelector(`[data-role="${role}"]`);
    this.status = part("status");
    this.message = part("message");
    this.fromDisk = part("nojs");
    this.fromDisk.remove();
    section.classList.add("draw-ready");
    this.model = null;
    this.loading = null;
    this.example = -1; // index of the test digit shown, or -1 for a drawing
    this.lastExample = -1;
    this.frame = 0;
    this.announce = false; // say the prediction in the status line at the next update (a stroke ended)
    this.result = new Result(part, this.words, langOf(section));
    this.pad = new Pad(part("canvas"), {
      onDown: () => {
        this.ensureModel();
        this.example = -1; // drawing over a test digit makes the canvas the input again
      },
      onStroke: () => this.schedule(),
      onUp: () => { this.announce = true; this.schedule(); },
    });
    part("clear").addEventListener("click", () => this.clear());
    part("random").addEventListener("click", () => this.showExample());
  }

  setStatus(text) {
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  showProblem(text) {
    this.message.textContent = text;
    this.message.hidden = false;
    this.setStatus(text);
  }

  ensureModel() {
    if (!this.loading) {
      this.setStatus(this.words.loading);
      this.loading = loadModel(new URL(this.section.dataset.model, document.baseURI).href).then(
        (model) => {
          this.model = model;
          this.result.prepare(model, this.section.dataset.sheet, () => this.schedule());
          this.schedule();
        },
        () => {
          if (location.protocol === "file:") { // a browser that ran the script from disk but will not fetch
            this.message.replaceChildren(...this.fromDisk.childNodes);
            this.message.hidden = false;
            this.setStatus(this.message.textContent);
          } else {
            this.showProblem(this.words.offline);
          }
        },
      );
    }
    return this.loading;
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.update());
  }

  /** The network's input: the test digit shown, or the drawing prepared as MNIST's digits were. */
  currentInput() {
    if (this.example >= 0) return fromBytes(exampleBytes(this.model, this.example));
    const { canvas } = this.pad;
    return preprocess(this.pad.image(), canvas.width, canvas.height);
  }

  update() {
    this.frame = 0;
    const { model, result, words } = this;
    if (!model) return;
    const input = this.currentInput();
    result.showInput(input);
    if (!input.some((v) => v > 0)) {
      result.reset();
      if (this.announce) this.setStatus(words.ready);
      this.announce = false;
      return;
    }
    const outputs = forward(model, input);
    result.showOutputs(outputs, argmax(outputs));
    const near = nearest(model, project(model, input));
    result.showNeighbours(near);
    result.showMap(near);
    if (this.announce) {
      let text = predictionText(words.prediction, outputs);
      if (this.example >= 0) text += ` — ${fill(words.example, { label: model.exampleLabels[this.example] })}`;
      this.setStatus(text);
      this.announce = false;
    }
  }

  clear() {
    this.pad.clear();
    this.example = -1;
    this.result.clearInput();
    this.result.reset();
    if (this.message.hidden) this.setStatus(this.words.ready);
  }

  /** A random test digit (not the one shown) on the pad, as the input. */
  async showExample() {
    await this.ensureModel();
    const model = this.model;
    if (!model || model.nExamples === 0) return;
    let pick = Math.floor(Math.random() * model.nExamples);
    if (pick === this.lastExample && model.nExamples > 1) pick = (pick + 1) % model.nExamples;
    this.lastExample = this.example = pick;
    this.pad.paint(exampleBytes(model, pick));
    this.announce = true;
    this.schedule();
  }
}

if (typeof document !== "undefined") for (const section of document.querySelectorAll("[data-draw]")) {
  try {
    new DrawWidget(section);
  } catch (error) {
    const message = section.querySelector('[data-role="message"]');
    if (message) {
      message.textContent = `${error.message}`;
      message.hidden = false;
    }
    throw error;
  }
}
