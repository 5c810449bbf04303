// MNIST's image format, shared by the explorer's sprite sheets and the drawing pad.

export const SIDE = 28; // pixels per side of a digit
export const PIXELS = SIDE * SIDE;
