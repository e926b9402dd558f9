/**
 * The SOCKS server: SOCKS4, SOCKS4a and SOCKS5 with username/password (RFC 1929) through torsion/cred,
 * `CONNECT` and SOCKS5 `UDP ASSOCIATE` (`BIND` answers "command not supported"). Destinations are checked
 * against an {@link AccessPolicy} after name resolution, so a name cannot smuggle a private address in.
 * @module
 */
import { type Failure } from '../defer/index.js';
import { IUsernamePassword, UsernamePassword, type ICredentialsChecker } from '../cred/index.js';
import { ConnectingTimeoutError, ConnectionRefusedError } from '../internet/error.js';
import { Factory } from '../internet/protocol.js';
import type { IAddress, IConnector } from '../internet/interfaces.js';
import type { IDelayedCall } from '../time/interfaces.js';
import { Logger } from '../logger/index.js';
import { Proxy, ProxyClient, ProxyClientFactory, ProxyServer } from '../protocols/index.js';
import { peerHost } from '../protocols/limit-connections.js';
import { AccessPolicy, parseIP } from './access.js';
import {
  CMD_CONNECT, CMD_UDP_ASSOCIATE, METHOD_NO_AUTH, METHOD_NONE_ACCEPTABLE, METHOD_USERNAME, REPLY, SOCKS4_GRANTED, SOCKS4_REJECTED,
  encodeSocks4Reply, encodeSocks5, parseGreeting, parseSocks4Request, parseSocks5Request, parseUserPass, type SOCKSRequest,
} from './codec.js';
import { SOCKSProtocolError } from './errors.js';
import type { SOCKSServerOptions } from './interfaces.js';
import { SOCKS_LIMITS, type SOCKSLimits } from './limits.js';
import { UDPAssociation } from './udp-relay.js';

const log = new Logger({ namespace: 'torsion.socks' });

type State = 'start' | 'login' | 'request' | 'checking' | 'connecting' | 'relay' | 'udp' | 'closed';

/** The outgoing side of a relayed connection: tells the server when it is up and when data moves. */
class SOCKSOutgoing extends ProxyClient {
  override connectionMade(): void {
    const server = this.peer as SOCKSServer | null;
    if (server === null) return;
    server.outgoingConnected(this.transport.getHost());
    super.connectionMade();
  }
  override dataReceived(data: Uint8Array): void {
    (this.peer as SOCKSServer | null)?.touch();
    super.dataReceived(data);
  }
}

class SOCKSOutgoingFactory extends ProxyClientFactory {
  override buildProtocol(): SOCKSOutgoing {
    const p = new SOCKSOutgoing();
    p.factory = this;
    p.setPeer(this.server);
    return p;
  }
  override clientConnectionFailed(_connector?: IConnector, reason?: Failure): void {
    (this.server as SOCKSServer).outgoingFailed(reason);
  }
}

/** One client connection to the proxy. */
export class SOCKSServer extends ProxyServer {
  #state: State = 'start';
  #buffer = new Uint8Array(0);
  #version: 4 | 5 = 5;
  #timer: IDelayedCall | null = null;
  #connector: IConnector | null = null;
  #udp: { stopListening(): unknown } | null = null;

  get #factory(): SOCKSServerFactory {
    return this.factory as SOCKSServerFactory;
  }

  override connectionMade(): void {
    const { reactor, limits } = this.#factory;
    this.#timer = reactor.callLater(limits.handshakeTimeout, () => {
      log.info('SOCKS handshake from {peer} timed out', { peer: peerHost(this.transport.getPeer()) });
      this.transport.loseConnection();
    });
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#state === 'relay' || this.#state === 'connecting') {
      this.touch();
      super.dataReceived(data);
      return;
    }
    if (this.#state === 'closed' || this.#state === 'checking' || this.#state === 'udp') return;
    const joined = new Uint8Array(this.#buffer.length + data.length);
    joined.set(this.#buffer);
    joined.set(data, this.#buffer.length);
    this.#buffer = joined;
    try {
      this.#advance();
    } catch (e) {
      log.info('SOCKS client {peer} broke the protocol: {message}', { peer: peerHost(this.transport.getPeer()), message: (e as Error).message });
      if (e instanceof SOCKSProtocolError && 'addressType' in e) this.#reply(REPLY.addressTypeNotSupported);
      this.#close();
    }
  }

  #advance(): void {
    if (this.#state === 'start') {
      if (this.#buffer.length === 0) return;
      if (this.#buffer[0] === 4) {
        const parsed = parseSocks4Request(this.#buffer, this.#factory.limits.maxSocks4FieldBytes);
        if (parsed === null) return;
        this.#version = 4;
        this.#consume(parsed.length);
        if (this.#factory.checkers.length > 0) {
          // SOCKS4 has no password: with logins required it is refused outright.
          this.#reply(SOCKS4_REJECTED);
          return this.#close();
        }
        return this.#request(parsed.value);
      }
      const greeting = parseGreeting(this.#buffer);
      if (greeting === null) return;
      this.#consume(greeting.length);
      const wanted = this.#factory.checkers.length > 0 ? METHOD_USERNAME : METHOD_NO_AUTH;
      if (!greeting.value.includes(wanted)) {
        this.transport.write(Uint8Array.of(5, METHOD_NONE_ACCEPTABLE));
        return this.#close();
      }
      this.transport.write(Uint8Array.of(5, wanted));
      this.#state = wanted === METHOD_USERNAME ? 'login' : 'request';
    }
    if (this.#state === 'login') {
      const login = parseUserPass(this.#buffer);
      if (login === null) return;
      this.#consume(login.length);
      this.#state = 'checking';
      void this.#login(login.value.username, login.value.password);
      return;
    }
    if (this.#state === 'request') {
      const parsed = parseSocks5Request(this.#buffer);
      if (parsed === null) return;
      this.#consume(parsed.length);
      this.#request(parsed.value);
    }
  }

  async #login(username: string, password: string): Promise<void> {
    const credentials = new UsernamePassword(username, password);
    let ok = false;
    for (const checker of this.#factory.checkers) {
      if (!checker.credentialInterfaces.includes(IUsernamePassword)) continue;
      try {
        await checker.requestAvatarId(credentials);
        ok = true;
        break;
      } catch {
        // The next checker may know the user.
      }
    }
    if (this.#state === 'closed') return;
    this.transport.write(Uint8Array.of(1, ok ? 0 : 1));
    if (!ok) {
      log.info('SOCKS login refused for {peer}', { peer: peerHost(this.transport.getPeer()) });
      return this.#close();
    }
    this.#state = 'request';
    this.#advance();
  }

  #request(request: SOCKSRequest): void {
    if (request.command === CMD_UDP_ASSOCIATE && this.#version === 5 && this.#factory.reactor.listenUDP !== undefined) return this.#associate(request);
    if (request.command !== CMD_CONNECT) {
      this.#reply(this.#version === 4 ? SOCKS4_REJECTED : REPLY.commandNotSupported);
      return this.#close();
    }
    this.#state = 'checking';
    this.transport.pauseProducing();
    if (this.#buffer.length > 0) super.dataReceived(this.#buffer);
    this.#buffer = new Uint8Array(0);
    void this.#connect(request);
  }

  /** UDP ASSOCIATE: a UDP port on the address the client reached us on, for as long as this connection lasts. */
  #associate(request: SOCKSRequest): void {
    const factory = this.#factory;
    const local = (this.transport.getHost() as { host?: string }).host ?? '0.0.0.0';
    const association = new UDPAssociation(peerHost(this.transport.getPeer()), request.port, factory.policy, factory.resolver, factory.limits.maxUdpDestinations, () => this.touch());
    const port = factory.reactor.listenUDP!(0, association, { interface: local });
    this.#udp = port;
    this.#state = 'udp';
    this.#buffer = new Uint8Array(0);
    this.transport.write(encodeSocks5(REPLY.succeeded, local, (port.getHost() as { port?: number }).port ?? 0));
    this.touch();
  }

  async #connect(request: SOCKSRequest): Promise<void> {
    const factory = this.#factory;
    let addresses: string[];
    if (parseIP(request.host) !== undefined) addresses = [request.host];
    else if (factory.resolver === undefined) addresses = [];
    else {
      try {
        addresses = (await factory.resolver(request.host)).map((a) => a.address);
      } catch {
        if (this.#state !== 'closed') this.#fail(REPLY.hostUnreachable);
        return;
      }
    }
    if (this.#state === 'closed') return;
    const target = addresses.find((a) => factory.policy.allows(a));
    if (target === undefined) {
      log.info('SOCKS destination {host}:{port} refused for {peer}', { host: request.host, port: request.port, peer: peerHost(this.transport.getPeer()) });
      return this.#fail(addresses.length === 0 && factory.resolver === undefined ? REPLY.addressTypeNotSupported : REPLY.notAllowed);
    }
    this.#state = 'connecting';
    this.#connector = factory.reactor.connectTCP(target, request.port, new SOCKSOutgoingFactory(this), { timeout: factory.limits.connectTimeout });
  }

  /** Called by the outgoing side once connected: answer success and start relaying. */
  outgoingConnected(bound: IAddress): void {
    this.#connector = null;
    this.#state = 'relay';
    const b = bound as { host?: string; port?: number };
    if (this.#version === 4) this.transport.write(encodeSocks4Reply(SOCKS4_GRANTED, b.host, b.port));
    else this.transport.write(encodeSocks5(REPLY.succeeded, parseIP(b.host ?? '') ? b.host! : '0.0.0.0', b.port ?? 0));
    this.touch();
  }

  /** Called when the destination could not be reached. */
  outgoingFailed(reason: Failure | undefined): void {
    this.#connector = null;
    if (this.#state === 'closed') return;
    const e = reason?.value;
    this.#fail(e instanceof ConnectionRefusedError ? REPLY.connectionRefused : e instanceof ConnectingTimeoutError ? REPLY.hostUnreachable : REPLY.generalFailure);
  }

  /** Restarts the idle clock (data moved one way or the other). */
  touch(): void {
    const { reactor, limits } = this.#factory;
    if (this.#timer?.active()) this.#timer.cancel();
    this.#timer = reactor.callLater(limits.idleTimeout, () => {
      log.info('SOCKS relay for {peer} idle; closing', { peer: peerHost(this.transport.getPeer()) });
      this.transport.loseConnection();
      this.peer?.transport.loseConnection();
    });
  }

  override connectionLost(reason: Failure): void {
    this.#state = 'closed';
    if (this.#timer?.active()) this.#timer.cancel();
    this.#connector?.stopConnecting();
    this.#udp?.stopListening();
    this.#factory.released(this.transport.getPeer());
    super.connectionLost(reason);
  }

  #fail(code: number): void {
    this.#reply(this.#version === 4 ? SOCKS4_REJECTED : code);
    this.#close();
  }

  #reply(code: number): void {
    this.transport.write(this.#version === 4 ? encodeSocks4Reply(code) : encodeSocks5(code, '0.0.0.0', 0));
  }

  #consume(n: number): void {
    this.#buffer = this.#buffer.subarray(n);
  }

  #close(): void {
    this.#state = 'closed';
    this.transport.loseConnection();
  }
}

/**
 * Builds {@link SOCKSServer}s, counts connections per client and in all, and holds the access rules.
 * @example
 * reactor.listenTCP(1080, new SOCKSServerFactory({ reactor, allow: ['127.0.0.0/8'] }), { interface: '127.0.0.1' });
 */
export class SOCKSServerFactory extends Factory<Proxy> {
  readonly reactor: SOCKSServerOptions['reactor'];
  readonly checkers: readonly ICredentialsChecker[];
  readonly policy: AccessPolicy;
  readonly resolver: SOCKSServerOptions['resolver'];
  readonly limits: Readonly<SOCKSLimits>;
  /** Open connections by client host. */
  readonly perClient = new Map<string, number>();
  #open = 0;

  constructor(options: SOCKSServerOptions) {
    super();
    this.reactor = options.reactor;
    this.checkers = options.checkers ?? [];
    this.policy = new AccessPolicy(options.allow ?? []);
    this.resolver = options.resolver;
    this.limits = Object.freeze({ ...SOCKS_LIMITS, ...options.limits });
  }

  override buildProtocol(addr: IAddress): SOCKSServer | null {
    const host = peerHost(addr);
    const count = this.perClient.get(host) ?? 0;
    if (count >= this.limits.maxConnectionsPerClient || this.#open >= this.limits.maxConnections) {
      log.warn('SOCKS connection from {host} refused: too many open', { host });
      return null;
    }
    this.perClient.set(host, count + 1);
    this.#open++;
    const p = new SOCKSServer();
    p.factory = this;
    return p;
  }

  /** A connection from `addr` closed. */
  released(addr: IAddress): void {
    const host = peerHost(addr);
    const count = (this.perClient.get(host) ?? 1) - 1;
    if (count <= 0) this.perClient.delete(host);
    else this.perClient.set(host, count);
    this.#open--;
  }
}

