/**
 * The RFC 6455 frame codec: an incremental reader that checks every rule a frame header can break, and a
 * writer that builds a frame in one allocation (header, mask and payload together).
 *
 * The reader guards against a peer that announces a huge payload to make us buffer it (`maxFrameSize`,
 * checked on the header, before any payload is kept) and against a byte-at-a-time sender (a partial frame
 * is kept as one growing buffer, not a list of scraps).
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { randomFillSync } from 'node:crypto';
import { TorsionError } from '../../errors/index.js';

/** Frame opcodes. */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** Close codes used by Torsion (RFC 6455 section 7.4.1). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
} as const;

/** True for a close code a peer may send on the wire. */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** A rule broken by the peer: the connection is failed with `closeCode`. */
export class FrameError extends TorsionError {
  override readonly code: string = 'TORSION_WEBSOCKET_FRAME';
  override name = 'FrameError';
  constructor(readonly closeCode: number, message: string) {
    super(message);
  }
}

/** Receives what a {@link FrameReader} decodes. The payload is already unmasked. */
export interface FrameSink {
  frameReceived(fin: boolean, rsv1: boolean, opcode: number, payload: Buffer): void;
}

/** Options of a {@link FrameReader}. */
export interface FrameReaderOptions {
  /** True on the server: every client frame must be masked. False on the client: no server frame may be. */
  expectMasked: boolean;
  /** The largest payload accepted in one frame (bytes). */
  maxFrameSize: number;
  /** RSV1 is allowed on the first frame of a data message (permessage-deflate was negotiated). */
  allowRsv1?: boolean;
}

const EMPTY = Buffer.alloc(0);
/** `#pending` of a reader with no chunk waiting: shared, never added to. */
const NO_CHUNKS: Buffer[] = [];

/**
 * Decodes frames from bytes arriving in chunks of any size. It takes ownership of the chunks it is fed:
 * payloads are unmasked in place and handed on as views, so a frame wholly inside one read costs no copy.
 * With `borrowed` set, chunks are views of a buffer reused once `feed` returns: what it keeps of them (a
 * partial frame, frames held while paused) is copied, and payloads are valid only during `frameReceived`.
 */
export class FrameReader {
  readonly #expectMasked: boolean;
  readonly #maxFrameSize: number;
  allowRsv1: boolean;
  #buf: Buffer = EMPTY;
  /** Chunks that arrived after `#buf` while a frame is still incomplete, joined once it can be decoded; shared while none. */
  #pending: Buffer[] = NO_CHUNKS;
  #pendingSize = 0;
  /** How many buffered bytes the next decoding step needs. */
  #need = 2;
  /** Set by the sink to stop decoding after the current frame (backpressure, close). */
  paused = false;
  /** Chunks fed are lent, not given (see the class comment). */
  borrowed = false;
  /** `#buf` is a lent chunk, to be copied if anything of it is kept. */
  #bufLent = false;

  constructor(options: FrameReaderOptions) {
    this.#expectMasked = options.expectMasked;
    this.#maxFrameSize = options.maxFrameSize;
    this.allowRsv1 = options.allowRsv1 ?? false;
  }

  /** Bytes received but not yet decoded (a partial frame, or frames held while paused). */
  get buffered(): number {
    return this.#buf.length + this.#pendingSize;
  }

  /** Adds `data` and decodes every whole frame (until paused). Throws {@link FrameError} on a broken rule. */
  feed(data: Uint8Array, sink: FrameSink): void {
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.#buf.length === 0 && this.#pendingSize === 0) {
      this.#buf = chunk;
      this.#bufLent = this.borrowed;
    } else {
      // A big frame arriving in many reads is joined once, not once per read (nor per read while paused).
      if (this.#pending === NO_CHUNKS) this.#pending = [];
      this.#pending.push(this.borrowed ? Buffer.from(chunk) : chunk);
      this.#pendingSize += chunk.length;
      if (this.paused || this.#buf.length + this.#pendingSize < this.#need) return;
    }
    this.drain(sink);
  }

  /** Decodes the frames already buffered (after a resume). */
  drain(sink: FrameSink): void {
    if (this.#pending.length > 0) {
      this.#buf = Buffer.concat([this.#buf, ...this.#pending], this.#buf.length + this.#pendingSize);
      this.#bufLent = false;
      this.#pending = NO_CHUNKS;
      this.#pendingSize = 0;
    }
    this.#need = 2;
    let buf = this.#buf;
    let pos = 0;
    const len = buf.length;
    while (!this.paused && len - pos >= 2) {
      const b0 = buf[pos]!;
      const b1 = buf[pos + 1]!;
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      const rsv1 = (b0 & 0x40) !== 0;
      if ((b0 & 0x30) !== 0) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'reserved bits RSV2/RSV3 set');
      if (opcode >= 8) {
        if (opcode > 0xa) throw new FrameError(CloseCode.PROTOCOL_ERROR, `reserved control opcode ${opcode}`);
        if (!fin) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'fragmented control frame');
        if (rsv1) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'RSV1 set on a control frame');
      } else if (opcode > 2) throw new FrameError(CloseCode.PROTOCOL_ERROR, `reserved data opcode ${opcode}`);
      else if (rsv1 && (!this.allowRsv1 || opcode === Opcode.CONTINUATION)) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'RSV1 set without a negotiated extension');
      const masked = (b1 & 0x80) !== 0;
      if (masked !== this.#expectMasked) throw new FrameError(CloseCode.PROTOCOL_ERROR, masked ? 'masked frame from the server' : 'unmasked frame from the client');
      let length = b1 & 0x7f;
      let head = 2;
      if (length === 126) {
        if (len - pos < 4) {
          this.#need = 4;
          break;
        }
        length = buf.readUInt16BE(pos + 2);
        head = 4;
      } else if (length === 127) {
        if (len - pos < 10) {
          this.#need = 10;
          break;
        }
        const high = buf.readUInt32BE(pos + 2);
        if (high > 0x1fffff) throw new FrameError(high >= 0x80000000 ? CloseCode.PROTOCOL_ERROR : CloseCode.MESSAGE_TOO_BIG, 'frame length out of range');
        length = high * 0x100000000 + buf.readUInt32BE(pos + 6);
        head = 10;
      }
      if (opcode >= 8 && length > 125) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'control frame payload over 125 bytes');
      if (length > this.#maxFrameSize) throw new FrameError(CloseCode.MESSAGE_TOO_BIG, `frame of ${length} bytes is over maxFrameSize`);
      const keyAt = pos + head;
      if (masked) head += 4;
      const end = pos + head + length;
      if (end > len) {
        this.#need = end - pos;
        break;
      }
      const payload = buf.subarray(pos + head, end);
      if (masked) unmask(payload, buf, keyAt);
      pos = end;
      sink.frameReceived(fin, rsv1, opcode, payload);
      if (this.#buf !== buf) return; // reset() from inside the sink
    }
    if (pos > 0) buf = pos >= len ? EMPTY : buf.subarray(pos);
    else if (!this.#bufLent) return;
    // A small remainder of a large read is copied so it does not pin the whole read buffer; anything of a
    // lent chunk is copied because the chunk is about to be overwritten.
    this.#buf = buf.length > 0 && (this.#bufLent || buf.length * 4 < buf.buffer.byteLength) ? Buffer.from(buf) : buf;
    this.#bufLent = false;
  }

  /** Drops everything buffered (the connection is closing). */
  reset(): void {
    this.#buf = EMPTY;
    this.#bufLent = false;
    this.#pending = NO_CHUNKS;
    this.#pendingSize = 0;
  }
}

/** XORs `data` in place with the 4-byte key at `keyBuf[keyAt..]`. */
export function unmask(data: Buffer, keyBuf: Buffer, keyAt: number): void {
  const k0 = keyBuf[keyAt]!;
  const k1 = keyBuf[keyAt + 1]!;
  const k2 = keyBuf[keyAt + 2]!;
  const k3 = keyBuf[keyAt + 3]!;
  applyMask(data, 0, data.length, k0, k1, k2, k3);
}

/**
 * XORs `buf[start..end)` with the key bytes. Long runs go 32 bits at a time through an aligned
 * `Uint32Array` view; the unaligned head and the tail go byte by byte.
 */
function applyMask(buf: Uint8Array, start: number, end: number, k0: number, k1: number, k2: number, k3: number): void {
  let i = start;
  if (end - start >= 64) {
    const misalign = (4 - ((buf.byteOffset + start) & 3)) & 3;
    for (let j = 0; j < misalign; j++, i++) buf[i] = buf[i]! ^ (j === 0 ? k0 : j === 1 ? k1 : k2);
    // Rotate the key so the word loop starts at key byte `misalign`.
    const r = [k0, k1, k2, k3];
    const a = r[misalign & 3]!;
    const b = r[(misalign + 1) & 3]!;
    const c = r[(misalign + 2) & 3]!;
    const d = r[(misalign + 3) & 3]!;
    const words = (end - i) >>> 2;
    const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    const key = LITTLE_ENDIAN ? (a | (b << 8) | (c << 16) | (d << 24)) >>> 0 : ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
    for (let w = 0; w < words; w++) view[w] = view[w]! ^ key;
    i += words << 2;
    for (let j = 0; i < end; j++, i++) buf[i] = buf[i]! ^ (j === 0 ? a : j === 1 ? b : c);
    return;
  }
  for (let j = 0; i < end; i++, j++) {
    const m = j & 3;
    buf[i] = buf[i]! ^ (m === 0 ? k0 : m === 1 ? k1 : m === 2 ? k2 : k3);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Random masking keys come from a pool refilled in bulk: one `randomFillSync` per 2048 frames, not per frame.
const KEY_POOL = Buffer.alloc(8192);
let keyPos = KEY_POOL.length;

function nextKey(out: Buffer, at: number): void {
  if (keyPos >= KEY_POOL.length) {
    randomFillSync(KEY_POOL);
    keyPos = 0;
  }
  out[at] = KEY_POOL[keyPos]!;
  out[at + 1] = KEY_POOL[keyPos + 1]!;
  out[at + 2] = KEY_POOL[keyPos + 2]!;
  out[at + 3] = KEY_POOL[keyPos + 3]!;
  keyPos += 4;
}

function headerSize(length: number, mask: boolean): number {
  return (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + (mask ? 4 : 0);
}

function writeHeader(out: Buffer, fin: boolean, rsv1: boolean, opcode: number, length: number, mask: boolean): number {
  out[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const m = mask ? 0x80 : 0;
  let at: number;
  if (length < 126) {
    out[1] = m | length;
    at = 2;
  } else if (length < 0x10000) {
    out[1] = m | 126;
    out.writeUInt16BE(length, 2);
    at = 4;
  } else {
    out[1] = m | 127;
    out.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    out.writeUInt32BE(length >>> 0, 6);
    at = 10;
  }
  if (mask) {
    nextKey(out, at);
    at += 4;
  }
  return at;
}

function maskAfter(out: Buffer, keyAt: number, end: number): void {
  applyMask(out, keyAt + 4, end, out[keyAt]!, out[keyAt + 1]!, out[keyAt + 2]!, out[keyAt + 3]!);
}

/**
 * One frame carrying `payload` (copied, then masked when `mask`), as a single buffer. With `headerFor`, only
 * the header of an unmasked frame of that many payload bytes, for a payload written separately.
 */
export function encodeFrame(opcode: number, payload: Uint8Array, mask: boolean, fin = true, rsv1 = false, headerFor?: number): Buffer {
  if (headerFor !== undefined) {
    const head = Buffer.allocUnsafe(headerSize(headerFor, false));
    writeHeader(head, fin, rsv1, opcode, headerFor, false);
    return head;
  }
  const length = payload.byteLength;
  const out = Buffer.allocUnsafe(headerSize(length, mask) + length);
  const at = writeHeader(out, fin, rsv1, opcode, length, mask);
  out.set(payload, at);
  if (mask) maskAfter(out, at - 4, out.length);
  return out;
}

/** One text frame with `text` encoded straight into the frame buffer (no intermediate UTF-8 buffer). */
export function encodeTextFrame(text: string, mask: boolean): Buffer {
  const length = Buffer.byteLength(text);
  const out = Buffer.allocUnsafe(headerSize(length, mask) + length);
  const at = writeHeader(out, true, false, Opcode.TEXT, length, mask);
  out.write(text, at, length, 'utf8');
  if (mask) maskAfter(out, at - 4, out.length);
  return out;
}

/** The payload of a close frame: the code and a UTF-8 reason (cut to fit 123 bytes). */
export function closePayload(code: number, reason: string): Buffer {
  if (code === CloseCode.NO_STATUS) return EMPTY;
  let r = Buffer.from(reason, 'utf8');
  if (r.length > 123) r = Buffer.from(new TextDecoder().decode(r.subarray(0, 120)).replace(/\uFFFD$/, ''), 'utf8');
  const out = Buffer.allocUnsafe(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

/** The code and reason of a received close frame (1005 when it has none). Throws {@link FrameError} when malformed. */
export function parseClosePayload(payload: Buffer): { code: number; reason: string } {
  if (payload.length === 0) return { code: CloseCode.NO_STATUS, reason: '' };
  if (payload.length === 1) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'close frame with a 1-byte payload');
  const code = payload.readUInt16BE(0);
  if (!isValidCloseCode(code)) throw new FrameError(CloseCode.PROTOCOL_ERROR, `invalid close code ${code}`);
  const text = payload.subarray(2);
  if (!isUtf8(text)) throw new FrameError(CloseCode.INVALID_PAYLOAD, 'close reason is not valid UTF-8');
  return { code, reason: text.toString('utf8') };
}
