/**
 * Feeding a parser its input cut every way a network might cut it, and Latin-1 views for comparing bytes.
 * @module
 */

/**
 * `data` split into chunks of `size` bytes (the last one shorter). Feed a protocol the same input for
 * every `size` from 1 up: a parser that only works when a message arrives whole fails at some size.
 *
 * @example
 * for (let size = 1; size <= input.length; size++) {
 *   const { protocol, transport } = connect();
 *   for (const chunk of splitEvery(input, size)) protocol.dataReceived(chunk);
 *   assert.equal(transport.valueString(), expected);
 * }
 */
export function splitEvery(data: Uint8Array, size: number): Uint8Array[] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1, got ${size}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.slice(i, i + size));
  return out;
}

/** `data` split at random boundaries, each chunk 1 to `maxChunk` bytes; `random` is a {@link seededRandom}. */
export function splitRandom(random: () => number, data: Uint8Array, maxChunk: number): Uint8Array[] {
  if (!(maxChunk >= 1)) throw new RangeError(`maxChunk must be at least 1, got ${maxChunk}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; ) {
    const n = 1 + Math.floor(random() * maxChunk);
    out.push(data.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Bytes as a Latin-1 string (one character per byte), so binary data compares readably in assertions. */
export function latin1(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += String.fromCharCode(b);
  return s;
}

/** The bytes of a Latin-1 string (each character's low 8 bits): the inverse of {@link latin1}. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
