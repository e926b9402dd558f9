/**
 * `TYPE A` line-ending conversion, streaming and sans I/O: the wire carries CRLF, the disk holds LF.
 * Chunk boundaries may fall between a CR and its LF; the converters keep that CR until the next chunk.
 * @module
 */

const CR = 13;
const LF = 10;

/** Converts what is read from disk for the wire: each LF not already after a CR becomes CRLF. */
export class ToNetworkAscii {
  #lastWasCR = false;

  /** The wire form of the next chunk. */
  convert(chunk: Uint8Array): Uint8Array {
    let extra = 0;
    let prev = this.#lastWasCR;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === LF && !prev) extra++;
      prev = chunk[i] === CR;
    }
    if (extra === 0) {
      if (chunk.length > 0) this.#lastWasCR = chunk[chunk.length - 1] === CR;
      return chunk;
    }
    const out = new Uint8Array(chunk.length + extra);
    let j = 0;
    prev = this.#lastWasCR;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === LF && !prev) out[j++] = CR;
      out[j++] = b;
      prev = b === CR;
    }
    this.#lastWasCR = prev;
    return out;
  }
}

/** Converts what comes off the wire for the disk: each CRLF becomes LF; a CR alone stays. */
export class FromNetworkAscii {
  #heldCR = false;

  /** The disk form of the next chunk (a CR at its end is held back until the next chunk shows what follows). */
  convert(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length + 1);
    let j = 0;
    let i = 0;
    if (this.#heldCR) {
      this.#heldCR = false;
      if (chunk.length === 0) {
        this.#heldCR = true;
        return out.subarray(0, 0);
      }
      if (chunk[0] !== LF) out[j++] = CR;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === CR) {
        if (i + 1 === chunk.length) {
          this.#heldCR = true;
          break;
        }
        if (chunk[i + 1] === LF) continue;
      }
      out[j++] = b;
    }
    return out.subarray(0, j);
  }

  /** What is still held at the end of the transfer (a last lone CR). */
  flush(): Uint8Array {
    if (!this.#heldCR) return new Uint8Array(0);
    this.#heldCR = false;
    return Uint8Array.of(CR);
  }
}
