/**
 * The roles of `torsion/internet`, one small interface each (Twisted's `internet/interfaces.py`).
 * Implementations depend on these, not on each other; fakes implement only the roles they need.
 * Type-only: this file emits no code.
 * @module
 */
import type { Deferred, Failure } from '../defer/index.js';
import type { IReactorTime } from '../time/interfaces.js';

/** Bytes as transports carry them. Node hands `Buffer`s, which are `Uint8Array`s. Strings are written as UTF-8. */
export type Data = Uint8Array | string;

// ---------------------------------------------------------------- addresses

/** An endpoint address: see the classes in `address.ts`. */
export interface IAddress {
  readonly type: 'TCP' | 'UDP' | 'UNIX' | 'PROCESS' | 'MEMORY' | 'PIPE' | 'WEBSOCKET';
}

// ---------------------------------------------------------------- time

export type { IDelayedCall, IReactorTime } from '../time/interfaces.js';

// ---------------------------------------------------------------- core

export type SystemEventPhase = 'before' | 'during' | 'after';
export type SystemEvent = 'startup' | 'shutdown';

/** Starting, stopping and lifecycle triggers. */
export interface IReactorCore {
  readonly running: boolean;
  /** Starts the reactor; the Promise resolves once it has stopped. */
  run(): Promise<void>;
  /** Stops the reactor: runs the shutdown triggers ('before' triggers may return Deferreds that delay it). */
  stop(): void;
  /** Runs `fn` once the reactor is running (at once if it already is). */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): unknown;
  /** Adds a lifecycle trigger; returns an id for `removeSystemEventTrigger`. */
  addSystemEventTrigger(phase: SystemEventPhase, event: SystemEvent, fn: () => unknown): unknown;
  removeSystemEventTrigger(id: unknown): void;
}

// ---------------------------------------------------------------- producers and consumers

/** Something that produces data for a consumer. */
export interface IProducer {
  /** Stops for good: the consumer is going away. */
  stopProducing(): void;
}

/** A producer that writes on its own until paused (a socket, a stream). */
export interface IPushProducer extends IProducer {
  pauseProducing(): void;
  resumeProducing(): void;
}

/** A producer that writes one chunk each time it is asked (`resumeProducing`). */
export interface IPullProducer extends IProducer {
  resumeProducing(): void;
}

/** Something data is written into, which tells a producer when to pause and resume (backpressure). */
export interface IConsumer {
  /** `streaming` true for an `IPushProducer`, false for an `IPullProducer`. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  unregisterProducer(): void;
  write(data: Data): void;
}

// ---------------------------------------------------------------- transports

/** A stream connection as a protocol sees it. */
export interface ITransport {
  write(data: Data): void;
  writeSequence(data: readonly Data[]): void;
  /** Closes after everything written so far has been sent. */
  loseConnection(): void;
  /** The remote address. */
  getPeer(): IAddress;
  /** The local address. */
  getHost(): IAddress;
  /** True once `loseConnection` (or an abort) has been asked for. */
  readonly disconnecting: boolean;
}

/** A stream transport that is also a consumer (for producers writing into it) and a push producer (for reading). */
export interface IStreamTransport extends ITransport, IConsumer, IPushProducer {}

/** A TCP (or Unix, or TLS) connection. */
export interface ITCPTransport extends IStreamTransport {
  /** Closes at once, dropping anything not yet sent. */
  abortConnection(): void;
  /** Half-close: sends FIN, keeps reading. */
  loseWriteConnection(): void;
  setTcpNoDelay(enabled: boolean): void;
  getTcpNoDelay(): boolean;
  setTcpKeepAlive(enabled: boolean, initialDelaySeconds?: number): void;
  getTcpKeepAlive(): boolean;
}

/** Node's TLS options (`key`, `cert`, `ca`, `servername`, `ALPNProtocols`, ...), kept structural here. */
export type TLSOptions = Record<string, unknown>;

/** A connection that can switch to TLS mid-stream (STARTTLS). */
export interface ITLSTransport extends ITCPTransport {
  /**
   * Starts TLS: data written before stays before, data written after is encrypted; nothing more is delivered
   * in the clear. `received`: bytes already delivered that belong to TLS (the peer's hello, sent in the same
   * chunk as the command), fed to TLS before anything read later.
   */
  startTLS(options: TLSOptions, asServer?: boolean, received?: Uint8Array): void;
  /** The peer's certificate (Node's `PeerCertificate` shape), once the handshake is done. */
  getPeerCertificate(): unknown;
  /** The ALPN protocol agreed on, if any. */
  readonly negotiatedProtocol?: string | null;
}

/** A datagram socket as a `DatagramProtocol` sees it. */
export interface IUDPTransport {
  write(data: Data, addr?: { host: string; port: number }): void;
  /** Connected UDP: only this peer is heard and `write` needs no address. */
  connect(host: string, port: number): void;
  getHost(): IAddress;
  stopListening(): Deferred<void>;
  setBroadcastAllowed(enabled: boolean): void;
}

/** A multicast-capable datagram socket. */
export interface IMulticastTransport extends IUDPTransport {
  joinGroup(address: string, iface?: string): Deferred<void>;
  leaveGroup(address: string, iface?: string): Deferred<void>;
  setTTL(ttl: number): void;
  setLoopbackMode(enabled: boolean): void;
  setOutgoingInterface(iface: string): Deferred<void>;
}

/** The transport of a child process, as a `ProcessProtocol` sees it. */
export interface IProcessTransport {
  readonly pid: number | undefined;
  /** Writes to the child's stdin. */
  write(data: Data): void;
  writeToChild(fd: number, data: Data): void;
  closeStdin(): void;
  closeChildFD(fd: number): void;
  /** Sends a signal: 'TERM', 'KILL', 'INT', 'HUP', ... or a number. */
  signalProcess(signal: string | number): void;
  loseConnection(): void;
}

// ---------------------------------------------------------------- protocols and factories

/** The protocol side of a stream connection: `makeConnection -> connectionMade -> dataReceived* -> connectionLost`. */
export interface IProtocol {
  makeConnection(transport: ITransport): void;
  connectionMade(): void;
  dataReceived(data: Uint8Array): void;
  /** `reason` wraps `ConnectionDone` for a clean close, `ConnectionLost` (or a more precise error) otherwise. */
  connectionLost(reason: Failure): void;
}

/** A protocol that wants half-close: told when the peer stops sending, and when its own writing side closes. */
export interface IHalfCloseableProtocol extends IProtocol {
  readConnectionLost(): void;
  writeConnectionLost(): void;
}

/** Builds a protocol for each connection. */
export interface IProtocolFactory {
  /** Returns a protocol for a new connection from/to `addr`, or null to refuse it. */
  buildProtocol(addr: IAddress): IProtocol | null;
  /** Called when the first port/connector using this factory starts. */
  doStart(): void;
  /** Called when the last one stops. */
  doStop(): void;
}

/** A factory for outgoing connections, told how they went. */
export interface IClientFactory extends IProtocolFactory {
  startedConnecting(connector: IConnector): void;
  clientConnectionFailed(connector: IConnector, reason: Failure): void;
  clientConnectionLost(connector: IConnector, reason: Failure): void;
}

/** A listening socket. */
export interface IListeningPort {
  /** Stops accepting; fires once the socket is closed. */
  stopListening(): Deferred<void>;
  getHost(): IAddress;
}

/** An outgoing connection attempt (and its reconnections). */
export interface IConnector {
  /** Stops an attempt in progress. */
  stopConnecting(): void;
  /** Drops the connection, or stops the attempt in progress. */
  disconnect(): void;
  /** (Re)starts connecting. */
  connect(): void;
  getDestination(): IAddress;
}

// ---------------------------------------------------------------- reactor roles

export interface ListenOptions {
  backlog?: number;
  /** The address to bind, `'127.0.0.1'`, `'::1'`, `'::'`; default all IPv4 and IPv6 addresses. */
  interface?: string;
}

export interface ConnectOptions {
  /** Seconds before giving up on connecting (default 30). */
  timeout?: number;
  bindAddress?: { host: string; port?: number };
}

export interface IReactorTCP {
  listenTCP(port: number, factory: IProtocolFactory, options?: ListenOptions): IListeningPort;
  connectTCP(host: string, port: number, factory: IClientFactory, options?: ConnectOptions): IConnector;
}

export interface IReactorSSL {
  listenSSL(port: number, factory: IProtocolFactory, tlsOptions: TLSOptions, options?: ListenOptions): IListeningPort;
  connectSSL(host: string, port: number, factory: IClientFactory, tlsOptions: TLSOptions, options?: ConnectOptions): IConnector;
}

export interface IReactorUNIX {
  listenUNIX(path: string, factory: IProtocolFactory, options?: { backlog?: number; mode?: number; wantPID?: boolean }): IListeningPort;
  connectUNIX(path: string, factory: IClientFactory, options?: { timeout?: number; checkPID?: boolean }): IConnector;
}

/** The datagram side: `datagramReceived(data, addr)`. */
export interface IDatagramProtocol {
  makeConnection(transport: IUDPTransport): void;
  startProtocol(): void;
  stopProtocol(): void;
  datagramReceived(data: Uint8Array, addr: { host: string; port: number }): void;
  /** Connected UDP: the peer's port was unreachable (ICMP). */
  connectionRefused(): void;
}

export interface IReactorUDP {
  listenUDP(port: number, protocol: IDatagramProtocol, options?: { interface?: string; maxPacketSize?: number }): IListeningPort & IUDPTransport;
}

export interface IReactorMulticast {
  listenMulticast(port: number, protocol: IDatagramProtocol, options?: { interface?: string; listenMultiple?: boolean; maxPacketSize?: number }): IListeningPort & IMulticastTransport;
}

/** The protocol of a child process. */
export interface IProcessProtocol {
  makeConnection(transport: IProcessTransport): void;
  childDataReceived(fd: number, data: Uint8Array): void;
  childConnectionLost(fd: number): void;
  /** The process exited (its pipes may still be open). */
  processExited(reason: Failure): void;
  /** The process exited and all its pipes closed: `ProcessDone` or `ProcessTerminated`. */
  processEnded(reason: Failure): void;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Working directory. */
  path?: string;
  uid?: number;
  gid?: number;
  /** Map of child fd to 'r' (the parent reads what the child writes), 'w' (the parent writes, the child reads) or a parent fd number to hand over, as Twisted. Default {0:'w',1:'r',2:'r'}. */
  childFDs?: Record<number, 'r' | 'w' | number>;
}

export interface IReactorProcess {
  /** `args[0]` is the program's name, as in Twisted. */
  spawnProcess(protocol: IProcessProtocol, executable: string, args: readonly string[], options?: SpawnOptions): IProcessTransport;
}

export interface IReactorThreads {
  /** Runs `fn` on the reactor's loop (safe to call from anywhere on the main thread). */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void;
  getThreadPool(): unknown;
  suggestThreadPoolSize(size: number): void;
}

/** Everything the default Node reactor is. */
export interface IReactor
  extends IReactorTime, IReactorCore, IReactorTCP, IReactorSSL, IReactorUNIX, IReactorUDP, IReactorMulticast, IReactorProcess, IReactorThreads {}
