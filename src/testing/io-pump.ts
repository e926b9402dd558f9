/**
 * Two protocols wired together in memory (Twisted's `twisted.test.iosim`: `connectedServerAndClient`,
 * `IOPump`, and `twisted.protocols.loopback.loopbackAsync`). Bytes move only when the pump says so, which
 * makes conversations between a client and a server as deterministic as a single protocol's test.
 * @module
 */
import { Deferred } from '../defer/index.js';
import { IPv4Address } from '../internet/address.js';
import { HIGH_WATER, LOW_WATER } from '../internet/capabilities.js';
import { ConnectionAborted } from '../internet/error.js';
import type { IAddress, IProtocol, TLSOptions } from '../internet/interfaces.js';
import { LoopbackTransport, type LoopbackSettings } from './loopback-transport.js';
import { nodeTLSLayer, type TLSLayerFactory } from './tls-layer.js';

/** A protocol, a protocol class (built with `new`), or a factory (its `buildProtocol` is called with the peer's address). */
export type ProtocolSource<P extends IProtocol> = P | (new () => P) | { buildProtocol(addr: IAddress): P | null };

/** Options of {@link connectedServerAndClient} and {@link loopbackAsync}. */
export interface LoopbackOptions {
  /** The server end's address (default `IPv4Address('TCP', '10.0.0.1', 12345)`). */
  serverAddress?: IAddress;
  /** The client end's address (default `IPv4Address('TCP', '192.168.1.1', 54321)`). */
  clientAddress?: IAddress;
  /** Buffered bytes above which a streaming producer is paused (default 64 KiB). */
  highWaterMark?: number;
  /** Buffered bytes at or below which it is resumed (default 16 KiB). */
  lowWaterMark?: number;
  /** Deliver at most this many bytes per `dataReceived`, to exercise a protocol's framing (default: no limit). */
  chunkSize?: number;
  /** Flush once after connecting, so greetings written in `connectionMade` arrive (default true). */
  greet?: boolean;
  /** A clock advanced by 0 on every pump, so `callLater(0, ...)` work runs between deliveries (Twisted's `clock=`). */
  clock?: { advance(seconds: number): void };
  /**
   * Run TLS from the start, as `listenSSL`/`connectSSL` would: Node TLS options for each end. TLS is
   * asynchronous in Node: drive such a connection with `await pump.settle()`.
   */
  tls?: { server: TLSOptions; client: TLSOptions };
  /** How TLS is done, for `options.tls` and for `startTLS` (default {@link nodeTLSLayer}). */
  tlsLayer?: TLSLayerFactory;
}

/** What {@link connectedServerAndClient} returns. */
export interface LoopbackConnection<S extends IProtocol, C extends IProtocol> {
  server: S;
  client: C;
  pump: IOPump;
  serverTransport: LoopbackTransport;
  clientTransport: LoopbackTransport;
}

const DEFAULT_MAX_TURNS = 10_000;

/**
 * Moves bytes between the two ends of a loopback. `pump()` makes one exchange each way; `flush()` pumps
 * until nothing moves; `settle()` also lets Node's event loop turn, for TLS.
 */
export class IOPump {
  /** The client's end. */
  client!: LoopbackTransport;
  /** The server's end. */
  server!: LoopbackTransport;
  readonly #clock: { advance(seconds: number): void } | undefined;
  #activity = 0;
  #auto: ((error: unknown) => void) | null = null;
  #scheduled = false;
  #closedWaiters: Deferred<void>[] = [];
  #error: { error: unknown } | null = null;

  /** @param clock advanced by 0 on each pump, if given */
  constructor(clock?: { advance(seconds: number): void }) {
    this.#clock = clock;
  }

  /** Both ends have been told `connectionLost`. */
  get closed(): boolean {
    return this.client.disconnected && this.server.disconnected;
  }

  /**
   * One round: pending aborts, then each end's buffered bytes to the other (unless it paused reading), then,
   * if no bytes moved, pending closes and half-closes. Returns true if anything happened.
   */
  pump(): boolean {
    this.#throwPendingError();
    this.#clock?.advance(0);
    const { client, server } = this;
    if (client.runAbort() || server.runAbort()) return true;
    let moved = client.deliverHeld();
    moved = server.deliverHeld() || moved;
    const toServer = client.takeOutgoing();
    const toClient = server.takeOutgoing();
    if (toServer) server.receive(toServer);
    if (toClient) client.receive(toClient);
    if (toServer || toClient) {
      client.pullProducer();
      server.pullProducer();
      return true;
    }
    if (moved) return true;
    const clientClosed = client.runClose();
    const serverClosed = server.runClose();
    return clientClosed || serverClosed;
  }

  /** Pumps until nothing moves. Throws if it is still moving after `maxTurns` (two protocols ping-ponging forever). */
  flush(maxTurns = DEFAULT_MAX_TURNS): void {
    for (let turn = 0; turn < maxTurns; turn++) {
      if (!this.pump()) return;
    }
    throw new Error(`IOPump.flush: still moving after ${maxTurns} turns; do the protocols answer each other forever?`);
  }

  /**
   * Flushes, lets the event loop turn, and repeats until several turns in a row bring nothing new (or both
   * ends are closed). Needed when something outside the pump produces bytes later, as Node's TLS does.
   */
  async settle(maxTurns = DEFAULT_MAX_TURNS): Promise<void> {
    const quietTurnsNeeded = 10;
    let quiet = 0;
    for (let turn = 0; turn < maxTurns; turn++) {
      const before = this.#activity;
      let moved = false;
      while (this.pump()) moved = true;
      if (this.closed) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!moved && before === this.#activity) {
        if (++quiet >= quietTurnsNeeded) return;
      } else {
        quiet = 0;
      }
    }
    throw new Error(`IOPump.settle: still moving after ${maxTurns} turns`);
  }

  /** A Deferred that fires once both ends have been told `connectionLost`. */
  whenClosed(): Deferred<void> {
    if (this.closed) return Deferred.succeed<void>(undefined);
    const d = new Deferred<void>();
    this.#closedWaiters.push(d);
    return d;
  }

  /**
   * Pumps on its own from now on (on `setImmediate`, whenever something changes). An error thrown by a
   * protocol while pumping aborts both ends and goes to `onError`.
   */
  startAutoPump(onError: (error: unknown) => void): void {
    this.#auto = onError;
    this.#schedule();
  }

  /** @internal Something changed at an end. */
  notify(): void {
    this.#activity++;
    if (this.#auto) this.#schedule();
  }

  /**
   * @internal A protocol threw while receiving outside a pump (TLS delivers from Node's events): both ends
   * are aborted and the error is rethrown by the next `pump()` (so by `flush` or `settle`), or handed to the
   * auto-pump's error handler.
   */
  protocolError(error: unknown): void {
    if (this.#auto) {
      this.#failAuto(error);
      return;
    }
    this.#error ??= { error };
    this.#abortBoth();
    this.notify();
  }

  /** @internal An end delivered `connectionLost`. */
  lost(): void {
    if (!this.closed) return;
    const waiters = this.#closedWaiters;
    this.#closedWaiters = [];
    for (const d of waiters) d.callback(undefined);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#auto) return;
      try {
        this.flush();
      } catch (error) {
        this.#failAuto(error);
      }
    });
  }

  #failAuto(error: unknown): void {
    const onError = this.#auto!;
    this.#auto = null;
    onError(error);
    this.#abortBoth();
  }

  #abortBoth(): void {
    for (const end of [this.client, this.server]) end.connectionLost(new ConnectionAborted('aborted after a protocol threw while receiving'));
  }

  #throwPendingError(): void {
    const pending = this.#error;
    if (pending === null) return;
    this.#error = null;
    throw pending.error;
  }
}

function build<P extends IProtocol>(source: ProtocolSource<P>, peer: IAddress, side: string): P {
  if (typeof source === 'function') return new source();
  if (typeof (source as IProtocol).makeConnection === 'function') return source as P;
  if (typeof (source as { buildProtocol?: unknown }).buildProtocol === 'function') {
    const protocol = (source as { buildProtocol(addr: IAddress): P | null }).buildProtocol(peer);
    if (protocol === null) throw new Error(`the ${side} factory refused the connection: buildProtocol returned null`);
    return protocol;
  }
  throw new TypeError(`the ${side} must be a protocol, a protocol class or a factory`);
}

function wire<S extends IProtocol, C extends IProtocol>(serverSource: ProtocolSource<S>, clientSource: ProtocolSource<C>, options: LoopbackOptions): LoopbackConnection<S, C> {
  const serverAddress = options.serverAddress ?? new IPv4Address('TCP', '10.0.0.1', 12345);
  const clientAddress = options.clientAddress ?? new IPv4Address('TCP', '192.168.1.1', 54321);
  const pump = new IOPump(options.clock);
  const settings: LoopbackSettings = {
    highWaterMark: options.highWaterMark ?? HIGH_WATER,
    lowWaterMark: options.lowWaterMark ?? LOW_WATER,
    chunkSize: options.chunkSize ?? Infinity,
    tlsLayer: options.tlsLayer ?? nodeTLSLayer,
    notify: () => pump.notify(),
    lost: () => pump.lost(),
    protocolError: (error) => pump.protocolError(error),
  };
  const server = build(serverSource, clientAddress, 'server');
  const client = build(clientSource, serverAddress, 'client');
  const serverTransport = new LoopbackTransport(serverAddress, clientAddress, settings);
  const clientTransport = new LoopbackTransport(clientAddress, serverAddress, settings);
  serverTransport.protocol = server;
  serverTransport.peer = clientTransport;
  clientTransport.protocol = client;
  clientTransport.peer = serverTransport;
  pump.server = serverTransport;
  pump.client = clientTransport;
  if (options.tls) {
    serverTransport.startTLS(options.tls.server, true);
    clientTransport.startTLS(options.tls.client, false);
  }
  server.makeConnection(serverTransport);
  client.makeConnection(clientTransport);
  return { server, client, pump, serverTransport, clientTransport };
}

/**
 * Connects a server and a client protocol in memory. Nothing moves until the test pumps: `pump.flush()`
 * delivers everything written so far (and the answers to it); `pump.pump()` one round at a time.
 *
 * @example
 * const { server, client, pump } = connectedServerAndClient(new EchoServer(), new EchoClient());
 * client.transport.write('hello');
 * pump.flush();
 * assert.equal(client.received, 'hello');
 */
export function connectedServerAndClient<S extends IProtocol, C extends IProtocol>(
  server: ProtocolSource<S>,
  client: ProtocolSource<C>,
  options: LoopbackOptions = {},
): LoopbackConnection<S, C> {
  const connection = wire(server, client, options);
  if (options.greet ?? true) connection.pump.flush();
  return connection;
}

/**
 * Connects a server and a client protocol in memory and lets them talk on their own (bytes move on
 * `setImmediate`). The Deferred fires once both sides have been told `connectionLost`, and fails if a
 * protocol threw while data was being delivered.
 *
 * @example
 * await loopbackAsync(new Server(), new Client());
 */
export function loopbackAsync(server: ProtocolSource<IProtocol>, client: ProtocolSource<IProtocol>, options: LoopbackOptions = {}): Deferred<void> {
  const { pump } = wire(server, client, options);
  const done = new Deferred<void>();
  pump.whenClosed().addCallback(() => {
    if (!done.called) done.callback(undefined);
  });
  pump.startAutoPump((error) => {
    if (!done.called) done.errback(error);
  });
  return done;
}
