/**
 * permessage-deflate (RFC 7692): negotiation of its parameters and the per-connection codec.
 *
 * Compression runs on zlib's synchronous one-shot calls. Context takeover is done by priming each call
 * with the last window of the direction's earlier messages as a preset dictionary, which is exactly the
 * LZ77 history a continuing stream would have: no zlib stream lives between messages, so an idle
 * connection holds at most its two 32 KiB windows (none without context takeover).
 *
 * Decompression is bounded: zlib stops at `maxOutputLength`, so a small "zip bomb" frame costs at most
 * `maxMessageSize` bytes before the connection is closed with 1009.
 * @module
 */
import { constants, deflateRawSync } from 'node:zlib';
import { inflateRawWithHistory } from '../../internet/zlib.js';
import { CloseCode, FrameError } from './frame.js';
import type { PerMessageDeflateOptions } from './interfaces.js';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const EMPTY = Buffer.alloc(0);

/** The parameters both ends agreed on. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** One extension offer or response: `name; a=1; b` as name and parameters. */
export interface ExtensionOffer {
  name: string;
  params: Map<string, string | true>;
}

/** Parses a `Sec-WebSocket-Extensions` header (RFC 6455 section 9.1). Throws on bad syntax. */
export function parseExtensions(header: string): ExtensionOffer[] {
  const out: ExtensionOffer[] = [];
  for (const item of header.split(',')) {
    const parts = item.split(';').map((p) => p.trim());
    const name = parts[0]!.toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw new Error(`bad extension name ${JSON.stringify(parts[0])}`);
    const params = new Map<string, string | true>();
    for (const p of parts.slice(1)) {
      const eq = p.indexOf('=');
      const key = (eq === -1 ? p : p.slice(0, eq)).trim().toLowerCase();
      let value: string | true = eq === -1 ? true : p.slice(eq + 1).trim();
      if (typeof value === 'string' && value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
      if (params.has(key)) throw new Error(`parameter ${key} given twice`);
      params.set(key, value);
    }
    out.push({ name, params });
  }
  return out;
}

function windowBits(value: string | true, allowBare: boolean): number | null {
  if (value === true) return allowBare ? 15 : null;
  if (!/^\d{1,2}$/.test(value)) return null;
  const n = Number(value);
  return n >= 8 && n <= 15 ? n : null;
}

/**
 * Server side: picks the first acceptable permessage-deflate offer and returns the agreed parameters and
 * the response header value, or null when no offer fits. An offer that asks for an 8-bit server window is
 * declined: zlib cannot compress with a window that small.
 */
export function acceptDeflateOffer(offers: ExtensionOffer[], options: PerMessageDeflateOptions): { params: DeflateParams; response: string } | null {
  for (const offer of offers) {
    if (offer.name !== 'permessage-deflate') continue;
    const p = offer.params;
    let ok = true;
    let serverBits = options.serverMaxWindowBits ?? 15;
    let clientBits = 15;
    const response = ['permessage-deflate'];
    for (const [key, value] of p) {
      if (key === 'server_no_context_takeover' && value === true) continue;
      if (key === 'client_no_context_takeover' && value === true) continue;
      if (key === 'server_max_window_bits') {
        const bits = windowBits(value, false);
        if (bits === null || bits < 9) ok = false;
        else serverBits = Math.min(serverBits, bits);
      } else if (key === 'client_max_window_bits') {
        const bits = windowBits(value, true);
        if (bits === null) ok = false;
        else clientBits = Math.min(bits, options.clientMaxWindowBits ?? 15);
      } else ok = false;
    }
    if (!ok) continue;
    const serverNoContextTakeover = p.has('server_no_context_takeover') || (options.serverNoContextTakeover ?? false);
    const clientNoContextTakeover = p.has('client_no_context_takeover') || (options.clientNoContextTakeover ?? false);
    if (serverNoContextTakeover) response.push('server_no_context_takeover');
    if (clientNoContextTakeover) response.push('client_no_context_takeover');
    if (p.has('server_max_window_bits') || serverBits < 15) response.push(`server_max_window_bits=${serverBits}`);
    // A client that did not offer client_max_window_bits must not be told to use a smaller window.
    if (p.has('client_max_window_bits')) response.push(`client_max_window_bits=${clientBits}`);
    else clientBits = 15;
    return { params: { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits: serverBits, clientMaxWindowBits: clientBits }, response: response.join('; ') };
  }
  return null;
}

/** Client side: the offer to send. */
export function deflateOffer(options: PerMessageDeflateOptions): string {
  const out = ['permessage-deflate'];
  if (options.serverNoContextTakeover) out.push('server_no_context_takeover');
  if (options.clientNoContextTakeover) out.push('client_no_context_takeover');
  if (options.serverMaxWindowBits !== undefined) out.push(`server_max_window_bits=${options.serverMaxWindowBits}`);
  out.push(options.clientMaxWindowBits !== undefined ? `client_max_window_bits=${options.clientMaxWindowBits}` : 'client_max_window_bits');
  return out.join('; ');
}

/** Client side: checks the server's answer against the offer. Throws when the server broke the rules. */
export function acceptDeflateResponse(response: ExtensionOffer, options: PerMessageDeflateOptions): DeflateParams {
  const p = response.params;
  const params: DeflateParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: options.clientNoContextTakeover ?? false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: options.clientMaxWindowBits ?? 15,
  };
  for (const [key, value] of p) {
    if (key === 'server_no_context_takeover' && value === true) params.serverNoContextTakeover = true;
    else if (key === 'client_no_context_takeover' && value === true) params.clientNoContextTakeover = true;
    else if (key === 'server_max_window_bits') {
      const bits = windowBits(value, false);
      if (bits === null || (options.serverMaxWindowBits !== undefined && bits > options.serverMaxWindowBits)) throw new Error('bad server_max_window_bits');
      params.serverMaxWindowBits = bits;
    } else if (key === 'client_max_window_bits') {
      const bits = windowBits(value, false);
      if (bits === null || bits < 9 || bits > params.clientMaxWindowBits) throw new Error('bad client_max_window_bits');
      params.clientMaxWindowBits = bits;
    } else throw new Error(`unknown permessage-deflate parameter ${key}`);
  }
  if (options.serverNoContextTakeover && !params.serverNoContextTakeover) throw new Error('server_no_context_takeover was asked for and not granted');
  return params;
}

/** Compresses and decompresses messages of one connection. */
export class PerMessageDeflate {
  readonly #outNoTakeover: boolean;
  readonly #inNoTakeover: boolean;
  readonly #outBits: number;
  readonly #inWindow: number;
  readonly #outWindow: number;
  readonly #level: number;
  /** Messages shorter than this are sent uncompressed. */
  readonly threshold: number;
  #outHistory: Buffer = EMPTY;
  #inHistory: Buffer = EMPTY;

  /** @param isClient which end this codec sits at, so it knows which half of `params` is its own */
  constructor(params: DeflateParams, isClient: boolean, options: PerMessageDeflateOptions = {}) {
    this.#outNoTakeover = isClient ? params.clientNoContextTakeover : params.serverNoContextTakeover;
    this.#inNoTakeover = isClient ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    this.#outBits = isClient ? params.clientMaxWindowBits : params.serverMaxWindowBits;
    this.#outWindow = 1 << this.#outBits;
    this.#inWindow = 1 << (isClient ? params.serverMaxWindowBits : params.clientMaxWindowBits);
    this.#level = options.level ?? constants.Z_DEFAULT_COMPRESSION;
    this.threshold = options.threshold ?? 1024;
  }

  /** The compressed payload of a message (its trailing empty block removed). */
  compress(data: Buffer): Buffer {
    const dictionary = this.#outHistory.length > 0 ? this.#outHistory : undefined;
    const out = deflateRawSync(data, { windowBits: this.#outBits, level: this.#level, dictionary, finishFlush: constants.Z_SYNC_FLUSH });
    if (!this.#outNoTakeover) this.#outHistory = slide(this.#outHistory, data, this.#outWindow);
    return out.length >= 4 && out.subarray(out.length - 4).equals(TAIL) ? out.subarray(0, out.length - 4) : out;
  }

  /**
   * The decompressed message from its compressed fragments. Throws `FrameError` 1009 once the output
   * passes `maxSize`, 1007 on corrupt data.
   */
  decompress(parts: Buffer[], maxSize: number): Buffer {
    const input = Buffer.concat([...parts, TAIL]);
    const dictionary = this.#inHistory.length > 0 ? this.#inHistory : undefined;
    let out: Buffer;
    try {
      out = inflateRawWithHistory(input, dictionary, { windowBits: 15, maxOutputLength: Math.max(1, maxSize), finishFlush: constants.Z_SYNC_FLUSH });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new FrameError(CloseCode.MESSAGE_TOO_BIG, `inflated message is over maxMessageSize (${maxSize} bytes)`);
      throw new FrameError(CloseCode.INVALID_PAYLOAD, `bad deflate data: ${(e as Error).message}`);
    }
    if (out.length > maxSize) throw new FrameError(CloseCode.MESSAGE_TOO_BIG, `inflated message is over maxMessageSize (${maxSize} bytes)`);
    if (!this.#inNoTakeover) this.#inHistory = slide(this.#inHistory, out, this.#inWindow);
    return out;
  }
}

/** The last `window` bytes of `history` followed by `data`, as a buffer of its own. */
function slide(history: Buffer, data: Buffer, window: number): Buffer {
  if (data.length >= window) return Buffer.from(data.subarray(data.length - window));
  const keep = Math.min(history.length, window - data.length);
  return Buffer.concat([history.subarray(history.length - keep), data]);
}
