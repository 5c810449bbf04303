// Numbers shared by the explorer and the drawing pad: the side of MNIST's images, and clamp.

export const SIDE = 28; // pixels per side of a digit
export const PIXELS = SIDE * SIDE;

/** v limited to [lo, hi]. */
export const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
