/**
 * `ThrottlingFactory`: bandwidth and connection limits for any factory (Twisted's `policies.ThrottlingFactory`).
 * Browser-safe; time comes from an injectable clock.
 * @module
 */
import type { Data, IAddress, IProtocol, IProtocolFactory, IPullProducer, IPushProducer, IReactorTime, IDelayedCall } from '../internet/interfaces.js';
import { ProtocolWrapper, WrappingFactory } from './wrapper.js';
import { defaultReactor } from '../time/default-reactor.js';
import { toBytes } from './bytes.js';

/** Limits of a {@link ThrottlingFactory}; all optional. */
export interface ThrottlingOptions {
  /** Most simultaneous connections; more are refused (`buildProtocol` returns null). Default unlimited. */
  maxConnectionCount?: number;
  /** Bytes per second read over all connections; reading pauses for the rest of the excess. Default unlimited. */
  readLimit?: number;
  /** Bytes per second written over all connections; producers pause for the excess. Default unlimited. */
  writeLimit?: number;
  /** Where time comes from: the environment's reactor by default, or a test `Clock`. */
  clock?: IReactorTime;
}

/** The wrapper a {@link ThrottlingFactory} puts around each protocol: it counts bytes and can be paused. */
export class ThrottlingProtocol extends ProtocolWrapper {
  #producer: IPushProducer | IPullProducer | null = null;

  get #throttler(): ThrottlingFactory {
    return this.factory as ThrottlingFactory;
  }

  override write(data: Data): void {
    this.#throttler.registerWritten(typeof data === 'string' ? toBytes(data).length : data.length);
    super.write(data);
  }

  override writeSequence(data: readonly Data[]): void {
    let n = 0;
    for (const d of data) n += typeof d === 'string' ? toBytes(d).length : d.length;
    this.#throttler.registerWritten(n);
    super.writeSequence(data);
  }

  override dataReceived(data: Uint8Array): void {
    this.#throttler.registerRead(data.length);
    super.dataReceived(data);
  }

  override registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#producer = producer;
    super.registerProducer(producer, streaming);
  }

  override unregisterProducer(): void {
    this.#producer = null;
    super.unregisterProducer();
  }

  /** Stops reading from the peer. */
  throttleReads(): void {
    super.pauseProducing();
  }

  /** Reads from the peer again. */
  unthrottleReads(): void {
    super.resumeProducing();
  }

  /** Pauses the producer writing through this connection, if it can be paused. */
  throttleWrites(): void {
    (this.#producer as Partial<IPushProducer> | null)?.pauseProducing?.();
  }

  /** Resumes the producer writing through this connection. */
  unthrottleWrites(): void {
    this.#producer?.resumeProducing();
  }
}

/**
 * Limits connections and bandwidth for the protocols `wrappedFactory` builds. Every second it compares the
 * bytes read and written with the limits; past a limit it pauses reading (or the producers writing) for the
 * time the excess would take at the limit, so the long-run rate stays at the limit.
 *
 * @example
 * reactor.listenTCP(8080, new ThrottlingFactory(site, { readLimit: 100_000, maxConnectionCount: 50 }));
 */
export class ThrottlingFactory extends WrappingFactory {
  override protocol: new (factory: WrappingFactory, wrapped: IProtocol) => ProtocolWrapper = ThrottlingProtocol;
  maxConnectionCount: number;
  readLimit: number | null;
  writeLimit: number | null;
  clock: IReactorTime;
  /** Live connections. */
  connectionCount = 0;
  /** Bytes read in the current one-second window. */
  readThisSecond = 0;
  /** Bytes written in the current one-second window. */
  writtenThisSecond = 0;
  #readCheck: IDelayedCall | null = null;
  #writeCheck: IDelayedCall | null = null;
  #unthrottleReads: IDelayedCall | null = null;
  #unthrottleWrites: IDelayedCall | null = null;

  constructor(wrappedFactory: IProtocolFactory, options: ThrottlingOptions = {}) {
    super(wrappedFactory);
    this.maxConnectionCount = options.maxConnectionCount ?? Infinity;
    this.readLimit = options.readLimit ?? null;
    this.writeLimit = options.writeLimit ?? null;
    this.clock = options.clock ?? defaultReactor();
  }

  /** Counts bytes written. */
  registerWritten(length: number): void {
    this.writtenThisSecond += length;
  }

  /** Counts bytes read. */
  registerRead(length: number): void {
    this.readThisSecond += length;
  }

  /** Runs each second while connections are open: throttles reading past `readLimit`. */
  checkReadBandwidth(): void {
    if (this.readLimit !== null && this.readThisSecond > this.readLimit) {
      this.throttleReads();
      const wait = this.readThisSecond / this.readLimit - 1;
      this.#unthrottleReads = this.clock.callLater(wait, () => this.unthrottleReads());
    }
    this.readThisSecond = 0;
    this.#readCheck = this.clock.callLater(1, () => this.checkReadBandwidth());
  }

  /** Runs each second while connections are open: throttles writing past `writeLimit`. */
  checkWriteBandwidth(): void {
    if (this.writeLimit !== null && this.writtenThisSecond > this.writeLimit) {
      this.throttleWrites();
      const wait = this.writtenThisSecond / this.writeLimit - 1;
      this.#unthrottleWrites = this.clock.callLater(wait, () => this.unthrottleWrites());
    }
    this.writtenThisSecond = 0;
    this.#writeCheck = this.clock.callLater(1, () => this.checkWriteBandwidth());
  }

  /** Pauses reading on every connection. */
  throttleReads(): void {
    for (const p of this.protocols) (p as ThrottlingProtocol).throttleReads();
  }

  /** Resumes reading on every connection. */
  unthrottleReads(): void {
    this.#unthrottleReads = null;
    for (const p of this.protocols) (p as ThrottlingProtocol).unthrottleReads();
  }

  /** Pauses the producers of every connection. */
  throttleWrites(): void {
    for (const p of this.protocols) (p as ThrottlingProtocol).throttleWrites();
  }

  /** Resumes the producers of every connection. */
  unthrottleWrites(): void {
    this.#unthrottleWrites = null;
    for (const p of this.protocols) (p as ThrottlingProtocol).unthrottleWrites();
  }

  /** Refuses (null) past `maxConnectionCount`; starts the bandwidth checks with the first connection. */
  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    if (this.connectionCount >= this.maxConnectionCount) return null;
    const p = super.buildProtocol(addr);
    if (p === null) return null;
    if (this.connectionCount++ === 0) {
      if (this.readLimit !== null) this.checkReadBandwidth();
      if (this.writeLimit !== null) this.checkWriteBandwidth();
    }
    return p;
  }

  /** Stops the bandwidth checks with the last connection. */
  override unregisterProtocol(p: ProtocolWrapper): void {
    super.unregisterProtocol(p);
    if (--this.connectionCount === 0) {
      for (const call of [this.#readCheck, this.#writeCheck, this.#unthrottleReads, this.#unthrottleWrites]) if (call?.active()) call.cancel();
      this.#readCheck = this.#writeCheck = this.#unthrottleReads = this.#unthrottleWrites = null;
    }
  }
}
