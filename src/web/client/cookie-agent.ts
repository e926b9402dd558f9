/**
 * `CookieAgent`: sends the jar's cookies with each request and stores the ones responses set.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { Headers } from '../headers.js';
import type { CookieJar } from './cookie-jar.js';
import type { HeadersInit, IAgent, IBodyProducer } from './interfaces.js';
import { hasHeader, rawHeaders } from './request-headers.js';
import type { Response } from './response.js';

/**
 * Adds `Cookie` from `jar` (unless the caller set one) and stores `Set-Cookie` from every response. Wrap
 * it inside a `RedirectAgent` (`new RedirectAgent(new CookieAgent(agent, jar))`) so each hop sees cookies.
 *
 * @example
 * const jar = new CookieJar(reactor);
 * const agent = new CookieAgent(new Agent(reactor), jar);
 */
export class CookieAgent implements IAgent {
  constructor(readonly agent: IAgent, readonly jar: CookieJar) {}

  request(method: string, uri: string, headers?: HeadersInit | null, bodyProducer?: IBodyProducer | null): Deferred<Response> {
    let raw: string[];
    let url: URL;
    try {
      raw = rawHeaders(headers);
      url = new URL(uri);
    } catch (e) {
      return Deferred.fail(e);
    }
    if (!hasHeader(raw, 'cookie')) {
      const cookie = this.jar.cookieHeader(url);
      if (cookie !== null) raw.push('cookie', cookie);
    }
    return this.agent.request(method, uri, new Headers(raw), bodyProducer).addCallback((response) => {
      this.jar.setCookies(url, response.headers.getAll('set-cookie'));
      return response;
    });
  }
}
