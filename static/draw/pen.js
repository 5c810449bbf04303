// The drawing pad's paper: strokes of a mouse, a finger or a pen in the page's ink colour, and a
// test digit painted on it, enlarged by whole pixels (drawing more starts from it).

import { PIXELS, SIDE } from "../lib/numbers.js";

/** The paper on `canvas`; down() when a stroke starts, drawn() after each piece of it, up() at its end. */
export function pad(canvas, { down, drawn, up }) {
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const lineWidth = Math.round(canvas.width / 13);
  const pointers = new Map(); // pointerId -> last point of its stroke

  const inkRGB = () => {
    const match = getComputedStyle(canvas).color.match(/\d+(\.\d+)?/g) || ["0", "0", "0"];
    return match.slice(0, 3).map(Number);
  };

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
    down();
    ctx.strokeStyle = `rgb(${inkRGB().join(",")})`;
    const p = point(event);
    pointers.set(event.pointerId, p);
    stroke(p, p);
    drawn();
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
    drawn();
  });
  const end = (event) => {
    if (pointers.delete(event.pointerId)) up();
  };
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) canvas.addEventListener(type, end);

  return {
    /** What is on the paper: an ImageData whose alpha is the ink. */
    image: () => ctx.getImageData(0, 0, canvas.width, canvas.height),

    clear() {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      pointers.clear();
    },

    /** Paint a test digit (its 784 bytes). */
    paint(bytes) {
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
    },
  };
}
