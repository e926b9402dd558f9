/**
 * Reassembly of a fragmented (or compressed) message, with its limits: the size so far is checked on each
 * fragment against `maxMessageSize`, and uncompressed text is UTF-8-checked as it arrives, so a bad sequence
 * fails on the fragment that holds it even when a character is split across fragments.
 * @module
 */
import type { PerMessageDeflate } from './deflate.js';
import { CloseCode, FrameError, Opcode } from './frame.js';

/** A whole message out of {@link MessageAssembler.finish}: text already decoded, or bytes. */
export type AssembledMessage = { opcode: typeof Opcode.TEXT; text: string | null; payload: Buffer | null } | { opcode: typeof Opcode.BINARY; text: null; payload: Buffer };

/** Collects the frames of one message at a time. */
export class MessageAssembler {
  /** The opcode of the message in progress, 0 when none is. */
  opcode = 0;
  readonly #maxSize: number;
  readonly #deflate: PerMessageDeflate | null;
  #compressed = false;
  #size = 0;
  #parts: Buffer[] = [];
  #text: string[] = [];
  #decoder: TextDecoder | null = null;

  constructor(maxSize: number, deflate: PerMessageDeflate | null) {
    this.#maxSize = maxSize;
    this.#deflate = deflate;
  }

  /** Starts a message with its first frame. */
  start(opcode: number, compressed: boolean, payload: Buffer): void {
    this.opcode = opcode;
    this.#compressed = compressed;
    this.#size = 0;
    if (opcode === Opcode.TEXT && !compressed) this.#decoder = new TextDecoder('utf-8', { fatal: true });
    this.add(payload);
  }

  /** Adds a continuation frame. */
  add(payload: Buffer): void {
    this.#size += payload.length;
    if (this.#size > this.#maxSize) throw new FrameError(CloseCode.MESSAGE_TOO_BIG, 'message over maxMessageSize');
    if (this.#decoder !== null) {
      try {
        this.#text.push(this.#decoder.decode(payload, { stream: true }));
      } catch {
        throw new FrameError(CloseCode.INVALID_PAYLOAD, 'text message is not valid UTF-8');
      }
    } else this.#parts.push(payload);
  }

  /**
   * Ends the message: text checked while streaming comes back decoded (`text`); anything else comes back as
   * bytes (`payload`, inflated if compressed) for the caller to check.
   */
  finish(): AssembledMessage {
    const opcode = this.opcode as typeof Opcode.TEXT | typeof Opcode.BINARY;
    this.opcode = 0;
    const decoder = this.#decoder;
    if (decoder !== null) {
      this.#decoder = null;
      let tail: string;
      try {
        tail = decoder.decode();
      } catch {
        throw new FrameError(CloseCode.INVALID_PAYLOAD, 'text message ends inside a UTF-8 sequence');
      }
      const text = this.#text.join('') + tail;
      this.#text = [];
      return { opcode: Opcode.TEXT, text, payload: null };
    }
    const parts = this.#parts;
    this.#parts = [];
    const payload = this.#compressed ? this.#deflate!.decompress(parts, this.#maxSize) : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return opcode === Opcode.TEXT ? { opcode, text: null, payload } : { opcode: Opcode.BINARY, text: null, payload };
  }

  /** Forgets the message in progress. */
  reset(): void {
    this.opcode = 0;
    this.#parts = [];
    this.#text = [];
    this.#decoder = null;
  }
}
