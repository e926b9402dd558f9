/**
 * `MemoryReactor`: a reactor that records every listen and connect call instead of touching the network
 * (Twisted's `twisted.internet.testing.MemoryReactor`, with `MemoryReactorClock`'s time). Code that takes a
 * reactor is tested by handing it one and looking at what it asked for.
 * @module
 */
import { UNIXAddress, ipAddress } from '../internet/address.js';
import type {
  ConnectOptions,
  IClientFactory,
  IDatagramProtocol,
  IProtocolFactory,
  IReactorCore,
  IReactorMulticast,
  IReactorSSL,
  IReactorTCP,
  IReactorTime,
  IReactorUDP,
  IReactorUNIX,
  ListenOptions,
  SystemEvent,
  SystemEventPhase,
  TLSOptions,
} from '../internet/interfaces.js';
import { Clock } from './clock.js';
import { MemoryConnector, MemoryListeningPort } from './memory-ports.js';
import { MemoryDatagramPort } from './memory-udp.js';
import { TorsionError } from '../errors/index.js';

/** A recorded `listenTCP` call. */
export interface TCPServerRecord {
  port: number;
  factory: IProtocolFactory;
  backlog: number | undefined;
  interface: string | undefined;
  listeningPort: MemoryListeningPort;
}

/** A recorded `connectTCP` call. */
export interface TCPClientRecord {
  host: string;
  port: number;
  factory: IClientFactory;
  timeout: number | undefined;
  bindAddress: { host: string; port?: number } | undefined;
  connector: MemoryConnector;
}

/** A recorded `listenSSL` call. */
export interface SSLServerRecord extends TCPServerRecord {
  tlsOptions: TLSOptions;
}

/** A recorded `connectSSL` call. */
export interface SSLClientRecord extends TCPClientRecord {
  tlsOptions: TLSOptions;
}

/** A recorded `listenUNIX` call. */
export interface UNIXServerRecord {
  path: string;
  factory: IProtocolFactory;
  backlog: number | undefined;
  mode: number | undefined;
  wantPID: boolean | undefined;
  listeningPort: MemoryListeningPort;
}

/** A recorded `connectUNIX` call. */
export interface UNIXClientRecord {
  path: string;
  factory: IClientFactory;
  timeout: number | undefined;
  checkPID: boolean | undefined;
  connector: MemoryConnector;
}

/** A recorded `listenUDP` or `listenMulticast` call. */
export interface UDPRecord {
  port: number;
  protocol: IDatagramProtocol;
  interface: string | undefined;
  maxPacketSize: number | undefined;
  /** Only for `listenMulticast`. */
  listenMultiple: boolean | undefined;
  transport: MemoryDatagramPort;
}

interface Trigger {
  phase: SystemEventPhase;
  event: SystemEvent;
  fn: () => unknown;
}

/** `stop()` on a reactor that is not running. */
export class ReactorNotRunningError extends TorsionError {
  override readonly code: string = 'TORSION_TESTING_REACTOR_NOT_RUNNING';
  override name = 'ReactorNotRunning';
  constructor() {
    super("Can't stop reactor that isn't running.");
  }
}

/**
 * Records listens and connects (TCP, SSL, UNIX, UDP, multicast), with a fake clock for time.
 *
 * @example
 * const reactor = new MemoryReactor();
 * const service = new EchoService({ reactor, port: 7 });
 * service.start();
 * assert.equal(reactor.tcpServers[0].port, 7);
 * const { client, pump } = reactor.tcpServers[0].listeningPort.connect(new EchoClient());
 */
export class MemoryReactor implements IReactorTime, IReactorCore, IReactorTCP, IReactorSSL, IReactorUNIX, IReactorUDP, IReactorMulticast {
  /** The fake clock behind `callLater`, `seconds` and `advance`. */
  readonly clock = new Clock();
  readonly tcpServers: TCPServerRecord[] = [];
  readonly tcpClients: TCPClientRecord[] = [];
  readonly sslServers: SSLServerRecord[] = [];
  readonly sslClients: SSLClientRecord[] = [];
  readonly unixServers: UNIXServerRecord[] = [];
  readonly unixClients: UNIXClientRecord[] = [];
  readonly udpPorts: UDPRecord[] = [];
  readonly multicastPorts: UDPRecord[] = [];
  /** Every connector handed out, in order. */
  readonly connectors: MemoryConnector[] = [];
  running = false;
  /** True once `run()` was called. */
  hasRun = false;
  /** True once `stop()` was called. */
  hasStopped = false;
  #nextEphemeralPort = 50000;
  #triggers = new Map<number, Trigger>();
  #nextTriggerId = 1;
  #whenRunning: Array<() => void> = [];
  #stopped: (() => void) | null = null;

  // ------------------------------------------------------------ time

  callLater<A extends unknown[]>(seconds: number, fn: (...args: A) => unknown, ...args: A): ReturnType<Clock['callLater']> {
    return this.clock.callLater(seconds, fn, ...args);
  }

  seconds(): number {
    return this.clock.seconds();
  }

  getDelayedCalls(): ReturnType<Clock['getDelayedCalls']> {
    return this.clock.getDelayedCalls();
  }

  /** Advances the fake clock (see {@link Clock.advance}). */
  advance(seconds: number): void {
    this.clock.advance(seconds);
  }

  // ------------------------------------------------------------ TCP, SSL, UNIX

  /** Records the call; port 0 gets a fake ephemeral port (50000 up) so `getHost()` looks bound. */
  listenTCP(port: number, factory: IProtocolFactory, options: ListenOptions = {}): MemoryListeningPort {
    const listeningPort = new MemoryListeningPort(factory, ipAddress('TCP', options.interface ?? '0.0.0.0', this.#bindPort(port)));
    this.tcpServers.push({ port, factory, backlog: options.backlog, interface: options.interface, listeningPort });
    return listeningPort;
  }

  /** Records the call and returns a connector in the `connecting` state, waiting for the test to `succeed()` or `fail()` it. */
  connectTCP(host: string, port: number, factory: IClientFactory, options: ConnectOptions = {}): MemoryConnector {
    const connector = this.#connector(factory, ipAddress('TCP', host, port), null);
    this.tcpClients.push({ host, port, factory, timeout: options.timeout, bindAddress: options.bindAddress, connector });
    return connector;
  }

  listenSSL(port: number, factory: IProtocolFactory, tlsOptions: TLSOptions, options: ListenOptions = {}): MemoryListeningPort {
    const listeningPort = new MemoryListeningPort(factory, ipAddress('TCP', options.interface ?? '0.0.0.0', this.#bindPort(port)), tlsOptions);
    this.sslServers.push({ port, factory, tlsOptions, backlog: options.backlog, interface: options.interface, listeningPort });
    return listeningPort;
  }

  connectSSL(host: string, port: number, factory: IClientFactory, tlsOptions: TLSOptions, options: ConnectOptions = {}): MemoryConnector {
    const connector = this.#connector(factory, ipAddress('TCP', host, port), tlsOptions);
    this.sslClients.push({ host, port, factory, tlsOptions, timeout: options.timeout, bindAddress: options.bindAddress, connector });
    return connector;
  }

  listenUNIX(path: string, factory: IProtocolFactory, options: { backlog?: number; mode?: number; wantPID?: boolean } = {}): MemoryListeningPort {
    const listeningPort = new MemoryListeningPort(factory, new UNIXAddress(path));
    this.unixServers.push({ path, factory, backlog: options.backlog, mode: options.mode, wantPID: options.wantPID, listeningPort });
    return listeningPort;
  }

  connectUNIX(path: string, factory: IClientFactory, options: { timeout?: number; checkPID?: boolean } = {}): MemoryConnector {
    const connector = this.#connector(factory, new UNIXAddress(path), null);
    this.unixClients.push({ path, factory, timeout: options.timeout, checkPID: options.checkPID, connector });
    return connector;
  }

  // ------------------------------------------------------------ UDP and multicast

  /** Records the call and returns a fake port already connected to `protocol` (`deliver` datagrams to it). */
  listenUDP(port: number, protocol: IDatagramProtocol, options: { interface?: string; maxPacketSize?: number; reportSendErrors?: boolean } = {}): MemoryDatagramPort {
    const transport = new MemoryDatagramPort(protocol, options.interface ?? '0.0.0.0', this.#bindPort(port));
    this.udpPorts.push({ port, protocol, interface: options.interface, maxPacketSize: options.maxPacketSize, listenMultiple: undefined, transport });
    return transport;
  }

  listenMulticast(port: number, protocol: IDatagramProtocol, options: { interface?: string; listenMultiple?: boolean; maxPacketSize?: number } = {}): MemoryDatagramPort {
    const transport = new MemoryDatagramPort(protocol, options.interface ?? '0.0.0.0', this.#bindPort(port));
    this.multicastPorts.push({ port, protocol, interface: options.interface, maxPacketSize: options.maxPacketSize, listenMultiple: options.listenMultiple, transport });
    return transport;
  }

  // ------------------------------------------------------------ core

  /**
   * Runs the startup triggers ('before', 'during', 'after') and the `callWhenRunning` calls, synchronously;
   * the Promise resolves once `stop()` has run the shutdown triggers.
   */
  run(): Promise<void> {
    if (this.running) throw new Error('the reactor is already running');
    this.running = true;
    this.hasRun = true;
    const stopped = new Promise<void>((resolve) => {
      this.#stopped = resolve;
    });
    for (const phase of ['before', 'during', 'after'] as const) this.#fire(phase, 'startup');
    const hooks = this.#whenRunning;
    this.#whenRunning = [];
    for (const hook of hooks) hook();
    return stopped;
  }

  /**
   * Stops: runs the 'before' shutdown triggers, waits for any Deferred or Promise they return, then the
   * 'during' and 'after' ones, then resolves `run()`'s Promise.
   */
  stop(): void {
    if (!this.running) throw new ReactorNotRunningError();
    this.running = false;
    this.hasStopped = true;
    const waits = this.#fire('before', 'shutdown');
    void Promise.allSettled(waits).then(() => {
      this.#fire('during', 'shutdown');
      this.#fire('after', 'shutdown');
      this.#stopped?.();
      this.#stopped = null;
    });
  }

  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (this.running) fn(...args);
    else this.#whenRunning.push(() => fn(...args));
  }

  addSystemEventTrigger(phase: SystemEventPhase, event: SystemEvent, fn: () => unknown): number {
    const id = this.#nextTriggerId++;
    this.#triggers.set(id, { phase, event, fn });
    return id;
  }

  removeSystemEventTrigger(id: unknown): void {
    if (!this.#triggers.delete(id as number)) throw new Error(`no system event trigger with id ${String(id)}`);
  }

  /** The triggers registered for `phase` and `event`, in order. */
  getTriggers(phase: SystemEventPhase, event: SystemEvent): Array<() => unknown> {
    return [...this.#triggers.values()].filter((t) => t.phase === phase && t.event === event).map((t) => t.fn);
  }

  #fire(phase: SystemEventPhase, event: SystemEvent): PromiseLike<unknown>[] {
    const waits: PromiseLike<unknown>[] = [];
    for (const fn of this.getTriggers(phase, event)) {
      const result = fn();
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') waits.push(result as PromiseLike<unknown>);
    }
    return waits;
  }

  #connector(factory: IClientFactory, destination: ConstructorParameters<typeof MemoryConnector>[1], tlsOptions: TLSOptions | null): MemoryConnector {
    const connector = new MemoryConnector(factory, destination, tlsOptions);
    this.connectors.push(connector);
    connector.connect();
    return connector;
  }

  #bindPort(port: number): number {
    return port === 0 ? this.#nextEphemeralPort++ : port;
  }
}

