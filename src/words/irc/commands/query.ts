/**
 * Queries and presence: WHO, WHOIS, WHOWAS, ISON, USERHOST, AWAY, SETNAME, MOTD, LUSERS, VERSION, TIME, INFO.
 * @module
 */
import { REALNAME_MAX_LENGTH, globMatcher, isRoomName, type ChatRoom, type ChatUser } from '../../index.js';
import type { IRCMessage } from '../../../irc/message.js';
import * as N from '../../../irc/numerics.js';
import type { IRCServerProtocol } from '../connection.js';
import { memberPrefix } from '../modes.js';
import { sendLusers, sendMotd } from '../welcome.js';
import { MAX_WHOWAS_REPLIES } from '../limits.js';
import type { CommandSpec } from './index.js';

/**
 * One 352 line. The flags are `H` (here) or `G` (gone, away), `*` for a server operator, then the member's
 * prefix in `room` (every prefix with `multi-prefix`).
 */
function whoReply(conn: IRCServerProtocol, user: ChatUser, room: ChatRoom | undefined): void {
  const m = room?.membership(user);
  const flags = (user.away !== undefined ? 'G' : 'H') + (user.serverOperator !== undefined ? '*' : '') + memberPrefix(m, conn.caps.has('multi-prefix'));
  conn.numeric(N.RPL_WHOREPLY, room?.name ?? '*', user.username, user.host, conn.factory.options.serverName, user.nick, flags, `0 ${user.realname}`);
}

function who(conn: IRCServerProtocol, msg: IRCMessage): void {
  const me = conn.user!;
  const mask = msg.params[0] ?? '*';
  const service = conn.factory.service;
  if (isRoomName(mask)) {
    const room = service.findRoom(mask);
    if (room) {
      const inside = room.membership(me) !== undefined;
      if (inside || !room.settings.secret) for (const m of room.members()) if (inside || !m.user.invisible) whoReply(conn, m.user, room);
    }
  } else if (!/[*?]/.test(mask) && mask !== '0') {
    // A nick asked for by name is shown even when invisible: +i hides a user only from masks.
    const u = service.findUser(mask);
    if (u) whoReply(conn, u, undefined);
  } else {
    const matches = globMatcher(mask === '0' ? '*' : mask);
    for (const u of service.users()) {
      if (!matches(u.nick)) continue;
      if (u !== me && u.invisible && !u.sharesRoomWith(me)) continue;
      whoReply(conn, u, undefined);
    }
  }
  conn.numeric(N.RPL_ENDOFWHO, mask, 'End of WHO list');
}

function whois(conn: IRCServerProtocol, msg: IRCMessage): void {
  // `WHOIS server nick` names a server first; there is only this one.
  const nick = msg.params[msg.params.length - 1].split(',')[0];
  const user = conn.factory.service.findUser(nick);
  if (!user) {
    conn.numeric(N.ERR_NOSUCHNICK, nick, 'No such nick/channel');
    conn.numeric(N.RPL_ENDOFWHOIS, nick, 'End of WHOIS list');
    return;
  }
  const o = conn.factory.options;
  const now = conn.factory.service.now();
  conn.numeric(N.RPL_WHOISUSER, user.nick, user.username, user.host, '*', user.realname);
  const rooms: string[] = [];
  const me = conn.user!;
  for (const room of user.rooms.values()) {
    // A secret room shows only to those in it.
    if (room.settings.secret && me !== user && !room.membership(me)) continue;
    rooms.push(memberPrefix(room.membership(user), conn.caps.has('multi-prefix')) + room.name);
  }
  if (rooms.length > 0) conn.numeric(N.RPL_WHOISCHANNELS, user.nick, rooms.join(' '));
  conn.numeric(N.RPL_WHOISSERVER, user.nick, o.serverName, o.network);
  if (user.away !== undefined) conn.numeric(N.RPL_AWAY, user.nick, user.away);
  if (user.serverOperator !== undefined) conn.numeric(N.RPL_WHOISOPERATOR, user.nick, 'is an IRC operator');
  if (user.account !== undefined) conn.numeric(N.RPL_WHOISACCOUNT, user.nick, user.account, 'is logged in as');
  const idle = Math.max(0, Math.floor(now - user.lastActive));
  conn.numeric(N.RPL_WHOISIDLE, user.nick, String(idle), String(Math.floor(user.signedOn)), 'seconds idle, signon time');
  conn.numeric(N.RPL_ENDOFWHOIS, user.nick, 'End of WHOIS list');
}

/**
 * `WHOWAS nick[,nick] [count]`: who used each nick before, newest first (314 and 312 per entry), at most
 * `count` entries when it is positive (all kept otherwise, and never more than `MAX_WHOWAS_REPLIES`); 406
 * for a nick nobody used; 369 after each nick. Without a nick, 431.
 */
function whowas(conn: IRCServerProtocol, msg: IRCMessage): void {
  const [list, countParam] = msg.params;
  const nicks = (list ?? '').split(',').filter((n) => n !== '');
  if (nicks.length === 0) {
    conn.numeric(N.ERR_NONICKNAMEGIVEN, 'No nickname given');
    return;
  }
  const count = Number.parseInt(countParam ?? '0', 10);
  const limit = Math.min(Number.isFinite(count) && count > 0 ? count : MAX_WHOWAS_REPLIES, MAX_WHOWAS_REPLIES);
  const serverName = conn.factory.options.serverName;
  for (const nick of nicks.slice(0, conn.factory.options.maxTargets)) {
    const entries = conn.factory.service.whowas(nick, limit);
    if (entries.length === 0) conn.numeric(N.ERR_WASNOSUCHNICK, nick, 'There was no such nickname');
    for (const e of entries.slice(0, limit)) {
      conn.numeric(N.RPL_WHOWASUSER, e.nick, e.username, e.host, '*', e.realname);
      conn.numeric(N.RPL_WHOISSERVER, e.nick, serverName, new Date(e.time * 1000).toUTCString());
    }
    conn.numeric(N.RPL_ENDOFWHOWAS, nick, 'End of WHOWAS');
  }
}

function ison(conn: IRCServerProtocol, msg: IRCMessage): void {
  const service = conn.factory.service;
  const online = msg.params
    .flatMap((p) => p.split(' '))
    .map((n) => service.findUser(n)?.nick)
    .filter((n): n is string => n !== undefined);
  conn.numeric(N.RPL_ISON, online.join(' '));
}

function userhost(conn: IRCServerProtocol, msg: IRCMessage): void {
  const service = conn.factory.service;
  const replies: string[] = [];
  for (const n of msg.params.slice(0, 5)) {
    const u = service.findUser(n);
    if (u) replies.push(`${u.nick}=${u.away !== undefined ? '-' : '+'}${u.username}@${u.host}`);
  }
  conn.numeric(N.RPL_USERHOST, replies.join(' '));
}

function away(conn: IRCServerProtocol, msg: IRCMessage): void {
  const text = msg.params[0];
  conn.user!.setAway(text === undefined || text === '' ? undefined : text.slice(0, 390));
  if (conn.user!.away === undefined) conn.numeric(N.RPL_UNAWAY, 'You are no longer marked as being away');
  else conn.numeric(N.RPL_NOWAWAY, 'You have been marked as being away');
}

/** `SETNAME :real name` (IRCv3 setname): the new name goes to this client and those sharing a room. */
function setname(conn: IRCServerProtocol, msg: IRCMessage): void {
  const name = msg.params[0];
  if (name.trim() === '' || name.length > REALNAME_MAX_LENGTH) {
    conn.serverMessage('FAIL', 'SETNAME', 'INVALID_REALNAME', `The real name must hold 1 to ${REALNAME_MAX_LENGTH} characters`);
    return;
  }
  conn.user!.setRealname(name);
}

/** `TIME [server]`: 391 with the server's time (402 for another server). */
function time(conn: IRCServerProtocol, msg: IRCMessage): void {
  const serverName = conn.factory.options.serverName;
  if (!isThisServer(conn, msg.params[0])) {
    conn.numeric(N.ERR_NOSUCHSERVER, msg.params[0], 'No such server');
    return;
  }
  conn.numeric(N.RPL_TIME, serverName, new Date(conn.factory.service.now() * 1000).toUTCString());
}

/** `INFO [server]`: a few 371 lines about the server, then 374 (402 for another server). */
function info(conn: IRCServerProtocol, msg: IRCMessage): void {
  if (!isThisServer(conn, msg.params[0])) {
    conn.numeric(N.ERR_NOSUCHSERVER, msg.params[0], 'No such server');
    return;
  }
  const o = conn.factory.options;
  conn.numeric(N.RPL_INFO, `${o.serverName} runs ${o.version}: the IRC front door of a Torsion words service`);
  conn.numeric(N.RPL_INFO, 'Torsion is an event-driven networking framework in TypeScript');
  conn.numeric(N.RPL_INFO, `Up since ${new Date(conn.factory.created * 1000).toUTCString()}`);
  conn.numeric(N.RPL_ENDOFINFO, 'End of INFO list');
}

/** True if `target` (a server name or mask, or a nick on it) is this server, or absent. */
function isThisServer(conn: IRCServerProtocol, target: string | undefined): boolean {
  if (target === undefined || target === '') return true;
  return globMatcher(target)(conn.factory.options.serverName) || conn.factory.service.findUser(target) !== undefined;
}

function version(conn: IRCServerProtocol): void {
  const o = conn.factory.options;
  conn.numeric(N.RPL_VERSION, o.version, o.serverName, 'Torsion IRC server');
}

/** Handlers of the query and presence commands, for the command table. */
export const queryCommands: Record<string, CommandSpec> = {
  WHO: { handler: who, minParams: 0 },
  WHOIS: { handler: whois, minParams: 1 },
  ISON: { handler: ison, minParams: 1 },
  USERHOST: { handler: userhost, minParams: 1 },
  AWAY: { handler: away, minParams: 0 },
  MOTD: { handler: (conn) => sendMotd(conn), minParams: 0 },
  LUSERS: { handler: (conn) => sendLusers(conn), minParams: 0 },
  VERSION: { handler: version, minParams: 0 },
  WHOWAS: { handler: whowas, minParams: 0 },
  SETNAME: { handler: setname, minParams: 1 },
  TIME: { handler: time, minParams: 0 },
  INFO: { handler: info, minParams: 0 },
};
