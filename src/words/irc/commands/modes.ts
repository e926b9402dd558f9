/**
 * MODE: channel modes (roles, settings and the ban, exception and invite-exception lists, mapped to and from
 * the words service's model in `../modes.ts`) and user modes (`+i` invisible, `+w` hears WALLOPS, `+o`
 * server operator, which only OPER gives).
 * @module
 */
import { NoSuchUserError, UserNotInRoomError, type ChatRoom, type RoomListName, type WordsError } from '../../index.js';
import { isRoomName } from '../../index.js';
import type { IRCMessage } from '../../../irc/message.js';
import * as N from '../../../irc/numerics.js';
import type { IRCServerProtocol } from '../connection.js';
import { MAX_MODE_ARGS } from '../limits.js';
import { parseRoomModes, roomModeString } from '../modes.js';
import { guarded, replyError } from '../words-errors.js';
import type { CommandSpec } from './index.js';

/** The numerics listing each list, and ending it. */
const LIST_REPLIES: Record<RoomListName, [entry: string, end: string, text: string]> = {
  bans: [N.RPL_BANLIST, N.RPL_ENDOFBANLIST, 'End of channel ban list'],
  banExceptions: [N.RPL_EXCEPTLIST, N.RPL_ENDOFEXCEPTLIST, 'End of channel exception list'],
  inviteExceptions: [N.RPL_INVITELIST, N.RPL_ENDOFINVITELIST, 'End of channel invite list'],
};

/** Lists a room's masks (367/368, 348/349, 346/347) with who set each and when. */
function sendList(conn: IRCServerProtocol, room: ChatRoom, list: RoomListName): void {
  const [entry, end, text] = LIST_REPLIES[list];
  for (const e of room.lists[list]) conn.numeric(entry, room.name, e.mask, e.setBy, String(Math.floor(e.setAt)));
  conn.numeric(end, room.name, text);
}

/** Answers a refused change: 401 for a nick nobody uses, 441 for one not in the room, 478 for a full list. */
function refusedChange(conn: IRCServerProtocol, room: ChatRoom, error: WordsError): void {
  if (error instanceof NoSuchUserError) conn.numeric(N.ERR_NOSUCHNICK, error.target ?? '*', 'No such nick/channel');
  else if (error instanceof UserNotInRoomError) replyError(conn, error, room.name);
  else replyError(conn, error);
}

function channelMode(conn: IRCServerProtocol, msg: IRCMessage): void {
  const [name, modeString, ...args] = msg.params;
  const room = conn.factory.service.findRoom(name);
  if (!room) {
    conn.numeric(N.ERR_NOSUCHCHANNEL, name, 'No such channel');
    return;
  }
  if (modeString === undefined) {
    conn.numeric(N.RPL_CHANNELMODEIS, room.name, ...roomModeString(room.settings, room.membership(conn.user!) !== undefined));
    conn.numeric(N.RPL_CREATIONTIME, room.name, String(Math.floor(room.created)));
    return;
  }
  const { changes, problems } = parseRoomModes(modeString, args, MAX_MODE_ARGS);
  for (const p of problems) {
    if (p.kind === 'list') sendList(conn, room, p.list);
    else if (p.kind === 'unknown') conn.numeric(N.ERR_UNKNOWNMODE, p.letter, `is unknown mode char to me for ${room.name}`);
    else conn.numeric(N.ERR_NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
  }
  if (changes.length === 0) return;
  guarded(conn, () => conn.user!.changeRoom(name, changes, (_change, error) => refusedChange(conn, room, error)), room.name);
}

/** The user modes of `conn`'s user, e.g. `+iow`. */
function userModeString(conn: IRCServerProtocol): string {
  const u = conn.user!;
  return `+${u.invisible ? 'i' : ''}${u.serverOperator !== undefined ? 'o' : ''}${u.hearsAnnouncements ? 'w' : ''}`;
}

function userMode(conn: IRCServerProtocol, msg: IRCMessage): void {
  const user = conn.user!;
  const [nick, modeString] = msg.params;
  const target = conn.factory.service.findUser(nick);
  if (!target) {
    conn.numeric(N.ERR_NOSUCHNICK, nick, 'No such nick/channel');
    return;
  }
  if (target !== user) {
    conn.numeric(N.ERR_USERSDONTMATCH, "Can't change mode for other users");
    return;
  }
  if (modeString === undefined) {
    conn.numeric(N.RPL_UMODEIS, userModeString(conn));
    return;
  }
  let adding = true;
  let changed = '';
  let sign = '';
  let unknown = false;
  const note = (letter: string): void => {
    const s = adding ? '+' : '-';
    if (s !== sign) changed += sign = s;
    changed += letter;
  };
  for (const letter of modeString) {
    if (letter === '+' || letter === '-') adding = letter === '+';
    else if (letter === 'i') {
      if (user.invisible !== adding) {
        user.invisible = adding;
        note('i');
      }
    } else if (letter === 'w') {
      if (user.hearsAnnouncements !== adding) {
        user.hearsAnnouncements = adding;
        note('w');
      }
    } else if (letter === 'o') {
      // Only OPER makes an operator; anyone may stop being one.
      if (!adding && user.serverOperator !== undefined) {
        user.serverOperator = undefined;
        note('o');
      }
    } else unknown = true;
  }
  if (unknown) conn.numeric(N.ERR_UMODEUNKNOWNFLAG, 'Unknown MODE flag');
  if (changed !== '') conn.sendFrom(conn.prefix, 'MODE', user.nick, changed);
}

function mode(conn: IRCServerProtocol, msg: IRCMessage): void {
  if (isRoomName(msg.params[0])) channelMode(conn, msg);
  else userMode(conn, msg);
}

/** The handler of MODE, for the command table. */
export const modeCommands: Record<string, CommandSpec> = {
  MODE: { handler: mode, minParams: 1 },
};
