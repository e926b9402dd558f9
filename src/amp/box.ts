/**
 * The AMP box codec, sans-I/O: a box is a sequence of key/value pairs, each a 16-bit big-endian length
 * then the bytes, ended by an empty key (two zero bytes). Keys are at most 255 bytes, values at most
 * 65,535. Keys are ASCII in practice and kept here as latin1 strings so every byte survives.
 * Browser-safe.
 * @module
 */
import { AMP_LIMITS, type AMPLimits } from './limits.js';
import { AMPMalformedBoxError, AMPTooLongError } from './errors.js';

/** One AMP box: keys to raw values, in the order they were set. */
export type AmpBox = Map<string, Uint8Array>;

const encoder = new TextEncoder();

/** A key as its latin1 bytes (every char must be below 256). */
function keyBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0xff) throw new AMPMalformedBoxError(`AMP key ${JSON.stringify(key)} is not bytes`);
    out[i] = c;
  }
  return out;
}

/** The bytes of one box, terminator included. Refuses empty or over-long keys and over-long values. */
export function serializeBox(box: AmpBox | Iterable<[string, Uint8Array | string]>, limits: Pick<AMPLimits, 'maxKeyLength' | 'maxValueLength'> = AMP_LIMITS): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 2;
  for (const [key, rawValue] of box) {
    const k = keyBytes(key);
    const v = typeof rawValue === 'string' ? encoder.encode(rawValue) : rawValue;
    if (k.length === 0) throw new AMPMalformedBoxError('an AMP key cannot be empty');
    if (k.length > limits.maxKeyLength) throw new AMPTooLongError(`AMP key ${JSON.stringify(key)} is ${k.length} bytes (limit ${limits.maxKeyLength})`);
    if (v.length > limits.maxValueLength) throw new AMPTooLongError(`AMP value of ${JSON.stringify(key)} is ${v.length} bytes (limit ${limits.maxValueLength})`);
    parts.push(k, v);
    size += 4 + k.length + v.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < parts.length; i += 2) {
    const k = parts[i]!;
    const v = parts[i + 1]!;
    out[at] = k.length >> 8;
    out[at + 1] = k.length & 0xff;
    out.set(k, at + 2);
    at += 2 + k.length;
    out[at] = v.length >> 8;
    out[at + 1] = v.length & 0xff;
    out.set(v, at + 2);
    at += 2 + v.length;
  }
  return out; // the last two bytes are already zero: the terminator
}

/**
 * Turns a stream of bytes into boxes. `feed` returns the boxes completed by the chunk and throws an
 * {@link AMPTooLongError} or {@link AMPMalformedBoxError} once the stream is bad; after that the decoder is
 * useless and the connection should be dropped.
 */
export class BoxDecoder {
  readonly #limits: Pick<AMPLimits, 'maxKeyLength' | 'maxBoxBytes'>;
  #buffer: Uint8Array = new Uint8Array(0);
  #box: AmpBox = new Map();
  #boxBytes = 0;
  #key: string | null = null;

  constructor(limits: Partial<AMPLimits> = {}) {
    this.#limits = { ...AMP_LIMITS, ...limits };
  }

  /** Bytes held that do not yet complete a key or value. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Whether the decoder stopped between boxes (nothing partial held). */
  get idle(): boolean {
    return this.#buffer.length === 0 && this.#box.size === 0 && this.#key === null;
  }

  /**
   * Adds bytes; returns the boxes they complete, at most `maxBoxes` of them (the bytes after the last one
   * returned stay buffered, for the next call or for {@link BoxDecoder.takeBuffered}).
   */
  feed(data: Uint8Array, maxBoxes = Infinity): AmpBox[] {
    let buf = this.#buffer.length === 0 ? data : concat(this.#buffer, data);
    const boxes: AmpBox[] = [];
    let at = 0;
    for (;;) {
      if (buf.length - at < 2 || boxes.length >= maxBoxes) break;
      const len = (buf[at]! << 8) | buf[at + 1]!;
      if (this.#key === null && len > this.#limits.maxKeyLength) {
        throw new AMPTooLongError(`AMP key length ${len} over the limit of ${this.#limits.maxKeyLength}`);
      }
      if (this.#boxBytes + 2 + len > this.#limits.maxBoxBytes) {
        throw new AMPTooLongError(`AMP box over the limit of ${this.#limits.maxBoxBytes} bytes`);
      }
      if (this.#key === null && len === 0) {
        at += 2;
        boxes.push(this.#box);
        this.#box = new Map();
        this.#boxBytes = 0;
        continue;
      }
      if (buf.length - at - 2 < len) break;
      const bytes = buf.subarray(at + 2, at + 2 + len);
      at += 2 + len;
      this.#boxBytes += 2 + len;
      if (this.#key === null) {
        this.#key = latin1(bytes);
      } else {
        this.#box.set(this.#key, new Uint8Array(bytes)); // a plain copy, not a Buffer view
        this.#key = null;
      }
    }
    buf = buf.subarray(at);
    this.#buffer = buf.length === 0 ? new Uint8Array(0) : buf.slice();
    return boxes;
  }

  /** The bytes received after the last whole box, which are no longer AMP's (a protocol switch); empties the buffer. */
  takeBuffered(): Uint8Array {
    if (this.#box.size !== 0 || this.#key !== null) throw new AMPMalformedBoxError('a protocol switch in the middle of an AMP box');
    const rest = this.#buffer;
    this.#buffer = new Uint8Array(0);
    return rest;
  }
}

/** Every box in `data`, which must end exactly at a box's end (AmpList values, Twisted's `parseString`). */
export function parseBoxes(data: Uint8Array, limits: Partial<AMPLimits> = {}): AmpBox[] {
  const decoder = new BoxDecoder(limits);
  const boxes = decoder.feed(data);
  if (!decoder.idle) throw new AMPMalformedBoxError('AMP boxes end in the middle of a box');
  return boxes;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
