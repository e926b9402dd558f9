/**
 * Registration: NICK, USER, PASS, CAP (IRCv3 capability negotiation), AUTHENTICATE (SASL PLAIN), and the
 * commands allowed at any time (PING, PONG, QUIT).
 * @module
 */
import { Failure } from '../../../defer/index.js';
import {
  AccountExistsError,
  AuthenticationError,
  InvalidNickError,
  NickInUseError,
  REALNAME_MAX_LENGTH,
  REASON_MAX_LENGTH,
  TooManyAttemptsError,
  TooManyRegistrationsError,
  WordsError,
  foldName,
  isValidNick,
  scrubText,
} from '../../index.js';
import type { IRCMessage } from '../../../irc/message.js';
import * as N from '../../../irc/numerics.js';
import { IRC_MAX_SASL_BYTES } from '../../../irc/limits.js';
import { SASL_CHUNK } from '../../../irc/sasl.js';
import { REGISTERED, type IRCServerProtocol } from '../connection.js';
import { CAPABILITIES, sendWelcome } from '../welcome.js';
import { replyError } from '../words-errors.js';
import type { CommandSpec } from './index.js';


function cleanUsername(raw: string): string {
  const u = raw.replace(/[^A-Za-z0-9._~-]/g, '').slice(0, 16);
  return u === '' ? 'user' : u;
}

/** Logs the client in once it has given NICK and USER and finished CAP negotiation. */
export function maybeRegister(conn: IRCServerProtocol): void {
  const reg = conn.reg;
  if (conn.registered || reg.loggingIn || reg.capNegotiating || reg.nick === undefined || reg.username === undefined) return;
  reg.loggingIn = true;
  const nick = reg.nick;
  conn.factory.service
    .login(nick, {
      client: conn,
      password: reg.password,
      account: reg.account,
      // Most clients send their nick as user name: one string for both.
      username: reg.username === nick ? nick : reg.username,
      realname: reg.realname,
      host: conn.host,
    })
    .addCallbacks(
      (user) => {
        reg.loggingIn = false;
        if (!conn.connected) {
          user.quit('Connection closed');
          return;
        }
        conn.user = user;
        // Drops what registration gathered (the password among it) rather than keep it per client.
        conn.reg = REGISTERED;
        sendWelcome(conn);
        conn.startIdleTimer();
        conn.releaseHeld();
      },
      (f: Failure) => {
        reg.loggingIn = false;
        if (!conn.connected) return;
        const e = f.value;
        if (e instanceof TooManyAttemptsError) {
          conn.numeric(N.ERR_PASSWDMISMATCH, e.message);
          conn.close('Too many failed logins');
          return;
        }
        if (e instanceof AuthenticationError && reg.password !== undefined) {
          conn.numeric(N.ERR_PASSWDMISMATCH, 'Password incorrect');
          conn.close('Bad password');
          return;
        }
        if (reg.nick === nick) reg.nick = undefined;
        if (e instanceof AuthenticationError) conn.numeric(N.ERR_NICKNAMEINUSE, nick, 'Nickname is registered (use PASS or SASL)');
        else if (e instanceof WordsError) replyError(conn, e);
        else conn.close('Internal error');
        maybeRegister(conn);
        conn.releaseHeld();
      },
    );
}

function nick(conn: IRCServerProtocol, msg: IRCMessage): void {
  const wanted = msg.params[0];
  if (wanted === undefined || wanted === '') {
    conn.numeric(N.ERR_NONICKNAMEGIVEN, 'No nickname given');
    return;
  }
  if (!isValidNick(wanted)) {
    conn.numeric(N.ERR_ERRONEUSNICKNAME, wanted, new InvalidNickError(wanted).message);
    return;
  }
  const user = conn.user;
  if (!user) {
    const reg = conn.reg;
    // With a password or SASL (under way or done), the login decides: the nick's owner takes it back.
    const mayOwn = reg.password !== undefined || reg.account !== undefined || reg.capNegotiating;
    // A user of another node may be stale here (its node just died): the login asks the nodes.
    const holder = conn.factory.service.findUser(wanted);
    if (!mayOwn && holder !== undefined && holder.node === undefined) {
      conn.numeric(N.ERR_NICKNAMEINUSE, wanted, 'Nickname is already in use');
      return;
    }
    conn.reg.nick = wanted;
    maybeRegister(conn);
    return;
  }
  user.setNick(wanted).addErrback((f: Failure) => {
    const e = f.value;
    if (e instanceof AuthenticationError) conn.numeric(N.ERR_NICKNAMEINUSE, wanted, 'Nickname is registered');
    else if (e instanceof NickInUseError || e instanceof WordsError) replyError(conn, e);
    else throw e;
  });
}

function user(conn: IRCServerProtocol, msg: IRCMessage): void {
  if (conn.registered || conn.reg.username !== undefined) {
    conn.numeric(N.ERR_ALREADYREGISTRED, 'You may not reregister');
    return;
  }
  // An empty user name or real name is refused rather than made up (Modern IRC: ERR_NEEDMOREPARAMS).
  if (msg.params[0] === '' || msg.params[3] === '') {
    conn.numeric(N.ERR_NEEDMOREPARAMS, 'USER', 'Not enough parameters');
    return;
  }
  conn.reg.username = cleanUsername(msg.params[0]);
  conn.reg.realname = conn.factory.intern(msg.params[3].slice(0, REALNAME_MAX_LENGTH));
  maybeRegister(conn);
}

function pass(conn: IRCServerProtocol, msg: IRCMessage): void {
  if (conn.registered) {
    conn.numeric(N.ERR_ALREADYREGISTRED, 'You may not reregister');
    return;
  }
  conn.reg.password = msg.params[0];
}

function capList(caps: Iterable<string>, withValues: boolean): string {
  const out: string[] = [];
  for (const c of caps) {
    const value = CAPABILITIES.get(c);
    out.push(withValues && value ? `${c}=${value}` : c);
  }
  return out.join(' ');
}

function cap(conn: IRCServerProtocol, msg: IRCMessage): void {
  const sub = msg.params[0].toUpperCase();
  const reply = (...params: string[]): void => conn.serverMessage('CAP', conn.registered ? conn.nick : '*', ...params);
  switch (sub) {
    case 'LS': {
      if (!conn.registered) conn.reg.capNegotiating = true;
      const version = Number(msg.params[1] ?? 0);
      if (Number.isFinite(version) && version > conn.capVersion) conn.capVersion = version;
      reply('LS', capList(CAPABILITIES.keys(), conn.capVersion >= 302));
      return;
    }
    case 'LIST':
      reply('LIST', capList(conn.caps, false));
      return;
    case 'REQ': {
      if (!conn.registered) conn.reg.capNegotiating = true;
      const wanted = (msg.params[1] ?? '').trim().split(/ +/).filter((c) => c !== '');
      const known = wanted.every((c) => CAPABILITIES.has(c.replace(/^-/, '')));
      if (!known || wanted.length === 0) {
        reply('NAK', msg.params[1] ?? '');
        return;
      }
      conn.changeCaps(wanted);
      // The ACK repeats the request as sent (IRCv3: the client matches it to its REQ).
      reply('ACK', msg.params[1]);
      return;
    }
    case 'END':
      if (conn.registered) return;
      conn.reg.capNegotiating = false;
      maybeRegister(conn);
      return;
    default:
      conn.numeric(N.ERR_INVALIDCAPCMD, msg.params[0], 'Invalid CAP command');
  }
}

function saslFail(conn: IRCServerProtocol, code = N.ERR_SASLFAIL, text = 'SASL authentication failed'): void {
  conn.reg.sasl = undefined;
  conn.numeric(code, text);
}

/** A failed SASL attempt (bad payload or credentials): 904, and the link closed after the last one allowed. */
function saslAttemptFailed(conn: IRCServerProtocol, text?: string): void {
  saslFail(conn, N.ERR_SASLFAIL, text);
  const failures = (conn.reg.saslFailures ?? 0) + 1;
  conn.reg.saslFailures = failures;
  if (failures >= conn.factory.service.limits.login.maxFailuresPerConnection) conn.close('Too many failed SASL attempts');
}

function authenticate(conn: IRCServerProtocol, msg: IRCMessage): void {
  const reg = conn.reg;
  const arg = msg.params[0];
  if (conn.registered || reg.account) {
    conn.numeric(N.ERR_SASLALREADY, 'You have already authenticated using SASL');
    return;
  }
  if (!conn.caps.has('sasl')) {
    saslFail(conn);
    return;
  }
  if (arg === '*') {
    saslFail(conn, N.ERR_SASLABORTED, 'SASL authentication aborted');
    return;
  }
  if (!reg.sasl) {
    if (arg.toUpperCase() !== 'PLAIN') {
      conn.numeric(N.RPL_SASLMECHS, 'PLAIN', 'are available SASL mechanisms');
      saslFail(conn);
      return;
    }
    reg.sasl = { mechanism: 'PLAIN', buffer: '' };
    conn.send({ tags: {}, command: 'AUTHENTICATE', params: ['+'] });
    return;
  }
  if (arg !== '+') reg.sasl.buffer += arg;
  if (reg.sasl.buffer.length > IRC_MAX_SASL_BYTES) {
    saslFail(conn, N.ERR_SASLTOOLONG, 'SASL message too long');
    return;
  }
  // A chunk of full length says more follows; a shorter one (or `+`) ends the payload.
  if (arg.length === SASL_CHUNK) return;
  const parts = Buffer.from(reg.sasl.buffer, 'base64').toString('utf8').split('\0');
  reg.sasl = undefined;
  if (parts.length !== 3 || (parts[0] !== '' && foldName(parts[0]) !== foldName(parts[1]))) {
    saslAttemptFailed(conn);
    return;
  }
  conn.factory.service.authenticate(parts[1], parts[2], { host: conn.host }).addCallbacks(
    (account) => {
      if (!conn.connected) return;
      reg.account = account;
      conn.numeric(N.RPL_LOGGEDIN, conn.prefix, account.name, `You are now logged in as ${account.name}`);
      conn.numeric(N.RPL_SASLSUCCESS, 'SASL authentication successful');
    },
    (f: Failure) => {
      if (!conn.connected || conn.registered) return;
      saslAttemptFailed(conn, f.value instanceof TooManyAttemptsError ? `SASL authentication failed: ${f.value.message}` : undefined);
    },
  );
}

/** The shortest password `REGISTER` accepts. */
const MIN_PASSWORD = 6;

/**
 * IRCv3 `draft/account-registration`, once connected: `REGISTER <account|*> <email|*> <password>` registers
 * the nick in use (`*` or the same nick); the email is not used.
 */
function register(conn: IRCServerProtocol, msg: IRCMessage): void {
  const user = conn.user!;
  const [accountParam, , password] = msg.params;
  const account = accountParam === '*' ? user.nick : accountParam;
  const fail = (code: string, text: string): void => conn.serverMessage('FAIL', 'REGISTER', code, account, text);
  if (foldName(account) !== user.key) {
    fail('ACCOUNT_NAME_MUST_BE_NICK', 'Register the nick you are using');
    return;
  }
  if (user.account !== undefined) {
    fail('ALREADY_AUTHENTICATED', 'You are already logged in to an account');
    return;
  }
  if (password.length < MIN_PASSWORD) {
    fail('WEAK_PASSWORD', `The password needs at least ${MIN_PASSWORD} characters`);
    return;
  }
  conn.factory.service.register(user.nick, password, { host: conn.host, connection: conn }).addCallbacks(
    (record) => conn.serverMessage('REGISTER', 'SUCCESS', record.name, `Account ${record.name} registered: use it with PASS or SASL`),
    (f: Failure) => {
      if (f.value instanceof AccountExistsError) fail('ACCOUNT_EXISTS', 'Account already exists');
      else if (f.value instanceof TooManyRegistrationsError) fail('TEMPORARILY_UNAVAILABLE', f.value.message);
      else fail('TEMPORARILY_UNAVAILABLE', 'Could not register the account');
    },
  );
}

function ping(conn: IRCServerProtocol, msg: IRCMessage): void {
  if (msg.params[0] === '') {
    conn.numeric(N.ERR_NOORIGIN, 'No origin specified');
    return;
  }
  conn.serverMessage('PONG', conn.factory.options.serverName, msg.params[0]);
}

function quit(conn: IRCServerProtocol, msg: IRCMessage): void {
  const reason = msg.params[0];
  conn.close(reason ? `Quit: ${scrubText(reason, REASON_MAX_LENGTH)}` : 'Client Quit');
}

/** Handlers of the registration commands and those allowed at any time, for the command table. */
export const registrationCommands: Record<string, CommandSpec> = {
  NICK: { handler: nick, minParams: 0, preRegistration: true },
  USER: { handler: user, minParams: 4, preRegistration: true },
  PASS: { handler: pass, minParams: 1, preRegistration: true },
  CAP: { handler: cap, minParams: 1, preRegistration: true },
  AUTHENTICATE: { handler: authenticate, minParams: 1, preRegistration: true },
  PING: { handler: ping, minParams: 1, preRegistration: true },
  PONG: { handler: () => undefined, minParams: 0, preRegistration: true },
  QUIT: { handler: quit, minParams: 0, preRegistration: true },
  REGISTER: { handler: register, minParams: 3 },
};
