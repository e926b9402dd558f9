/**
 * `HTTPConnectionPool`: keeps idle connections per host for reuse (Twisted's `HTTPConnectionPool`), closes
 * them after `cachedConnectionTimeout` idle seconds, and retries an idempotent request once on a fresh
 * connection when a cached one turns out to have been closed by the server meanwhile, or answers 408.
 * @module
 */
import { Deferred, gatherResults } from '../../defer/index.js';
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';
import { reactor as defaultReactor } from '../../internet/reactor.js';
import type { ClientRequest, HTTP11ClientProtocol } from './client-protocol.js';
import { RequestNotSent, RequestTransmissionFailed, ResponseNeverReceived } from './errors.js';
import type { Response } from './response.js';

/** Methods that may be sent twice (RFC 9110 §9.2.2), as Twisted retries them. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE']);

/**
 * Connections shared by agents.
 *
 * @example
 * const pool = new HTTPConnectionPool(reactor);
 * pool.maxPersistentPerHost = 8;
 * const agent = new Agent(reactor, { pool });
 * // ... later
 * await pool.closeCachedConnections();
 */
export class HTTPConnectionPool {
  /** Most idle connections kept per host; the oldest is closed to make room. */
  maxPersistentPerHost = 2;
  /** Seconds an idle connection is kept. */
  cachedConnectionTimeout = 240;
  /**
   * Retry an idempotent, bodiless request once on a new connection if a cached connection had gone stale
   * (closed before any response byte) or answered `408 Request Timeout`.
   */
  retryAutomatically = true;
  #cache = new Map<string, HTTP11ClientProtocol[]>();
  #timers = new Map<HTTP11ClientProtocol, IDelayedCall>();

  /** @param persistent false closes every connection after its response (and sends `Connection: close`). */
  constructor(readonly reactor: IReactorTime = defaultReactor, readonly persistent = true) {}

  /**
   * Sends `request` over an idle connection for `key`, or over a new one from `connect`.
   * @param key identifies equivalent connections (scheme, host, port, proxy)
   */
  request(key: string, connect: () => Deferred<HTTP11ClientProtocol>, request: ClientRequest): Deferred<Response> {
    const cached = this.#take(key);
    if (cached === null) return connect().addCallback((p) => this.#send(key, p, request));
    const d = this.#send(key, cached, request);
    if (!this.retryAutomatically || request.bodyProducer !== null || !IDEMPOTENT.has(request.method)) return d;
    const retry = (): Deferred<Response> => connect().addCallback((p) => this.#send(key, p, request));
    return d.addCallbacks(
      (response: Response) => {
        if (response.code !== 408) return response;
        // The server timed the idle connection out as the request arrived: the 408 is about the connection,
        // not the request. That connection is done for; the request goes once more on a new one.
        if (cached.state !== 'CLOSED') cached.abort();
        return retry();
      },
      (f) => {
        if (!f.check(RequestNotSent, ResponseNeverReceived, RequestTransmissionFailed)) return f;
        return retry();
      },
    );
  }

  /** The idle connections kept for `key` (for tests and monitoring). */
  cachedConnections(key: string): readonly HTTP11ClientProtocol[] {
    return this.#cache.get(key) ?? [];
  }

  /** Closes every idle connection; fires once they are all closed. */
  closeCachedConnections(): Deferred<void> {
    const waits: Deferred<void>[] = [];
    for (const list of this.#cache.values()) {
      for (const p of list) {
        const d = new Deferred<void>();
        p.onLost = () => d.callback(undefined);
        waits.push(d);
        p.transport.loseConnection();
      }
    }
    for (const timer of this.#timers.values()) timer.cancel();
    this.#timers.clear();
    this.#cache.clear();
    return gatherResults(waits).addCallback(() => undefined);
  }

  #send(key: string, protocol: HTTP11ClientProtocol, request: ClientRequest): Deferred<Response> {
    protocol.onQuiescent = this.persistent ? (p) => this.#put(key, p) : null;
    protocol.onLost = (p) => this.#remove(key, p);
    return protocol.request(request);
  }

  #take(key: string): HTTP11ClientProtocol | null {
    const list = this.#cache.get(key);
    if (list === undefined) return null;
    const p = list.pop()!;
    if (list.length === 0) this.#cache.delete(key);
    this.#timers.get(p)?.cancel();
    this.#timers.delete(p);
    return p;
  }

  #put(key: string, protocol: HTTP11ClientProtocol): void {
    let list = this.#cache.get(key);
    if (list === undefined) this.#cache.set(key, (list = []));
    if (list.length >= this.maxPersistentPerHost) {
      const oldest = list.shift()!;
      this.#timers.get(oldest)?.cancel();
      this.#timers.delete(oldest);
      oldest.transport.loseConnection();
    }
    list.push(protocol);
    this.#timers.set(
      protocol,
      this.reactor.callLater(this.cachedConnectionTimeout, () => {
        this.#timers.delete(protocol);
        this.#remove(key, protocol);
        protocol.transport.loseConnection();
      }),
    );
  }

  #remove(key: string, protocol: HTTP11ClientProtocol): void {
    const list = this.#cache.get(key);
    if (list === undefined) return;
    const i = list.indexOf(protocol);
    if (i === -1) return;
    list.splice(i, 1);
    if (list.length === 0) this.#cache.delete(key);
    const timer = this.#timers.get(protocol);
    if (timer !== undefined) {
      timer.cancel();
      this.#timers.delete(protocol);
    }
  }
}
