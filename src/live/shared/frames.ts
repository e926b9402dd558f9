/**
 * The wire format: every WebSocket text message (or long-polling batch element) is one JSON array whose
 * first element says what it is. Messages carry a sequence number and a piggybacked acknowledgement, except
 * NEXT: a message whose number is one more than the previous message's on the same connection (the number
 * the page reported in its HELLO, or the server in its WELCOME, for the first one), so the same NEXT frame
 * fits every page of a broadcast. NEXT is only sent on transports that lose nothing within a connection
 * (a WebSocket), and a receiver counts it from the last message on that connection.
 *
 * ```
 * [0, pageId, lastReceived]   HELLO    page → server, first frame of every connection
 * [0, lastReceived]           WELCOME  server → page, the answer; both then resend what the other lacks
 * [9, reason]                 GONE     server → page, the page no longer exists
 * [1, seq, ack, payload]      MSG      either way; delivered once, in seq order
 * [4, payload]                NEXT     either way; a MSG numbered one after the previous one on this connection
 * [2, ack]                    ACK      either way; "I have everything up to ack"
 * [3, ack]                    PING     either way; answered with ACK (heartbeat)
 * ```
 * @module
 */
import { LiveProtocolError } from './errors.js';

export const HELLO = 0;
export const MSG = 1;
export const ACK = 2;
export const PING = 3;
export const NEXT = 4;
export const GONE = 9;

/**
 * A decoded frame. A MSG's or NEXT's payload is left as its JSON text (see {@link decodeFrame}): the session
 * parses it when its turn comes, and holds one that came early as that text.
 */
export type Frame =
  | [typeof HELLO, string, number]
  | [typeof HELLO, number]
  | [typeof MSG, number, number, string]
  | [typeof NEXT, string]
  | [typeof ACK, number]
  | [typeof PING, number]
  | [typeof GONE, string];

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Where {@link readCount} stopped. */
let scanned = 0;

/** Skips JSON whitespace from `i`. */
function skipSpace(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++i));
  return i;
}

/**
 * Reads a count written as plain decimal digits at `i` (JSON's form of an integer, no sign, fraction or
 * exponent), then the whitespace and comma after it; leaves the position after the comma in `scanned`.
 * @returns the count, or -1 when there is none there
 */
function readCount(text: string, i: number): number {
  const start = i;
  let n = 0;
  for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) n = n * 10 + (c - 0x30);
  if (i === start || (text.charCodeAt(start) === 0x30 && i - start > 1) || !Number.isSafeInteger(n)) return -1;
  i = skipSpace(text, i);
  if (text.charCodeAt(i) !== 0x2c) return -1;
  scanned = i + 1;
  return n;
}

/**
 * Reads a MSG or NEXT frame's numbers and finds its payload's text without parsing the payload: a frame that
 * arrives before its turn is held as that text (the same characters, not a copy), so it costs no parse, no
 * parsed objects, and no re-encoding. JSON.parse of the payload text later checks the rest of the frame:
 * the frame is JSON exactly when its payload text is.
 * @returns the frame, or null when `text` does not start like a MSG or NEXT frame
 */
function scanMessage(text: string): Frame | null {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x5b) return null;
  const kind = readCount(text, skipSpace(text, i + 1));
  if (kind !== MSG && kind !== NEXT) return null;
  let seq = 0;
  let ack = 0;
  if (kind === MSG) {
    seq = readCount(text, skipSpace(text, scanned));
    if (seq <= 0) throw new LiveProtocolError('malformed frame of type 1');
    ack = readCount(text, skipSpace(text, scanned));
    if (ack < 0) throw new LiveProtocolError('malformed frame of type 1');
  }
  i = scanned;
  let end = text.length - 1;
  while (end > i && (text.charCodeAt(end) === 0x20 || text.charCodeAt(end) === 0x0a || text.charCodeAt(end) === 0x0d || text.charCodeAt(end) === 0x09)) end--;
  if (text.charCodeAt(end) !== 0x5d) throw new LiveProtocolError(`malformed frame of type ${kind}`);
  const payload = text.slice(i, end);
  return kind === MSG ? [MSG, seq, ack, payload] : [NEXT, payload];
}

/**
 * Parses and validates one frame. Throws {@link LiveProtocolError} on anything malformed or longer than
 * `maxLength` characters (checked before parsing, so an oversized frame costs no parse).
 *
 * A MSG or NEXT frame's payload is not parsed here: it comes back as its JSON text, checked by
 * {@link parsePayload} when the message is delivered (its numbers must be plain digits: `1.0` is refused).
 */
export function decodeFrame(text: string, maxLength: number): Frame {
  if (text.length > maxLength) throw new LiveProtocolError(`frame of ${text.length} characters is over the limit of ${maxLength}`);
  const message = scanMessage(text);
  if (message !== null) return message;
  let f: unknown;
  try {
    f = JSON.parse(text);
  } catch {
    throw new LiveProtocolError('frame is not JSON');
  }
  if (!Array.isArray(f)) throw new LiveProtocolError('frame is not an array');
  switch (f[0]) {
    case HELLO:
      if (f.length === 3 && typeof f[1] === 'string' && isCount(f[2])) return f as Frame;
      if (f.length === 2 && isCount(f[1])) return f as Frame;
      break;
    case ACK:
    case PING:
      if (f.length === 2 && isCount(f[1])) return f as Frame;
      break;
    case GONE:
      if (f.length === 2 && typeof f[1] === 'string') return f as Frame;
      break;
  }
  throw new LiveProtocolError(`malformed frame of type ${JSON.stringify(f[0])}`);
}

/** Parses a MSG's or NEXT's payload text (from {@link decodeFrame}); throws {@link LiveProtocolError} when it is not JSON. */
export function parsePayload(payloadJSON: string): unknown {
  try {
    return JSON.parse(payloadJSON);
  } catch {
    throw new LiveProtocolError('message payload is not JSON');
  }
}

/** Encodes a MSG frame around a payload that is already JSON text (kept encoded for resends). */
export function encodeMessage(seq: number, ack: number, payloadJSON: string): string {
  return `[1,${seq},${ack},${payloadJSON}]`;
}

/**
 * One message for many sessions (a broadcast): its payload and its NEXT frame are encoded once, and every
 * session that sends it holds the same strings.
 */
export class SharedMessage {
  /** The payload, JSON text. */
  readonly payloadJSON: string;
  /** The NEXT frame carrying it. */
  readonly frame: string;
  /** A transport's own encoding of `frame`, made by the first connection that sends it and reused by the rest. */
  transportData: unknown = undefined;

  constructor(payloadJSON: string) {
    this.payloadJSON = payloadJSON;
    this.frame = `[${NEXT},${payloadJSON}]`;
  }
}

/** Encodes an ACK or PING frame. */
export function encodeAck(kind: typeof ACK | typeof PING, ack: number): string {
  return `[${kind},${ack}]`;
}

/** The HELLO a page sends first on every connection. */
export function encodeHello(pageId: string, lastReceived: number): string {
  return JSON.stringify([HELLO, pageId, lastReceived]);
}

/** The server's WELCOME answer. */
export function encodeWelcome(lastReceived: number): string {
  return `[0,${lastReceived}]`;
}

/** The GONE frame. */
export function encodeGone(reason: string): string {
  return JSON.stringify([GONE, reason]);
}
