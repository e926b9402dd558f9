/**
 * FTP test harness: a server on a `MemoryNet` with a `MemoryShell`, driven by a raw control client that
 * records reply lines, and data clients that record what they get.
 */
import { ANONYMOUS, AllowAnonymousAccess, InMemoryUsernamePasswordDatabase, Portal, type AvatarId, type IRealm, type LoginResult } from '../../cred/index.js';
import { ClientFactory, Protocol } from '../../internet/index.js';
import type { Failure } from '../../defer/index.js';
import type { ITCPTransport } from '../../internet/interfaces.js';
import { LineReceiver } from '../../protocols/index.js';
import { FTPClientFactory } from '../client/connect.js';
import type { FTPClient } from '../client/client.js';
import type { FTPClientOptions } from '../client/control.js';
import { FTPFactory, type FTPFactoryOptions } from '../server/factory.js';
import { IFTPShell } from '../shell-interface.js';
import { MemoryNet } from './memory-net.js';
import { MemoryShell } from './memory-shell.js';

/** Records reply lines. */
export class RawControl extends LineReceiver<ITCPTransport> {
  readonly lines: string[] = [];
  closed = false;
  override lineReceived(line: Uint8Array): void {
    this.lines.push(new TextDecoder().decode(line));
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.closed = true;
  }
}

/** Records what a data connection brings. */
export class DataClient extends Protocol<ITCPTransport> {
  readonly chunks: Uint8Array[] = [];
  closed = false;
  override dataReceived(data: Uint8Array): void {
    this.chunks.push(data.slice());
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.closed = true;
  }
  text(): string {
    return new TextDecoder().decode(Buffer.concat(this.chunks));
  }
}

class OneShot<P extends Protocol<ITCPTransport>> extends ClientFactory<P> {
  constructor(readonly p: P) {
    super();
  }
  override buildProtocol(): P {
    return this.p;
  }
}

/** The realm of the tests: alice gets `shell`, the anonymous avatar a read-only view of the same files. */
export function memoryRealm(shell: MemoryShell): IRealm {
  return {
    requestAvatar(id: AvatarId): LoginResult {
      const s = id === ANONYMOUS ? shell.readOnlyView() : shell;
      return [IFTPShell, s, () => undefined] as unknown as LoginResult;
    },
  };
}

export interface Session {
  net: MemoryNet;
  shell: MemoryShell;
  factory: FTPFactory;
  /** Sends `line` and returns the reply lines it brought. */
  send(line: string): string[];
  /** A new raw control connection, greeted; its lines so far. */
  control: RawControl;
  /** Opens a data connection to `port` as the client. */
  dataTo(port: number): DataClient;
  /** Connects another raw control client. */
  connectControl(): RawControl;
  /** Connects an FTPClient. */
  client(options?: Omit<FTPClientOptions, 'reactor'>): FTPClient;
}

/** A server on port 21 of a memory network, and one raw control connection to it. */
export function session(options: Partial<FTPFactoryOptions> = {}, net = new MemoryNet()): Session {
  const shell = new MemoryShell();
  const portal = new Portal(memoryRealm(shell), [new InMemoryUsernamePasswordDatabase({ alice: 'secret' }), new AllowAnonymousAccess()]);
  const factory = new FTPFactory({ portal, reactor: net.reactor, ...options, limits: { loginFailureDelay: 0, ...options.limits } });
  net.reactor.listenTCP(21, factory);
  const connectControl = (): RawControl => {
    const raw = new RawControl();
    net.reactor.connectTCP('127.0.0.1', 21, new OneShot(raw));
    net.flush();
    return raw;
  };
  const control = connectControl();
  return {
    net,
    shell,
    factory,
    control,
    connectControl,
    send(line: string): string[] {
      const before = control.lines.length;
      control.sendLine(line);
      net.flush();
      return control.lines.slice(before);
    },
    dataTo(port: number): DataClient {
      const d = new DataClient();
      net.reactor.connectTCP('127.0.0.1', port, new OneShot(d));
      net.flush();
      return d;
    },
    client(clientOptions = {}): FTPClient {
      const f = new FTPClientFactory({ ...clientOptions, reactor: net.reactor });
      net.reactor.connectTCP('127.0.0.1', 21, f);
      net.flush();
      let client: FTPClient | undefined;
      f.client.addCallback((c) => (client = c));
      if (client === undefined) throw new Error('the client was not greeted');
      return client;
    },
  };
}

/** The port of a `227` or `229` reply. */
export function passivePort(reply: string): number {
  const epsv = /\(\|\|\|(\d+)\|\)/.exec(reply);
  if (epsv) return Number(epsv[1]);
  const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply);
  if (!m) throw new Error(`no port in ${reply}`);
  return Number(m[5]) * 256 + Number(m[6]);
}

/** A session logged in as alice. */
export function loggedIn(options: Partial<FTPFactoryOptions> = {}): Session {
  const s = session(options);
  s.send('USER alice');
  s.send('PASS secret');
  return s;
}
