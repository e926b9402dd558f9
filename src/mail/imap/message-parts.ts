/**
 * What FETCH and SEARCH need from a message's bytes: header and body split, header fields, and the
 * sections of one message (part numbers are found by `mime.ts`).
 * @module
 */
import type { BodySection } from './fetch-att.js';

/** Where the header ends (just after the blank line), or the length when there is none. */
export function headerEnd(text: Uint8Array): number {
  const s = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  if (s[0] === 13 && s[1] === 10) return 2;
  const at = s.indexOf('\r\n\r\n');
  return at < 0 ? text.length : at + 4;
}

/** The header lines grouped by field (continuation lines kept with their field), each with its CRLF. */
export function headerFields(header: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const line of header.split(/(?<=\r\n)/)) {
    if (line === '\r\n') continue;
    if (/^[ \t]/.test(line) && out.length > 0) out[out.length - 1]!.text += line;
    else out.push({ name: line.slice(0, Math.max(0, line.indexOf(':'))).trim().toUpperCase(), text: line });
  }
  return out;
}

/**
 * The decoded value of the first `name` field (unfolded), or ''. The same answer as looking `name` up in
 * {@link headerFields}, found by walking the lines without building them all: SEARCH asks this of every
 * message.
 */
export function headerValue(text: Uint8Array, name: string): string {
  const header = Buffer.from(text.buffer, text.byteOffset, headerEnd(text)).toString('utf8');
  const wanted = name.toUpperCase();
  let fieldSeen = false;
  for (let at = 0; at < header.length; ) {
    const next = lineEnd(header, at);
    // A blank line is no field; a line starting with white space continues the field before it, if any.
    if (header.startsWith('\r\n', at) && next === at + 2) {
      at = next;
      continue;
    }
    if (fieldSeen && continues(header, at)) {
      at = next;
      continue;
    }
    fieldSeen = true;
    const colon = header.indexOf(':', at);
    const nameEnd = colon >= 0 && colon < next ? colon : at;
    let end = next;
    while (continues(header, end)) end = lineEnd(header, end);
    if (header.slice(at, nameEnd).trim().toUpperCase() === wanted) {
      const field = header.slice(at, end);
      return field.slice(field.indexOf(':') + 1).replace(/\r\n/g, '').trim();
    }
    at = end;
  }
  return '';
}

/** Just past the CRLF ending the line that starts at `at` (or the end). */
function lineEnd(header: string, at: number): number {
  const crlf = header.indexOf('\r\n', at);
  return crlf < 0 ? header.length : crlf + 2;
}

/** True if a line starts at `at` with white space (a continuation line). */
function continues(header: string, at: number): boolean {
  return at < header.length && (header.charCodeAt(at) === 32 || header.charCodeAt(at) === 9);
}

/** The bytes of `section` (its part number aside) of the message `text`. */
export function sectionBytes(text: Uint8Array, section: BodySection): Uint8Array {
  const end = headerEnd(text);
  switch (section.text) {
    case '':
      return text;
    case 'TEXT':
      return text.subarray(end);
    case 'HEADER':
    case 'MIME':
      return text.subarray(0, end);
    default: {
      const wanted = new Set(section.fields);
      const header = Buffer.from(text.subarray(0, end)).toString('latin1');
      const keep = headerFields(header).filter((f) => wanted.has(f.name) === (section.text === 'HEADER.FIELDS'));
      return Buffer.from(`${keep.map((f) => f.text).join('')}\r\n`, 'latin1');
    }
  }
}
