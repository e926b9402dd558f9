/**
 * What `IRCClient` does with each incoming command and numeric: keeps its state (nick, channels, ISUPPORT,
 * capabilities) and calls the hooks. One function per command, looked up in a table.
 * @module
 */
import type { IRCClient } from './client.js';
import { ctcpExtract, isCTCP, X_DELIM } from './ctcp.js';
import { IRCReplyError } from './errors.js';
import { parsePrefix, type IRCMessage } from './message.js';
import * as N from './numerics.js';

type Handler = (client: IRCClient, msg: IRCMessage, nick: string) => void;

/** The nick in a message's prefix (`''` when it has none). */
function nickOf(msg: IRCMessage): string {
  return msg.prefix === undefined ? '' : parsePrefix(msg.prefix).nick;
}

function signOn(c: IRCClient, msg: IRCMessage): void {
  c.registered = true;
  if (c.cap.state !== 'done') c.cap.abandon();
  if (msg.params[0]) c.nickname = msg.params[0];
  const last = (msg.params[msg.params.length - 1] ?? '').split(' ').pop() ?? '';
  if (/^[^!@\s]+![^!@\s]+@\S+$/.test(last)) c.hostmask = last;
  c.signedOn();
  for (const spec of c.autoJoin) if (!c.channels.has(c.fold(spec.channel))) c.join(spec.channel, spec.key);
}

function nickRefused(c: IRCClient, msg: IRCMessage, fallback: boolean): void {
  const nick = msg.params[1] ?? c.attemptedNick;
  if (c.registered) {
    c.nickChangeFailed(nick, msg.params[msg.params.length - 1] ?? '');
    return;
  }
  c.setNick(fallback ? c.erroneousNickFallback : c.alterCollidedNick(c.attemptedNick));
}

function ctcpQueryReceived(c: IRCClient, user: string, nick: string, channel: string, tag: string, data: string): void {
  switch (tag) {
    case 'ACTION':
      c.action(user, channel, data);
      break;
    case 'VERSION':
      c.ctcpMakeReply(nick, [['VERSION', `${c.versionName}:${c.versionNum}:${c.versionEnv}`]]);
      break;
    case 'PING':
      c.ctcpMakeReply(nick, [['PING', data]]);
      break;
    case 'CLIENTINFO':
      c.ctcpMakeReply(nick, [['CLIENTINFO', 'ACTION CLIENTINFO PING TIME VERSION']]);
      break;
    case 'TIME':
      c.ctcpMakeReply(nick, [['TIME', new Date().toUTCString()]]);
      break;
    default:
      c.ctcpQuery(user, channel, tag, data);
  }
}

function privmsg(c: IRCClient, msg: IRCMessage, nick: string): void {
  const [channel = '', text = ''] = msg.params;
  const user = msg.prefix ?? '';
  if (!isCTCP(text)) {
    c.privmsg(user, channel, text);
    return;
  }
  const { extended, normal } = ctcpExtract(text);
  for (const [tag, data] of extended) ctcpQueryReceived(c, user, nick, channel, tag, data);
  if (normal.trim() !== '') c.privmsg(user, channel, normal);
}

function notice(c: IRCClient, msg: IRCMessage, nick: string): void {
  const [channel = '', text = ''] = msg.params;
  const user = msg.prefix ?? '';
  if (!text.includes(X_DELIM)) {
    c.noticed(user, channel, text);
    return;
  }
  const { extended, normal } = ctcpExtract(text);
  for (const [tag, data] of extended) {
    const sent = c.ctcpPings.get(c.fold(nick));
    if (tag === 'PING' && sent !== undefined) {
      c.ctcpPings.delete(c.fold(nick));
      c.pong(user, c.clock.seconds() - sent);
    } else c.ctcpReply(user, channel, tag, data);
  }
  if (normal.trim() !== '') c.noticed(user, channel, normal);
}

function mode(c: IRCClient, msg: IRCMessage, nick: string): void {
  const [target = '', modes = '', ...args] = msg.params;
  const isChannel = c.supported.isChannel(target);
  let set = true;
  let run = '';
  let runArgs: Array<string | undefined> = [];
  const flush = (): void => {
    if (run !== '') c.modeChanged(msg.prefix ?? nick, target, set, run, runArgs);
    run = '';
    runArgs = [];
  };
  for (const m of modes) {
    if (m === '+' || m === '-') {
      flush();
      set = m === '+';
      continue;
    }
    run += m;
    runArgs.push(isChannel && c.supported.modeTakesParam(m, set) ? args.shift() : undefined);
  }
  flush();
}

function namesReply(c: IRCClient, msg: IRCMessage): void {
  const channel = msg.params[2] ?? '';
  const symbols = new Set(c.supported.prefixes.values());
  const list = c.namesReplies.partial(c.fold(channel));
  for (const item of (msg.params[3] ?? '').split(' ')) {
    if (item === '') continue;
    let i = 0;
    while (i < item.length && symbols.has(item[i])) i++;
    list.push({ nick: parsePrefix(item.slice(i)).nick, prefixes: item.slice(0, i) });
  }
}

function whoisPart(c: IRCClient, msg: IRCMessage, fill: (info: ReturnType<IRCClient['whoisReplies']['partial']>, p: string[]) => void): void {
  const nick = msg.params[1] ?? '';
  fill(c.whoisReplies.partial(c.fold(nick)), msg.params);
}

const HANDLERS: Record<string, Handler> = {
  PING: (c, msg) => c.sendNow('PONG', ...msg.params),
  PONG: () => {},
  ERROR: (c, msg) => c.serverError(msg.params[0] ?? ''),
  CAP: (c, msg) => c.cap.capReceived(msg),
  AUTHENTICATE: (c, msg) => c.cap.authenticateReceived(msg),
  [N.RPL_LOGGEDIN]: (c, msg) => c.cap.loggedIn(msg.params[2]),
  [N.RPL_SASLSUCCESS]: (c, msg) => c.cap.saslFinished(true, msg.params[1] ?? ''),
  [N.ERR_NICKLOCKED]: (c, msg) => c.cap.saslFinished(false, msg.params[1] ?? 'nick locked'),
  [N.ERR_SASLFAIL]: (c, msg) => c.cap.saslFinished(false, msg.params[1] ?? 'SASL failed'),
  [N.ERR_SASLTOOLONG]: (c, msg) => c.cap.saslFinished(false, msg.params[1] ?? 'SASL message too long'),
  [N.ERR_SASLABORTED]: (c, msg) => c.cap.saslFinished(false, msg.params[1] ?? 'SASL aborted'),
  [N.ERR_SASLALREADY]: (c, msg) => c.cap.saslFinished(false, msg.params[1] ?? 'already authenticated'),
  [N.ERR_UNKNOWNCOMMAND]: (c, msg) => {
    if ((msg.params[1] ?? '').toUpperCase() === 'CAP') c.cap.abandon();
    else c.irc_unknown(msg.prefix, msg.command, msg.params);
  },
  [N.RPL_WELCOME]: signOn,
  [N.RPL_ISUPPORT]: (c, msg) => c.supported.update(msg.params.slice(1, -1)),
  [N.ERR_NICKNAMEINUSE]: (c, msg) => nickRefused(c, msg, false),
  [N.ERR_NICKCOLLISION]: (c, msg) => nickRefused(c, msg, false),
  [N.ERR_UNAVAILRESOURCE]: (c, msg) => nickRefused(c, msg, false),
  [N.ERR_ERRONEUSNICKNAME]: (c, msg) => nickRefused(c, msg, true),
  PRIVMSG: privmsg,
  NOTICE: notice,
  JOIN: (c, msg, nick) => {
    const channel = msg.params[0] ?? '';
    if (!c.isMe(nick)) return c.userJoined(nick, channel);
    if (msg.prefix?.includes('@')) c.hostmask = msg.prefix;
    const key = c.pendingKeys.get(c.fold(channel));
    c.pendingKeys.delete(c.fold(channel));
    c.channels.set(c.fold(channel), key === undefined ? { channel } : { channel, key });
    c.joined(channel);
  },
  PART: (c, msg, nick) => {
    const channel = msg.params[0] ?? '';
    if (!c.isMe(nick)) return c.userLeft(nick, channel, msg.params[1]);
    c.channels.delete(c.fold(channel));
    c.left(channel);
  },
  QUIT: (c, msg, nick) => c.userQuit(nick, msg.params[0] ?? ''),
  KICK: (c, msg, nick) => {
    const [channel = '', kicked = '', message = ''] = msg.params;
    if (!c.isMe(kicked)) return c.userKicked(kicked, channel, nick, message);
    c.channels.delete(c.fold(channel));
    c.kickedFrom(channel, nick, message);
  },
  NICK: (c, msg, nick) => {
    const newNick = msg.params[0] ?? '';
    if (!c.isMe(nick)) return c.userRenamed(nick, newNick);
    c.nickname = newNick;
    if (c.hostmask) c.hostmask = newNick + c.hostmask.slice(c.hostmask.indexOf('!'));
    c.nickChanged(newNick);
  },
  TOPIC: (c, msg, nick) => c.topicUpdated(nick, msg.params[0] ?? '', msg.params[1] ?? ''),
  [N.RPL_TOPIC]: (c, msg, nick) => c.topicUpdated(nick, msg.params[1] ?? '', msg.params[2] ?? ''),
  [N.RPL_NOTOPIC]: (c, msg, nick) => c.topicUpdated(nick, msg.params[1] ?? '', ''),
  MODE: mode,
  INVITE: (c, msg, nick) => c.invited(nick, msg.params[1] ?? ''),
  [N.RPL_NAMREPLY]: namesReply,
  [N.RPL_ENDOFNAMES]: (c, msg) => {
    const channel = msg.params[1] ?? '';
    c.namesReceived(channel, c.namesReplies.finish(c.fold(channel)));
  },
  [N.RPL_WHOISUSER]: (c, msg) =>
    whoisPart(c, msg, (info, p) => Object.assign(info, { nick: p[1], user: p[2], host: p[3], realname: p[5] })),
  [N.RPL_WHOISSERVER]: (c, msg) => whoisPart(c, msg, (info, p) => Object.assign(info, { server: p[2], serverInfo: p[3] })),
  [N.RPL_WHOISOPERATOR]: (c, msg) => whoisPart(c, msg, (info) => (info.operator = true)),
  [N.RPL_WHOISIDLE]: (c, msg) =>
    whoisPart(c, msg, (info, p) => {
      info.idle = Number(p[2]);
      if (p.length > 4) info.signon = Number(p[3]);
    }),
  [N.RPL_WHOISCHANNELS]: (c, msg) => whoisPart(c, msg, (info, p) => info.channels.push(...(p[2] ?? '').split(' ').filter(Boolean))),
  [N.RPL_WHOISACCOUNT]: (c, msg) => whoisPart(c, msg, (info, p) => (info.account = p[2])),
  [N.RPL_ENDOFWHOIS]: (c, msg) => {
    const key = c.fold(msg.params[1] ?? '');
    if (c.whoisReplies.waiting(key)) c.whoisReceived(c.whoisReplies.finish(key));
  },
  [N.ERR_NOSUCHNICK]: (c, msg) => {
    const key = c.fold(msg.params[1] ?? '');
    if (c.whoisReplies.waiting(key)) c.whoisReplies.fail(key, new IRCReplyError(`no such nick: ${msg.params[1]}`, msg.command));
    else c.irc_unknown(msg.prefix, msg.command, msg.params);
  },
  [N.RPL_MOTDSTART]: (c) => (c.motd = []),
  [N.RPL_MOTD]: (c, msg) => (c.motd ??= []).push(msg.params[1] ?? ''),
  [N.RPL_ENDOFMOTD]: (c) => {
    c.receivedMOTD(c.motd ?? []);
    c.motd = undefined;
  },
  [N.ERR_NOMOTD]: (c) => c.receivedMOTD([]),
};

/** Runs the handler for `msg`, or `irc_unknown` when there is none. */
export function dispatch(client: IRCClient, msg: IRCMessage): void {
  const handler = Object.hasOwn(HANDLERS, msg.command) ? HANDLERS[msg.command] : undefined;
  if (handler) handler(client, msg, nickOf(msg));
  else client.irc_unknown(msg.prefix, msg.command, msg.params);
}
