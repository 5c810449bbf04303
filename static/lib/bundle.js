// Reads the build's binary bundles (see mnistreport/bundle.py for the layout):
// named typed arrays plus a JSON "meta" object, from one fetched file.

const TYPES = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array,
};

/** IEEE half-precision values (as uint16 bits) to a Float32Array. */
export function halfToFloat(bits) {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * fraction * 2 ** -24;
    else if (exponent === 31) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

/** Parse bundle bytes: {meta, arrays: {name: TypedArray}, shapes: {name: number[]}}. float16 becomes Float32Array. */
export function parseBundle(buffer) {
  const head = new DataView(buffer, 0, 8);
  const magic = String.fromCharCode(head.getUint8(0), head.getUint8(1), head.getUint8(2), head.getUint8(3));
  if (magic !== "MNRB") throw new Error(`not a bundle (magic ${JSON.stringify(magic)})`);
  const length = head.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, length)));
  const arrays = {};
  const shapes = {};
  for (const [name, info] of Object.entries(header.arrays)) {
    shapes[name] = info.shape;
    if (info.dtype === "float16") {
      arrays[name] = halfToFloat(new Uint16Array(buffer, info.offset, info.bytes / 2));
    } else {
      const Type = TYPES[info.dtype];
      if (!Type) throw new Error(`bundle array ${name}: unknown dtype ${info.dtype}`);
      arrays[name] = new Type(buffer, info.offset, info.bytes / Type.BYTES_PER_ELEMENT);
    }
  }
  return { meta: header.meta, arrays, shapes };
}

/** Fetch and parse a bundle; rejects with an Error that names the URL. `onProgress(received, total)`
 *  (total 0 when the server does not say) is called as the bytes arrive. */
export async function loadBundle(url, onProgress) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`could not fetch ${url}: ${error.message}`);
  }
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  if (!onProgress || !response.body) return parseBundle(await response.arrayBuffer());
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const parts = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.length;
    onProgress(received, total);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const part of parts) { bytes.set(part, offset); offset += part.length; }
  return parseBundle(bytes.buffer);
}
