/**
 * Client endpoints that reach a destination through a SOCKS proxy, so any Torsion client can use one:
 * {@link SOCKS5ClientEndpoint} (with RFC 1929 login) and {@link SOCKS4ClientEndpoint} (SOCKS4a for names).
 * The protocol built by the caller's factory gets the proxy connection once the proxy has connected.
 * @module
 */
import { Deferred, type Failure } from '../defer/index.js';
import { Factory, Protocol } from '../internet/protocol.js';
import type { IProtocol, IProtocolFactory, IStreamTransport } from '../internet/interfaces.js';
import type { IStreamClientEndpoint } from '../internet/endpoints/index.js';
import {
  CMD_CONNECT, METHOD_NO_AUTH, METHOD_USERNAME, REPLY, SOCKS4_GRANTED,
  encodeSocks4Request, encodeSocks5, encodeUserPass, parseSocks5Request,
} from './codec.js';
import { SOCKSAuthError, SOCKSConnectError, SOCKSError, SOCKSProtocolError } from './errors.js';

/** Options of {@link SOCKS5ClientEndpoint}. */
export interface SOCKS5ClientOptions {
  /** Log in with this user name (RFC 1929); without it only "no authentication" is offered. */
  username?: string;
  password?: string;
}

const REPLY_NAMES: Record<number, string> = Object.fromEntries(Object.entries(REPLY).map(([k, v]) => [v, k]));

/** Talks SOCKS on the proxy connection, then hands the connection to the caller's protocol. */
abstract class Handshake extends Protocol<IStreamTransport> {
  protected buffer = new Uint8Array(0);
  #inner: IProtocol | null = null;

  constructor(
    readonly userFactory: IProtocolFactory,
    readonly result: Deferred<IProtocol>,
  ) {
    super();
  }

  /** Reads what the handshake needs from `buffer`; calls `done()` or throws. */
  protected abstract advance(): void;

  override dataReceived(data: Uint8Array): void {
    if (this.#inner !== null) return this.#inner.dataReceived(data);
    const joined = new Uint8Array(this.buffer.length + data.length);
    joined.set(this.buffer);
    joined.set(data, this.buffer.length);
    this.buffer = joined;
    try {
      this.advance();
    } catch (e) {
      this.transport.loseConnection();
      if (!this.result.called) this.result.errback(e);
    }
  }

  protected done(): void {
    const inner = this.userFactory.buildProtocol(this.transport.getPeer());
    if (inner === null) {
      this.transport.loseConnection();
      this.result.errback(new SOCKSError('the factory refused the connection'));
      return;
    }
    this.#inner = inner;
    const rest = this.buffer;
    this.buffer = new Uint8Array(0);
    inner.makeConnection(this.transport);
    this.result.callback(inner);
    if (rest.length > 0) inner.dataReceived(rest);
  }

  readConnectionLost(): void {
    const inner = this.#inner as { readConnectionLost?: () => void } | null;
    if (inner?.readConnectionLost) inner.readConnectionLost();
    else this.transport.loseConnection();
  }

  override connectionLost(reason: Failure): void {
    if (this.#inner !== null) return this.#inner.connectionLost(reason);
    if (!this.result.called) this.result.errback(new SOCKSError(`the proxy closed the connection during the handshake: ${reason.getErrorMessage()}`));
  }
}

class SOCKS5Handshake extends Handshake {
  #stage: 'method' | 'login' | 'reply' = 'method';
  constructor(factory: IProtocolFactory, result: Deferred<IProtocol>, readonly host: string, readonly port: number, readonly options: SOCKS5ClientOptions) {
    super(factory, result);
  }

  override connectionMade(): void {
    this.transport.write(this.options.username === undefined ? Uint8Array.of(5, 1, METHOD_NO_AUTH) : Uint8Array.of(5, 2, METHOD_NO_AUTH, METHOD_USERNAME));
  }

  protected advance(): void {
    if (this.#stage === 'method') {
      if (this.buffer.length < 2) return;
      const [version, method] = this.buffer;
      this.buffer = this.buffer.subarray(2);
      if (version !== 5) throw new SOCKSProtocolError(`the proxy answered version ${version}, not SOCKS5`);
      if (method === METHOD_USERNAME && this.options.username !== undefined) {
        this.transport.write(encodeUserPass(this.options.username, this.options.password ?? ''));
        this.#stage = 'login';
      } else if (method === METHOD_NO_AUTH) {
        this.#request();
      } else {
        throw new SOCKSAuthError(this.options.username === undefined ? 'the proxy requires a login' : 'the proxy accepts none of the offered methods');
      }
    }
    if (this.#stage === 'login') {
      if (this.buffer.length < 2) return;
      const status = this.buffer[1];
      this.buffer = this.buffer.subarray(2);
      if (status !== 0) throw new SOCKSAuthError('the proxy refused the user name or password');
      this.#request();
    }
    if (this.#stage === 'reply') {
      const parsed = parseSocks5Request(this.buffer);
      if (parsed === null) return;
      this.buffer = this.buffer.subarray(parsed.length);
      const code = parsed.value.command;
      if (code !== REPLY.succeeded) throw new SOCKSConnectError(`the proxy could not connect to ${this.host}:${this.port}: ${REPLY_NAMES[code] ?? `reply ${code}`}`, code);
      this.done();
    }
  }

  #request(): void {
    this.transport.write(encodeSocks5(CMD_CONNECT, this.host, this.port));
    this.#stage = 'reply';
  }
}

class SOCKS4Handshake extends Handshake {
  constructor(factory: IProtocolFactory, result: Deferred<IProtocol>, readonly host: string, readonly port: number, readonly userId: string) {
    super(factory, result);
  }
  override connectionMade(): void {
    this.transport.write(encodeSocks4Request(this.host, this.port, this.userId));
  }
  protected advance(): void {
    if (this.buffer.length < 8) return;
    const code = this.buffer[1]!;
    this.buffer = this.buffer.subarray(8);
    if (code !== SOCKS4_GRANTED) throw new SOCKSConnectError(`the SOCKS4 proxy refused ${this.host}:${this.port} (reply ${code})`, code);
    this.done();
  }
}

function connectThrough(proxy: IStreamClientEndpoint, build: (result: Deferred<IProtocol>) => Handshake): Deferred<IProtocol> {
  const result = new Deferred<IProtocol>();
  const handshake = build(result);
  const factory = new Factory<Handshake>();
  factory.buildProtocol = () => handshake;
  proxy.connect(factory).addErrback((failure: Failure) => {
    if (!result.called) result.errback(failure);
  });
  return result;
}

/**
 * Connects to `host`:`port` through a SOCKS5 proxy reached by `proxyEndpoint`. Host names are sent to the
 * proxy to resolve. Fails with {@link SOCKSAuthError} or {@link SOCKSConnectError} (`reply` holds the code).
 * @example
 * const endpoint = new SOCKS5ClientEndpoint('example.org', 80, new TCPClientEndpoint(reactor, '127.0.0.1', 1080), { username: 'u', password: 'p' });
 * const protocol = await connectProtocol(endpoint, new MyClient());
 */
export class SOCKS5ClientEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly proxyEndpoint: IStreamClientEndpoint,
    readonly options: SOCKS5ClientOptions = {},
  ) {}

  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return connectThrough(this.proxyEndpoint, (result) => new SOCKS5Handshake(factory, result, this.host, this.port, this.options));
  }
}

/** Connects through a SOCKS4 proxy; a host name that is not an IPv4 literal is sent as SOCKS4a. */
export class SOCKS4ClientEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly proxyEndpoint: IStreamClientEndpoint,
    readonly options: { userId?: string } = {},
  ) {}

  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return connectThrough(this.proxyEndpoint, (result) => new SOCKS4Handshake(factory, result, this.host, this.port, this.options.userId ?? ''));
  }
}
