// Numbers shared by the explorer and the drawing pad.

/** v limited to [lo, hi]. */
export const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
