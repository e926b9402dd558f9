/**
 * Incremental decoder for `Transfer-Encoding: chunked` bodies (RFC 9112 §7.1). Strict: a chunk size must
 * be hex digits (optionally followed by `;extensions`), each chunk must end in CRLF, and the size line and
 * the trailers are bounded, so a peer cannot make the server buffer without limit or read a size two ways.
 * @module
 */
import { HTTPParseError } from './http-parser.js';
import { CODEC_LIMITS } from './limits.js';

const { maxChunkSizeLine: MAX_SIZE_LINE, maxTrailerSize: MAX_TRAILERS } = CODEC_LIMITS;

const enum S { SIZE, DATA, DATA_CR, TRAILER, DONE }

const HEX = /^[0-9A-Fa-f]{1,13}$/;
const CHUNK_EXT = /^(;[\t !#-~]*)*$/;

/** Feeds bytes, hands out body data, and says where the body ended. */
export class ChunkedDecoder {
  #state = S.SIZE;
  #remaining = 0;
  #line = '';
  #trailerBytes = 0;

  /** True once the last chunk and the trailers have been read. */
  get done(): boolean {
    return this.#state === S.DONE;
  }

  /**
   * Decodes from `buf[pos..]`, calling `onData` with body slices. Returns the position where it stopped
   * (the end of `buf`, or just past the body once `done`).
   * @throws HTTPParseError
   */
  feed(buf: Uint8Array, pos: number, onData: (chunk: Uint8Array) => void): number {
    const len = buf.length;
    while (pos < len && this.#state !== S.DONE) {
      switch (this.#state) {
        case S.SIZE:
        case S.TRAILER: {
          const nl = buf.indexOf(0x0a, pos);
          const end = nl === -1 ? len : nl + 1;
          const piece = latin1(buf, pos, end);
          pos = end;
          this.#line += piece;
          if (this.#state === S.SIZE && this.#line.length > MAX_SIZE_LINE) throw new HTTPParseError(400, 'chunk size line too long');
          if (this.#state === S.TRAILER && (this.#trailerBytes += piece.length) > MAX_TRAILERS) throw new HTTPParseError(431, 'trailers too large');
          if (nl === -1) break;
          const line = this.#line;
          this.#line = '';
          if (line.length < 2 || line.charCodeAt(line.length - 2) !== 0x0d) throw new HTTPParseError(400, 'bare LF in chunked body');
          const content = line.slice(0, -2);
          if (content.includes('\r')) throw new HTTPParseError(400, 'bare CR in chunked body');
          if (this.#state === S.TRAILER) {
            if (content === '') this.#state = S.DONE;
            else if (content.charCodeAt(0) === 0x20 || content.charCodeAt(0) === 0x09 || content.indexOf(':') <= 0) throw new HTTPParseError(400, 'malformed trailer');
            break;
          }
          const semi = content.indexOf(';');
          const size = semi === -1 ? content : content.slice(0, semi);
          if (!HEX.test(size)) throw new HTTPParseError(400, 'invalid chunk size');
          if (semi !== -1 && !CHUNK_EXT.test(content.slice(semi))) throw new HTTPParseError(400, 'invalid chunk extension');
          this.#remaining = parseInt(size, 16);
          this.#state = this.#remaining === 0 ? S.TRAILER : S.DATA;
          break;
        }
        case S.DATA: {
          const n = Math.min(this.#remaining, len - pos);
          onData(buf.subarray(pos, pos + n));
          pos += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#state = S.DATA_CR;
            this.#line = '';
          }
          break;
        }
        case S.DATA_CR: {
          const want = this.#line.length === 0 ? 0x0d : 0x0a;
          if (buf[pos] !== want) throw new HTTPParseError(400, 'chunk not followed by CRLF');
          pos++;
          if (want === 0x0d) this.#line = '\r';
          else {
            this.#line = '';
            this.#state = S.SIZE;
          }
          break;
        }
      }
    }
    return pos;
  }
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1', start, end);
}
