// The drawing pad's paper (draw.js): strokes of a mouse, a finger or a pen on its canvas, in the
// page's ink colour, and a test digit painted on it enlarged by whole pixels (drawing more starts from it).

import { PIXELS, SIDE } from "../lib/mnist.js";

export class Pad {
  /** `onDown()` when a stroke starts, `onStroke()` after each piece of one, `onUp()` when it ends. */
  constructor(canvas, { onDown, onStroke, onUp }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.lineWidth = Math.round(canvas.width / 13);
    this.pointers = new Map(); // pointerId -> last point of its stroke
    const end = (event) => {
      if (this.pointers.delete(event.pointerId)) onUp();
    };
    canvas.addEventListener("pointerdown", (event) => {
      if (event.pointerType === "mouse" && event.button !== 0) return;
      event.preventDefault();
      try {
        canvas.setPointerCapture(event.pointerId); // keep the stroke when it leaves the square
      } catch {
        // a pointer the browser no longer tracks: draw without capture
      }
      onDown();
      this.ctx.strokeStyle = `rgb(${this.inkRGB().join(",")})`;
      const p = this.point(event);
      this.pointers.set(event.pointerId, p);
      this.stroke(p, p);
      onStroke();
    });
    canvas.addEventListener("pointermove", (event) => {
      let last = this.pointers.get(event.pointerId);
      if (!last) return;
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      for (const e of events.length ? events : [event]) {
        const p = this.point(e);
        this.stroke(last, p);
        last = p;
      }
      this.pointers.set(event.pointerId, last);
      onStroke();
    });
    for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) canvas.addEventListener(type, end);
  }

  /** The page's ink colour (the canvas's CSS colour) as [r, g, b]. */
  inkRGB() {
    const match = getComputedStyle(this.canvas).color.match(/\d+(\.\d+)?/g) || ["0", "0", "0"];
    return match.slice(0, 3).map(Number);
  }

  /** An event's point in canvas pixels. */
  point(event) {
    const rect = this.canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) * (this.canvas.width / rect.width), (event.clientY - rect.top) * (this.canvas.height / rect.height)];
  }

  stroke(from, to) {
    const ctx = this.ctx;
    ctx.lineWidth = this.lineWidth;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
  }

  /** What is on the paper: an ImageData whose alpha is the ink. */
  image() { return this.ctx.getImageData(0, 0, this.canvas.width, this.canvas.height); }

  clear() {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.pointers.clear();
  }

  /** Show a test digit (its 784 bytes) on the paper, enlarged by whole pixels. */
  paint(bytes) {
    const small = document.createElement("canvas");
    small.width = small.height = SIDE;
    const smallCtx = small.getContext("2d");
    const image = smallCtx.createImageData(SIDE, SIDE);
    const [r, g, b] = this.inkRGB();
    for (let i = 0; i < PIXELS; i++) image.data.set([r, g, b, bytes[i]], 4 * i);
    smallCtx.putImageData(image, 0, 0);
    const ctx = this.ctx;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    ctx.imageSmoothingEnabled = true;
  }
}
