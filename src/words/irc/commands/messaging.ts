/**
 * PRIVMSG, NOTICE and TAGMSG to channels and users (CTCP ACTION becomes the service's `action`). NOTICE never draws an error reply (RFC 2812 §3.3.2), so a
 * pair of bots cannot loop on each other's errors.
 * @module
 */
import { NoSuchUserError, WordsError } from '../../index.js';
import type { IRCMessage } from '../../../irc/message.js';
import * as N from '../../../irc/numerics.js';
import type { IRCServerProtocol } from '../connection.js';
import { replyError } from '../words-errors.js';
import { kindFromWire, type MessageCommand } from '../kinds.js';
import type { CommandSpec } from './index.js';

/** Client-only tags (`+name`) a sender attached, relayed to those who enabled message-tags. */
function clientTags(msg: IRCMessage): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const key in msg.tags) {
    if (key[0] === '+') (out ??= {})[key] = msg.tags[key];
  }
  return out;
}

function deliver(conn: IRCServerProtocol, msg: IRCMessage, command: MessageCommand): void {
  const notice = command === 'NOTICE';
  const [list, text] = msg.params;
  if (list === undefined || list === '') {
    if (!notice) conn.numeric(N.ERR_NORECIPIENT, `No recipient given (${msg.command})`);
    return;
  }
  if (text === undefined || text === '') {
    if (!notice) conn.numeric(N.ERR_NOTEXTTOSEND, 'No text to send');
    return;
  }
  const user = conn.user!;
  const tags = conn.caps.has('message-tags') ? clientTags(msg) : undefined;
  const max = conn.factory.options.maxTargets;
  const targets = list.split(',').filter((t) => t !== '');
  if (targets.length > max && !notice) conn.numeric(N.ERR_TOOMANYTARGETS, targets[max], 'Too many recipients');
  const line = kindFromWire(command, text);
  for (const target of targets.slice(0, max)) {
    try {
      const result = user.send(target, line.text, tags ? { kind: line.kind, tags } : { kind: line.kind });
      if (conn.caps.has('echo-message')) conn.echo(result.message, result.stored);
      if (result.away !== undefined) conn.numeric(N.RPL_AWAY, result.message.to, result.away);
    } catch (e) {
      if (notice && e instanceof WordsError) continue;
      refused(conn, target, e);
    }
  }
}

function refused(conn: IRCServerProtocol, target: string, e: unknown): void {
  if (e instanceof NoSuchUserError) conn.numeric(N.ERR_NOSUCHNICK, target, 'No such nick/channel');
  else replyError(conn, e);
}

/**
 * `TAGMSG target[,target]` (IRCv3 message-tags): the sender's client-only tags on their own, to members and
 * users who enabled message-tags (others get nothing), echoed with echo-message. Ignored from a client that
 * did not enable message-tags itself.
 */
function tagmsg(conn: IRCServerProtocol, msg: IRCMessage): void {
  if (!conn.caps.has('message-tags')) return;
  const user = conn.user!;
  const tags = clientTags(msg) ?? {};
  const max = conn.factory.options.maxTargets;
  const targets = msg.params[0].split(',').filter((t) => t !== '');
  if (targets.length > max) conn.numeric(N.ERR_TOOMANYTARGETS, targets[max], 'Too many recipients');
  for (const target of targets.slice(0, max)) {
    try {
      const signal = user.sendSignal(target, tags);
      if (conn.caps.has('echo-message')) conn.writeSignal(signal);
    } catch (e) {
      refused(conn, target, e);
    }
  }
}

/** Handlers of PRIVMSG and NOTICE, for the command table. */
export const messagingCommands: Record<string, CommandSpec> = {
  PRIVMSG: { handler: (conn, msg) => deliver(conn, msg, 'PRIVMSG'), minParams: 0 },
  NOTICE: { handler: (conn, msg) => deliver(conn, msg, 'NOTICE'), minParams: 0, quiet: true },
  TAGMSG: { handler: tagmsg, minParams: 1 },
};
