/**
 * Channel commands: JOIN, PART, TOPIC, NAMES, LIST, KICK, INVITE, MODE (channel and user modes).
 * The rules (operators, +i +k +l +m +n +t) live in the words service; these handlers parse, call it, and
 * translate refusals into numerics.
 * @module
 */
import { isRoomName, type ChatRoom, type ChatUser } from '../../index.js';
import type { IRCMessage } from '../../../irc/message.js';
import * as N from '../../../irc/numerics.js';
import type { IRCServerProtocol } from '../connection.js';
import { memberPrefix, parseRoomModes, roomModeString } from '../modes.js';
import { guarded } from '../words-errors.js';
import type { CommandSpec } from './index.js';

/** Bytes of nick lists per 353 line, leaving room for the prefix and the channel name. */
const NAMES_CHUNK = 400;
/** Most mode changes with arguments per MODE command (ISUPPORT `MODES`). */
const MAX_MODE_ARGS = 4;

/** `@nick`, `+nick` or `nick` as a member shows in NAMES. */
function memberName(room: ChatRoom, user: ChatUser): string {
  return memberPrefix(room.membership(user)) + user.nick;
}

/** Sends NAMES of `room` (353 lines and 366); invisible members are hidden from outsiders. */
export function sendNames(conn: IRCServerProtocol, room: ChatRoom): void {
  const inside = conn.user !== undefined && room.membership(conn.user) !== undefined;
  let line: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (line.length > 0) conn.numeric(N.RPL_NAMREPLY, '=', room.name, line.join(' '));
    line = [];
    size = 0;
  };
  for (const m of room.members()) {
    if (!inside && m.user.invisible) continue;
    const name = memberName(room, m.user);
    if (size + name.length + 1 > NAMES_CHUNK) flush();
    line.push(name);
    size += name.length + 1;
  }
  flush();
  conn.numeric(N.RPL_ENDOFNAMES, room.name, 'End of /NAMES list');
}

/** Sends the topic replies (332 and 333, or 331). */
function sendTopic(conn: IRCServerProtocol, room: ChatRoom, whenUnset: boolean): void {
  if (room.topic === '') {
    if (whenUnset) conn.numeric(N.RPL_NOTOPIC, room.name, 'No topic is set');
    return;
  }
  conn.numeric(N.RPL_TOPIC, room.name, room.topic);
  conn.numeric(N.RPL_TOPICWHOTIME, room.name, room.topicSetBy, String(Math.floor(room.topicSetAt)));
}

/** What a client sees right after its own JOIN: the topic and the names. */
export function sendJoinState(conn: IRCServerProtocol, name: string): void {
  const room = conn.factory.service.findRoom(name);
  if (!room) return;
  sendTopic(conn, room, false);
  sendNames(conn, room);
}

function splitList(list: string): string[] {
  return list.split(',').filter((t) => t !== '');
}

/** The first `maxTargets` (ISUPPORT `TARGMAX`) names of a comma list. */
function targets(conn: IRCServerProtocol, list: string): string[] {
  return splitList(list).slice(0, conn.factory.options.maxTargets);
}

/** Answers `ERR_TOOMANYTARGETS` (407) for each name of a comma list past the first `maxTargets`. */
function refuseExtraTargets(conn: IRCServerProtocol, list: string): void {
  const max = conn.factory.options.maxTargets;
  for (const extra of splitList(list).slice(max)) conn.numeric(N.ERR_TOOMANYTARGETS, extra, `Too many targets: at most ${max} at once`);
}

function join(conn: IRCServerProtocol, msg: IRCMessage): void {
  const user = conn.user!;
  if (msg.params[0] === '0') {
    for (const room of [...user.rooms.values()]) user.part(room.name, 'Left all channels');
    return;
  }
  const keys = (msg.params[1] ?? '').split(',');
  targets(conn, msg.params[0]).forEach((name, i) => {
    if (!isRoomName(name)) {
      conn.numeric(N.ERR_NOSUCHCHANNEL, name, 'No such channel');
      return;
    }
    guarded(conn, () => user.join(name, keys[i] || undefined));
  });
  refuseExtraTargets(conn, msg.params[0]);
}

function part(conn: IRCServerProtocol, msg: IRCMessage): void {
  const user = conn.user!;
  for (const name of targets(conn, msg.params[0])) guarded(conn, () => user.part(name, msg.params[1] ?? ''));
  refuseExtraTargets(conn, msg.params[0]);
}

function topic(conn: IRCServerProtocol, msg: IRCMessage): void {
  const [name, text] = msg.params;
  const room = conn.factory.service.findRoom(name);
  if (!room) {
    conn.numeric(N.ERR_NOSUCHCHANNEL, name, 'No such channel');
    return;
  }
  if (text === undefined) {
    if (!room.membership(conn.user!) && room.settings.inviteOnly) conn.numeric(N.ERR_NOTONCHANNEL, room.name, "You're not on that channel");
    else sendTopic(conn, room, true);
    return;
  }
  guarded(conn, () => conn.user!.setTopic(name, text));
}

function names(conn: IRCServerProtocol, msg: IRCMessage): void {
  const name = msg.params[0];
  if (name === undefined) {
    conn.numeric(N.RPL_ENDOFNAMES, '*', 'End of /NAMES list');
    return;
  }
  for (const n of targets(conn, name)) {
    const room = conn.factory.service.findRoom(n);
    if (room) sendNames(conn, room);
    else conn.numeric(N.RPL_ENDOFNAMES, n, 'End of /NAMES list');
  }
}

function list(conn: IRCServerProtocol, msg: IRCMessage): void {
  const service = conn.factory.service;
  const wanted = msg.params[0] && isRoomName(msg.params[0]) ? msg.params[0].split(',') : undefined;
  const rooms = wanted ? wanted.map((n) => service.findRoom(n)).filter((r): r is ChatRoom => r !== undefined) : [...service.rooms()];
  conn.numeric(N.RPL_LISTSTART, 'Channel', 'Users  Name');
  for (const room of rooms) conn.numeric(N.RPL_LIST, room.name, String(room.size), room.topic);
  conn.numeric(N.RPL_LISTEND, 'End of /LIST');
}

function kick(conn: IRCServerProtocol, msg: IRCMessage): void {
  const [name, nicks, reason] = msg.params;
  for (const nick of targets(conn, nicks)) guarded(conn, () => conn.user!.kick(name, nick, reason ?? conn.nick), name);
  refuseExtraTargets(conn, nicks);
}

function invite(conn: IRCServerProtocol, msg: IRCMessage): void {
  const [nick, name] = msg.params;
  guarded(
    conn,
    () => {
      const { away } = conn.user!.invite(nick, name);
      const target = conn.factory.service.findUser(nick);
      conn.numeric(N.RPL_INVITING, target?.nick ?? nick, name);
      if (away !== undefined) conn.numeric(N.RPL_AWAY, target?.nick ?? nick, away);
    },
    name,
  );
}

const LISTS: Record<string, [string, string]> = {
  b: [N.RPL_ENDOFBANLIST, 'End of channel ban list'],
  e: [N.RPL_ENDOFEXCEPTLIST, 'End of channel exception list'],
  I: [N.RPL_ENDOFINVITELIST, 'End of channel invite list'],
};

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
    if (p.kind === 'list') {
      const [code, text] = LISTS[p.letter]!;
      conn.numeric(code, room.name, text);
    } else if (p.kind === 'unknown') conn.numeric(N.ERR_UNKNOWNMODE, p.letter, `is unknown mode char to me for ${room.name}`);
    else conn.numeric(N.ERR_NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
  }
  if (changes.length === 0) return;
  guarded(conn, () => conn.user!.changeRoom(name, changes), room.name);
}

function userMode(conn: IRCServerProtocol, msg: IRCMessage): void {
  const user = conn.user!;
  const [nick, modeString] = msg.params;
  if (conn.factory.service.findUser(nick) !== user) {
    conn.numeric(N.ERR_USERSDONTMATCH, "Can't change mode for other users");
    return;
  }
  if (modeString === undefined) {
    conn.numeric(N.RPL_UMODEIS, user.invisible ? '+i' : '+');
    return;
  }
  let adding = true;
  let changed = '';
  let unknown = false;
  for (const letter of modeString) {
    if (letter === '+' || letter === '-') adding = letter === '+';
    else if (letter === 'i') {
      if (user.invisible !== adding) {
        user.invisible = adding;
        changed += (adding ? '+' : '-') + 'i';
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

/** Handlers of the channel commands, for the command table. */
export const channelCommands: Record<string, CommandSpec> = {
  JOIN: { handler: join, minParams: 1 },
  PART: { handler: part, minParams: 1 },
  TOPIC: { handler: topic, minParams: 1 },
  NAMES: { handler: names, minParams: 0 },
  LIST: { handler: list, minParams: 0 },
  KICK: { handler: kick, minParams: 2 },
  INVITE: { handler: invite, minParams: 2 },
  MODE: { handler: mode, minParams: 1 },
};
