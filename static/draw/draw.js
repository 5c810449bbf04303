// Chapter 8's "Draw a digit" widget (templates/widgets/draw.html): the NumPy network of
// mnistreport/mlp.py runs here, on a drawing prepared the way MNIST's digits were, and the
// drawing is placed among chapter 4's map digits. Its parts: pen.js (the paper), model.js (what
// the model computes; imported, and its bundle fetched, only when the reader first draws or asks
// for a test digit), result.js (what it shows); here, the status line, the buttons, the updates.

import { loadBundle } from "../lib/bundle.js";
import { fill, langOf, readWords } from "../lib/words.js";
import { pad } from "./pen.js";
import { result } from "./result.js";

function setUp(section) {
  const words = readWords(section);
  const part = (role) => section.querySelector(`[data-role="${role}"]`);
  const canvas = part("canvas");
  const status = part("status");
  const message = part("message");
  const fromDisk = part("nojs");
  fromDisk.remove();
  section.classList.add("draw-ready");
  const shown = result(part, words, langOf(section));
  let m = null; // model.js
  let model = null;
  let loading = null;
  let example = -1; // index of the test digit shown, or -1 for a drawing
  let frame = 0;
  let announce = false;
  let lastExample = -1;
  const paper = pad(canvas, {
    down() {
      ensureModel();
      example = -1; // drawing over a test digit makes the canvas the input again
    },
    drawn: schedule,
    up() {
      announce = true;
      schedule();
    },
  });

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
      const bundle = loadBundle(new URL(section.dataset.model, document.baseURI).href); // while model.js arrives
      loading = Promise.all([import("./model.js"), bundle]).then(([module, data]) => {
        m = module;
        return m.prepareModel(data);
      }).then(
        (loaded) => {
          model = loaded;
          shown.prepare(model, section.dataset.sheet, schedule);
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

  function schedule() {
    if (!frame) frame = requestAnimationFrame(update);
  }

  function currentInput() {
    if (example >= 0) return m.fromBytes(m.exampleBytes(model, example));
    return m.preprocess(paper.image(), canvas.width, canvas.height);
  }

  function update() {
    frame = 0;
    if (!model) return;
    const input = currentInput();
    shown.showInput(input);
    if (!input.some((v) => v > 0)) {
      shown.reset();
      if (announce) setStatus(words.ready);
      announce = false;
      return;
    }
    const outputs = m.forward(model, input);
    const near = m.nearest(model, m.project(model, input));
    shown.show(outputs, m.argmax(outputs), near, m.medianPosition(model, near));
    if (announce) {
      let text = m.predictionText(words.prediction, outputs);
      if (example >= 0) text += ` — ${fill(words.example, { label: model.exampleLabels[example] })}`;
      setStatus(text);
      announce = false;
    }
  }

  part("clear").addEventListener("click", () => {
    paper.clear();
    example = -1;
    shown.showInput(null);
    shown.reset();
    if (message.hidden) setStatus(words.ready);
  });

  part("random").addEventListener("click", async () => {
    await ensureModel();
    if (!model || model.nExamples === 0) return;
    let pick = Math.floor(Math.random() * model.nExamples);
    if (pick === lastExample && model.nExamples > 1) pick = (pick + 1) % model.nExamples;
    lastExample = example = pick;
    paper.paint(m.exampleBytes(model, pick));
    announce = true;
    schedule();
  });
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
