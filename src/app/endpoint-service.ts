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

/** Options of a {@link StreamServerEndpointService}. */
export interface EndpointServiceOptions {
  /** Once listening, log the URL to open with this scheme (`http`, `https`). */
  urlScheme?: string;
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '::0']);

/**
 * The URL of a web server listening at `address` (an `IAddress`'s host and port): a wildcard address is
 * shown as `localhost`, an IPv6 one in brackets.
 */
export function urlFor(scheme: string, address: { host?: string; port?: number }): string {
  const host = address.host ?? '';
  const shown = WILDCARDS.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${shown}:${address.port ?? 0}/`;
}

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
   * @param options what else to log once listening
   */
  constructor(
    readonly endpoint: ServerEndpointLike,
    readonly factory: IProtocolFactory,
    readonly description = 'endpoint',
    readonly options: EndpointServiceOptions = {},
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
          this.#announce(port);
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

  /** Logs the address, the URL to open if asked, and a note when the whole network can connect. */
  #announce(port: IListeningPort): void {
    const host = port.getHost() as { host?: string; port?: number };
    log.info('listening on {description} ({address})', { description: this.description, address: String(host) });
    if (this.options.urlScheme !== undefined) log.info('open {url}', { url: urlFor(this.options.urlScheme, host) });
    if (typeof host.host === 'string' && WILDCARDS.has(host.host)) {
      log.info('{description} accepts connections from every network interface; add :interface=127.0.0.1 to keep it to this machine', { description: this.description });
    }
  }

  #release(closed: Deferred<unknown>): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    closed.addBoth(() => {
      for (const w of waiters) w.callback(undefined);
    });
  }
}
