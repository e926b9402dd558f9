/**
 * UDP on `node:dgram` (Twisted's `internet/udp.py`): a bound datagram socket that is at once the listening
 * port and the transport a `DatagramProtocol` writes to. The reactor's `listenUDP` delegates here.
 * @module
 */
import dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { Deferred } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { ipAddress, type IPv4Address, type IPv6Address } from './address.js';
import { CannotListenError } from './error.js';
import type { Data, IDatagramProtocol, IListeningPort, IUDPTransport } from './interfaces.js';
import { TorsionError } from '../errors/index.js';

const log = new Logger({ namespace: 'torsion.internet.udp' });

/** Options of {@link listenUDP}. */
export interface UDPOptions {
  /** The address to bind: `'127.0.0.1'`, `'::1'`, `'::'`; default `''`, every IPv4 address. */
  interface?: string;
  /** Datagrams longer than this are dropped (and logged) instead of delivered. Default 8192, as Twisted. */
  maxPacketSize?: number;
  /**
   * Whether a failed send is logged (default true). Logging needs a completion callback on every send,
   * which Node answers with a `process.nextTick` per datagram; a high-rate server whose lost replies are
   * as good as lost datagrams (a DNS server) may turn it off for about a third more datagrams per CPU-second.
   */
  reportSendErrors?: boolean;
}

/** What the reactor closes at shutdown (the Node reactor's `resources`), seen structurally. */
interface ShutdownList {
  add(c: { closeForShutdown(): Promise<unknown> | void }): void;
  delete(c: { closeForShutdown(): Promise<unknown> | void }): void;
}

/** A datagram's source or destination. */
export interface DatagramAddress {
  /** An IP address. */
  host: string;
  port: number;
}

/** Writing to a host that is not an IP address (datagram transports do no DNS, as in Twisted). */
export class InvalidAddressError extends TorsionError {
  override readonly code = 'TORSION_INVALID_ADDRESS';
  override name = 'InvalidAddressError';
}

/** The last IP literal {@link literalLookup} saw, and its family: a server mostly answers the host it just heard. */
let lastLiteral = '';
let lastFamily = 0;

/**
 * Resolves IP literals synchronously (Node's default lookup answers them a tick later), which makes `bind`,
 * `connect` and `send` to an IP address synchronous, as Twisted's are. Names still go through DNS.
 * `dgram` asks on every send; the memo of the last literal spares a regular-expression test per datagram.
 */
function literalLookup(host: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  if (host === lastLiteral) {
    callback(null, host, lastFamily);
    return;
  }
  const kind = isIP(host);
  if (kind === 0) {
    dnsLookup(host, family as number, callback as never);
    return;
  }
  lastLiteral = host;
  lastFamily = kind;
  callback(null, host, kind);
}

/**
 * A listening UDP socket, also the protocol's transport. {@link UDPPort.startListening} binds synchronously,
 * so `getHost()` works as soon as `listenUDP` returns and a port in use throws `CannotListenError` from it.
 */
export class UDPPort implements IListeningPort, IUDPTransport {
  /** The reactor that made this port. */
  readonly reactor: unknown;
  /** The protocol hearing this port's datagrams. */
  readonly protocol: IDatagramProtocol;
  /** Datagrams longer than this are dropped. */
  readonly maxPacketSize: number;
  /** The interface asked for (`''` for every IPv4 address). */
  readonly interface: string;
  /** The port asked for (0 for an ephemeral one). */
  readonly port: number;
  /** The underlying Node socket. */
  protected readonly socket: dgram.Socket;
  #bound = false;
  #bindError: NodeJS.ErrnoException | undefined;
  /**
   * Set while a bind is under way (Bun's `dgram` binds a tick later, literal or not): who waits for it
   * through `whenListening()`.
   */
  #binding: Deferred<this>[] | undefined;
  #stopped: Deferred<void> | undefined;
  #connected: DatagramAddress | undefined;
  #broadcast = false;
  #lastHost = '';
  readonly #report: boolean;
  /** One shared send callback: Node drops a send's synchronous error (EACCES, EMSGSIZE...) when there is none. */
  readonly #sent = (err: Error | null): void => {
    if (err) this.#onError(err);
  };
  /** The reactor's shutdown list, when the reactor keeps one (the Node reactor does). */
  readonly #resources: ShutdownList | undefined;

  /**
   * @param reactor the reactor that owns the port
   * @param port the port to bind, 0 for an ephemeral one
   * @param protocol the protocol receiving datagrams
   * @param options interface and maximum datagram size
   * @param socketOptions extra options for `dgram.createSocket` (multicast sets `reuseAddr`)
   */
  constructor(reactor: unknown, port: number, protocol: IDatagramProtocol, options: UDPOptions = {}, socketOptions: Partial<dgram.SocketOptions> = {}) {
    this.reactor = reactor;
    this.#resources = (reactor as { resources?: ShutdownList } | null)?.resources;
    this.protocol = protocol;
    this.port = port;
    this.maxPacketSize = options.maxPacketSize ?? 8192;
    this.#report = options.reportSendErrors ?? true;
    this.interface = options.interface ?? '';
    if (this.interface !== '' && isIP(this.interface) === 0) {
      throw new CannotListenError(`cannot listen on UDP ${this.interface}:${port}: the interface must be an IP address`);
    }
    const type = this.interface.includes(':') ? 'udp6' : 'udp4';
    this.socket = dgram.createSocket({ type, lookup: literalLookup as dgram.SocketOptions['lookup'], ...socketOptions });
    this.socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    this.socket.on('error', (err) => this.#onError(err));
  }

  /** Binds the socket and connects the protocol (`makeConnection`, so `startProtocol`). Throws `CannotListenError`. */
  startListening(): void {
    this.socket.bind(this.port, this.interface || undefined);
    if (this.#bindError) {
      const err = this.#bindError;
      this.socket.close();
      throw this.#cannotListen(err);
    }
    this.#resources?.add(this);
    if (!this.#hasAddress()) {
      // Bun binds on a later tick whatever the address: the protocol starts then, and until then
      // `getHost()` throws; `whenListening()` tells when (or fails with why not).
      this.#binding = [];
      this.socket.once('listening', () => {
        const waiting = this.#binding;
        if (!waiting) return;
        this.#started();
        for (const d of waiting) d.callback(this);
      });
      return;
    }
    this.#started();
  }

  #started(): void {
    this.#bound = true;
    this.#binding = undefined;
    this.onBound();
    this.protocol.makeConnection(this);
  }

  #hasAddress(): boolean {
    try {
      this.socket.address();
      return true;
    } catch {
      return false;
    }
  }

  /** An asynchronous bind failed or was given up: tells whoever waits, or the log if nobody does. */
  #bindFailed(error: CannotListenError, logIfUnheard = true): void {
    const waiting = this.#binding ?? [];
    this.#binding = undefined;
    this.#resources?.delete(this);
    this.socket.close();
    if (waiting.length === 0 && logIfUnheard) log.error('{error}', { error: error.message });
    for (const d of waiting) d.errback(error);
  }

  #cannotListen(err: Error): CannotListenError {
    return new CannotListenError(`cannot listen on UDP ${this.interface || '0.0.0.0'}:${this.port}: ${err.message}`, { cause: err });
  }

  /**
   * Fires with this port once it is bound: at once on Node and Deno, whose binds are synchronous; on Bun
   * after its bind, or with `CannotListenError` if that fails.
   */
  whenListening(): Deferred<this> {
    if (!this.#binding) return Deferred.succeed(this);
    const d = new Deferred<this>();
    this.#binding.push(d);
    return d;
  }

  /** True once the socket is bound and until it is closed. */
  get listening(): boolean {
    return this.#bound && !this.#stopped;
  }

  /** The bound address. */
  getHost(): IPv4Address | IPv6Address {
    if (this.#binding) throw new Error('the UDP port is still binding (Bun binds asynchronously): wait for whenListening()');
    const a = this.socket.address();
    return ipAddress('UDP', a.address, a.port);
  }

  /**
   * Sends one datagram to `addr` (an IP address, no DNS), or to the connected peer when `addr` is left out.
   * Errors (unreachable network, oversized datagram) are logged; on a connected socket a refused port is
   * reported to the protocol's `connectionRefused`.
   */
  write(data: Data, addr?: DatagramAddress): void {
    const peer = this.#connected;
    if (peer) {
      if (addr && (addr.host !== peer.host || addr.port !== peer.port)) {
        throw new InvalidAddressError(`connected to ${peer.host}:${peer.port}, cannot write to ${addr.host}:${addr.port}`);
      }
      if (this.#report) this.socket.send(data, this.#sent);
      else this.socket.send(data);
      return;
    }
    if (!addr) throw new InvalidAddressError('write() needs an address on an unconnected UDP port');
    if (addr.host !== this.#lastHost) {
      if (isIP(addr.host) === 0) throw new InvalidAddressError(`not an IP address: ${addr.host}`);
      this.#lastHost = addr.host;
    }
    if (this.#report) this.socket.send(data, addr.port, addr.host, this.#sent);
    else this.socket.send(data, addr.port, addr.host);
  }

  /**
   * Connected UDP: from now on only `host:port` is heard, `write` needs no address, and an ICMP "port
   * unreachable" from the peer calls the protocol's `connectionRefused`. Can be called once.
   */
  connect(host: string, port: number): void {
    if (this.#connected) throw new Error('already connected: reconnecting a UDP port is not supported');
    if (isIP(host) === 0) throw new InvalidAddressError(`not an IP address: ${host}`);
    this.socket.connect(port, host);
    this.#connected = { host: canonicalIP(host), port };
  }

  /** The peer given to {@link UDPPort.connect}, if any. */
  getPeer(): DatagramAddress | undefined {
    return this.#connected;
  }

  /** Allows sending to broadcast addresses (`SO_BROADCAST`). */
  setBroadcastAllowed(enabled: boolean): void {
    this.#broadcast = enabled;
    if (this.listening) this.socket.setBroadcast(enabled);
  }

  /** Whether broadcast sending is allowed. */
  getBroadcastAllowed(): boolean {
    return this.#broadcast;
  }

  /** Closes the socket; fires once it is closed, after the protocol's `stopProtocol`. Safe to call twice. */
  stopListening(): Deferred<void> {
    if (this.#stopped) return chained(this.#stopped);
    const d = (this.#stopped = new Deferred<void>());
    this.#resources?.delete(this);
    if (!this.#bound) {
      if (this.#binding) this.#bindFailed(new CannotListenError(`UDP port ${this.interface || '0.0.0.0'}:${this.port} stopped before it was bound`), false);
      d.callback(undefined);
      return chained(d);
    }
    this.socket.close(() => {
      (this.protocol as { doStop?: () => void }).doStop?.();
      d.callback(undefined);
    });
    return chained(d);
  }

  /** Twisted's alias of {@link UDPPort.stopListening}. */
  loseConnection(): Deferred<void> {
    return this.stopListening();
  }

  /** For the reactor: closes the port when the reactor stops. */
  closeForShutdown(): Promise<void> {
    return this.stopListening().asPromise();
  }

  /** Called once the socket is bound, before the protocol starts: subclasses apply their socket options. */
  protected onBound(): void {
    if (this.#broadcast) this.socket.setBroadcast(true);
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const peer = this.#connected;
    // The kernel filters for a connected socket; Deno's `dgram` connects in name only, so filter here too.
    if (peer && (rinfo.port !== peer.port || rinfo.address !== peer.host)) return;
    if (msg.length > this.maxPacketSize) {
      log.warn('dropped a {size}-byte datagram from {host}:{port}: over maxPacketSize {max}', {
        size: msg.length, host: rinfo.address, port: rinfo.port, max: this.maxPacketSize,
      });
      return;
    }
    this.protocol.datagramReceived(msg, { host: rinfo.address, port: rinfo.port });
  }

  #onError(err: NodeJS.ErrnoException): void {
    if (!this.#bound) {
      this.#bindError = err;
      if (this.#binding) this.#bindFailed(this.#cannotListen(err));
      return;
    }
    if (err.code === 'ECONNREFUSED' && this.#connected) {
      this.protocol.connectionRefused();
      return;
    }
    log.warn('UDP socket error: {error}', { error: err.message, code: err.code });
  }
}

/** An IP address as `dgram` reports a datagram's source (IPv6 compressed and lower case). */
function canonicalIP(host: string): string {
  return host.includes(':') ? new URL(`http://[${host}]/`).hostname.slice(1, -1) : host;
}

/** A Deferred that fires with `d`'s result without taking it from `d`'s other listeners. */
function chained<T>(d: Deferred<T>): Deferred<T> {
  const out = new Deferred<T>();
  d.addCallbacks((r) => { out.callback(r); return r; }, (f) => { out.errback(f); return f; });
  return out;
}

/**
 * Binds a UDP port and connects `protocol` to it once bound: what `reactor.listenUDP` runs.
 *
 * @example
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array, addr: { host: string; port: number }) { this.transport!.write(data, addr); }
 * }
 * const port = listenUDP(reactor, 0, new Echo(), { interface: '127.0.0.1' });
 * console.log(port.getHost().port);
 */
export function listenUDP(reactor: unknown, port: number, protocol: IDatagramProtocol, options: UDPOptions = {}): UDPPort {
  const p = new UDPPort(reactor, port, protocol, options);
  p.startListening();
  return p;
}
