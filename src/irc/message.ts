/**
 * The IRC message: parsing and serializing RFC 1459/2812 lines with IRCv3 message tags. Pure functions over
 * strings; the framing (bytes, CRLF, limits) is in `receiver.ts`. Browser-safe.
 * @module
 */
import { IRCFormatError, IRCParseError } from './errors.js';
import { escapeTagValue, parseTags } from './tags.js';

/** One IRC message, as parsed from or written to a line (without its CRLF). */
export interface IRCMessage {
  /** IRCv3 message tags, values unescaped; `{}` when there are none. */
  tags: Record<string, string>;
  /** The source (`nick!user@host` or a server name), without its leading `:`. */
  prefix?: string;
  /** The command, upper-cased (`PRIVMSG`), or a three-digit numeric (`001`). */
  command: string;
  /** The parameters, the trailing one included, without its leading `:`. */
  params: string[];
}

/** The parts of a message prefix. A server name comes back as `nick` alone. */
export interface IRCPrefix {
  nick: string;
  user?: string;
  host?: string;
}

const COMMAND = /^(?:[A-Za-z]+|[0-9]{3})$/;
const TAG_KEY = /^\+?(?:[A-Za-z0-9.-]+\/)?[A-Za-z0-9-]+$/;
const FORBIDDEN = /[\r\n\0]/;

/**
 * Parses one line (without CRLF). Runs of spaces between parts are accepted, as most servers send them.
 *
 * @throws {IRCParseError} when the line has no command or a malformed one.
 * @example
 * parseMessage('@time=2026-11-26T01:00:00Z :nick!u@h PRIVMSG #chan :hello there')
 * // { tags: { time: '2026-11-26T01:00:00Z' }, prefix: 'nick!u@h', command: 'PRIVMSG', params: ['#chan', 'hello there'] }
 */
export function parseMessage(line: string): IRCMessage {
  const n = line.length;
  let pos = 0;
  while (pos < n && line.charCodeAt(pos) === 32) pos++;
  let tags: Record<string, string> = {};
  let prefix: string | undefined;
  if (line.charCodeAt(pos) === 64 /* @ */) {
    let end = line.indexOf(' ', pos);
    if (end < 0) end = n;
    tags = parseTags(line.slice(pos + 1, end));
    pos = end;
    while (pos < n && line.charCodeAt(pos) === 32) pos++;
  }
  if (line.charCodeAt(pos) === 58 /* : */) {
    let end = line.indexOf(' ', pos);
    if (end < 0) end = n;
    prefix = line.slice(pos + 1, end);
    if (prefix === '') throw new IRCParseError('empty prefix', line);
    pos = end;
    while (pos < n && line.charCodeAt(pos) === 32) pos++;
  }
  let end = line.indexOf(' ', pos);
  if (end < 0) end = n;
  const command = commandAt(line, pos, end);
  pos = end;
  const params: string[] = [];
  while (pos < n) {
    if (line.charCodeAt(pos) === 32) {
      pos++;
      continue;
    }
    if (line.charCodeAt(pos) === 58) {
      params.push(line.slice(pos + 1));
      break;
    }
    end = line.indexOf(' ', pos);
    if (end < 0) end = n;
    params.push(line.slice(pos, end));
    pos = end;
  }
  const msg: IRCMessage = { tags, command, params };
  if (prefix !== undefined) msg.prefix = prefix;
  return msg;
}

/** The command in `line[start, end)`, upper-cased; letters only, or exactly three digits. */
function commandAt(line: string, start: number, end: number): string {
  if (end === start) throw new IRCParseError('no command', line);
  const first = line.charCodeAt(start);
  let lower = false;
  if (first >= 48 && first <= 57) {
    let ok = end - start === 3;
    for (let i = start; ok && i < end; i++) ok = line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57;
    if (ok) return line.slice(start, end);
  } else {
    let ok = true;
    for (let i = start; ok && i < end; i++) {
      const c = line.charCodeAt(i) | 32;
      ok = c >= 97 && c <= 122;
      if (line.charCodeAt(i) >= 97) lower = true;
    }
    if (ok) return lower ? line.slice(start, end).toUpperCase() : line.slice(start, end);
  }
  throw new IRCParseError(`malformed command ${JSON.stringify(line.slice(start, Math.min(end, start + 32)))}`, line);
}

function checkText(what: string, text: string): void {
  if (FORBIDDEN.test(text)) throw new IRCFormatError(`${what} contains CR, LF or NUL`);
}

/**
 * Writes a message as one line, without CRLF. The last parameter gets a `:` when it needs one (empty, holds a
 * space, or starts with `:`).
 *
 * @throws {IRCFormatError} when any part holds CR, LF or NUL (which would smuggle a second command onto the
 * wire), a middle parameter is empty, holds a space or starts with `:`, or the command or a tag key is malformed.
 * @example
 * formatMessage({ tags: {}, command: 'PRIVMSG', params: ['#chan', 'hi there'] }) // 'PRIVMSG #chan :hi there'
 */
export function formatMessage(msg: IRCMessage): string {
  let out = '';
  const tags = msg.tags;
  let tagText = '';
  for (const key in tags) {
    if (!TAG_KEY.test(key)) throw new IRCFormatError(`malformed tag key ${JSON.stringify(key)}`);
    const value = tags[key];
    // CR and LF are escaped in tag values; NUL has no escape.
    if (value.includes('\0')) throw new IRCFormatError('tag value contains NUL');
    tagText += (tagText === '' ? '@' : ';') + (value === '' ? key : `${key}=${escapeTagValue(value)}`);
  }
  if (tagText !== '') out = `${tagText} `;
  if (msg.prefix !== undefined) {
    if (msg.prefix === '' || msg.prefix.includes(' ')) throw new IRCFormatError('prefix must be non-empty and hold no space');
    checkText('prefix', msg.prefix);
    out += `:${msg.prefix} `;
  }
  if (!COMMAND.test(msg.command)) throw new IRCFormatError(`malformed command ${JSON.stringify(msg.command)}`);
  out += msg.command;
  const params = msg.params;
  const last = params.length - 1;
  for (let i = 0; i <= last; i++) {
    const p = params[i];
    if (typeof p !== 'string') throw new IRCFormatError(`parameter ${i} is not a string`);
    checkText('parameter', p);
    const needsColon = p === '' || p.charCodeAt(0) === 58 || p.includes(' ');
    if (!needsColon) out += ` ${p}`;
    else if (i === last) out += ` :${p}`;
    else throw new IRCFormatError(`middle parameter ${i} must be non-empty, hold no space and not start with ':'`);
  }
  return out;
}

/**
 * Splits a prefix into nick, user and host.
 * @example parsePrefix('alice!~al@example.org') // { nick: 'alice', user: '~al', host: 'example.org' }
 */
export function parsePrefix(prefix: string): IRCPrefix {
  const p = prefix.startsWith(':') ? prefix.slice(1) : prefix;
  const at = p.indexOf('@');
  const host = at < 0 ? undefined : p.slice(at + 1);
  const beforeHost = at < 0 ? p : p.slice(0, at);
  const bang = beforeHost.indexOf('!');
  const out: IRCPrefix = { nick: bang < 0 ? beforeHost : beforeHost.slice(0, bang) };
  if (bang >= 0) out.user = beforeHost.slice(bang + 1);
  if (host !== undefined) out.host = host;
  return out;
}

/** Joins nick, user and host into a prefix (`nick!user@host`). */
export function formatPrefix(prefix: IRCPrefix): string {
  return prefix.nick + (prefix.user !== undefined ? `!${prefix.user}` : '') + (prefix.host !== undefined ? `@${prefix.host}` : '');
}

/**
 * A message with no tags and no prefix, for sending.
 * @example makeMessage('JOIN', '#chan')
 */
export function makeMessage(command: string, ...params: string[]): IRCMessage {
  return { tags: {}, command, params };
}
