/**
 * IRCv3 `draft/chathistory`: playback of a channel's stored history (LATEST, BEFORE, AFTER), in a
 * `chathistory` batch for clients that enabled `batch`.
 * @module
 */
import type { Failure } from '../../../defer/index.js';
import type { ChatMessage, HistoryQuery } from '../../../words/index.js';
import type { IRCMessage } from '../../message.js';
import type { IRCServerProtocol } from '../connection.js';
import { messageTags } from '../relay.js';
import type { CommandSpec } from './index.js';

/** Messages fetched to pick the oldest ones after a point (AFTER), at most. */
const AFTER_WINDOW = 10_000;
let batchSeq = 0;

/** A `timestamp=` or `msgid=` reference as milliseconds; `*` as undefined; anything else as NaN. */
function refTime(ref: string): number | undefined {
  if (ref === '*') return undefined;
  if (ref.startsWith('timestamp=')) return Date.parse(ref.slice(10));
  if (ref.startsWith('msgid=')) {
    // The service's message ids start with their time in base 36.
    const dash = ref.indexOf('-', 6);
    return dash > 6 ? parseInt(ref.slice(6, dash), 36) : NaN;
  }
  return NaN;
}

function fail(conn: IRCServerProtocol, code: string, context: string[], text: string): void {
  conn.serverMessage('FAIL', 'CHATHISTORY', code, ...context, text);
}

function play(conn: IRCServerProtocol, target: string, messages: ChatMessage[]): void {
  const batch = conn.caps.has('batch') ? `h${(++batchSeq).toString(36)}` : undefined;
  const server = conn.factory.options.serverName;
  if (batch) conn.send({ tags: {}, prefix: server, command: 'BATCH', params: [`+${batch}`, 'chathistory', target] });
  const variant = conn.tagVariant;
  for (const m of messages) {
    const tags = batch ? { batch, ...messageTags(m, variant) } : messageTags(m, variant);
    conn.send({ tags, prefix: m.from, command: m.kind === 'notice' ? 'NOTICE' : 'PRIVMSG', params: [m.to, m.text] });
  }
  if (batch) conn.send({ tags: {}, prefix: server, command: 'BATCH', params: [`-${batch}`] });
}

function chathistory(conn: IRCServerProtocol, msg: IRCMessage): void {
  const [sub, target, ref, limitText] = msg.params;
  const subcommand = sub.toUpperCase();
  if (!['LATEST', 'BEFORE', 'AFTER'].includes(subcommand)) {
    fail(conn, 'INVALID_PARAMS', [sub], 'Unsupported subcommand');
    return;
  }
  const max = conn.factory.options.historyLimit;
  const limit = Math.min(Number(limitText), max);
  const at = refTime(ref);
  if (!Number.isInteger(limit) || limit < 0 || Number.isNaN(at) || (subcommand !== 'LATEST' && at === undefined)) {
    fail(conn, 'INVALID_PARAMS', [subcommand], 'Invalid parameters');
    return;
  }
  const query: HistoryQuery = { limit };
  if (subcommand === 'BEFORE') query.before = at;
  else if (at !== undefined) {
    query.after = at;
    if (subcommand === 'AFTER') query.limit = AFTER_WINDOW;
  }
  let pending;
  try {
    pending = conn.user!.history(target, query);
  } catch {
    fail(conn, 'INVALID_TARGET', [subcommand, target], 'Messages could not be retrieved');
    return;
  }
  const room = conn.factory.service.findRoom(target);
  pending.addCallbacks(
    (messages) => play(conn, room?.name ?? target, subcommand === 'AFTER' ? messages.slice(0, limit) : messages),
    (_f: Failure) => fail(conn, 'MESSAGE_ERROR', [subcommand, target], 'Messages could not be retrieved'),
  );
}

/** Handler of CHATHISTORY, for the command table. */
export const historyCommands: Record<string, CommandSpec> = {
  CHATHISTORY: { handler: chathistory, minParams: 4 },
};
