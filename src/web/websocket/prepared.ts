/**
 * `PreparedMessage`: a message framed once and sent as the same bytes on many server connections (a
 * broadcast). A server's frames are unmasked (RFC 6455 section 5.1), so one frame fits every connection;
 * a client masks each frame with a key of its own, so on a client connection the message is framed again.
 * @module
 */
import { encodeFrame, encodeTextFrame, Opcode } from './frame.js';

/** A text or binary message with its one unmasked, unfragmented, uncompressed frame. */
export class PreparedMessage {
  /** The message as given: a string for a text message, bytes for a binary one. */
  readonly data: string | Uint8Array;
  /** The whole frame, header included: shared by every connection it is written to, so never modified. */
  readonly frame: Buffer;
  /** Length of the frame's payload in bytes. */
  readonly payloadLength: number;

  constructor(data: string | Uint8Array) {
    this.data = data;
    this.frame = typeof data === 'string' ? encodeTextFrame(data, false) : encodeFrame(Opcode.BINARY, data, false);
    this.payloadLength = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }
}
