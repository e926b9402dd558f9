/**
 * `ClientService`: keeps one client connection up, reconnecting with back-off whenever it fails or drops
 * (Twisted's `twisted.application.internet.ClientService`), and tells callers when it is connected.
 * @module
 */
import { CancelledError, Deferred, type Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import type { IAddress, IDelayedCall, IProtocol, IProtocolFactory, IReactorTime } from './interfaces.js';
import { reactor } from './reactor.js';

const log = new Logger({ namespace: 'torsion.internet.client-service' });

/** What `ClientService` needs of an endpoint: `connect(factory)` fires with the connected protocol. */
export interface ClientEndpoint {
  /** Connects, building the protocol with `factory`; fires with it once connected. */
  connect(factory: IProtocolFactory): Deferred<IProtocol> | PromiseLike<IProtocol>;
}

/** Seconds to wait after the `failedAttempts`-th consecutive failure (1 for the first). */
export type RetryPolicy = (failedAttempts: number) => number;

/**
 * Twisted's default retry policy: `min(initialDelay * factor ** attempt, maxDelay) + jitter()`.
 *
 * @example
 * new ClientService(endpoint, factory, { retryPolicy: backoffPolicy({ initialDelay: 0.5, maxDelay: 30 }) });
 */
export function backoffPolicy(options: { initialDelay?: number; maxDelay?: number; factor?: number; jitter?: () => number } = {}): RetryPolicy {
  const { initialDelay = 1.0, maxDelay = 60.0, factor = 1.5, jitter = Math.random } = options;
  return (attempt) => Math.min(initialDelay * factor ** Math.min(100, attempt), maxDelay) + jitter();
}

/** Options of {@link ClientService}. */
export interface ClientServiceOptions<P extends IProtocol> {
  /** Where retries are scheduled (default: the reactor). */
  clock?: IReactorTime;
  /** Delay after each failure (default {@link backoffPolicy}()). */
  retryPolicy?: RetryPolicy;
  /**
   * Runs on each new connection before `whenConnected` waiters hear of it (log in, subscribe...). A failure
   * drops that connection, which is then retried.
   */
  prepareConnection?: (protocol: P) => unknown;
}

interface Waiter<P> {
  d: Deferred<P>;
  failAfterFailures: number | undefined;
}

type State = 'init' | 'connecting' | 'waiting' | 'connected' | 'disconnecting' | 'stopped';

/**
 * An always-reconnecting client. `startService` connects; a failed attempt or a lost connection waits
 * `retryPolicy(n)` seconds and tries again; `stopService` cancels everything and closes the connection.
 *
 * @example
 * const service = new ClientService(clientFromString(reactor, 'tcp:host=127.0.0.1:port=6667'), Factory.forProtocol(Bot));
 * service.startService();
 * const bot = await service.whenConnected();
 */
export class ClientService<P extends IProtocol = IProtocol> {
  /** Where to connect. */
  readonly endpoint: ClientEndpoint;
  /** Builds the protocol of each connection. */
  readonly factory: IProtocolFactory;
  /** True between `startService` and `stopService`. */
  running = false;
  readonly #clock: IReactorTime;
  readonly #policy: RetryPolicy;
  readonly #prepare: ((protocol: P) => unknown) | undefined;
  #state: State = 'init';
  #attempt: Deferred<IProtocol> | undefined;
  #retryCall: IDelayedCall | undefined;
  #protocol: P | undefined;
  #failedAttempts = 0;
  #waiters: Waiter<P>[] = [];
  #stopWaiters: Deferred<void>[] = [];

  /** Does not connect yet: call `startService`. */
  constructor(endpoint: ClientEndpoint, factory: IProtocolFactory, options: ClientServiceOptions<P> = {}) {
    this.endpoint = endpoint;
    this.factory = factory;
    this.#clock = options.clock ?? reactor;
    this.#policy = options.retryPolicy ?? backoffPolicy();
    this.#prepare = options.prepareConnection;
  }

  /** Starts connecting (and keeps the connection up until `stopService`). */
  startService(): void {
    if (this.running) return;
    this.running = true;
    this.#connect();
  }

  /**
   * Stops: cancels a pending attempt or retry, closes the connection, and fails `whenConnected` waiters with
   * `CancelledError`. Fires once the connection (if any) is closed.
   */
  stopService(): Deferred<void> {
    this.running = false;
    if (this.#retryCall?.active()) this.#retryCall.cancel();
    this.#retryCall = undefined;
    for (const w of this.#waiters.splice(0)) w.d.errback(new CancelledError('the ClientService was stopped'));
    const protocol = this.#protocol;
    if (this.#state === 'connected' && protocol) {
      this.#state = 'disconnecting';
      const d = new Deferred<void>();
      this.#stopWaiters.push(d);
      (protocol as { transport?: { loseConnection(): void } }).transport?.loseConnection();
      return d;
    }
    if (this.#state === 'disconnecting') {
      const d = new Deferred<void>();
      this.#stopWaiters.push(d);
      return d;
    }
    this.#state = 'stopped';
    const attempt = this.#attempt;
    this.#attempt = undefined;
    attempt?.cancel();
    return Deferred.succeed<void>(undefined);
  }

  /**
   * Fires with the connected protocol: at once when connected, else at the next connection. With
   * `failAfterFailures`, fails with the connection error once that many consecutive attempts have failed.
   * Fails with `CancelledError` if the service is (or gets) stopped.
   */
  whenConnected(options: { failAfterFailures?: number } = {}): Deferred<P> {
    if (this.#state === 'connected' && this.#protocol) return Deferred.succeed(this.#protocol);
    if (this.#state === 'stopped' || this.#state === 'disconnecting') return Deferred.fail<P>(new CancelledError('the ClientService is stopped'));
    const d = new Deferred<P>(() => {
      this.#waiters = this.#waiters.filter((w) => w.d !== d);
    });
    this.#waiters.push({ d, failAfterFailures: options.failAfterFailures });
    return d;
  }

  #connect(): void {
    this.#state = 'connecting';
    this.#retryCall = undefined;
    const out = this.endpoint.connect(this.#wrappedFactory());
    const attempt = (this.#attempt = out instanceof Deferred ? out : Deferred.fromPromise(out));
    attempt.addCallbacks(
      (p) => {
        if (this.#attempt !== attempt) return undefined;
        this.#attempt = undefined;
        this.#made(p as P);
        return undefined;
      },
      (f: Failure) => {
        if (this.#attempt !== attempt) return undefined;
        this.#attempt = undefined;
        this.#failed(f);
        return undefined;
      },
    );
  }

  #made(protocol: P): void {
    if (!this.running) {
      (protocol as { transport?: { loseConnection(): void } }).transport?.loseConnection();
      return;
    }
    this.#protocol = protocol;
    this.#state = 'connected';
    const ready = this.#prepare ? Deferred.succeed<void>(undefined).addCallback(() => this.#prepare!(protocol)) : Deferred.succeed<unknown>(undefined);
    ready.addCallbacks(
      () => {
        if (this.#protocol !== protocol || this.#state !== 'connected') return undefined;
        this.#failedAttempts = 0;
        for (const w of this.#waiters.splice(0)) w.d.callback(protocol);
        return undefined;
      },
      (f: Failure) => {
        log.failure('prepareConnection failed; dropping the connection', f, {}, 'warn');
        (protocol as { transport?: { loseConnection(): void } }).transport?.loseConnection();
        return undefined;
      },
    );
  }

  #failed(f: Failure): void {
    if (!this.running) return;
    this.#failedAttempts++;
    this.#waiters = this.#waiters.filter((w) => {
      if (w.failAfterFailures === undefined || w.failAfterFailures > this.#failedAttempts) return true;
      w.d.errback(f);
      return false;
    });
    this.#wait(`connection attempt failed: ${f.getErrorMessage()}`);
  }

  #lost(protocol: IProtocol): void {
    if (protocol !== this.#protocol) return;
    this.#protocol = undefined;
    if (this.#state === 'disconnecting') {
      this.#state = 'stopped';
      for (const d of this.#stopWaiters.splice(0)) d.callback(undefined);
      return;
    }
    if (!this.running) return;
    this.#failedAttempts++;
    this.#wait('connection lost');
  }

  #wait(why: string): void {
    const delay = this.#policy(this.#failedAttempts);
    log.info('{why}; retry {attempt} in {delay} seconds', { why, attempt: this.#failedAttempts, delay });
    this.#state = 'waiting';
    this.#retryCall = this.#clock.callLater(delay, () => this.#connect());
  }

  /** The user's factory, with each protocol's `connectionLost` also telling this service. */
  #wrappedFactory(): IProtocolFactory {
    const inner = this.factory;
    return {
      buildProtocol: (addr: IAddress) => {
        const p = inner.buildProtocol(addr);
        if (p) {
          const original = p.connectionLost.bind(p);
          p.connectionLost = (reason: Failure) => {
            try {
              original(reason);
            } finally {
              this.#lost(p);
            }
          };
        }
        return p;
      },
      doStart: () => inner.doStart(),
      doStop: () => inner.doStop(),
    };
  }
}
