/**
 * Writes FETCH answers (RFC 3501 §7.4.2): flags, dates, sizes, and body sections as literals.
 * @module
 */
import type { FetchAttribute } from './fetch-att.js';
import type { IMAPFolder, IMAPMessage } from './folder.js';
import { sectionBytes } from './message-parts.js';
import { bodyStructure, envelope, parseMime, sectionOf } from './mime.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An IMAP `date-time` in UTC: `"05-Dec-2026 10:00:00 +0000"`. */
export function imapDateTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `"${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000"`;
}

/** `(\Seen \Flagged)`. */
export function flagList(flags: readonly string[]): string {
  return `(${flags.join(' ')})`;
}

/**
 * The pieces of one `* n FETCH (...)` line for `message`; `text` is given when an attribute needs the bytes.
 * `withUid` adds UID (UID FETCH always answers it); `extraFlags` adds FLAGS (after an implicit \Seen).
 */
export function fetchResponse(
  seq: number,
  message: IMAPMessage,
  attributes: readonly FetchAttribute[],
  text: Uint8Array | undefined,
  withUid: boolean,
  extraFlags: boolean,
  /** The message's ENVELOPE when already known (a folder keeps them). */
  cachedEnvelope?: string,
  /** CONDSTORE is on: flags answered after an implicit \Seen carry their MODSEQ. */
  withModseq = false,
): (string | Uint8Array)[] {
  const items: (string | Uint8Array)[][] = [];
  const names = new Set<string>();
  const add = (name: string, ...value: (string | Uint8Array)[]): void => {
    if (names.has(name)) return;
    names.add(name);
    items.push([`${name} `, ...value]);
  };
  const literal = (bytes: Uint8Array): (string | Uint8Array)[] => [`{${bytes.length}}\r\n`, bytes];
  if (withUid) add('UID', String(message.uid));
  for (const a of attributes) {
    if (a.type === 'body') {
      let bytes = sectionOf(text!, a.section);
      if (a.partial !== undefined) bytes = bytes.subarray(Math.min(a.partial.offset, bytes.length), Math.min(a.partial.offset + a.partial.length, bytes.length));
      add(a.responseName, ...literal(bytes));
      continue;
    }
    switch (a.name) {
      case 'UID':
        add('UID', String(message.uid));
        break;
      case 'FLAGS':
        add('FLAGS', flagList(message.flags));
        break;
      case 'INTERNALDATE':
        add('INTERNALDATE', imapDateTime(message.internalDate));
        break;
      case 'RFC822.SIZE':
        add('RFC822.SIZE', String(message.entry.size));
        break;
      case 'MODSEQ':
        add('MODSEQ', `(${message.modseq})`);
        break;
      case 'RFC822':
        add('RFC822', ...literal(text!));
        break;
      case 'RFC822.HEADER':
        add('RFC822.HEADER', ...literal(sectionBytes(text!, { part: [], text: 'HEADER', fields: [] })));
        break;
      case 'RFC822.TEXT':
        add('RFC822.TEXT', ...literal(sectionBytes(text!, { part: [], text: 'TEXT', fields: [] })));
        break;
      case 'ENVELOPE':
        add('ENVELOPE', cachedEnvelope ?? envelope(parseMime(text!)));
        break;
      case 'BODYSTRUCTURE':
      case 'BODY':
        add(a.name, bodyStructure(parseMime(text!)));
        break;
      default:
        break;
    }
  }
  if (extraFlags) add('FLAGS', flagList(message.flags));
  if (extraFlags && withModseq) add('MODSEQ', `(${message.modseq})`);
  const out: (string | Uint8Array)[] = [`* ${seq} FETCH (`];
  items.forEach((item, i) => out.push(...(i > 0 ? [' '] : []), ...item));
  out.push(')\r\n');
  return out;
}

const NO_TEXT = new Set(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'MODSEQ']);
const HEADER_ONLY = new Set(['ENVELOPE', 'RFC822.HEADER']);

/**
 * What answering `attributes` reads of each message: nothing, only its header (which a folder keeps, so
 * `FETCH 1:* ENVELOPE` reads each file once), or all of it.
 */
export function textNeeded(attributes: readonly FetchAttribute[]): 'none' | 'header' | 'all' {
  let need: 'none' | 'header' | 'all' = 'none';
  for (const a of attributes) {
    if (a.type === 'body') {
      if (a.section.part.length > 0 || !a.section.text.startsWith('HEADER')) return 'all';
      need = 'header';
    } else if (HEADER_ONLY.has(a.name)) need = 'header';
    else if (!NO_TEXT.has(a.name)) return 'all';
  }
  return need;
}

/** True if fetching `attributes` sets \Seen (a BODY[] without .PEEK, RFC822, RFC822.TEXT). */
export function setsSeen(attributes: readonly FetchAttribute[]): boolean {
  return attributes.some((a) => (a.type === 'body' && !a.peek) || (a.type === 'simple' && (a.name === 'RFC822' || a.name === 'RFC822.TEXT')));
}

/** Bytes of FETCH answers gathered before one write. */
const WRITE_BATCH = 64 * 1024;

/**
 * Answers FETCH `attributes` for the `picked` messages of `folder`, in writes of about {@link WRITE_BATCH}
 * bytes (one write per message would be one system call each for `FETCH 1:*`); remembers in `told` the
 * flags each answer carried. A message gone meanwhile is skipped.
 */
export async function writeFetch(
  folder: IMAPFolder,
  picked: readonly { seq: number; message: IMAPMessage }[],
  attributes: readonly FetchAttribute[],
  options: { byUid: boolean; unseen: ReadonlySet<number>; told: Map<number, string>; condstore?: boolean },
  write: (pieces: (string | Uint8Array)[]) => void,
): Promise<void> {
  const need = textNeeded(attributes);
  const wantsEnvelope = attributes.some((a) => a.type === 'simple' && a.name === 'ENVELOPE');
  let batch: (string | Uint8Array)[] = [];
  let batched = 0;
  for (const { seq, message } of picked) {
    // A kept header needs no await: 10,000 of them would be 10,000 trips through the microtask queue.
    const kept = need === 'header' ? folder.keptHeader(message) : undefined;
    const text = need === 'none' ? undefined : (kept ?? (await (need === 'header' ? folder.header(message) : folder.read(message)).catch(() => undefined)));
    if (need !== 'none' && text === undefined) continue;
    options.told.set(message.uid, flagList(message.flags));
    const cached = wantsEnvelope && need === 'header' ? folder.envelope(message, text!) : undefined;
    for (const piece of fetchResponse(seq, message, attributes, text, options.byUid, options.unseen.has(message.uid), cached, options.condstore === true)) {
      // Text runs are joined: a write of thousands of tiny pieces costs more than one string.
      if (typeof piece === 'string' && typeof batch[batch.length - 1] === 'string') batch[batch.length - 1] += piece;
      else batch.push(piece);
      batched += piece.length;
    }
    if (batched >= WRITE_BATCH) {
      write(batch);
      batch = [];
      batched = 0;
    }
  }
  if (batch.length > 0) write(batch);
}
