/**
 * The HTTP/1.1 client of `torsion/web`: `Agent`, `HTTPConnectionPool`, `readBody`, body producers, and
 * agents that wrap agents (redirects, content decoding, cookies, proxies).
 * @module
 */
export type { HeadersInit, IAgent, IBodyProducer, IBodyProtocol, BodyTransport } from './interfaces.js';
export * from './errors.js';
export { Response, type RequestInfo, type BodySource } from './response.js';
export { HTTP11ClientProtocol, type ClientRequest } from './client-protocol.js';
export { CLIENT_LIMITS, type ResponseLimits } from './limits.js';
export { HTTPConnectionPool } from './pool.js';
export { Agent, type AgentOptions, type AgentReactor } from './agent.js';
export { readBody } from './read-body.js';
export { StringBodyProducer, FileBodyProducer } from './body-producers.js';
export { parseURI, type ClientURI } from './uri.js';
export { RedirectAgent, BrowserLikeRedirectAgent } from './redirect.js';
export { ContentDecoderAgent, type ContentCoding, type ContentDecoderOptions } from './content-decoder.js';
export { CookieJar, type Cookie } from './cookie-jar.js';
export { CookieAgent } from './cookie-agent.js';
export { ProxyAgent, proxyAgentFromEnvironment, parseProxyURI, bypassesProxy, type ProxyAgentOptions } from './proxy-agent.js';
export type { ProxyAddress } from './tunnel.js';
