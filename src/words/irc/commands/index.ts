/**
 * The command table of the IRC server: which handler runs each command, how many parameters it needs,
 * and whether it waits for registration.
 * @module
 */
import type { IRCMessage } from '../../../irc/message.js';
import { ERR_NEEDMOREPARAMS, ERR_NOTREGISTERED, ERR_UNKNOWNCOMMAND } from '../../../irc/numerics.js';
import type { IRCServerProtocol } from '../connection.js';
import { channelCommands } from './channel.js';
import { historyCommands } from './history.js';
import { messagingCommands } from './messaging.js';
import { modeCommands } from './modes.js';
import { operatorCommands } from './operator.js';
import { queryCommands } from './query.js';
import { registrationCommands } from './registration.js';

/** A command handler. */
export type Handler = (conn: IRCServerProtocol, msg: IRCMessage) => void;

/** How a command is handled. */
export interface CommandSpec {
  handler: Handler;
  /** Fewer parameters get `ERR_NEEDMOREPARAMS`. */
  minParams: number;
  /** Allowed before registration (NICK, USER, CAP, ...). */
  preRegistration?: boolean;
  /** Silently ignored when parameters are missing (NOTICE never draws automatic replies). */
  quiet?: boolean;
}

const table = new Map<string, CommandSpec>(
  Object.entries({
    ...registrationCommands,
    ...channelCommands,
    ...modeCommands,
    ...messagingCommands,
    ...queryCommands,
    ...operatorCommands,
    ...historyCommands,
  }),
);

/** Runs the handler of `msg.command`, or answers with the right error numeric. */
export function dispatch(conn: IRCServerProtocol, msg: IRCMessage): void {
  const spec = table.get(msg.command);
  if (!spec) {
    if (conn.registered) conn.numeric(ERR_UNKNOWNCOMMAND, msg.command, 'Unknown command');
    else if (!/^[0-9]{3}$/.test(msg.command)) conn.numeric(ERR_NOTREGISTERED, 'You have not registered');
    return;
  }
  if (!conn.registered && !spec.preRegistration) {
    conn.numeric(ERR_NOTREGISTERED, 'You have not registered');
    return;
  }
  if (msg.params.length < spec.minParams) {
    if (!spec.quiet) conn.numeric(ERR_NEEDMOREPARAMS, msg.command, 'Not enough parameters');
    return;
  }
  spec.handler(conn, msg);
}
