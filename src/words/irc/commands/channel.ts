/**
 * Channel commands: JOIN, PART, TOPIC, NAMES, LIST, KICK, INVITE (MODE is in `modes.ts`).
 * The rules (operators, bans, +i +k +l +m +n +s +t) live in the words service; these handlers parse, call
 * it, and translate refusals into numerics.
 * @module
 */
import { isRoomName, type ChatRoom, type Membership } from '../../index.js';
import type { IRCMessage } from '../../../irc/message.js';
import * as N from '../../../irc/numerics.js';
import type { IRCServerProtocol } from '../connection.js';
import { memberPrefix } from '../modes.js';
import { guarded } from '../words-errors.js';
import type { CommandSpec } from './index.js';

/** Bytes of nick lists per 353 line, leaving room for the prefix and the channel name. */
const NAMES_CHUNK = 400;

/**
 * `@nick`, `+nick` or `nick` as a member shows in NAMES; every prefix with `multi-prefix`, and
 * `nick!user@host` with `userhost-in-names`.
 */
function memberName(conn: IRCServerProtocol, m: Membership): string {
  const u = m.user;
  const prefix = memberPrefix(m, conn.caps.has('multi-prefix'));
  return conn.caps.has('userhost-in-names') ? `${prefix}${u.nick}!${u.username}@${u.host}` : prefix + u.nick;
}

/** True if `conn`'s user is in `room`. */
export function isInside(conn: IRCServerProtocol, room: ChatRoom): boolean {
  return conn.user !== undefined && room.membership(conn.user) !== undefined;
}

/**
 * Sends NAMES of `room` (353 lines and 366): invisible members are hidden from outsiders, and a secret
 * room's members from everyone outside it (its 353 lines are marked `@`, RFC 2812 §3.2.5).
 */
export function sendNames(conn: IRCServerProtocol, room: ChatRoom): void {
  const inside = isInside(conn, room);
  const symbol = room.settings.secret ? '@' : '=';
  let line: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (line.length > 0) conn.numeric(N.RPL_NAMREPLY, symbol, room.name, line.join(' '));
    line = [];
    size = 0;
  };
  for (const m of room.members()) {
    if (!inside && (m.user.invisible || room.settings.secret)) continue;
    const name = memberName(conn, m);
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
    if (!room.membership(conn.user!) && (room.settings.inviteOnly || room.settings.secret)) conn.numeric(N.ERR_NOTONCHANNEL, room.name, "You're not on that channel");
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
  for (const room of rooms) {
    if (room.settings.secret && !isInside(conn, room)) continue;
    conn.numeric(N.RPL_LIST, room.name, String(room.size), room.topic);
  }
  conn.numeric(N.RPL_LISTEND, 'End of /LIST');
}

/**
 * `KICK #a nick1,nick2` kicks each nick from `#a`; `KICK #a,#b nick1,nick2` pairs them, as RFC 2812 §3.2.8
 * has it. Each kick is its own KICK line to the members.
 */
function kick(conn: IRCServerProtocol, msg: IRCMessage): void {
  const [channels, nicks, reason] = msg.params;
  const rooms = splitList(channels);
  targets(conn, nicks).forEach((nick, i) => {
    const name = rooms.length === 1 ? rooms[0] : rooms[i];
    if (name === undefined) {
      conn.numeric(N.ERR_NEEDMOREPARAMS, 'KICK', 'Not enough parameters');
      return;
    }
    guarded(conn, () => conn.user!.kick(name, nick, reason ?? conn.nick), name);
  });
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

/** Handlers of the channel commands, for the command table. */
export const channelCommands: Record<string, CommandSpec> = {
  JOIN: { handler: join, minParams: 1 },
  PART: { handler: part, minParams: 1 },
  TOPIC: { handler: topic, minParams: 1 },
  NAMES: { handler: names, minParams: 0 },
  LIST: { handler: list, minParams: 0 },
  KICK: { handler: kick, minParams: 2 },
  INVITE: { handler: invite, minParams: 2 },
};
