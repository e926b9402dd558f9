/**
 * Queries and presence: WHO, WHOIS, ISON, USERHOST, AWAY, MOTD, LUSERS, VERSION.
 * @module
 */
import { foldName, isRoomName, type ChatRoom, type ChatUser } from '../../index.js';
import type { IRCMessage } from '../../../irc/message.js';
import * as N from '../../../irc/numerics.js';
import type { IRCServerProtocol } from '../connection.js';
import { memberPrefix } from '../modes.js';
import { sendLusers, sendMotd } from '../welcome.js';
import type { CommandSpec } from './index.js';

/** A WHO/WHOIS mask (`*` and `?` wildcards) as a matcher on folded names. */
function maskMatcher(mask: string): (name: string) => boolean {
  const folded = foldName(mask);
  if (!/[*?]/.test(folded)) return (name) => foldName(name) === folded;
  const re = new RegExp(`^${folded.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return (name) => re.test(foldName(name));
}

function whoReply(conn: IRCServerProtocol, user: ChatUser, room: ChatRoom | undefined): void {
  const m = room?.membership(user);
  const flags = (user.away !== undefined ? 'G' : 'H') + memberPrefix(m);
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
      for (const m of room.members()) if (inside || !m.user.invisible) whoReply(conn, m.user, room);
    }
  } else {
    const matches = maskMatcher(mask === '0' ? '*' : mask);
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
  for (const room of user.rooms.values()) {
    const m = room.membership(user);
    rooms.push(memberPrefix(m) + room.name);
  }
  if (rooms.length > 0) conn.numeric(N.RPL_WHOISCHANNELS, user.nick, rooms.join(' '));
  conn.numeric(N.RPL_WHOISSERVER, user.nick, o.serverName, o.network);
  if (user.away !== undefined) conn.numeric(N.RPL_AWAY, user.nick, user.away);
  if (user.account !== undefined) conn.numeric(N.RPL_WHOISACCOUNT, user.nick, user.account, 'is logged in as');
  const idle = Math.max(0, Math.floor(now - user.lastActive));
  conn.numeric(N.RPL_WHOISIDLE, user.nick, String(idle), String(Math.floor(user.signedOn)), 'seconds idle, signon time');
  conn.numeric(N.RPL_ENDOFWHOIS, user.nick, 'End of WHOIS list');
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
};
