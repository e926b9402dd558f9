/**
 * IRCv3 `draft/chathistory`: playback of a channel's stored history (LATEST, BEFORE, AFTER), in a
 * `chathistory` batch for clients that enabled `batch`.
 *
 * A request reads no more lines than it returns (at most `historyLimit`), and each client's requests go
 * through its own {@link RequestQueue}: one read at a time, `historyThrottle.rate` a second after a burst,
 * the excess refused with `FAIL`, and whatever is pending cancelled when the client leaves. Reads run in
 * the store (a database worker, for `DbStore`), so nobody else's messages wait for them.
 * @module
 */
import type { Deferred, Failure } from '../../../defer/index.js';
import type { ChatMessage, HistoryQuery } from '../../index.js';
import type { IRCMessage } from '../../../irc/message.js';
import type { IRCServerProtocol } from '../connection.js';
import { messageTags } from '../relay.js';
import type { CommandSpec } from './index.js';
import { wireOf } from '../kinds.js';

let batchSeq = 0;

/** One checked CHATHISTORY request, waiting for its turn. */
export interface HistoryRequest {
  subcommand: string;
  target: string;
  query: HistoryQuery;
}

/** A `timestamp=` or `msgid=` reference as the service's seconds; `*` as undefined; anything else as NaN. */
function refTime(ref: string): number | undefined {
  if (ref === '*') return undefined;
  if (ref.startsWith('timestamp=')) return Date.parse(ref.slice(10)) / 1000;
  if (ref.startsWith('msgid=')) {
    // The service's message ids start with their time in milliseconds, in base 36.
    const dash = ref.indexOf('-', 6);
    return dash > 6 ? parseInt(ref.slice(6, dash), 36) / 1000 : NaN;
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
    const { command, text } = wireOf(m);
    conn.send({ tags, prefix: m.from, command, params: [m.to, text] });
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
  const limit = Math.min(Number(limitText), conn.factory.options.historyLimit);
  const at = refTime(ref);
  if (!Number.isInteger(limit) || limit < 0 || Number.isNaN(at) || (subcommand !== 'LATEST' && at === undefined)) {
    fail(conn, 'INVALID_PARAMS', [subcommand], 'Invalid parameters');
    return;
  }
  const query: HistoryQuery = { limit };
  if (subcommand === 'BEFORE') query.before = at;
  else if (at !== undefined) query.after = at;
  if (subcommand === 'AFTER') query.earliest = true;
  if (!conn.historyRequests.push({ subcommand, target, query })) {
    fail(conn, 'MESSAGE_ERROR', [subcommand, target], 'Too many history requests: wait for the answers before asking for more');
  }
}

/** Reads and plays one request (the history queue calls this when its turn comes). */
export function runHistoryRequest(conn: IRCServerProtocol, request: HistoryRequest): Deferred<void> | undefined {
  const { subcommand, target, query } = request;
  let pending;
  try {
    pending = conn.user!.history(target, query);
  } catch {
    fail(conn, 'INVALID_TARGET', [subcommand, target], 'Messages could not be retrieved');
    return undefined;
  }
  return pending.addCallbacks(
    (messages) => play(conn, conn.factory.service.findRoom(target)?.name ?? target, messages),
    (_f: Failure) => fail(conn, 'MESSAGE_ERROR', [subcommand, target], 'Messages could not be retrieved'),
  );
}

/** Handler of CHATHISTORY, for the command table. */
export const historyCommands: Record<string, CommandSpec> = {
  CHATHISTORY: { handler: chathistory, minParams: 4 },
};
