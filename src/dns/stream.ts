/**
 * DNS over TCP framing (RFC 1035 §4.2.2): each message prefixed by its 16-bit length. Sans-I/O.
 * Browser-safe.
 * @module
 */
import { DNSFormatError } from './errors.js';

/** Prefixes a message with its length. */
export function frameMessage(message: Uint8Array): Uint8Array {
  if (message.length > 0xffff) throw new DNSFormatError('message longer than 65535 bytes');
  const out = new Uint8Array(message.length + 2);
  out[0] = message.length >> 8;
  out[1] = message.length & 0xff;
  out.set(message, 2);
  return out;
}

/** Collects length-prefixed messages from chunks of any size. */
export class MessageStreamDecoder {
  #buf = new Uint8Array(0);

  constructor(private readonly maxBufferBytes: number) {}

  /** Adds bytes; returns the whole messages they completed. Throws DNSFormatError past `maxBufferBytes`. */
  feed(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#buf.length + chunk.length);
    joined.set(this.#buf);
    joined.set(chunk, this.#buf.length);
    const out: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 2) {
      const size = (joined[at]! << 8) | joined[at + 1]!;
      if (joined.length - at - 2 < size) break;
      out.push(joined.slice(at + 2, at + 2 + size));
      at += 2 + size;
    }
    this.#buf = joined.slice(at);
    if (this.#buf.length > this.maxBufferBytes) throw new DNSFormatError('TCP buffer limit exceeded');
    return out;
  }
}
