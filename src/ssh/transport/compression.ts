/**
 * `zlib@openssh.com`: one zlib stream per direction across all packets, each packet flushed, started
 * once the user is authenticated (OpenSSH's delayed compression, so nothing is decompressed for an
 * unauthenticated peer).
 * @module
 */
import { constants, deflateRawSync } from 'node:zlib';
import { SSHCompressionError } from '../errors.js';
import { InflateError, Inflater } from './inflate.js';
import type { PacketDecoder, PacketEncoder } from './packet-codec.js';

const WINDOW = 32 * 1024;
/** A zlib header: deflate, 32 KiB window, default level. */
const ZLIB_HEADER = Uint8Array.of(0x78, 0x9c);

/**
 * Compresses payloads as one zlib stream. node:zlib's synchronous calls cannot continue a stream, so
 * each packet is a run of raw deflate blocks ending in a sync flush, compressed with the last 32 KiB
 * sent as its dictionary: to the peer's inflater that is the same stream, references included.
 */
export class ZlibCompressor {
  #history = new Uint8Array(0);
  #started = false;

  compress(payload: Uint8Array): Uint8Array {
    const options = this.#history.length > 0 ? { dictionary: this.#history, finishFlush: constants.Z_SYNC_FLUSH } : { finishFlush: constants.Z_SYNC_FLUSH };
    const blocks = deflateRawSync(payload, options);
    const joined = new Uint8Array(this.#history.length + payload.length);
    joined.set(this.#history);
    joined.set(payload, this.#history.length);
    this.#history = joined.slice(Math.max(0, joined.length - WINDOW));
    if (this.#started) return blocks;
    this.#started = true;
    const out = new Uint8Array(2 + blocks.length);
    out.set(ZLIB_HEADER);
    out.set(blocks, 2);
    return out;
  }
}

/** Decompresses payloads of one zlib stream. */
export class ZlibDecompressor {
  readonly #inflater = new Inflater();

  /** The payload inside `data`; throws {@link SSHCompressionError} if it is not valid or over `maxLength`. */
  decompress(data: Uint8Array, maxLength: number): Uint8Array {
    try {
      return this.#inflater.inflate(data, maxLength);
    } catch (e) {
      if (e instanceof InflateError) throw new SSHCompressionError(`bad compressed packet: ${e.message}`);
      throw e;
    }
  }
}

/**
 * When `zlib@openssh.com` runs: for the keys in effect in a direction, once the user is authenticated
 * (`unlock`), with a fresh stream at every NEWKEYS, as OpenSSH starts one.
 */
export class DelayedCompression {
  #unlocked = false;
  readonly #names = { in: 'none', out: 'none' };

  constructor(
    private readonly encoder: PacketEncoder,
    private readonly decoder: PacketDecoder,
  ) {}

  /** New keys were taken in `direction`, negotiated with compression `name`. */
  keysTaken(direction: 'in' | 'out', name: string): void {
    this.#names[direction] = name;
    if (direction === 'out') this.encoder.compressor = undefined;
    else this.decoder.decompressor = undefined;
    this.#start(direction);
  }

  /** The user is authenticated: compression may start. */
  unlock(): void {
    this.#unlocked = true;
    this.#start('in');
    this.#start('out');
  }

  #start(direction: 'in' | 'out'): void {
    if (this.#names[direction] !== 'zlib@openssh.com' || !this.#unlocked) return;
    if (direction === 'out') this.encoder.compressor ??= new ZlibCompressor();
    else this.decoder.decompressor ??= new ZlibDecompressor();
  }
}
