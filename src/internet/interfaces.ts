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
  /** Writes the chunks in order, as one batch: one system call where the transport has one (see {@link IWriteBatching}). */
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

/** The marks of a transport's write buffer, in bytes (64 KiB / 16 KiB by default, as asyncio's). */
export interface WriteBufferLimits {
  /** A registered streaming producer is paused once the buffer holds more than this. */
  readonly high: number;
  /** ... and resumed once it is back at or below this. */
  readonly low: number;
}

/**
 * The write buffer, as a protocol sees it (asyncio's `get_write_buffer_size` / `set_write_buffer_limits`).
 * How full it is can be read at any time; being told when it fills and drains is producer registration
 * (`IConsumer.registerProducer` with a push producer), which every transport honours with these marks.
 */
export interface IWriteBuffer {
  /** Bytes written and not yet handed to the system or the peer (corked bytes included). */
  getWriteBufferSize(): number;
  /**
   * Sets the marks: a registered push producer is paused above `high` and resumed at or below `low`.
   * `low` defaults to a quarter of `high`; leaving both out restores 64 KiB / 16 KiB. Throws `RangeError`
   * unless `0 <= low <= high`.
   */
  setWriteBufferLimits(high?: number, low?: number): void;
  /** The marks in force. */
  getWriteBufferLimits(): WriteBufferLimits;
}

/**
 * Batching: writes made between `cork()` and the matching `uncork()` are held and leave together, in one
 * system call (Node's `writable.cork`, then one `writev`). Calls nest; the last `uncork` sends.
 * `writeSequence` is the one-call form of the same thing. A transport with no system calls to save (the
 * testing loopback) may let them through at once.
 */
export interface IWriteBatching {
  cork(): void;
  uncork(): void;
}

/**
 * Reading into one buffer the protocol owns, reused for every read (Node's `onread`): nothing is allocated
 * per read, which matters to a bulk receiver (an FTP upload written straight to disk), whose fresh buffer per
 * read otherwise costs more than the copy itself (memory faulted in, then collected). From the call on,
 * `dataReceived` gets views of `buffer` that are valid only until it returns: whatever is kept past that is
 * copied first. Ask through `readIntoBuffer(transport, buffer)` (capabilities), false for a transport without it.
 */
export interface IReadBuffer {
  /**
   * Reads into `buffer` from now on, for the rest of the connection. Bytes already read and not yet
   * delivered (while paused) are delivered during the call, as buffers of their own. False, with nothing
   * changed, where it cannot: TLS (what is read is not what is delivered), or a runtime without the means.
   */
  readIntoBuffer(buffer: Uint8Array): boolean;
}

/**
 * Writing from one buffer the protocol owns and reuses (a bulk sender reading a file into it), so that
 * sending allocates nothing per chunk. The transport says whether it is done with the buffer when the call
 * returns (the system took every byte: the common case on a connection keeping up) or still holds it,
 * which it then does until its write buffer drains. Ask through `writesFromBuffer(transport)` (capabilities).
 */
export interface IWriteFromBuffer {
  /**
   * Writes `data` as `write` does. True: the transport no longer holds `data`, which may be reused at once.
   * False: it holds `data` until its write buffer has drained, and pauses a registered streaming producer
   * until then (it resumes it after); `data` must not change meanwhile.
   */
  writeFromBuffer(data: Uint8Array): boolean;
}

/**
 * A stream transport: also a consumer (for producers writing into it), a push producer (for what it reads),
 * with a visible write buffer and batching. Every stream transport Torsion has is one.
 */
export interface IStreamTransport extends ITransport, IConsumer, IPushProducer, IWriteBuffer, IWriteBatching {}

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

/**
 * The TLS marker (Twisted's `ISSLTransport`): what a protocol may know about the TLS under it. TLS
 * connections, STARTTLS ones, the TLS wrapper and TLS over the testing loopback all provide it; ask it
 * through `isSecure(transport)`, which is false for a transport without it.
 */
export interface ISSLTransport {
  /** True once TLS protects what is written: from the start for TLS, from the `startTLS` call for STARTTLS. */
  isSecure(): boolean;
  /** The peer's certificate (Node's `PeerCertificate` shape) once the handshake is done, else null. */
  getPeerCertificate(): unknown;
  /** The ALPN protocol agreed on, or null. */
  readonly negotiatedProtocol: string | null;
}

/** Node's TLS options (`key`, `cert`, `ca`, `servername`, `ALPNProtocols`, ...), kept structural here. */
export type TLSOptions = Record<string, unknown>;

/** A connection that can switch to TLS mid-stream (STARTTLS). */
export interface ITLSTransport extends ITCPTransport, ISSLTransport {
  /**
   * Starts TLS: data written before stays before, data written after is encrypted; nothing more is delivered
   * in the clear. `received`: bytes already delivered that belong to TLS (the peer's hello, sent in the same
   * chunk as the command), fed to TLS before anything read later.
   */
  startTLS(options: TLSOptions, asServer?: boolean, received?: Uint8Array): void;
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

/**
 * The transport of a child process, as a `ProcessProtocol` sees it. Writing goes to the child's stdin, so
 * the consumer, the write buffer and batching are stdin's; as a push producer it pauses reading the child's
 * output.
 */
export interface IProcessTransport extends IConsumer, IPushProducer, IWriteBuffer, IWriteBatching {
  readonly pid: number | undefined;
  /** Writes to the child's stdin. */
  write(data: Data): void;
  /** Writes the chunks to the child's stdin in one batch. */
  writeSequence(data: readonly Data[]): void;
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
  listenUDP(port: number, protocol: IDatagramProtocol, options?: { interface?: string; maxPacketSize?: number; reportSendErrors?: boolean }): IListeningPort & IUDPTransport;
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
