/**
 * Data connections, for the server and the client alike: the protocol that carries one transfer, the
 * factory that accepts it on a passive port from the one allowed address, and the one that dials it
 * (active mode on the server, passive on the client). They go through the reactor's `listenTCP` and
 * `connectTCP`, never a socket of their own.
 * @module
 */
import { Deferred, Failure } from '../defer/index.js';
import { ClientFactory, ConnectionDone, Factory, Protocol, readIntoBuffer, writesFromBuffer } from '../internet/index.js';
import type { IAddress, IConnector, IConsumer, IDelayedCall, IListeningPort, IPullProducer, IPushProducer, IReactorTCP, IReactorTime, ITCPTransport, ITLSTransport, IWriteFromBuffer, TLSOptions } from '../internet/interfaces.js';
import { Logger } from '../logger/index.js';
import { normalizeHost } from './address.js';
import { FTPDataConnectionError, FTPTimeoutError } from './errors.js';

const log = new Logger({ namespace: 'torsion.ftp' });

/** The write-buffer high-water mark of data connections, in bytes. */
const DATA_HIGH_WATER = 1024 * 1024;

/** How a data connection is protected: TLS options and side, or nothing (`PROT C`). */
export interface DataTLS {
  readonly options: TLSOptions;
  readonly asServer: boolean;
}

/**
 * One data connection. Bytes received go to the sink set by `receive` (held, with the transport paused,
 * until there is one); `closed` fires on a clean close and fails with `FTPDataConnectionError` on a reset.
 * Writing goes straight to the transport; the stall timer notices a transfer that stops moving.
 */
export class DataConnection extends Protocol<ITCPTransport> implements IConsumer, IWriteFromBuffer {
  /** Fires with this connection once it is open (and TLS, if any, is started). */
  readonly opened = new Deferred<DataConnection>();
  #closed: Failure | true | null = null;
  #closeWaiters: Array<Deferred<void>> = [];
  /** Bytes received and sent so far. */
  bytes = 0;
  #sink: ((data: Uint8Array, borrowed: boolean) => void) | null = null;
  /** Reads land in the buffer given to `receive`: what the sink gets is a view valid during the call only. */
  #borrowing = false;
  #held: Uint8Array[] = [];
  #stall: IDelayedCall | null = null;
  #stallArgs: [IReactorTime, number, () => void] | null = null;
  #lastActivity = 0;

  constructor(readonly tls: DataTLS | null) {
    super();
  }

  override connectionMade(): void {
    // Bulk data: a deeper write buffer than a chatty protocol's means fewer pauses of the file reader.
    this.transport.setWriteBufferLimits?.(DATA_HIGH_WATER, DATA_HIGH_WATER / 4);
    if (this.tls !== null) (this.transport as unknown as ITLSTransport).startTLS(this.tls.options, this.tls.asServer);
    if (this.#sink === null) this.transport.pauseProducing();
    this.opened.callback(this);
  }

  override dataReceived(data: Uint8Array): void {
    this.bytes += data.length;
    this.#touch();
    if (this.#sink !== null) this.#sink(data, this.#borrowing);
    else this.#held.push(data);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#stopStall();
    if (!this.opened.called) this.opened.errback(new FTPDataConnectionError('the data connection closed before it opened'));
    this.#closed = reason.check(ConnectionDone) ? true : new Failure(new FTPDataConnectionError(`the data connection broke: ${reason.getErrorMessage()}`));
    for (const d of this.#closeWaiters.splice(0)) this.#fire(d);
  }

  /**
   * A Deferred that fires once the connection is closed cleanly and fails (`FTPDataConnectionError`) if
   * it broke. A new one per call, so a close nobody waits for is no unhandled error.
   */
  whenClosed(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#closed === null) this.#closeWaiters.push(d);
    else this.#fire(d);
    return d;
  }

  #fire(d: Deferred<void>): void {
    if (this.#closed === true) d.callback(undefined);
    else if (this.#closed !== null) d.errback(this.#closed);
  }

  /**
   * Sends what is received to `sink`, starting with what was held. With `readBuffer`, the transport reads
   * into it from then on where it can (see `IReadBuffer`): the sink is then told its data is `borrowed`, a
   * view of that buffer valid only until the sink returns.
   */
  receive(sink: (data: Uint8Array, borrowed: boolean) => void, readBuffer?: Uint8Array): void {
    this.#sink = sink;
    const held = this.#held;
    this.#held = [];
    for (const chunk of held) sink(chunk, false);
    if (!this.connected) return;
    if (readBuffer !== undefined) this.#borrowing = readIntoBuffer(this.transport, readBuffer);
    this.transport.resumeProducing();
  }

  /**
   * Calls `onStall` once nothing moved for `seconds` on `clock` (a peer that stopped reading or sending);
   * every chunk either way resets it. 0 turns it off.
   */
  watchStall(clock: IReactorTime, seconds: number, onStall: () => void): void {
    if (seconds <= 0) return;
    this.#stallArgs = [clock, seconds, onStall];
    this.#touch();
  }

  #stopStall(): void {
    if (this.#stall?.active()) this.#stall.cancel();
    this.#stall = null;
    this.#stallArgs = null;
  }

  /** Notes activity: one clock read per chunk; the timer itself moves only when it fires. */
  #touch(): void {
    if (this.#stallArgs === null || !this.connected) return;
    const [clock, seconds, onStall] = this.#stallArgs;
    this.#lastActivity = clock.seconds();
    if (this.#stall?.active()) return;
    const check = (): void => {
      const idle = clock.seconds() - this.#lastActivity;
      if (idle >= seconds) onStall();
      else this.#stall = clock.callLater(seconds - idle, check);
    };
    this.#stall = clock.callLater(seconds, check);
  }

  write(data: Uint8Array | string): void {
    this.bytes += data.length;
    this.#touch();
    this.transport.write(data);
  }

  /**
   * Writes from a buffer the sender reuses (see `IWriteFromBuffer`): true when it may be reused at once,
   * false when the transport holds it until its registered producer is resumed. A transport that cannot
   * lend gets a copy.
   */
  writeFromBuffer(data: Uint8Array): boolean {
    this.bytes += data.length;
    this.#touch();
    if (writesFromBuffer(this.transport)) return this.transport.writeFromBuffer(data);
    this.transport.write(data.slice());
    return true;
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.transport.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.transport.unregisterProducer();
  }

  /** Closes after what was written has been sent (end of a download or an upload). */
  finish(): void {
    this.#stopStall();
    if (this.connected) this.transport.loseConnection();
  }

  /** Drops the connection at once (ABOR, a stall, an error). */
  abort(): void {
    this.#stopStall();
    if (this.connected) this.transport.abortConnection();
  }
}

/**
 * Accepts one data connection on a passive port, from `allowedHost` only: a connection from anywhere else
 * is refused (closed before any byte moves) and logged, and the port keeps waiting for the right peer.
 * That refusal is what stops a third party from stealing a transfer by racing the client to the port.
 */
export class PassiveDataFactory extends Factory<DataConnection> {
  readonly connection = new Deferred<DataConnection>();
  port: IListeningPort | null = null;
  #taken = false;

  constructor(
    readonly allowedHost: string,
    readonly tls: () => DataTLS | null,
  ) {
    super();
  }

  override buildProtocol(addr: IAddress): DataConnection | null {
    const host = normalizeHost((addr as { host?: string }).host ?? '');
    if (host !== normalizeHost(this.allowedHost)) {
      log.warn('refused a data connection from {host}: the control connection is from {allowed}', { host, allowed: this.allowedHost });
      return null;
    }
    if (this.#taken) return null;
    this.#taken = true;
    const p = new DataConnection(this.tls());
    p.opened.addCallbacks(
      (c) => {
        this.connection.callback(c);
        return c;
      },
      (f) => {
        this.connection.errback(f);
        return null;
      },
    );
    this.close();
    return p;
  }

  /** Stops listening (once accepted, or when the transfer is given up). */
  close(): void {
    const port = this.port;
    this.port = null;
    port?.stopListening();
  }
}

/** Listens on the first free port of `range` (or any port for null) on `iface`. */
export function listenPassive(reactor: IReactorTCP, factory: PassiveDataFactory, iface: string | undefined, range: readonly [number, number] | null): IListeningPort {
  if (range === null) return reactor.listenTCP(0, factory, { interface: iface });
  const [low, high] = range;
  const count = high - low + 1;
  const start = Math.floor(Math.random() * count);
  let last: unknown;
  for (let i = 0; i < count; i++) {
    try {
      return reactor.listenTCP(low + ((start + i) % count), factory, { interface: iface });
    } catch (e) {
      last = e;
    }
  }
  throw new FTPDataConnectionError(`no free port in the passive range ${low}-${high}: ${String((last as Error)?.message ?? last)}`);
}

/** Dials one data connection (`connectTCP`); `connection` fails if the attempt does. */
export class ActiveDataFactory extends ClientFactory<DataConnection> {
  readonly connection = new Deferred<DataConnection>();

  constructor(readonly tls: () => DataTLS | null) {
    super();
  }

  override buildProtocol(): DataConnection {
    const p = new DataConnection(this.tls());
    p.opened.addCallbacks(
      (c) => {
        if (!this.connection.called) this.connection.callback(c);
        return c;
      },
      () => null,
    );
    return p;
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.connection.called) this.connection.errback(new FTPDataConnectionError(`could not open the data connection: ${reason.getErrorMessage()}`));
  }
}

/** `d`, failed with `FTPTimeoutError(message)` unless it fires within `seconds` on `clock` (0: no limit). */
export function withTimeout<T>(d: Deferred<T>, clock: IReactorTime, seconds: number, message: string): Deferred<T> {
  if (seconds <= 0 || d.called) return d;
  const out = new Deferred<T>();
  const timer = clock.callLater(seconds, () => out.errback(new FTPTimeoutError(message)));
  d.addCallbacks(
    (v) => {
      if (timer.active()) {
        timer.cancel();
        out.callback(v);
      }
      return v;
    },
    (f) => {
      if (timer.active()) {
        timer.cancel();
        out.errback(f);
      }
      return null;
    },
  );
  return out;
}
