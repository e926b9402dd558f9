/**
 * Unix sockets: `listenUNIX` (mode, PID lock file, stale socket files removed, live ones never stolen)
 * and `connectUNIX`.
 * @module
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { UNIXAddress } from './address.js';
import { unixAddresses } from './addresses.js';
import { StreamConnector } from './connector.js';
import { CannotListenError, ConnectError } from './error.js';
import type { Deferred } from '../defer/index.js';
import type { IClientFactory, IProtocolFactory } from './interfaces.js';
import { ListeningPort, bindNow } from './port.js';
import { DEFAULT_CONNECT_TIMEOUT, type ReactorLike } from './tcp.js';

/** Options for `listenUNIX`. */
export interface UNIXListenOptions {
  backlog?: number;
  /** File mode of the socket, e.g. `0o660`. */
  mode?: number;
  /** Keep a `<path>.lock` file holding this process's id while listening; a live holder blocks others. */
  wantPID?: boolean;
}

/** Options for `connectUNIX`. */
export interface UNIXConnectOptions {
  /** Seconds before giving up (default 30). */
  timeout?: number;
  /** Refuse to connect unless `<path>.lock` names a live process. */
  checkPID?: boolean;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLockPid(lock: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lock, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True if some process listens on the Unix socket at `path`. Linux lists bound Unix sockets in
 * /proc/net/unix; a listening one has the accept-connections flag (0x10000).
 */
export function unixSocketIsLive(path: string): boolean {
  let table: string;
  try {
    table = fs.readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return true; // can't tell: assume live rather than steal it
  }
  for (const line of table.split('\n')) {
    if (!line.endsWith(` ${path}`)) continue;
    const flags = Number.parseInt(line.trim().split(/\s+/)[3] ?? '0', 16);
    if (flags & 0x10000) return true;
  }
  return false;
}

/** A Unix listening port: also releases its lock file when it stops. */
class UNIXListeningPort extends ListeningPort {
  lockFile: string | undefined;

  override stopListening(): Deferred<void> {
    const d = super.stopListening();
    if (this.lockFile) {
      fs.rmSync(this.lockFile, { force: true });
      this.lockFile = undefined;
    }
    return d;
  }
}

/** Listens on the Unix socket `path`. Throws `CannotListenError` if a live server holds it. */
export function listenUNIX(reactor: ReactorLike, path: string, factory: IProtocolFactory, options: UNIXListenOptions = {}): ListeningPort {
  let lockFile: string | undefined;
  if (options.wantPID) {
    lockFile = `${path}.lock`;
    const holder = readLockPid(lockFile);
    if (holder !== undefined && holder !== process.pid && pidAlive(holder)) {
      throw new CannotListenError(`cannot listen on ${path}: lock file ${lockFile} is held by live process ${holder}`);
    }
  }
  if (fs.existsSync(path)) {
    if (!fs.statSync(path).isSocket()) throw new CannotListenError(`cannot listen on ${path}: it exists and is not a socket`);
    if (unixSocketIsLive(path)) throw new CannotListenError(`cannot listen on ${path}: another server is listening on it`);
    fs.rmSync(path, { force: true });
  }
  const server = net.createServer({ allowHalfOpen: true });
  bindNow(server, { path, backlog: options.backlog });
  if (options.mode !== undefined) fs.chmodSync(path, options.mode);
  if (lockFile) fs.writeFileSync(lockFile, `${process.pid}\n`);
  const host = new UNIXAddress(path);
  const port = new UNIXListeningPort(server, factory, unixAddresses(path, true), reactor.resources, 'connection', () => host);
  port.lockFile = lockFile;
  return port;
}

/** Connects to the Unix socket `path`. */
export function connectUNIX(reactor: ReactorLike, path: string, factory: IClientFactory, options: UNIXConnectOptions = {}): StreamConnector {
  const connector = new StreamConnector(
    reactor,
    factory,
    {
      open: () => {
        if (options.checkPID) {
          const pid = readLockPid(`${path}.lock`);
          if (pid === undefined || !pidAlive(pid)) throw new ConnectError(`no live process holds ${path}.lock`);
        }
        return net.connect({ path, allowHalfOpen: true });
      },
      readyEvent: 'connect',
      addresses: unixAddresses(path, false),
      destination: new UNIXAddress(path),
    },
    options.timeout ?? DEFAULT_CONNECT_TIMEOUT,
    reactor.resources,
  );
  connector.connect();
  return connector;
}
