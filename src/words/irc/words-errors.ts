/**
 * Words service refusals as IRC numerics (RFC 2812 §5.2).
 * @module
 */
import { ListFullError, WordsError } from '../index.js';
import { LIST_LETTERS } from './modes.js';
import * as N from '../../irc/numerics.js';
import type { IRCServerProtocol } from './connection.js';

/** Each refusal's numeric, by the refusal's `kind`. */
const BY_KIND: Record<string, string> = {
  InvalidNick: N.ERR_ERRONEUSNICKNAME,
  NickInUse: N.ERR_NICKNAMEINUSE,
  Authentication: N.ERR_PASSWDMISMATCH,
  InvalidRoom: N.ERR_NOSUCHCHANNEL,
  NoSuchRoom: N.ERR_NOSUCHCHANNEL,
  NoSuchUser: N.ERR_NOSUCHNICK,
  NotInRoom: N.ERR_NOTONCHANNEL,
  UserNotInRoom: N.ERR_USERNOTINCHANNEL,
  AlreadyInRoom: N.ERR_USERONCHANNEL,
  NotOperator: N.ERR_CHANOPRIVSNEEDED,
  CannotSend: N.ERR_CANNOTSENDTOCHAN,
  RoomFull: N.ERR_CHANNELISFULL,
  InviteOnly: N.ERR_INVITEONLYCHAN,
  BadKey: N.ERR_BADCHANNELKEY,
  Banned: N.ERR_BANNEDFROMCHAN,
  ListFull: N.ERR_BANLISTFULL,
  NoPrivileges: N.ERR_NOPRIVILEGES,
  NoOperatorAccount: N.ERR_NOOPERHOST,
  TooManyRooms: N.ERR_TOOMANYCHANNELS,
  NoText: N.ERR_NOTEXTTOSEND,
};

/**
 * Answers a refusal from the service with its numeric. `room` is the channel the command was about (441 and
 * 443 name both the nick and the channel). Anything that is not a `WordsError` is thrown on.
 */
export function replyError(conn: IRCServerProtocol, error: unknown, room?: string): void {
  if (!(error instanceof WordsError)) throw error;
  const code = BY_KIND[error.kind];
  if (code === undefined) throw error;
  const target = error.target ?? '*';
  if (code === N.ERR_NOTEXTTOSEND || code === N.ERR_NOPRIVILEGES || code === N.ERR_NOOPERHOST) conn.numeric(code, error.message);
  else if (error instanceof ListFullError) conn.numeric(code, target, LIST_LETTERS[error.list], error.message);
  else if ((code === N.ERR_USERNOTINCHANNEL || code === N.ERR_USERONCHANNEL) && room !== undefined) conn.numeric(code, target, room, error.message);
  else if (code === N.ERR_PASSWDMISMATCH) conn.numeric(code, error.message);
  else conn.numeric(code, target, error.message);
}

/** Runs `fn`, answering a service refusal with its numeric. */
export function guarded(conn: IRCServerProtocol, fn: () => void, room?: string): void {
  try {
    fn();
  } catch (e) {
    replyError(conn, e, room);
  }
}
