/**
 * The output of one write batch, shared by the clients it goes to. A room line fanned out in a batch goes to
 * every member, in the same order for each, so rather than a list per member (a slot per line and member,
 * grown as it fills, compared whole at the end to find the members with equal output) the batch keeps each
 * line once in a log, and a member's output is a run of it: entries `start` to `end` (exclusive). A line
 * queued for a member extends its run when it is the log's next entry after the run, or becomes the log's new
 * last one. A client whose output leaves the log's order (a reply of its own amid the room's lines, or a room
 * whose members want different tags) continues with a list of its own.
 * @module
 */
import { concatBytes } from '../../protocols/bytes.js';
import { MAX_JOINED_OUTPUTS } from './limits.js';

export class OutputLog {
  readonly #lines: Uint8Array[] = [];
  /** The last few runs joined, for the other clients with the same run. */
  readonly #joined: { start: number; end: number; bytes: Uint8Array }[] = [];

  /** Lines held: a log of none need not be replaced at the end of its batch. */
  get size(): number {
    return this.#lines.length;
  }

  /** Where a run that starts with `bytes` begins: at the last entry if that is these very bytes, else at a new one. */
  start(bytes: Uint8Array): number {
    const lines = this.#lines;
    const last = lines.length - 1;
    if (last >= 0 && lines[last] === bytes) return last;
    return lines.push(bytes) - 1;
  }

  /** Whether a run ending at `end` takes `bytes` next: the entry there is these bytes, or they go there, last. */
  extend(end: number, bytes: Uint8Array): boolean {
    const lines = this.#lines;
    if (end === lines.length) {
      lines.push(bytes);
      return true;
    }
    return lines[end] === bytes;
  }

  /** The lines of a run, for a client whose output leaves the log's order. */
  slice(start: number, end: number): Uint8Array[] {
    return this.#lines.slice(start, end);
  }

  /** The bytes of a run as one buffer: the same buffer for each client with that run, while it is kept. */
  bytes(start: number, end: number): Uint8Array {
    if (end - start === 1) return this.#lines[start]!;
    const joined = this.#joined;
    for (const j of joined) if (j.start === start && j.end === end) return j.bytes;
    const bytes = concatBytes(this.#lines.slice(start, end));
    if (joined.length >= MAX_JOINED_OUTPUTS) joined.shift();
    joined.push({ start, end, bytes });
    return bytes;
  }
}
