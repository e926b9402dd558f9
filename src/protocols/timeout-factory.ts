/**
 * `TimeoutFactory` (Twisted's `policies.TimeoutFactory`): drops any connection of a wrapped factory that is
 * idle, reading and writing nothing, for a period. Browser-safe.
 * @module
 */
import type { Failure } from '../defer/index.js';
import type { Data, IProtocol, IProtocolFactory, IReactorTime, ITransport } from '../internet/interfaces.js';
import { IdleTimeout } from './timeout.js';
import { defaultReactor } from '../time/default-reactor.js';
import { PROTOCOL_LIMITS } from './limits.js';
import { ProtocolWrapper, WrappingFactory } from './wrapper.js';

/** The wrapper a {@link TimeoutFactory} builds: resets its timer on every read and write. */
export class TimeoutProtocol extends ProtocolWrapper {
  readonly #idle: IdleTimeout;

  constructor(factory: WrappingFactory, wrapped: IProtocol) {
    super(factory, wrapped);
    const tf = factory as TimeoutFactory;
    this.#idle = new IdleTimeout(() => this.timeoutConnection(), tf.clock);
  }

  override makeConnection(transport: ITransport): void {
    this.#idle.setTimeout((this.factory as TimeoutFactory).timeoutPeriod);
    super.makeConnection(transport);
  }

  override dataReceived(data: Uint8Array): void {
    this.#idle.resetTimeout();
    super.dataReceived(data);
  }

  override write(data: Data): void {
    this.#idle.resetTimeout();
    super.write(data);
  }

  override writeSequence(data: readonly Data[]): void {
    this.#idle.resetTimeout();
    super.writeSequence(data);
  }

  override connectionLost(reason: Failure): void {
    this.#idle.setTimeout(null);
    super.connectionLost(reason);
  }

  /** The connection was idle for the whole period: drop it. */
  timeoutConnection(): void {
    this.loseConnection();
  }
}

/**
 * Wraps a factory so that each connection is dropped after `timeoutPeriod` seconds without traffic.
 *
 * @example
 * reactor.listenTCP(8080, new TimeoutFactory(site, { timeoutPeriod: 120 })); // on the reactor's time
 */
export class TimeoutFactory extends WrappingFactory {
  override protocol: new (factory: WrappingFactory, wrapped: IProtocol) => ProtocolWrapper = TimeoutProtocol;
  /** Seconds of silence allowed; 30 minutes by default, as Twisted. */
  timeoutPeriod: number;
  /** Where time comes from: the environment's reactor by default, or a test `Clock`. */
  clock: IReactorTime;

  constructor(wrappedFactory: IProtocolFactory, options: { timeoutPeriod?: number; clock?: IReactorTime } = {}) {
    super(wrappedFactory);
    this.timeoutPeriod = options.timeoutPeriod ?? PROTOCOL_LIMITS.idleTimeout;
    this.clock = options.clock ?? defaultReactor();
  }
}
