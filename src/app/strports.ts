/**
 * `strportsService`: a service listening on an endpoint string (Twisted's `application/strports.py`).
 * @module
 */
import type { IProtocolFactory, IReactor } from '../internet/interfaces.js';
import { reactor as defaultReactor, serverFromString } from '../internet/index.js';
import { StreamServerEndpointService, type EndpointServiceOptions } from './endpoint-service.js';

/**
 * A service that listens on `description` (`tcp:8080`, `ssl:8443:privateKey=key.pem`, `unix:/run/app.sock`)
 * with `factory` while it runs. The string is parsed at once, so a malformed one throws here, naming the bad part.
 * `options.urlScheme` logs the URL to open once listening (`http`; pass `webScheme(description)` for a site).
 *
 * @example
 * const app = new MultiService();
 * strportsService('tcp:8007:interface=127.0.0.1', Factory.forProtocol(Echo)).setServiceParent(app);
 */
export function strportsService(description: string, factory: IProtocolFactory, reactor: IReactor = defaultReactor, options: EndpointServiceOptions = {}): StreamServerEndpointService {
  return new StreamServerEndpointService(serverFromString(reactor, description), factory, description, options);
}

/** The URL scheme of a web server on the endpoint `description`: `https` for `ssl:` and `tls:`, else `http`. */
export function webScheme(description: string): 'http' | 'https' {
  return /^(ssl|tls):/i.test(description) ? 'https' : 'http';
}
