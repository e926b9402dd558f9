/**
 * `Agent`: HTTP/1.1 requests over TCP or verified TLS, through an `HTTPConnectionPool`.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { IReactorTime, TLSOptions } from '../../internet/interfaces.js';
import { reactor as defaultReactor } from '../../internet/reactor.js';
import { Headers } from '../headers.js';
import type { ClientRequest } from './client-protocol.js';
import type { ResponseLimits } from './limits.js';
import { connectHTTP, type ConnectReactor } from './connect.js';
import type { HeadersInit, IAgent, IBodyProducer } from './interfaces.js';
import { HTTPConnectionPool } from './pool.js';
import { hasHeader, rawHeaders } from './request-headers.js';
import type { Response } from './response.js';
import { parseURI, type ClientURI } from './uri.js';

/** What an agent needs of a reactor: TCP, TLS and time. */
export type AgentReactor = ConnectReactor & IReactorTime;

/** Agent settings. */
export interface AgentOptions {
  /** Where connections are kept; default a non-persistent pool of the agent's own (as Twisted). */
  pool?: HTTPConnectionPool;
  /** Seconds to wait for a connection (default the reactor's, 30). */
  connectTimeout?: number;
  /**
   * Seconds from the request to its response head (connecting included); past it the connection is
   * aborted and the request fails with `TimeoutError`. Default: no limit.
   */
  responseTimeout?: number;
  /**
   * Seconds a response body may go without a byte once its head has arrived (each byte resets it; time
   * the caller keeps the body paused does not count). Past it the body fails with
   * `ResponseFailed([ResponseBodyTimeout])` and the connection is aborted, never reused. Default 60;
   * `null` for no limit (an event stream that may stay silent for long).
   */
  bodyIdleTimeout?: number | null;
  /**
   * Seconds a request sent with `Expect: 100-continue` waits for `100 Continue` before sending its body
   * anyway, as curl does. Default 1.
   */
  continueTimeout?: number;
  /**
   * TLS options for https (`ca`, `servername`, `cert`/`key` for client certificates...). The server's
   * certificate is verified; only `dangerouslyDisableVerification: true` turns that off.
   */
  tlsOptions?: TLSOptions;
  /** Limits on response heads. */
  limits?: ResponseLimits;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Makes HTTP requests. The Deferred fires with the {@link Response} once its head has arrived; the body
 * streams through `response.deliverBody` or `readBody`. Cancelling the Deferred aborts the request; use
 * `d.addTimeout(seconds, reactor)` for a deadline.
 *
 * @example
 * const agent = new Agent(reactor, { pool: new HTTPConnectionPool(reactor) });
 * const response = await agent.request('GET', 'https://example.org/', { 'user-agent': 'torsion' });
 * const body = await readBody(response);
 */
export class Agent implements IAgent {
  readonly pool: HTTPConnectionPool;
  readonly options: AgentOptions;

  constructor(readonly reactor: AgentReactor = defaultReactor, options: AgentOptions = {}) {
    this.options = options;
    this.pool = options.pool ?? new HTTPConnectionPool(reactor, false);
  }

  /** Sends `method uri` with `headers` and a body from `bodyProducer`. */
  request(method: string, uri: string, headers?: HeadersInit | null, bodyProducer?: IBodyProducer | null): Deferred<Response> {
    let parsed: ClientURI;
    let raw: string[];
    try {
      if (!TOKEN.test(method)) throw new TypeError(`invalid method ${JSON.stringify(method)}`);
      parsed = parseURI(uri);
      raw = rawHeaders(headers);
    } catch (e) {
      return Deferred.fail(e);
    }
    const request = buildRequest(method, uri, parsed.path, parsed.hostHeader, raw, bodyProducer ?? null, this.pool.persistent, requestTiming(this.reactor, this.options));
    const key = `${parsed.scheme}://${parsed.host}:${parsed.port}`;
    return withTimeout(this.pool.request(key, () => this.connect(parsed), request), this.options.responseTimeout, this.reactor);
  }

  /** Opens a connection to the URI's host (for subclasses and the proxy agent). */
  protected connect(uri: ClientURI): ReturnType<typeof connectHTTP> {
    const o = this.options;
    return connectHTTP(this.reactor, uri.scheme, uri.host, uri.port, { timeout: o.connectTimeout, tlsOptions: o.tlsOptions, limits: o.limits });
  }
}

/** What times a request on its connection. */
export type RequestTiming = Pick<ClientRequest, 'clock' | 'bodyIdleTimeout' | 'continueTimeout'>;

/** The timing of an agent's requests: its options, or the defaults (60 s idle body, 1 s for `100 Continue`). */
export function requestTiming(clock: IReactorTime, options: Pick<AgentOptions, 'bodyIdleTimeout' | 'continueTimeout'>): RequestTiming {
  const idle = options.bodyIdleTimeout === undefined ? 60 : options.bodyIdleTimeout;
  return { clock, continueTimeout: options.continueTimeout ?? 1, ...(idle === null ? {} : { bodyIdleTimeout: idle }) };
}

/** A request for the wire: `host` added unless given. */
export function buildRequest(
  method: string,
  uri: string,
  target: string,
  hostHeader: string,
  raw: string[],
  bodyProducer: IBodyProducer | null,
  persistent: boolean,
  timing: RequestTiming = {},
): ClientRequest {
  const headers = hasHeader(raw, 'host') ? raw : ['host', hostHeader, ...raw];
  const info = { method, uri, headers: new Headers(headers) };
  // A caller that says `Connection: close` means it for this request, whatever the pool would do.
  const close = /(?:^|,)\s*close\s*(?:,|$)/i.test(info.headers.get('connection') ?? '');
  return { method, target, headers, bodyProducer, persistent: persistent && !close, info, ...timing };
}

/** `d` failing with `TimeoutError` (and its work cancelled) after `seconds`, when given. */
export function withTimeout<T>(d: Deferred<T>, seconds: number | undefined, clock: IReactorTime): Deferred<T> {
  return seconds === undefined ? d : d.addTimeout(seconds, clock);
}
