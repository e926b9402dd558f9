/**
 * Frames for tests: a MSG built from a payload value, and decoded frames with their payloads parsed (the
 * decoder leaves a MSG's or NEXT's payload as JSON text), so tests compare values.
 * @module
 */
import { MSG, NEXT, decodeFrame, type Frame } from '../shared/frames.js';

/** A decoded MSG frame carrying `payload`. */
export function msg(seq: number, ack: number, payload: unknown): Frame {
  return [MSG, seq, ack, JSON.stringify(payload)];
}

/** `text` decoded, a MSG's or NEXT's payload parsed. */
export function readFrame(text: string): unknown[] {
  const f = decodeFrame(text, 1e9);
  if (f[0] === MSG) return [MSG, f[1], f[2], JSON.parse(f[3])];
  if (f[0] === NEXT) return [NEXT, JSON.parse(f[1])];
  return f;
}
