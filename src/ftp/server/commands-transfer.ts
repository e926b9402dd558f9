/**
 * Data-connection commands: where the next transfer connects (`PASV`, `EPSV`, `PORT`, `EPRT`), the
 * transfers themselves (`LIST`, `NLST`, `MLSD`, `RETR`, `STOR`, `APPE`, `STOU`, with `REST`), and `ABOR`.
 *
 * `PORT` and `EPRT` may only name the client's own address (and no privileged port): anything else is
 * the bounce attack of RFC 2577, a server made to connect to a third host on the client's behalf.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import { formatHostPort, normalizeHost, parseEprt, parseHostPort, type HostPort } from '../address.js';
import type { DataConnection } from '../data-connection.js';
import { FTPDataConnectionError, FTPFileSystemError, FTPParseError } from '../errors.js';
import type { FileInfo, Segments } from '../interfaces.js';
import { formatFacts, formatListLine } from '../listing.js';
import { formatPath, resolvePath } from '../paths.js';
import type { CommandHandler } from './commands.js';
import type { FTPServerProtocol } from './protocol.js';
import { Transfer } from './transfer.js';

/** Ports below this are never dialled by `PORT`/`EPRT` (the services a bounce would reach). */
const LOWEST_ACTIVE_PORT = 1024;

/** Opens the passive port of `p`; null (with a `425` sent) when none is free. */
function openPassive(p: FTPServerProtocol): number | null {
  passiveReset(p);
  try {
    const { factory, port } = p.factory.listenPassive(p);
    p.passive = factory;
    return port;
  } catch (e) {
    p.reply(425, `Can't open passive connection: ${(e as Error).message}`);
    return null;
  }
}

function passiveReset(p: FTPServerProtocol): void {
  p.passive?.close();
  p.passive = null;
  p.active = null;
}

function pasv(p: FTPServerProtocol): void {
  if (p.epsvAll) return p.reply(503, 'EPSV ALL was given: only EPSV is accepted');
  const advertised = p.factory.publicAddress ?? p.hostAddress;
  if (advertised.includes(':')) return p.reply(425, 'PASV carries IPv4 addresses only: use EPSV');
  const port = openPassive(p);
  if (port !== null) p.reply(227, `Entering Passive Mode (${formatHostPort(advertised, port)})`);
}

function epsv(p: FTPServerProtocol, argument: string): void {
  const a = argument.trim().toUpperCase();
  if (a === 'ALL') {
    p.epsvAll = true;
    return p.reply(200, 'EPSV ALL ok');
  }
  const family = p.hostAddress.includes(':') ? '2' : '1';
  if (a !== '' && a !== family) return p.reply(522, `Network protocol not supported, use (${family})`);
  const port = openPassive(p);
  if (port !== null) p.reply(229, `Entering Extended Passive Mode (|||${port}|)`);
}

function setActive(p: FTPServerProtocol, target: HostPort): void {
  if (p.epsvAll) return p.reply(503, 'EPSV ALL was given: only EPSV is accepted');
  if (normalizeHost(target.host) !== p.peerHost) return p.reply(504, 'PORT/EPRT must name your own address (no bounce)');
  if (target.port < LOWEST_ACTIVE_PORT) return p.reply(504, `PORT/EPRT must name a port of ${LOWEST_ACTIVE_PORT} or more`);
  passiveReset(p);
  p.active = target;
  p.reply(200, 'Data connection address accepted');
}

function port(p: FTPServerProtocol, argument: string): void {
  let target: HostPort;
  try {
    target = parseHostPort(argument);
  } catch (e) {
    return p.reply(501, (e as Error).message);
  }
  setActive(p, target);
}

function eprt(p: FTPServerProtocol, argument: string): void {
  let target: HostPort;
  try {
    target = parseEprt(argument);
  } catch (e) {
    if (e instanceof FTPParseError && /network protocol/.test(e.message)) return p.reply(522, 'Network protocol not supported, use (1,2)');
    return p.reply(501, (e as Error).message);
  }
  setActive(p, target);
}

function rest(p: FTPServerProtocol, argument: string): void {
  if (!/^\d{1,15}$/.test(argument.trim())) return p.reply(501, 'REST needs a byte offset');
  p.restOffset = Number(argument.trim());
  p.reply(350, `Restarting at ${p.restOffset}. Send STOR or RETR to start`);
}

/** Opens the data connection and sends `150`; fires with the transfer once it runs. */
function startTransfer(p: FTPServerProtocol, what: string, size?: number): Deferred<Transfer> {
  const opening = p.openData();
  if (opening === null) return Deferred.fail(new FTPFileSystemError(425, 'Use PORT, EPRT, PASV or EPSV first'));
  return opening.addCallbacks(
    (data: DataConnection) => {
      p.reply(150, `Opening ${p.type === 'A' ? 'ASCII' : 'BINARY'} mode data connection for ${what}${size === undefined ? '' : ` (${size} bytes)`}`);
      return new Transfer(p, data, what);
    },
    (f: Failure) => {
      throw new FTPFileSystemError(425, `Can't open data connection: ${f.value instanceof FTPDataConnectionError || f.value instanceof Error ? (f.value as Error).message : 'error'}`);
    },
  );
}

/** `LIST -la /path` and the like: options (words starting with `-`) left out. */
function listTarget(p: FTPServerProtocol, argument: string): Segments {
  const path = argument.replace(/^(-\S*\s*)+/, '');
  return resolvePath(p.cwd, path === '' ? '.' : path);
}

function listing(kind: 'LIST' | 'NLST' | 'MLSD'): (p: FTPServerProtocol, argument: string) => Deferred<unknown> {
  return (p, argument) => {
    const path = kind === 'MLSD' ? resolvePath(p.cwd, argument === '' ? '.' : argument) : listTarget(p, argument);
    const shell = p.shell!;
    return shell.stat(path).addCallback((info) => {
      if (kind === 'MLSD' && info.type !== 'dir') throw new FTPFileSystemError(501, `${formatPath(path)} is not a directory`);
      return shell.list(path).addCallback((entries: FileInfo[]) => {
        const limited = entries.slice(0, p.factory.limits.maxListingEntries);
        const now = p.factory.clock.seconds();
        const lines =
          kind === 'LIST' ? limited.map((e) => formatListLine(e, now)) : kind === 'NLST' ? limited.map((e) => e.name) : [formatFacts({ ...info, name: '.' }, shell.readOnly, 'cdir'), ...limited.map((e) => formatFacts(e, shell.readOnly))];
        const text = lines.map((l) => `${l}\r\n`).join('');
        return startTransfer(p, `${kind} ${formatPath(path)}`).addCallback((t) => t.sendText(text));
      });
    });
  };
}

function takeRest(p: FTPServerProtocol): number {
  const offset = p.restOffset;
  p.restOffset = 0;
  return offset;
}

function retr(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const offset = takeRest(p);
  if (argument === '') return p.reply(501, 'RETR needs a path');
  const path = resolvePath(p.cwd, argument);
  return p.shell!.openForReading(path).addCallback((file) => {
    if (offset > file.size) {
      file.close();
      throw new FTPFileSystemError(554, 'Restart offset beyond the end of the file');
    }
    return startTransfer(p, formatPath(path), file.size - offset).addCallbacks(
      (t) => t.sendFile(file, offset, p.type === 'A'),
      (f: Failure) => {
        file.close();
        return f;
      },
    );
  });
}

function store(kind: 'STOR' | 'APPE' | 'STOU'): (p: FTPServerProtocol, argument: string) => void | Deferred<unknown> {
  return (p, argument) => {
    const offset = takeRest(p);
    const shell = p.shell!;
    if (shell.readOnly) throw new FTPFileSystemError(550, 'Permission denied');
    let named: Deferred<Segments>;
    if (kind === 'STOU') named = shell.uniqueName(p.cwd, argument.replace(/.*[/\\]/, '') || 'upload').addCallback((name) => [...p.cwd, name]);
    else if (argument === '') return p.reply(501, `${kind} needs a path`);
    else named = Deferred.succeed(resolvePath(p.cwd, argument));
    return named.addCallback((path) =>
      shell.openForWriting(path, kind === 'APPE' ? { append: true } : { offset }).addCallback((upload) =>
        startTransfer(p, kind === 'STOU' ? `FILE: ${path[path.length - 1]}` : formatPath(path)).addCallbacks(
          (t) => t.receive(upload, p.type === 'A'),
          (f: Failure) => {
            upload.abort();
            return f;
          },
        ),
      ),
    );
  };
}

function abor(p: FTPServerProtocol): void {
  const transfer = p.transfer;
  passiveReset(p);
  if (transfer === null) return p.reply(225, 'No transfer to abort');
  transfer.abort(true);
  p.reply(226, 'ABOR successful');
}

/** The transfer commands. */
export const TRANSFER_COMMANDS: ReadonlyArray<[string, CommandHandler]> = [
  ['PASV', { login: true, run: pasv }],
  ['EPSV', { login: true, run: epsv }],
  ['PORT', { login: true, run: port }],
  ['EPRT', { login: true, run: eprt }],
  ['REST', { login: true, run: rest }],
  ['LIST', { login: true, run: listing('LIST') }],
  ['NLST', { login: true, run: listing('NLST') }],
  ['MLSD', { login: true, run: listing('MLSD') }],
  ['RETR', { login: true, run: retr }],
  ['STOR', { login: true, run: store('STOR') }],
  ['APPE', { login: true, run: store('APPE') }],
  ['STOU', { login: true, run: store('STOU') }],
  ['ABOR', { login: true, run: abor }],
];
