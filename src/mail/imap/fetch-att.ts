/**
 * FETCH attributes (RFC 3501 §6.4.5, §9 `fetch-att`), sections and partials: `BODY.PEEK[1.2.MIME]<0.100>`.
 * @module
 */
import { IMAPParseError } from '../errors.js';
import type { IMAPValue } from './values.js';

/** A body section: a part path (`1.2`) and what of it (`HEADER`, `HEADER.FIELDS`, `TEXT`, `MIME`, or '' for all). */
export interface BodySection {
  readonly part: readonly number[];
  readonly text: '' | 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';
  /** The header names of `HEADER.FIELDS` and `HEADER.FIELDS.NOT`, upper-cased. */
  readonly fields: readonly string[];
}

/** One FETCH attribute. `BODY[...]`, `BODY.PEEK[...]`, `BINARY` are `body`; the rest are `simple`. */
export type FetchAttribute =
  | { readonly type: 'simple'; readonly name: 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODYSTRUCTURE' | 'BODY' | 'UID' | 'RFC822' | 'RFC822.HEADER' | 'RFC822.TEXT' | 'MODSEQ' }
  | {
      readonly type: 'body';
      readonly peek: boolean;
      readonly section: BodySection;
      readonly partial: { readonly offset: number; readonly length: number } | undefined;
      /** How the attribute is named back in the answer, `BODY[1.2]<0>`. */
      readonly responseName: string;
    };

const SIMPLE = new Set(['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'UID', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT', 'MODSEQ']);
const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};
const BODY_ATT = /^BODY(\.PEEK)?\[([^\]]*)\](?:<(\d{1,10})\.(\d{1,10})>)?$/i;
const KINDS = new Set(['', 'HEADER', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT', 'TEXT', 'MIME']);

/** Parses one attribute (an atom); throws IMAPParseError. */
export function parseFetchAttribute(text: string, tag = ''): FetchAttribute {
  const upper = text.toUpperCase();
  if (SIMPLE.has(upper)) return { type: 'simple', name: upper as 'FLAGS' };
  const m = BODY_ATT.exec(text);
  if (m === null) throw new IMAPParseError(`bad fetch attribute ${JSON.stringify(text.slice(0, 40))}`, tag);
  const section = parseSection(m[2]!, tag);
  const partial = m[3] === undefined ? undefined : { offset: Number(m[3]), length: Number(m[4]) };
  if (partial !== undefined && partial.length === 0) throw new IMAPParseError('partial of length 0', tag);
  const sectionName = m[2]!.toUpperCase().replace(/\s+/g, ' ');
  return {
    type: 'body',
    peek: m[1] !== undefined,
    section,
    partial,
    responseName: `BODY[${sectionName}]${partial === undefined ? '' : `<${partial.offset}>`}`,
  };
}

function parseSection(text: string, tag: string): BodySection {
  const open = text.indexOf(' (');
  const head = open < 0 ? text : text.slice(0, open);
  const list = open < 0 ? undefined : text.slice(open + 2);
  const words = head.split('.');
  const part: number[] = [];
  while (words.length > 0 && /^[1-9]\d{0,5}$/.test(words[0]!)) part.push(Number(words.shift()));
  const kind = words.join('.').toUpperCase();
  const dangling = kind === '' && (part.length > 0 ? words.length > 0 : text !== '');
  if (dangling || !KINDS.has(kind) || part.length > 32) throw new IMAPParseError(`bad section ${JSON.stringify(text.slice(0, 40))}`, tag);
  if (kind === 'MIME' && part.length === 0) throw new IMAPParseError('MIME needs a part number', tag);
  const isFields = kind === 'HEADER.FIELDS' || kind === 'HEADER.FIELDS.NOT';
  if (isFields !== (list !== undefined) || (list !== undefined && !list.endsWith(')'))) throw new IMAPParseError('HEADER.FIELDS needs a list of names', tag);
  const fields = list === undefined ? [] : list.slice(0, -1).split(' ').map((f) => f.replace(/^"|"$/g, '').toUpperCase());
  if (isFields && fields.some((f) => !/^[\x21-\x39\x3b-\x7e]+$/.test(f))) throw new IMAPParseError('bad header field name', tag);
  return { part, text: kind as BodySection['text'], fields };
}

/** The attributes of a FETCH command's argument: a macro, one attribute, or a list of them. */
export function parseFetchItems(value: IMAPValue | undefined, tag = ''): FetchAttribute[] {
  if (value === undefined) throw new IMAPParseError('missing fetch attributes', tag);
  if (value.type === 'atom') {
    const macro = MACROS[value.value.toUpperCase()];
    if (macro !== undefined) return macro.map((m) => parseFetchAttribute(m, tag));
    return [parseFetchAttribute(value.value, tag)];
  }
  if (value.type === 'list' && value.items.length > 0) {
    return value.items.map((item) => {
      if (item.type !== 'atom') throw new IMAPParseError('bad fetch attribute', tag);
      return parseFetchAttribute(item.value, tag);
    });
  }
  throw new IMAPParseError('bad fetch attributes', tag);
}
