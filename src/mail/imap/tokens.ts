/**
 * Turns one command's text (literals replaced by a mark) into tag, name and values (RFC 3501 §9).
 * @module
 */
import { IMAPLimitError, IMAPParseError } from '../errors.js';
import type { IMAPCommand, IMAPValue } from './values.js';

/** Stands for one literal in the command text; above latin1, so no received byte can forge it. */
export const LITERAL_MARK = '\u0100';

const TAG = /^[\x21-\x7e]+$/;
const TAG_FORBIDDEN = /[(){%*"\\+]/;

class Cursor {
  at = 0;
  literal = 0;
  constructor(
    readonly text: string,
    readonly literals: readonly Uint8Array[],
    readonly maxDepth: number,
    readonly tag: string,
  ) {}

  fail(message: string): never {
    throw new IMAPParseError(`${message} at column ${this.at}`, this.tag);
  }
}

/** Parses `text` (one whole command, CRLF removed) into a command; throws IMAPParseError. */
export function tokenizeCommand(text: string, literals: readonly Uint8Array[], maxDepth: number): IMAPCommand {
  const space = text.indexOf(' ');
  const tag = space < 0 ? text : text.slice(0, space);
  if (!TAG.test(tag) || TAG_FORBIDDEN.test(tag)) throw new IMAPParseError('bad tag');
  if (space < 0) throw new IMAPParseError('missing command', tag);
  const cursor = new Cursor(text, literals, maxDepth, tag);
  cursor.at = space + 1;
  const nameMatch = /^[A-Za-z0-9.-]+/.exec(text.slice(cursor.at));
  if (nameMatch === null) throw new IMAPParseError('bad command name', tag);
  cursor.at += nameMatch[0].length;
  const args = readValues(cursor, 0, false);
  return { tag, name: nameMatch[0].toUpperCase(), args };
}

function readValues(c: Cursor, depth: number, inList: boolean): IMAPValue[] {
  const values: IMAPValue[] = [];
  for (;;) {
    if (c.at >= c.text.length) {
      if (inList) c.fail('unclosed list');
      return values;
    }
    if (c.text[c.at] === ')') {
      if (!inList) c.fail('unexpected )');
      c.at++;
      return values;
    }
    // Lists follow one another without a space in answers: `((addr)(addr))`, BODYSTRUCTURE's `((part)(part) "MIXED")`.
    const adjacentList = values[values.length - 1]?.type === 'list' && c.text[c.at] === '(';
    if ((values.length > 0 || !inList) && !adjacentList) {
      if (c.text[c.at] !== ' ') c.fail('expected space');
      c.at++;
    }
    values.push(readValue(c, depth));
  }
}

function readValue(c: Cursor, depth: number): IMAPValue {
  const ch = c.text[c.at];
  if (ch === '(') {
    if (depth + 1 > c.maxDepth) throw new IMAPLimitError('lists nested too deep', c.tag);
    c.at++;
    return { type: 'list', items: readValues(c, depth + 1, true) };
  }
  if (ch === '"') return { type: 'string', value: readQuoted(c), literal: false };
  if (ch === LITERAL_MARK) {
    c.at++;
    const value = c.literals[c.literal++];
    if (value === undefined) c.fail('literal missing');
    return { type: 'string', value, literal: true };
  }
  return { type: 'atom', value: readAtom(c, depth) };
}

function readQuoted(c: Cursor): Uint8Array {
  c.at++;
  const bytes: number[] = [];
  for (;;) {
    if (c.at >= c.text.length) c.fail('unterminated quoted string');
    const code = c.text.charCodeAt(c.at++);
    if (code === 0x22) return Uint8Array.from(bytes);
    if (code === 0x5c) {
      const next = c.text.charCodeAt(c.at++);
      if (next !== 0x22 && next !== 0x5c) c.fail('bad escape in quoted string');
      bytes.push(next);
    } else if (code === 0 || code > 0xff) {
      c.fail('bad character in quoted string');
    } else {
      bytes.push(code);
    }
  }
}

/**
 * An atom in the wide sense servers need: flags (`\Seen`), wildcards (`*`, `%`), sequence sets, and fetch
 * attributes whose brackets may hold spaces and lists (`BODY.PEEK[HEADER.FIELDS (FROM)]<0.100>`).
 */
function readAtom(c: Cursor, depth: number): string {
  const start = c.at;
  while (c.at < c.text.length) {
    const ch = c.text[c.at]!;
    const code = ch.charCodeAt(0);
    if (ch === ' ' || ch === '(' || ch === ')' || ch === '"' || ch === '{' || code < 0x20 || code === 0x7f || code > 0xff) break;
    if (ch === '[') {
      skipSection(c, depth);
      continue;
    }
    if (ch === ']') c.fail('unexpected ]');
    c.at++;
  }
  if (c.at === start) c.fail('expected a value');
  return c.text.slice(start, c.at);
}

function skipSection(c: Cursor, depth: number): void {
  let parens = 0;
  c.at++;
  for (;;) {
    if (c.at >= c.text.length) c.fail('unclosed [');
    const ch = c.text[c.at]!;
    if (ch === LITERAL_MARK || ch === '{' || ch.charCodeAt(0) < 0x20) c.fail('bad character in section');
    if (ch === '(') {
      parens++;
      if (depth + parens + 1 > c.maxDepth) throw new IMAPLimitError('section nested too deep', c.tag);
    } else if (ch === ')') {
      if (--parens < 0) c.fail('unbalanced ) in section');
    } else if (ch === '"') {
      readQuoted(c);
      continue;
    } else if (ch === '[') {
      c.fail('nested [');
    } else if (ch === ']' && parens === 0) {
      c.at++;
      return;
    }
    c.at++;
  }
}
