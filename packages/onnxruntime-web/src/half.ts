/**
 * IEEE binary16 ("float16") as the runner takes and returns it (issue 14): the bits in a
 * Uint16Array, or a runtime Float16Array, which is viewed as its bits. Every half value is a
 * float32 value, so widening is exact; the runner widens only to check target values, the graph
 * itself casts.
 */

/** The runtime's Float16Array constructor, where it has one (Node 20 has none). */
const Float16ArrayCtor = (globalThis as { Float16Array?: new (...args: never[]) => ArrayBufferView }).Float16Array;

export function isFloat16Array(data: unknown): data is ArrayBufferView & { readonly length: number } {
  return Float16ArrayCtor !== undefined && data instanceof Float16ArrayCtor;
}

/** The binary16 bits of a Uint16Array (as is) or a Float16Array (a view of the same memory). */
export function float16Bits(data: Uint16Array | (ArrayBufferView & { readonly length: number })): Uint16Array {
  return data instanceof Uint16Array ? data : new Uint16Array(data.buffer, data.byteOffset, data.length);
}

/** binary16 bits widened exactly to float32 (NaN, infinities, subnormals and -0 included). */
export function widenFloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i] as number;
    const sign = b & 0x8000 ? -1 : 1;
    const exponent = (b >> 10) & 0x1f;
    const fraction = b & 0x3ff;
    if (exponent === 0) out[i] = sign * fraction * 2 ** -24;
    else if (exponent === 0x1f) out[i] = fraction === 0 ? sign * Infinity : NaN;
    else out[i] = sign * (1024 + fraction) * 2 ** (exponent - 25);
  }
  return out;
}
