/**
 * What a client gets once registered (RFC 2812 §5.1: 001-004, then ISUPPORT, LUSERS and the MOTD).
 * @module
 */
import { NICK_MAX_LENGTH, REALNAME_MAX_LENGTH, ROOM_MAX_LENGTH, ROOM_PREFIXES, TOPIC_MAX_LENGTH } from '../index.js';
import * as N from '../../irc/numerics.js';
import type { IRCServerProtocol } from './connection.js';
import { MAX_MODE_ARGS } from './limits.js';

/** Capabilities the server offers, with their CAP 302 values. */
export const CAPABILITIES: ReadonlyMap<string, string> = new Map([
  ['server-time', ''],
  ['message-tags', ''],
  ['batch', ''],
  ['echo-message', ''],
  ['sasl', 'PLAIN'],
  ['draft/chathistory', ''],
  ['draft/account-registration', ''],
  ['multi-prefix', ''],
  ['userhost-in-names', ''],
  ['away-notify', ''],
  ['account-notify', ''],
  ['extended-join', ''],
  ['invite-notify', ''],
  ['chghost', ''],
  ['setname', ''],
  ['labeled-response', ''],
]);

/** The ISUPPORT (005) tokens. */
export function isupportTokens(conn: IRCServerProtocol): string[] {
  const o = conn.factory.options;
  const t = o.maxTargets;
  return [
    'CASEMAPPING=rfc1459',
    `CHANTYPES=${ROOM_PREFIXES}`,
    'CHANMODES=beI,k,l,imnst',
    'EXCEPTS=e',
    'INVEX=I',
    `MAXLIST=beI:${conn.factory.service.maxRoomListEntries}`,
    'PREFIX=(ov)@+',
    `NICKLEN=${NICK_MAX_LENGTH}`,
    `CHANNELLEN=${ROOM_MAX_LENGTH}`,
    `TOPICLEN=${TOPIC_MAX_LENGTH}`,
    `KICKLEN=${TOPIC_MAX_LENGTH}`,
    `AWAYLEN=${TOPIC_MAX_LENGTH}`,
    `NAMELEN=${REALNAME_MAX_LENGTH}`,
    `CHANLIMIT=${ROOM_PREFIXES}:${conn.factory.service.maxRoomsPerUser}`,
    `MODES=${MAX_MODE_ARGS}`,
    `TARGMAX=PRIVMSG:${t},NOTICE:${t},JOIN:${t},PART:${t},KICK:${t},NAMES:1,WHOIS:1`,
    `NETWORK=${o.network}`,
    `CHATHISTORY=${o.historyLimit}`,
    'MSGREFTYPES=timestamp,msgid',
  ];
}

/**
 * Sends the LUSERS replies: 251-255, then 265/266 with the users online and the most there have been at
 * once. This server is the whole network, so its local and global counts are the same: every user of the
 * words service, whichever door they came in by.
 */
export function sendLusers(conn: IRCServerProtocol): void {
  const service = conn.factory.service;
  let invisible = 0;
  let operators = 0;
  for (const u of service.users()) {
    if (u.invisible) invisible++;
    if (u.serverOperator !== undefined) operators++;
  }
  const users = service.userCount;
  let unregistered = 0;
  for (const c of conn.factory.connections) if (!c.registered) unregistered++;
  let rooms = 0;
  for (const _ of service.rooms()) rooms++;
  const peak = String(service.peakUsers);
  conn.numeric(N.RPL_LUSERCLIENT, `There are ${users - invisible} users and ${invisible} invisible on 1 servers`);
  if (operators > 0) conn.numeric(N.RPL_LUSEROP, String(operators), 'operator(s) online');
  if (unregistered > 0) conn.numeric(N.RPL_LUSERUNKNOWN, String(unregistered), 'unknown connection(s)');
  conn.numeric(N.RPL_LUSERCHANNELS, String(rooms), 'channels formed');
  conn.numeric(N.RPL_LUSERME, `I have ${users} clients and 0 servers`);
  conn.numeric(N.RPL_LOCALUSERS, String(users), peak, `Current local users ${users}, max ${peak}`);
  conn.numeric(N.RPL_GLOBALUSERS, String(users), peak, `Current global users ${users}, max ${peak}`);
}

/** Sends the MOTD (375, 372..., 376), or 422 when there is none. */
export function sendMotd(conn: IRCServerProtocol): void {
  const o = conn.factory.options;
  if (o.motd.length === 0) {
    conn.numeric(N.ERR_NOMOTD, 'MOTD File is missing');
    return;
  }
  conn.numeric(N.RPL_MOTDSTART, `- ${o.serverName} Message of the day - `);
  for (const line of o.motd) conn.numeric(N.RPL_MOTD, `- ${line}`);
  conn.numeric(N.RPL_ENDOFMOTD, 'End of MOTD command');
}

/** The whole welcome, sent once the service has logged the client in. */
export function sendWelcome(conn: IRCServerProtocol): void {
  const o = conn.factory.options;
  conn.numeric(N.RPL_WELCOME, `Welcome to the ${o.network} IRC Network ${conn.prefix}`);
  conn.numeric(N.RPL_YOURHOST, `Your host is ${o.serverName}, running version ${o.version}`);
  conn.numeric(N.RPL_CREATED, `This server was created ${new Date(conn.factory.created * 1000).toUTCString()}`);
  conn.numeric(N.RPL_MYINFO, o.serverName, o.version, 'iow', 'Ibeiklmnostv', 'Ibeklov');
  const tokens = isupportTokens(conn);
  for (let i = 0; i < tokens.length; i += 12) conn.numeric(N.RPL_ISUPPORT, ...tokens.slice(i, i + 12), 'are supported by this server');
  sendLusers(conn);
  sendMotd(conn);
}
