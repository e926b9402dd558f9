/**
 * The protocol version exchange (RFC 4253 §4.2), sans I/O: `SSH-2.0-software comments` CR LF, with the
 * lines a server may send before it (a client shows them as a banner).
 * @module
 */
import { SSHVersionError } from '../errors.js';
import type { SSHTransportLimits } from '../limits.js';

/** What the version exchange gives. */
export interface VersionResult {
  /** The peer's version line without CR LF, as the exchange hash takes it. */
  readonly version: string;
  /** Bytes after the version line: the first packets. */
  readonly rest: Uint8Array;
}

/** Reads the peer's version line from chunks of any size. */
export class VersionReader {
  /** Lines the server sent before its version (client side only). */
  readonly bannerLines: string[] = [];
  #pending: Uint8Array = new Uint8Array(0);
  readonly #acceptBanner: boolean;
  readonly #limits: Pick<SSHTransportLimits, 'maxVersionLineLength' | 'maxBannerLines'>;

  /** @param acceptBanner true on the client, which reads the server's lines before its version */
  constructor(acceptBanner: boolean, limits: Pick<SSHTransportLimits, 'maxVersionLineLength' | 'maxBannerLines'>) {
    this.#acceptBanner = acceptBanner;
    this.#limits = limits;
  }

  /** Feeds bytes; returns the result once the version line is whole. Throws {@link SSHVersionError}. */
  feed(data: Uint8Array): VersionResult | null {
    let buffer = this.#pending.length === 0 ? data : concat(this.#pending, data);
    for (;;) {
      const lf = buffer.indexOf(0x0a);
      const max = this.#limits.maxVersionLineLength;
      if (lf < 0) {
        if (buffer.length >= max) throw new SSHVersionError(`no end of line within ${max} bytes of the version exchange`);
        this.#pending = buffer.slice();
        return null;
      }
      if (lf + 1 > max) throw new SSHVersionError(`a version exchange line over ${max} bytes`);
      const end = lf > 0 && buffer[lf - 1] === 0x0d ? lf - 1 : lf;
      const line = buffer.subarray(0, end);
      const rest = buffer.subarray(lf + 1);
      if (startsWithSSH(line)) return { version: checkVersion(line), rest: rest.slice() };
      if (!this.#acceptBanner) throw new SSHVersionError('the peer did not start with an SSH version line');
      if (this.bannerLines.length >= this.#limits.maxBannerLines) throw new SSHVersionError(`over ${this.#limits.maxBannerLines} lines before the version line`);
      this.bannerLines.push(new TextDecoder('utf-8', { fatal: false }).decode(line));
      buffer = rest;
    }
  }
}

function startsWithSSH(line: Uint8Array): boolean {
  return line.length >= 4 && line[0] === 0x53 && line[1] === 0x53 && line[2] === 0x48 && line[3] === 0x2d;
}

function checkVersion(line: Uint8Array): string {
  for (const b of line) if (b < 0x20 || b > 0x7e) throw new SSHVersionError('a version line with a byte that is not printable ASCII');
  const text = String.fromCharCode(...line);
  const match = /^SSH-([^-\s]+)-(\S+)/.exec(text);
  if (match === null) throw new SSHVersionError(`malformed version line ${JSON.stringify(text)}`);
  if (match[1] !== '2.0' && match[1] !== '1.99') throw new SSHVersionError(`unsupported protocol version ${match[1]}`);
  return text;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
