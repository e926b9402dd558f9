/**
 * The server's own line formatter. It differs from `formatMessage` in one habit shared by most servers:
 * the last parameter of a numeric or of a text-carrying command always goes out in its `:trailing` form,
 * even as one word, since some clients read the text of a reply as "everything after the colon".
 * @module
 */
import { IRCFormatError } from '../../irc/errors.js';
import type { IRCMessage } from '../../irc/message.js';
import { formatTags } from '../../irc/tags.js';

/** Commands whose last parameter is free text. */
/** Numerics whose last parameter is a value (a time, modes, a channel), never text. */
const VALUE_NUMERICS = new Set(['004', '221', '324', '329', '333', '341', '346', '348', '367']);
const TEXT_COMMANDS = new Set(['PRIVMSG', 'NOTICE', 'TOPIC', 'PART', 'KICK', 'QUIT', 'ERROR', 'PONG', 'PING', 'AWAY', 'CAP', 'FAIL', 'KILL', 'REGISTER', 'SETNAME', 'WALLOPS']);
const FORBIDDEN = /[\r\n\0]/;
const TAG_KEY = /^\+?(?:[A-Za-z0-9.-]+\/)?[A-Za-z0-9-]+$/;
const COMMAND = /^(?:[A-Za-z]+|[0-9]{3})$/;

/**
 * One line, without CRLF.
 * @throws {IRCFormatError} for anything that would not be exactly one well-formed line.
 */
export function formatServerLine(msg: IRCMessage): string {
  let out = '';
  let hasTags = false;
  for (const key in msg.tags) {
    if (!TAG_KEY.test(key) || msg.tags[key].includes('\0')) throw new IRCFormatError(`bad tag ${JSON.stringify(key)}`);
    hasTags = true;
  }
  if (hasTags) out = `@${formatTags(msg.tags)} `;
  if (msg.prefix !== undefined) {
    if (msg.prefix === '' || msg.prefix.includes(' ') || FORBIDDEN.test(msg.prefix)) throw new IRCFormatError('bad prefix');
    out += `:${msg.prefix} `;
  }
  if (!COMMAND.test(msg.command)) throw new IRCFormatError(`bad command ${JSON.stringify(msg.command)}`);
  out += msg.command;
  const params = msg.params;
  const last = params.length - 1;
  const colonLast = msg.command.charCodeAt(0) <= 57 ? !VALUE_NUMERICS.has(msg.command) : TEXT_COMMANDS.has(msg.command);
  for (let i = 0; i <= last; i++) {
    const p = params[i];
    if (FORBIDDEN.test(p)) throw new IRCFormatError(`parameter ${i} holds CR, LF or NUL`);
    const plain = p !== '' && !p.includes(' ') && p.charCodeAt(0) !== 58;
    if (i === last && (colonLast || !plain)) out += ` :${p}`;
    else if (plain) out += ` ${p}`;
    else throw new IRCFormatError(`middle parameter ${i} must be non-empty, hold no space and not start with ':'`);
  }
  return out;
}
