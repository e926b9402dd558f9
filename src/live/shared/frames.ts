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

/** A decoded frame. */
export type Frame =
  | [typeof HELLO, string, number]
  | [typeof HELLO, number]
  | [typeof MSG, number, number, unknown]
  | [typeof NEXT, unknown]
  | [typeof ACK, number]
  | [typeof PING, number]
  | [typeof GONE, string];

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/**
 * Parses and validates one frame. Throws {@link LiveProtocolError} on anything malformed or longer than
 * `maxLength` characters (checked before parsing, so an oversized frame costs no parse).
 */
export function decodeFrame(text: string, maxLength: number): Frame {
  if (text.length > maxLength) throw new LiveProtocolError(`frame of ${text.length} characters is over the limit of ${maxLength}`);
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
    case MSG:
      if (f.length === 4 && isCount(f[1]) && f[1] > 0 && isCount(f[2])) return f as Frame;
      break;
    case NEXT:
      if (f.length === 2) return f as Frame;
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
