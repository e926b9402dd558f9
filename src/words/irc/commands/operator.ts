/**
 * Server operators: OPER (an operator account of the words service, `--oper name:password`), KILL and
 * WALLOPS. The privileges are the service's (`ChatUser.serverOperator`); these handlers map them to IRC.
 * @module
 */
import { Failure } from '../../../defer/index.js';
import { AuthenticationError, NoOperatorAccountError, TooManyAttemptsError } from '../../index.js';
import type { IRCMessage } from '../../../irc/message.js';
import * as N from '../../../irc/numerics.js';
import type { IRCServerProtocol } from '../connection.js';
import { guarded } from '../words-errors.js';
import type { CommandSpec } from './index.js';

/** `OPER name password`: 381 and `MODE nick +o`; 491 for an unknown name, 464 for a wrong password. */
function oper(conn: IRCServerProtocol, msg: IRCMessage): void {
  const user = conn.user!;
  const [name, password] = msg.params;
  conn.factory.service.operatorLogin(user, name, password).addCallbacks(
    () => {
      if (!conn.connected || !user.online) return;
      conn.numeric(N.RPL_YOUREOPER, 'You are now an IRC operator');
      conn.sendFrom(conn.prefix, 'MODE', user.nick, '+o');
    },
    (f: Failure) => {
      if (!conn.connected) return;
      const e = f.value;
      if (e instanceof NoOperatorAccountError) conn.numeric(N.ERR_NOOPERHOST, 'No O-lines for your host');
      else if (e instanceof AuthenticationError) conn.numeric(N.ERR_PASSWDMISMATCH, 'Password incorrect');
      else if (e instanceof TooManyAttemptsError) conn.numeric(N.ERR_PASSWDMISMATCH, e.message);
      else throw e;
    },
  );
}

/** `KILL nick [:reason]`: operators only (481); 401 for nobody. */
function kill(conn: IRCServerProtocol, msg: IRCMessage): void {
  const [nick, reason] = msg.params;
  guarded(conn, () => conn.user!.kill(nick, reason ?? ''));
}

/** `WALLOPS :text` to every user with `+w`: operators only (481). */
function wallops(conn: IRCServerProtocol, msg: IRCMessage): void {
  guarded(conn, () => conn.user!.announce(msg.params[0]));
}

/** Handlers of the operator commands, for the command table. */
export const operatorCommands: Record<string, CommandSpec> = {
  OPER: { handler: oper, minParams: 2 },
  KILL: { handler: kill, minParams: 1 },
  WALLOPS: { handler: wallops, minParams: 1 },
};
