/**
 * `RedirectAgent` and `BrowserLikeRedirectAgent`: follow 3xx responses (Twisted's, with the method rules
 * of the Fetch standard), up to a limit, without leaking credentials to another origin.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { Headers } from '../headers.js';
import { InfiniteRedirection, RedirectWithNoLocation } from './errors.js';
import type { HeadersInit, IAgent, IBodyProducer } from './interfaces.js';
import { rawHeaders, withoutHeaders } from './request-headers.js';
import type { Response } from './response.js';
import { CLIENT_LIMITS } from './limits.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Fields that describe the body: dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location', 'transfer-encoding']);
/** Credentials that must not follow a redirect to another origin. */
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * Follows redirects: 303 turns any method but HEAD into GET; 301 and 302 turn POST into GET, as browsers
 * do; 307 and 308 keep the method and resend the body (when its producer is `replayable`, otherwise the
 * 3xx is returned as is). Going to another origin drops `Authorization` and `Cookie`. More than
 * `redirectLimit` redirects fail with `InfiniteRedirection`. Each response links the one before through
 * `previousResponse`.
 *
 * @example
 * const agent = new RedirectAgent(new Agent(reactor), 5);
 * const response = await agent.request('GET', 'http://127.0.0.1:8080/old');
 */
export class RedirectAgent implements IAgent {
  constructor(readonly agent: IAgent, readonly redirectLimit = 20) {}

  request(method: string, uri: string, headers?: HeadersInit | null, bodyProducer?: IBodyProducer | null): Deferred<Response> {
    let raw: string[];
    try {
      raw = rawHeaders(headers);
    } catch (e) {
      return Deferred.fail(e);
    }
    return this.#follow(method, uri, raw, bodyProducer ?? null, 0, null);
  }

  /** True when a `code` redirect turns `method` into GET. */
  protected becomesGet(code: number, method: string): boolean {
    if (code === 303) return method !== 'HEAD' && method !== 'GET';
    return (code === 301 || code === 302) && method === 'POST';
  }

  #follow(method: string, uri: string, raw: string[], body: IBodyProducer | null, count: number, previous: Response | null): Deferred<Response> {
    return this.agent.request(method, uri, new Headers(raw), body).addCallback((response: Response): Response | Deferred<Response> => {
      if (response.previousResponse === null) response.previousResponse = previous;
      if (!REDIRECTS.has(response.code)) return response;
      const location = response.headers.get('location');
      if (location === null) throw new RedirectWithNoLocation(`${response.code} redirect from ${uri} has no Location`);
      const toGet = this.becomesGet(response.code, method);
      if (!toGet && body !== null && body.replayable !== true) return response;
      if (count >= this.redirectLimit) {
        drain(response);
        throw new InfiniteRedirection(`more than ${this.redirectLimit} redirects, the last to ${location}`, location);
      }
      let next: URL;
      try {
        next = new URL(location, uri);
      } catch {
        return response;
      }
      next.hash = '';
      drain(response);
      let nextRaw = toGet ? withoutHeaders(raw, BODY_HEADERS) : raw;
      if (origin(next) !== origin(new URL(uri))) nextRaw = withoutHeaders(nextRaw, CREDENTIALS);
      nextRaw = withoutHeaders(nextRaw, HOST);
      return this.#follow(toGet ? 'GET' : method, next.href, nextRaw, toGet ? null : body, count + 1, response);
    });
  }
}

const HOST = new Set(['host']);

/**
 * A `RedirectAgent` that, as old browsers, also turns any other method (PUT, DELETE, PATCH...) into GET on
 * 301 and 302, not just POST (Twisted's `BrowserLikeRedirectAgent`).
 */
export class BrowserLikeRedirectAgent extends RedirectAgent {
  protected override becomesGet(code: number, method: string): boolean {
    if (code === 301 || code === 302) return method !== 'GET' && method !== 'HEAD';
    return super.becomesGet(code, method);
  }
}

function origin(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** Reads and drops a redirect's body, so a small one frees its connection; a big one is cut off. */
function drain(response: Response): void {
  let seen = 0;
  let stop: (() => void) | null = null;
  response.deliverBody({
    makeConnection: (t) => (stop = () => t.stopProducing()),
    dataReceived: (data) => {
      seen += data.byteLength;
      if (seen > CLIENT_LIMITS.maxRedirectDrain) stop?.();
    },
    connectionLost: () => {},
  });
}
