/**
 * `ProxyAgent`: requests through an HTTP proxy — absolute-form for http URIs, a CONNECT tunnel for https —
 * and `proxyAgentFromEnvironment`, which follows `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { TLSOptions } from '../../internet/interfaces.js';
import { reactor as defaultReactor } from '../../internet/reactor.js';
import { Agent, buildRequest, requestTiming, withTimeout, type AgentOptions, type AgentReactor } from './agent.js';
import { connectHTTP } from './connect.js';
import type { HeadersInit, IAgent, IBodyProducer } from './interfaces.js';
import { HTTPConnectionPool } from './pool.js';
import { hasHeader, rawHeaders } from './request-headers.js';
import type { Response } from './response.js';
import { connectTunnel, type ProxyAddress } from './tunnel.js';
import { parseURI, type ClientURI } from './uri.js';
import { isIPAddress as isIP } from '../../internet/address.js';

/** Options of {@link ProxyAgent}: an agent's, plus TLS options for an https proxy itself. */
export interface ProxyAgentOptions extends AgentOptions {
  proxyTLSOptions?: TLSOptions;
}

/** Parses a proxy URI (`http://user:pass@proxy:3128`; a bare `host:port` means http). */
export function parseProxyURI(proxyURI: string): ProxyAddress {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(proxyURI) ? proxyURI : `http://${proxyURI}`;
  const url = new URL(withScheme);
  const parsed = parseURI(withScheme);
  const authorization =
    url.username === '' ? null : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  return { scheme: parsed.scheme, host: parsed.host, port: url.port === '' ? (parsed.scheme === 'https' ? 443 : 80) : parsed.port, authorization };
}

/**
 * Sends every request through the proxy at `proxyURI`. For an http URI the proxy gets the absolute URI
 * (and `Proxy-Authorization` from the proxy URI's user and password); for https it is asked to CONNECT,
 * and TLS to the target runs inside the tunnel, verified against the target's name.
 *
 * @example
 * const agent = new ProxyAgent('http://127.0.0.1:3128', reactor);
 * const response = await agent.request('GET', 'https://example.org/');
 */
export class ProxyAgent implements IAgent {
  readonly proxy: ProxyAddress;
  readonly pool: HTTPConnectionPool;

  constructor(proxyURI: string, readonly reactor: AgentReactor = defaultReactor, readonly options: ProxyAgentOptions = {}) {
    this.proxy = parseProxyURI(proxyURI);
    this.pool = options.pool ?? new HTTPConnectionPool(reactor, false);
  }

  request(method: string, uri: string, headers?: HeadersInit | null, bodyProducer?: IBodyProducer | null): Deferred<Response> {
    let target: ClientURI;
    let raw: string[];
    try {
      target = parseURI(uri);
      raw = rawHeaders(headers);
    } catch (e) {
      return Deferred.fail(e);
    }
    const p = this.proxy;
    const o = this.options;
    const proxyKey = `${p.scheme}://${p.host}:${p.port}`;
    if (target.scheme === 'http') {
      if (p.authorization !== null && !hasHeader(raw, 'proxy-authorization')) raw.push('proxy-authorization', p.authorization);
      const request = buildRequest(method, uri, target.absolute, target.hostHeader, raw, bodyProducer ?? null, this.pool.persistent, requestTiming(this.reactor, o));
      const connect = (): ReturnType<typeof connectHTTP> => connectHTTP(this.reactor, p.scheme, p.host, p.port, { timeout: o.connectTimeout, tlsOptions: o.proxyTLSOptions, limits: o.limits });
      return withTimeout(this.pool.request(`proxy ${proxyKey}`, connect, request), o.responseTimeout, this.reactor);
    }
    const request = buildRequest(method, uri, target.path, target.hostHeader, raw, bodyProducer ?? null, this.pool.persistent, requestTiming(this.reactor, o));
    const connect = (): ReturnType<typeof connectTunnel> =>
      connectTunnel(this.reactor, p, target.host, target.port, { timeout: o.connectTimeout, tlsOptions: o.tlsOptions, proxyTLSOptions: o.proxyTLSOptions, limits: o.limits });
    return withTimeout(this.pool.request(`tunnel ${proxyKey} ${target.host}:${target.port}`, connect, request), o.responseTimeout, this.reactor);
  }
}

/** True when `NO_PROXY` (comma- or space-separated) exempts `host:port`: `*`, exact names and IPs, and domain suffixes. */
export function bypassesProxy(noProxy: string, host: string, port: number): boolean {
  const h = host.toLowerCase();
  for (let entry of noProxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: number | null = null;
    const m = /^(.*?):(\d+)$/.exec(entry);
    if (m && !(entry.includes('::') && !entry.startsWith('['))) {
      entry = m[1];
      entryPort = Number(m[2]);
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (entryPort !== null && entryPort !== port) continue;
    if (isIP(h) || isIP(entry)) {
      if (h === entry) return true;
      continue;
    }
    const suffix = entry.replace(/^\*?\./, '');
    if (h === suffix || h.endsWith(`.${suffix}`)) return true;
  }
  return false;
}

/**
 * An agent that picks a proxy per request from the environment, as curl does: `http_proxy`/`HTTP_PROXY`
 * for http URIs, `https_proxy`/`HTTPS_PROXY` for https, direct when none is set or `no_proxy`/`NO_PROXY`
 * exempts the host. The lower-case variables win.
 *
 * @example
 * const agent = proxyAgentFromEnvironment(reactor, { pool });
 */
export function proxyAgentFromEnvironment(reactor: AgentReactor = defaultReactor, options: ProxyAgentOptions = {}, env: Readonly<Record<string, string | undefined>> = process.env): IAgent {
  const pick = (name: string): string | undefined => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const options2 = { ...options, pool: options.pool ?? new HTTPConnectionPool(reactor, false) };
  const direct = new Agent(reactor, options2);
  const httpProxy = pick('http_proxy');
  const httpsProxy = pick('https_proxy');
  const noProxy = pick('no_proxy') ?? '';
  const viaHTTP = httpProxy ? new ProxyAgent(httpProxy, reactor, options2) : null;
  const viaHTTPS = httpsProxy ? new ProxyAgent(httpsProxy, reactor, options2) : null;
  return {
    request(method, uri, headers, bodyProducer): Deferred<Response> {
      let target: ClientURI;
      try {
        target = parseURI(uri);
      } catch (e) {
        return Deferred.fail(e);
      }
      const proxied = target.scheme === 'https' ? viaHTTPS : viaHTTP;
      if (proxied === null || bypassesProxy(noProxy, target.host, target.port)) return direct.request(method, uri, headers, bodyProducer);
      return proxied.request(method, uri, headers, bodyProducer);
    },
  };
}
