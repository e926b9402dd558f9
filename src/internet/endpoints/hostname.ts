/**
 * `HostnameEndpoint`: connects to a host name by trying every address it resolves to, IPv6 and IPv4
 * interleaved and raced as RFC 8305 ("Happy Eyeballs v2") says: a new attempt starts every
 * `attemptDelay` seconds (or at once when the previous one fails); the first to connect wins and the others
 * are cancelled.
 * @module
 */
import * as dns from 'node:dns';
import * as net from 'node:net';
import { CancelledError, Deferred, Failure } from '../../defer/index.js';
import { ConnectError, DNSLookupError } from '../error.js';
import type { ConnectOptions, IAddress, IClientFactory, IConnector, IDelayedCall, IProtocol, IProtocolFactory, IReactorSSL, IReactorTCP, IReactorTime, TLSOptions } from '../interfaces.js';
import type { IStreamClientEndpoint } from './interfaces.js';

/** A resolved address. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address (default: `dns.lookup` with `all: true`). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

/** Options of `HostnameEndpoint`. */
export interface HostnameEndpointOptions extends ConnectOptions {
  /** Seconds between starting attempts (RFC 8305's "Connection Attempt Delay", default 0.25). */
  attemptDelay?: number;
  /** Connect with TLS (verified against the host name) instead of plain TCP. */
  tls?: TLSOptions;
  /** How to resolve the host name. */
  resolver?: Resolver;
}

const systemResolver: Resolver = async (host) => {
  if (net.isIP(host)) return [{ address: host, family: net.isIP(host) as 4 | 6 }];
  const all = await dns.promises.lookup(host, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
};

/** RFC 8305 §4: interleave families, starting with IPv6. */
export function interleave(addresses: readonly ResolvedAddress[]): ResolvedAddress[] {
  const v6 = addresses.filter((a) => a.family === 6);
  const v4 = addresses.filter((a) => a.family === 4);
  const out: ResolvedAddress[] = [];
  for (let i = 0; i < Math.max(v6.length, v4.length); i++) {
    if (i < v6.length) out.push(v6[i]);
    if (i < v4.length) out.push(v4[i]);
  }
  return out;
}

type Reactor = IReactorTCP & IReactorSSL & IReactorTime;

/** Connects to a host name, racing its addresses. */
export class HostnameEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly reactor: Reactor,
    readonly host: string,
    readonly port: number,
    readonly options: HostnameEndpointOptions = {},
  ) {}

  /** Fires with the protocol of the first attempt that connects. */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    const race = new Race(this, factory);
    return race.start();
  }

  toString(): string {
    return `<HostnameEndpoint ${this.host}:${this.port}>`;
  }
}

/** One `connect()`: the attempts, their timer and the outcome. */
class Race {
  readonly #connectors: (IConnector & { state?: string })[] = [];
  readonly #result: Deferred<IProtocol>;
  #pending: ResolvedAddress[] = [];
  #timer: IDelayedCall | undefined;
  #winner = false;
  #done = false;
  #lastFailure: Failure | undefined;
  #running = 0;
  #started = false;

  constructor(readonly ep: HostnameEndpoint, readonly factory: IProtocolFactory) {
    this.#result = new Deferred<IProtocol>(() => this.#finish(new Failure(new CancelledError(`connecting to ${ep} was cancelled`))));
  }

  start(): Deferred<IProtocol> {
    const resolver = this.ep.options.resolver ?? systemResolver;
    resolver(this.ep.host).then(
      (addresses) => {
        if (this.#done) return;
        if (addresses.length === 0) return this.#finish(new Failure(new DNSLookupError(`${this.ep.host} resolved to no addresses`)));
        this.#pending = interleave(addresses);
        this.factory.doStart();
        this.#started = true;
        this.#next();
      },
      (e: Error) => this.#finish(new Failure(new DNSLookupError(`cannot resolve ${this.ep.host}: ${e.message}`, { cause: e }))),
    );
    return this.#result;
  }

  #next(): void {
    if (this.#timer?.active()) this.#timer.cancel();
    this.#timer = undefined;
    const addr = this.#pending.shift();
    if (addr === undefined) {
      if (this.#running === 0) this.#finish(this.#lastFailure ?? new Failure(new ConnectError(`no address of ${this.ep.host} could be connected`)));
      return;
    }
    this.#running++;
    const c = this.#attempt(addr);
    this.#connectors.push(c as IConnector & { state?: string });
    if (this.#pending.length > 0 && !this.#done) {
      this.#timer = this.ep.reactor.callLater(this.ep.options.attemptDelay ?? 0.25, () => this.#next());
    }
  }

  #attempt(addr: ResolvedAddress): IConnector {
    const race = this;
    const factory: IClientFactory & { connectionEstablished(p: IProtocol): void } = {
      doStart() {},
      doStop() {},
      startedConnecting() {},
      buildProtocol(peer: IAddress) {
        if (race.#winner || race.#done) return null;
        race.#winner = true;
        return race.factory.buildProtocol(peer);
      },
      connectionEstablished(p: IProtocol) {
        race.#cancelOthers(this);
        race.#finish(undefined, p);
      },
      clientConnectionFailed(_c, reason) {
        race.#running--;
        if (race.#winner || race.#done) return;
        race.#lastFailure = reason;
        race.#next(); // a failure starts the next attempt at once
      },
      clientConnectionLost(_c, reason) {
        if (race.#done) race.factory.doStop();
        else race.#finish(new Failure(new ConnectError(`connection lost during connectionMade: ${reason.getErrorMessage()}`)));
      },
    };
    const { tls, attemptDelay: _d, resolver: _r, ...connectOptions } = this.ep.options;
    const c = tls
      ? this.ep.reactor.connectSSL(addr.address, this.ep.port, factory, { ...tls, servername: (tls.servername as string | undefined) ?? (net.isIP(this.ep.host) ? undefined : this.ep.host) }, connectOptions)
      : this.ep.reactor.connectTCP(addr.address, this.ep.port, factory, connectOptions);
    (c as { raceFactory?: unknown }).raceFactory = factory;
    return c;
  }

  #cancelOthers(winnerFactory: unknown): void {
    for (const c of this.#connectors) {
      if ((c as { raceFactory?: unknown }).raceFactory !== winnerFactory && c.state === 'connecting') c.stopConnecting();
    }
  }

  #finish(failure: Failure | undefined, protocol?: IProtocol): void {
    if (this.#done) return;
    this.#done = true;
    this.#pending = [];
    if (this.#timer?.active()) this.#timer.cancel();
    if (failure) {
      for (const c of this.#connectors) if (c.state === 'connecting') c.stopConnecting();
      if (this.#started) this.factory.doStop();
      if (!this.#result.called) this.#result.errback(failure);
    } else if (!this.#result.called) {
      this.#result.callback(protocol!);
    }
  }
}
