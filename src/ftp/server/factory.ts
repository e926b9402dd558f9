/**
 * `FTPFactory`: the FTP server's settings and its connections (Twisted's `FTPFactory`): the portal logins
 * go through, the limits, passive ports and the address they are advertised under, TLS, and the count of
 * connections per address.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Portal } from '../../cred/index.js';
import { Deferred } from '../../defer/index.js';
import { Factory } from '../../internet/index.js';
import type { IAddress, IReactorTCP, IReactorTime, TLSOptions } from '../../internet/interfaces.js';
import { normalizeHost } from '../address.js';
import { ActiveDataFactory, PassiveDataFactory, listenPassive, withTimeout, type DataConnection } from '../data-connection.js';
import { FTPDataConnectionError } from '../errors.js';
import { resolveServerLimits, type FTPServerLimits } from '../limits.js';
import { FTPServerProtocol } from './protocol.js';

/** Options of an {@link FTPFactory}. */
export interface FTPFactoryOptions {
  /** Where logins go: its realm hands out `IFTPShell` avatars (see `FTPRealm`). */
  portal: Portal;
  /** Listens for passive data connections, dials active ones, and keeps the time. */
  reactor: IReactorTCP & IReactorTime;
  /** Limits (defaults: `DEFAULT_FTP_SERVER_LIMITS`). */
  limits?: Partial<FTPServerLimits>;
  /** Ports passive data connections may use, `[low, high]` inclusive; any free port when left out. */
  passivePorts?: readonly [number, number];
  /**
   * The IPv4 address `PASV` advertises (the server's public address behind NAT); by default the address
   * the control connection arrived on.
   */
  publicAddress?: string;
  /** TLS key and certificate (Node's options): enables `AUTH TLS`, `PBSZ` and `PROT P`. */
  tls?: TLSOptions;
  /** Let `USER anonymous` (or `ftp`) in, as `Anonymous` credentials, which the portal must accept. */
  allowAnonymous?: boolean;
  /** The greeting's text. */
  welcome?: string;
}

/**
 * Builds an {@link FTPServerProtocol} per control connection.
 *
 * @example
 * const portal = new Portal(new FTPRealm('./public'), [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
 * reactor.listenTCP(2121, new FTPFactory({ portal, reactor }));
 */
export class FTPFactory extends Factory<FTPServerProtocol> {
  readonly limits: Readonly<FTPServerLimits>;
  readonly portal: Portal;
  readonly clock: IReactorTime;
  readonly reactor: IReactorTCP & IReactorTime;
  readonly welcome: string;
  readonly allowAnonymous: boolean;
  readonly passivePorts: readonly [number, number] | null;
  readonly publicAddress: string | null;
  /**
   * TLS options for control and data connections, with one set of session-ticket keys, so a data
   * connection may resume the control connection's TLS session (what vsftpd and FileZilla expect).
   */
  readonly tlsOptions: TLSOptions | null;
  /** The control connections open now. */
  readonly connections = new Set<FTPServerProtocol>();
  readonly #perAddress = new Map<string, number>();

  constructor(options: FTPFactoryOptions) {
    super();
    this.portal = options.portal;
    this.reactor = options.reactor;
    this.clock = options.reactor;
    this.limits = resolveServerLimits(options.limits);
    this.welcome = options.welcome ?? 'Torsion FTP server ready';
    this.allowAnonymous = options.allowAnonymous ?? false;
    const range = options.passivePorts;
    if (range !== undefined && !(Number.isInteger(range[0]) && Number.isInteger(range[1]) && range[0] >= 1 && range[0] <= range[1] && range[1] <= 65535)) {
      throw new RangeError(`passivePorts must be [low, high] with 1 <= low <= high <= 65535, not ${range.join('-')}`);
    }
    this.passivePorts = range ?? null;
    this.publicAddress = options.publicAddress ?? null;
    this.tlsOptions = options.tls ? { ticketKeys: randomBytes(48), ...options.tls } : null;
  }

  override buildProtocol(addr: IAddress): FTPServerProtocol {
    const p = new FTPServerProtocol();
    p.factory = this;
    const host = normalizeHost((addr as { host?: string }).host ?? '');
    const count = this.#perAddress.get(host) ?? 0;
    if (this.connections.size >= this.limits.maxConnections) p.refusal = 'Too many users, try again later';
    else if (count >= this.limits.maxConnectionsPerAddress) p.refusal = 'Too many connections from your address';
    else {
      this.#perAddress.set(host, count + 1);
      this.connections.add(p);
      p.countedHost = host;
    }
    return p;
  }

  /** @internal a control connection closed. */
  connectionClosed(p: FTPServerProtocol): void {
    if (!this.connections.delete(p)) return;
    const host = p.countedHost ?? '';
    const count = (this.#perAddress.get(host) ?? 1) - 1;
    if (count <= 0) this.#perAddress.delete(host);
    else this.#perAddress.set(host, count);
  }

  /** @internal a passive port for `p`, accepting only its peer's address. */
  listenPassive(p: FTPServerProtocol): { factory: PassiveDataFactory; port: number } {
    const factory = new PassiveDataFactory(p.peerHost, () => p.dataTLS());
    const port = listenPassive(this.reactor, factory, p.hostAddress || undefined, this.passivePorts);
    factory.port = port;
    // A port nobody connects to is closed after the data timeout.
    const timeout = this.limits.dataTimeout;
    if (timeout > 0) {
      const timer = this.clock.callLater(timeout, () => factory.close());
      factory.connection.addBoth((r) => {
        if (timer.active()) timer.cancel();
        return r;
      });
    }
    return { factory, port: (port.getHost() as unknown as { port: number }).port };
  }

  /** @internal the data connection of `p`'s next transfer, or null when it gave no `PASV`/`PORT`. */
  openData(p: FTPServerProtocol): Deferred<DataConnection> | null {
    const timeout = this.limits.dataTimeout;
    if (p.passive !== null) {
      const passive = p.passive;
      p.passive = null;
      return withTimeout(passive.connection, this.clock, timeout, 'no data connection came to the passive port').addErrback((f) => {
        passive.close();
        throw f.value instanceof FTPDataConnectionError ? f.value : new FTPDataConnectionError(f.getErrorMessage());
      });
    }
    if (p.active !== null) {
      const { host, port } = p.active;
      p.active = null;
      const factory = new ActiveDataFactory(() => p.dataTLS());
      const connector = this.reactor.connectTCP(host, port, factory, { timeout: timeout > 0 ? timeout : undefined });
      return withTimeout(factory.connection, this.clock, timeout, 'the data connection did not open').addErrback((f) => {
        connector.disconnect();
        throw f.value instanceof FTPDataConnectionError ? f.value : new FTPDataConnectionError(f.getErrorMessage());
      });
    }
    return null;
  }
}
