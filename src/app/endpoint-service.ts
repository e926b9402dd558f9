/**
 * `StreamServerEndpointService` (Twisted's `application/internet.py`): a service that listens on a server
 * endpoint while it runs.
 * @module
 */
import { Deferred, Failure, maybeDeferred } from '../defer/index.js';
import type { IListeningPort, IProtocolFactory } from '../internet/interfaces.js';
import { Logger } from '../logger/index.js';
import { Service } from './service.js';

const log = new Logger({ namespace: 'torsion.app' });

/** A server endpoint, as `serverFromString` returns: listens with a factory, firing with the port. */
export interface ServerEndpointLike {
  listen(factory: IProtocolFactory): Deferred<IListeningPort> | PromiseLike<IListeningPort>;
}

/**
 * Listens on `endpoint` with `factory` from `startService` until `stopService`. `startService` returns a
 * Deferred that fails if the endpoint cannot listen (the port is taken, say), so whoever starts it can report
 * that; the failure is also logged.
 */
export class StreamServerEndpointService extends Service {
  /** The listening port, once listening. */
  port: IListeningPort | null = null;
  #listening: Deferred<IListeningPort> | null = null;
  #waiters: Deferred<void>[] = [];

  /**
   * @param endpoint where to listen
   * @param factory builds a protocol per connection
   * @param description how to name it in logs (the endpoint string)
   */
  constructor(
    readonly endpoint: ServerEndpointLike,
    readonly factory: IProtocolFactory,
    readonly description = 'endpoint',
  ) {
    super();
  }

  override startService(): Deferred<void> {
    super.startService();
    const started = new Deferred<void>();
    const listening = maybeDeferred(() => this.endpoint.listen(this.factory));
    this.#listening = listening;
    listening.addCallbacks(
      (port) => {
        this.#listening = null;
        if (this.running) {
          this.port = port;
          log.info('listening on {description} ({address})', { description: this.description, address: String(port.getHost()) });
        } else {
          // Stopped while the port was opening: close it, then release whoever waits on stopService.
          this.#release(maybeDeferred(() => port.stopListening()));
        }
        started.callback(undefined);
      },
      (f: Failure) => {
        this.#listening = null;
        log.failure('cannot listen on {description}', f, { description: this.description }, 'error');
        this.#release(Deferred.succeed<unknown>(undefined));
        started.errback(f);
      },
    );
    return started;
  }

  override stopService(): Deferred<void> {
    super.stopService();
    const port = this.port;
    if (port !== null) {
      this.port = null;
      return maybeDeferred(() => port.stopListening()).addCallback(() => {
        log.info('stopped listening on {description}', { description: this.description });
      });
    }
    if (this.#listening !== null) {
      const waiter = new Deferred<void>();
      this.#waiters.push(waiter);
      return waiter;
    }
    return Deferred.succeed<void>(undefined);
  }

  #release(closed: Deferred<unknown>): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    closed.addBoth(() => {
      for (const w of waiters) w.callback(undefined);
    });
  }
}
