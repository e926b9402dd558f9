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

/** One FETCH answer being built: the pieces so far, the attribute names answered, the text not yet in `out`. */
interface ResponseBuilder {
  out: (string | Uint8Array)[];
  names: string[];
  line: string;
}

/** Adds `name value` unless `name` was answered already (module functions, not closures: one per message is measurable). */
function add(r: ResponseBuilder, name: string, value: string): void {
  if (r.names.includes(name)) return;
  r.line += r.names.length === 0 ? `${name} ${value}` : ` ${name} ${value}`;
  r.names.push(name);
}

/** Adds `name` with `bytes` as a literal unless `name` was answered already. */
function literal(r: ResponseBuilder, name: string, bytes: Uint8Array): void {
  if (r.names.includes(name)) return;
  r.line += r.names.length === 0 ? `${name} {${bytes.length}}\r\n` : ` ${name} {${bytes.length}}\r\n`;
  r.names.push(name);
  r.out.push(r.line, bytes);
  r.line = '';
}

/**
 * The pieces of one `* n FETCH (...)` line for `message`; `text` is given when an attribute needs the bytes.
 * `withUid` adds UID (UID FETCH always answers it); `extraFlags` adds FLAGS (after an implicit \Seen). Text
 * runs come out joined (a FETCH without literals is one string): `FETCH 1:*` makes one of these per message.
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
  /** `flagList(message.flags)`, when the caller has it already. */
  flags = flagList(message.flags),
): (string | Uint8Array)[] {
  const r: ResponseBuilder = { out: [], names: [], line: `* ${seq} FETCH (` };
  if (withUid) add(r, 'UID', String(message.uid));
  for (const a of attributes) {
    if (a.type === 'body') {
      let bytes = sectionOf(text!, a.section);
      if (a.partial !== undefined) bytes = bytes.subarray(Math.min(a.partial.offset, bytes.length), Math.min(a.partial.offset + a.partial.length, bytes.length));
      literal(r, a.responseName, bytes);
      continue;
    }
    switch (a.name) {
      case 'UID':
        add(r, 'UID', String(message.uid));
        break;
      case 'FLAGS':
        add(r, 'FLAGS', flags);
        break;
      case 'INTERNALDATE':
        add(r, 'INTERNALDATE', imapDateTime(message.internalDate));
        break;
      case 'RFC822.SIZE':
        add(r, 'RFC822.SIZE', String(message.entry.size));
        break;
      case 'MODSEQ':
        add(r, 'MODSEQ', `(${message.modseq})`);
        break;
      case 'RFC822':
        literal(r, 'RFC822', text!);
        break;
      case 'RFC822.HEADER':
        literal(r, 'RFC822.HEADER', sectionBytes(text!, { part: [], text: 'HEADER', fields: [] }));
        break;
      case 'RFC822.TEXT':
        literal(r, 'RFC822.TEXT', sectionBytes(text!, { part: [], text: 'TEXT', fields: [] }));
        break;
      case 'ENVELOPE':
        if (!r.names.includes('ENVELOPE')) add(r, 'ENVELOPE', cachedEnvelope ?? envelope(parseMime(text!)));
        break;
      case 'BODYSTRUCTURE':
      case 'BODY':
        if (!r.names.includes(a.name)) add(r, a.name, bodyStructure(parseMime(text!)));
        break;
      default:
        break;
    }
  }
  if (extraFlags) add(r, 'FLAGS', flags);
  if (extraFlags && withModseq) add(r, 'MODSEQ', `(${message.modseq})`);
  r.out.push(`${r.line})\r\n`);
  return r.out;
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
  const out = new BatchWriter(write);
  for (const { seq, message } of picked) {
    // A kept header needs no await: 10,000 of them would be 10,000 trips through the microtask queue.
    const kept = need === 'header' ? folder.keptHeader(message) : undefined;
    const text = need === 'none' ? undefined : (kept ?? (await (need === 'header' ? folder.header(message) : folder.read(message)).catch(() => undefined)));
    if (need !== 'none' && text === undefined) continue;
    const flags = flagList(message.flags);
    options.told.set(message.uid, flags);
    const cached = wantsEnvelope && need === 'header' ? folder.envelope(message, text!) : undefined;
    for (const piece of fetchResponse(seq, message, attributes, text, options.byUid, options.unseen.has(message.uid), cached, options.condstore === true, flags)) out.add(piece);
    out.flushIfFull();
  }
  out.flush();
}

/**
 * Gathers answers and hands them on about {@link WRITE_BATCH} bytes at a time: text goes straight into a
 * buffer as UTF-8 (what writing the strings would send), literals as they are. Joining thousands of answers
 * into one string instead (by `+=` or `join`) cost a third more: V8 then flattens a rope of them.
 */
class BatchWriter {
  #pieces: Uint8Array[] = [];
  #bytes = 0;
  #buffer = Buffer.allocUnsafe(WRITE_BATCH);
  #used = 0;

  constructor(private readonly write: (pieces: Uint8Array[]) => void) {}

  add(piece: string | Uint8Array): void {
    if (typeof piece === 'string') {
      // A UTF-16 unit is at most 3 bytes of UTF-8: a string within that bound always fits whole.
      if (piece.length * 3 > WRITE_BATCH - this.#used) this.#endBuffer();
      if (piece.length * 3 <= WRITE_BATCH) {
        this.#used += this.#buffer.write(piece, this.#used);
        return;
      }
      piece = Buffer.from(piece);
    }
    this.#endBuffer();
    this.#pieces.push(piece);
    this.#bytes += piece.length;
  }

  flushIfFull(): void {
    if (this.#bytes + this.#used >= WRITE_BATCH) this.flush();
  }

  flush(): void {
    this.#endBuffer();
    if (this.#pieces.length === 0) return;
    this.write(this.#pieces);
    this.#pieces = [];
    this.#bytes = 0;
  }

  /** The buffer's text joins the pieces; a fresh buffer takes the next (the transport may still hold this one). */
  #endBuffer(): void {
    if (this.#used === 0) return;
    this.#pieces.push(this.#buffer.subarray(0, this.#used));
    this.#bytes += this.#used;
    this.#buffer = Buffer.allocUnsafe(WRITE_BATCH);
    this.#used = 0;
  }
}
