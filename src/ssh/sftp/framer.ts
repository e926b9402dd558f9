/**
 * Cuts a byte stream into SFTP packets (uint32 length, then that many bytes). The length is checked
 * against the maximum before anything is buffered for it, so a peer announcing 4 GiB costs nothing.
 * @module
 */
import { SFTPPacketTooLongError, SFTPProtocolError } from './errors.js';

/** A sans-I/O packet splitter: bytes in (any chunking), whole packet bodies out (type byte first). */
export class PacketFramer {
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** The body length of the packet being gathered, or -1 while its length prefix is not in yet. */
  #need = -1;

  constructor(readonly maxPacketLength: number) {}

  /** Bytes held for the packet under way (never more than 4 + `maxPacketLength` + one chunk). */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * Adds `data` and returns the packets it completes. Throws {@link SFTPPacketTooLongError} for a length
   * over the maximum and {@link SFTPProtocolError} for an empty packet; the stream is unusable after.
   */
  push(data: Uint8Array): Uint8Array[] {
    return this.pushParts(data).map(joinParts);
  }

  /**
   * As {@link PacketFramer.push}, each packet as the views of the chunks it arrived in, copying nothing:
   * a reader that can take a packet in pieces (a DATA payload written to a file) saves a copy.
   */
  pushParts(data: Uint8Array): Uint8Array[][] {
    const out: Uint8Array[][] = [];
    if (data.length > 0) {
      this.#chunks.push(data);
      this.#buffered += data.length;
    }
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < 4) break;
        const h = joinParts(this.#take(4));
        const length = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
        if (length > this.maxPacketLength) throw new SFTPPacketTooLongError(`packet of ${length} bytes, over the ${this.maxPacketLength} allowed`);
        if (length === 0) throw new SFTPProtocolError('empty packet');
        this.#need = length;
      }
      if (this.#buffered < this.#need) break;
      out.push(this.#take(this.#need));
      this.#need = -1;
    }
    return out;
  }

  /** The next `n` buffered bytes, as views of the chunks holding them. */
  #take(n: number): Uint8Array[] {
    this.#buffered -= n;
    const parts: Uint8Array[] = [];
    while (n > 0) {
      const c = this.#chunks[0]!;
      const k = Math.min(c.length, n);
      parts.push(k === c.length ? c : c.subarray(0, k));
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
      n -= k;
    }
    return parts;
  }
}

/** Pieces as one array: the piece itself when there is one, else one copy. */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  // Every byte is overwritten below: no need to zero the memory first. A plain Uint8Array view, so that
  // whole and pieced packets decode to the same types.
  const b = Buffer.allocUnsafe(n);
  const out = new Uint8Array(b.buffer, b.byteOffset, n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
