// Sprite sheets of the digit explorer: fetch a greyscale PNG and return its grey values
// (one byte a pixel, the raw MNIST values). Used by data.js (SheetStore) as a module worker, so
// that decoding never holds up a frame, or directly where module workers are missing.

/** Fetch and decode one sheet: {width, height, grey: Uint8Array}. */
export async function decodeSheet(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const bitmap = await createImageBitmap(await response.blob(), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const { width, height } = bitmap;
  const canvas = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement("canvas"), { width, height });
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close?.();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const grey = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < grey.length; i++, j += 4) grey[i] = rgba[j];
  return { width, height, grey };
}

// As a worker: {tile, url} in, {tile, width, height, grey} or {tile, error} out.
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  self.onmessage = async ({ data: { tile, url } }) => {
    try {
      const sheet = await decodeSheet(url);
      self.postMessage({ tile, ...sheet }, [sheet.grey.buffer]);
    } catch (error) {
      self.postMessage({ tile, error: error.message || String(error) });
    }
  };
}
