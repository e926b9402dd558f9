/**
 * A small MIME tree (RFC 2045, 2046) for FETCH: each part's header and body, multiparts split on their
 * boundary, nesting bounded; and the ENVELOPE and BODYSTRUCTURE built from it (RFC 3501 §7.4.2).
 * @module
 */
import { IMAP_LIMITS } from '../limits.js';
import type { BodySection } from './fetch-att.js';
import { envelopeOf } from './envelope.js';
import { headerEnd, headerFields, sectionBytes } from './message-parts.js';
import { quoteString } from './values.js';

/** One part of a message. */
export interface MimePart {
  /** The whole part (header and body). */
  readonly bytes: Uint8Array;
  readonly headerLength: number;
  readonly type: string;
  readonly subtype: string;
  readonly params: ReadonlyMap<string, string>;
  /** The children of a multipart, else empty. */
  readonly parts: readonly MimePart[];
  /** The enclosed message of a message/rfc822 part. */
  readonly message: MimePart | undefined;
}

function field(header: string, name: string): string | undefined {
  const f = headerFields(header).find((x) => x.name === name);
  return f === undefined ? undefined : f.text.slice(f.text.indexOf(':') + 1).replace(/\r\n/g, '').trim();
}

function parseContentType(value: string | undefined, fallback: string): { type: string; subtype: string; params: Map<string, string> } {
  const [main = '', ...rest] = (value ?? fallback).split(';');
  const [type = 'text', subtype = 'plain'] = main.trim().toLowerCase().split('/');
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return type === '' || subtype === '' ? { type: 'text', subtype: 'plain', params } : { type, subtype, params };
}

/** Parses `bytes` (a message or a part; `digest` makes the default type message/rfc822). */
export function parseMime(bytes: Uint8Array, depth = 0, digest = false): MimePart {
  const headerLength = headerEnd(bytes);
  const header = Buffer.from(bytes.subarray(0, headerLength)).toString('latin1');
  const { type, subtype, params } = parseContentType(field(header, 'CONTENT-TYPE'), digest ? 'message/rfc822' : 'text/plain');
  const body = bytes.subarray(headerLength);
  const boundary = params.get('boundary');
  let parts: MimePart[] = [];
  let message: MimePart | undefined;
  if (type === 'multipart' && boundary !== undefined && depth < IMAP_LIMITS.maxMimeDepth) {
    parts = splitMultipart(body, boundary).map((p) => parseMime(p, depth + 1, subtype === 'digest'));
  } else if (type === 'message' && subtype === 'rfc822' && depth < IMAP_LIMITS.maxMimeDepth) {
    message = parseMime(body, depth + 1);
  }
  return { bytes, headerLength, type, subtype, params, parts, message };
}

function splitMultipart(body: Uint8Array, boundary: string): Uint8Array[] {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = `--${boundary}`;
  const out: Uint8Array[] = [];
  let start = -1;
  let at = text.indexOf(delimiter);
  while (at >= 0) {
    const lineStart = at === 0 || text[at - 1] === 10;
    if (lineStart) {
      if (start >= 0) out.push(body.subarray(start, Math.max(start, at - 2)));
      const after = at + delimiter.length;
      if (text[after] === 45 && text[after + 1] === 45) return out;
      const eol = text.indexOf(10, after);
      if (eol < 0) return out;
      start = eol + 1;
    }
    at = text.indexOf(delimiter, at + delimiter.length);
  }
  return out;
}

/** The part at `path` (`[1, 2]`), or undefined; part 1 of a single-part message is its body. */
export function partAt(root: MimePart, path: readonly number[]): MimePart | undefined {
  let part: MimePart | undefined = root;
  for (const n of path) {
    if (part === undefined) return undefined;
    const holder: MimePart = part.message ?? part;
    if (holder.parts.length > 0) part = holder.parts[n - 1];
    else part = n === 1 ? holder : undefined;
  }
  return part;
}

const nstring = (s: string | undefined): string => (s === undefined || s === '' ? 'NIL' : quoteString(s));

function lineCount(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b === 10) n++;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? n + 1 : n;
}

/** BODYSTRUCTURE (with extension data left out) or BODY of `part`. */
export function bodyStructure(part: MimePart): string {
  if (part.parts.length > 0) return `(${part.parts.map(bodyStructure).join('')} ${quoteString(part.subtype.toUpperCase())})`;
  const header = Buffer.from(part.bytes.subarray(0, part.headerLength)).toString('latin1');
  const body = part.bytes.subarray(part.headerLength);
  const params = part.params.size === 0 ? 'NIL' : `(${[...part.params].map(([k, v]) => `${quoteString(k.toUpperCase())} ${quoteString(v)}`).join(' ')})`;
  const fields = `${params} ${nstring(field(header, 'CONTENT-ID'))} ${nstring(field(header, 'CONTENT-DESCRIPTION'))} ${quoteString((field(header, 'CONTENT-TRANSFER-ENCODING') ?? '7BIT').toUpperCase())} ${body.length}`;
  const basic = `${quoteString(part.type.toUpperCase())} ${quoteString(part.subtype.toUpperCase())} ${fields}`;
  if (part.type === 'text') return `(${basic} ${lineCount(body)})`;
  if (part.message !== undefined) return `(${basic} ${envelope(part.message)} ${bodyStructure(part.message)} ${lineCount(body)})`;
  return `(${basic})`;
}

/** ENVELOPE of a message (RFC 3501 §7.4.2); see {@link envelopeOf}. */
export function envelope(message: MimePart): string {
  return envelopeOf(Buffer.from(message.bytes.subarray(0, message.headerLength)).toString('utf8'));
}

const EMPTY = new Uint8Array(0);

/** The bytes of `section` of the message `text`, part numbers included (`BODY[1.2.MIME]`). */
export function sectionOf(text: Uint8Array, section: BodySection): Uint8Array {
  if (section.part.length === 0) return sectionBytes(text, section);
  const part = partAt(parseMime(text), section.part);
  if (part === undefined) return EMPTY;
  if (section.text === '') return part.bytes.subarray(part.headerLength);
  if (section.text === 'MIME') return part.bytes.subarray(0, part.headerLength);
  return part.message === undefined ? EMPTY : sectionBytes(part.message.bytes, section);
}
