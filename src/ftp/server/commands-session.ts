/**
 * Session commands: logging in (`USER`, `PASS`), TLS (`AUTH`, `PBSZ`, `PROT`), features (`FEAT`, `OPTS`),
 * and the ones that only answer (`SYST`, `NOOP`, `TYPE`, `MODE`, `STRU`, `HELP`, `QUIT`, `ALLO`).
 * @module
 */
import { Anonymous, UsernamePassword } from '../../cred/index.js';
import { Deferred, type Failure } from '../../defer/index.js';
import type { ITLSTransport } from '../../internet/interfaces.js';
import { IFTPShell } from '../shell-interface.js';
import type { CommandHandler } from './commands.js';
import type { FTPServerProtocol } from './protocol.js';

const ANONYMOUS_NAMES = new Set(['anonymous', 'ftp']);

function user(p: FTPServerProtocol, name: string): void {
  if (p.shell !== null) return p.reply(503, 'Already logged in');
  if (name === '') return p.reply(501, 'USER needs a name');
  p.pendingUser = name;
  if (ANONYMOUS_NAMES.has(name.toLowerCase()) && p.factory.allowAnonymous) p.reply(331, 'Guest login ok, send your e-mail address as password');
  else p.reply(331, `Password required for ${name}`);
}

function pass(p: FTPServerProtocol, password: string): void | Deferred<unknown> {
  if (p.shell !== null) return p.reply(503, 'Already logged in');
  const name = p.pendingUser;
  if (name === null) return p.reply(503, 'Login with USER first');
  p.pendingUser = null;
  const anonymous = ANONYMOUS_NAMES.has(name.toLowerCase()) && p.factory.allowAnonymous;
  const credentials = anonymous ? new Anonymous(p.peerHost) : new UsernamePassword(name, password, p.peerHost);
  return p.factory.portal.login(credentials, null, IFTPShell).addCallbacks(
    ([, shell, logout]) => {
      if (!p.connected) return logout();
      p.loggedIn(anonymous ? 'anonymous' : name, shell, logout);
      p.reply(230, anonymous ? 'Guest login ok, access restrictions apply' : `User ${name} logged in`);
    },
    (_f: Failure) => {
      p.failedLogins++;
      const refuse = (): void => {
        if (p.failedLogins >= p.factory.limits.maxFailedLogins) {
          p.reply(421, 'Too many failed logins: closing control connection');
          p.transport.loseConnection();
        } else p.reply(530, 'Login incorrect');
      };
      const delay = p.factory.limits.loginFailureDelay;
      if (delay <= 0) return refuse();
      // Every refusal waits the same, so guessing is slow and an unknown user looks like a wrong password.
      const done = new Deferred<void>();
      p.factory.clock.callLater(delay, () => {
        refuse();
        done.callback(undefined);
      });
      return done;
    },
  );
}

function auth(p: FTPServerProtocol, mechanism: string): void {
  const options = p.factory.tlsOptions;
  const m = mechanism.toUpperCase();
  if (options === null) return p.reply(502, 'AUTH not available: no TLS certificate configured');
  if (m !== 'TLS' && m !== 'TLS-C' && m !== 'SSL') return p.reply(504, `AUTH ${mechanism} not supported; use AUTH TLS`);
  if (p.secure) return p.reply(503, 'TLS is already on');
  if (p.transfer !== null) return p.reply(503, 'Not during a transfer');
  p.reply(234, `AUTH ${m} successful`);
  // Bytes behind the command are the client's TLS hello: they go to TLS, never parsed as commands.
  (p.transport as unknown as ITLSTransport).startTLS(options, true, p.clearLineBuffer());
}

function pbsz(p: FTPServerProtocol, size: string): void {
  if (!p.secure) return p.reply(503, 'PBSZ needs a TLS-protected control connection (AUTH TLS first)');
  if (!/^\d+$/.test(size)) return p.reply(501, 'PBSZ needs a number');
  p.pbsz = true;
  p.reply(200, 'PBSZ=0');
}

function prot(p: FTPServerProtocol, level: string): void {
  if (!p.secure) return p.reply(503, 'PROT needs a TLS-protected control connection (AUTH TLS first)');
  if (!p.pbsz) return p.reply(503, 'PBSZ first');
  const l = level.toUpperCase();
  if (l === 'C' || l === 'P') {
    p.prot = l;
    return p.reply(200, `Protection level set to ${l}`);
  }
  if (l === 'S' || l === 'E') return p.reply(536, `Protection level ${l} not supported`);
  p.reply(504, `Unknown protection level ${level}`);
}

function feat(p: FTPServerProtocol): void {
  const features = ['EPRT', 'EPSV', 'PASV', 'MDTM', 'MLST type*;size*;modify*;perm*;unix.mode*;', 'REST STREAM', 'SIZE', 'TVFS', 'UTF8'];
  if (p.factory.tlsOptions !== null) features.unshift('AUTH TLS', 'PBSZ', 'PROT');
  p.reply(211, ['Features:', ...features.map((f) => ` ${f}`), 'End']);
}

function opts(p: FTPServerProtocol, argument: string): void {
  const [option, ...rest] = argument.split(' ');
  const o = option.toUpperCase();
  if (o === 'UTF8' || o === 'UTF-8') {
    const value = (rest[0] ?? 'ON').toUpperCase();
    return value === 'ON' ? p.reply(200, 'Always in UTF8 mode') : p.reply(504, 'UTF8 cannot be turned off');
  }
  if (o === 'MLST') return p.reply(200, 'MLST OPTS type;size;modify;perm;unix.mode;');
  p.reply(501, `Option ${option} not understood`);
}

function type(p: FTPServerProtocol, argument: string): void {
  const t = argument.toUpperCase().trim();
  if (t === 'A' || t === 'A N') {
    p.type = 'A';
    return p.reply(200, 'Type set to A');
  }
  if (t === 'I' || t === 'L 8' || t === 'L8') {
    p.type = 'I';
    return p.reply(200, 'Type set to I');
  }
  p.reply(504, `Type ${argument} not supported`);
}

function only(value: string, name: string): (p: FTPServerProtocol, argument: string) => void {
  return (p, argument) => (argument.toUpperCase().trim() === value ? p.reply(200, `${name} set to ${value}`) : p.reply(504, `${name} ${argument} not supported`));
}

function quit(p: FTPServerProtocol): void {
  p.transfer?.abort(false);
  p.reply(221, 'Goodbye');
  p.transport.loseConnection();
}

function stat(p: FTPServerProtocol): void {
  if (p.transfer !== null) return p.reply(213, `Status: ${p.transfer.bytes} bytes transferred`);
  const who = p.username === null ? 'not logged in' : p.username === 'anonymous' || p.shell?.readOnly ? `logged in as ${p.username} (read-only)` : `logged in as ${p.username}`;
  p.reply(211, ['Torsion FTP server status:', `Connected to ${p.peerHost}`, who, `TYPE: ${p.type === 'A' ? 'ASCII' : 'BINARY'}`, `Control connection ${p.secure ? 'TLS' : 'plain'}, data ${p.prot === 'P' ? 'TLS' : 'plain'}`, 'End of status']);
}

/** The session commands. */
export const SESSION_COMMANDS: ReadonlyArray<[string, CommandHandler]> = [
  ['USER', { login: false, run: user }],
  ['PASS', { login: false, run: pass }],
  ['AUTH', { login: false, run: auth }],
  ['PBSZ', { login: false, run: pbsz }],
  ['PROT', { login: false, run: prot }],
  ['FEAT', { login: false, run: feat }],
  ['OPTS', { login: false, run: opts }],
  ['SYST', { login: false, run: (p) => p.reply(215, 'UNIX Type: L8') }],
  ['NOOP', { login: false, run: (p) => p.reply(200, 'NOOP ok') }],
  ['QUIT', { login: false, run: quit }],
  ['HELP', { login: false, run: (p) => p.reply(214, ['The following commands are recognized:', 'ABOR ALLO APPE AUTH CDUP CWD DELE EPRT EPSV FEAT HELP LIST MDTM MKD MLSD MLST MODE NLST NOOP OPTS PASS PASV PBSZ PORT PROT PWD QUIT REST RETR RMD RNFR RNTO SIZE STAT STOR STOU STRU SYST TYPE USER', 'Help OK']) }],
  ['TYPE', { login: true, run: type }],
  ['MODE', { login: true, run: only('S', 'Mode') }],
  ['STRU', { login: true, run: only('F', 'Structure') }],
  ['ALLO', { login: true, run: (p) => p.reply(202, 'No storage allocation necessary') }],
  ['STAT', { login: false, run: stat }],
];

