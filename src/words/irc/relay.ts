/**
 * Formatting of relayed chat lines, done once per message and per capability set rather than once per
 * recipient: a line fanned out to a thousand members is formatted and UTF-8 encoded at most four times (once
 * per tag variant; its length is counted without encoding it).
 * @module
 */
import type { ChatMessage } from '../index.js';
import { formatServerLine } from './wire.js';
import { wireOf } from './kinds.js';
import { IRC_MAX_MESSAGE_BYTES } from '../../irc/limits.js';

const encoder = new TextEncoder();

/** Which tags a connection asked for: bit 1 `server-time`, bit 2 `message-tags` (msgid and client tags). */
export type TagVariant = 0 | 1 | 2 | 3;

/** The bit for `server-time`. */
export const WANT_TIME = 1;
/** The bit for `message-tags`. */
export const WANT_TAGS = 2;


const UNSAFE = /[\r\n\0]/;
const UNSAFE_ALL = /[\r\n\0]/g;

/**
 * The lines of the last few messages relayed, newest last: a fan-out asks for one message's line member
 * after member, so a short list finds it. (A WeakMap keyed by message cost microseconds per new message in
 * the garbage collector, a large share of a worker's per-line work.)
 */
const recent: { message: ChatMessage; lines: (Uint8Array | undefined)[] }[] = [];
const RECENT_MESSAGES = 16;

function linesOf(message: ChatMessage): (Uint8Array | undefined)[] {
  for (let i = recent.length - 1; i >= 0; i--) if (recent[i].message === message) return recent[i].lines;
  const lines: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined];
  if (recent.length >= RECENT_MESSAGES) recent.shift();
  recent.push({ message, lines });
  return lines;
}

/** The IRCv3 tags of `message` for a connection wanting `variant`. */
export function messageTags(message: ChatMessage, variant: number): Record<string, string> {
  const tags: Record<string, string> = {};
  if (variant & WANT_TAGS && message.tags) Object.assign(tags, message.tags);
  if (variant & WANT_TIME) tags.time = new Date(message.time * 1000).toISOString();
  if (variant & WANT_TAGS) tags.msgid = message.id;
  return tags;
}

/** Cuts `text` so that it takes at most `maxBytes` of UTF-8, never inside a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // A UTF-16 code unit takes at most 3 bytes of UTF-8: most lines need neither a count nor an encoding.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  const bytes = encoder.encode(text);
  let end = maxBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/**
 * The wire bytes (CRLF included) of `message`, its sender shown as `prefixOf(message.from)`, for a connection
 * wanting `variant`. The text is shortened if the relayed line, with its longer prefix, would pass 512 bytes.
 * `prefixOf` is called only the first time a variant is needed: a fan-out passes one shared function rather
 * than a closure per recipient.
 */
export function relayLine(message: ChatMessage, prefixOf: (nick: string) => string, variant: number): Uint8Array {
  const lines = linesOf(message);
  let bytes = lines[variant];
  if (bytes === undefined) {
    const prefix = prefixOf(message.from);
    const { command, text: wire } = wireOf(message);
    const head = `:${prefix} ${command} ${message.to} :`;
    const room = IRC_MAX_MESSAGE_BYTES - 2 - Buffer.byteLength(head);
    // Other front doors (a web page) may let line breaks through; on IRC they would smuggle a second command.
    const text = UNSAFE.test(wire) ? wire.replace(UNSAFE_ALL, ' ') : wire;
    const body = formatServerLine({ tags: messageTags(message, variant), prefix, command, params: [message.to, truncateUtf8(text, room)] });
    // A Buffer (a Uint8Array) of a short string comes from Node's pool: far cheaper than a TextEncoder's own.
    bytes = lines[variant] = Buffer.from(`${body}\r\n`);
  }
  return bytes;
}
