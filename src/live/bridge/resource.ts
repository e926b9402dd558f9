/**
 * `WebSocketBridgeResource`: a `torsion/web` resource that lets a page's Torsion protocol (running over
 * `connectWebSocketStream` from `torsion/internet/browser`) reach a TCP server, one WebSocket per connection.
 * It is never an open proxy: the destination is a fixed endpoint, or what an explicit function allows.
 * @module
 */
import { TCPClientEndpoint } from '../../internet/endpoints/stream-endpoints.js';
import type { IStreamClientEndpoint } from '../../internet/endpoints/interfaces.js';
import type { IReactorTCP } from '../../internet/interfaces.js';
import type { Request } from '../../web/request.js';
import type { WebSocketOptions } from '../../web/websocket/interfaces.js';
import { WebSocketResource } from '../../web/websocket/resource.js';
import { BridgeProtocol } from './relay.js';

/** Picks the destination of a request, or refuses it (null: the upgrade is answered with 403). */
export type BridgeDestination = (request: Request) => IStreamClientEndpoint | null;

/** The bridge's largest message from a page, unless `maxMessageSize` says otherwise (pages send 64 KiB). */
export const BRIDGE_MAX_MESSAGE_SIZE = 1024 * 1024;

function isEndpoint(x: IStreamClientEndpoint | BridgeDestination): x is IStreamClientEndpoint {
  return typeof (x as Partial<IStreamClientEndpoint>).connect === 'function';
}

/**
 * Relays binary WebSocket messages to a stream endpoint and back.
 *
 * @param destination a fixed endpoint every connection goes to, or a function choosing one per request
 *   (see {@link allowTCPDestinations}) and returning null to refuse
 * @param options the `WebSocketResource` options; set `allowedOrigins` so only your pages may use it
 * @example
 * const lines = new TCPClientEndpoint(reactor, '127.0.0.1', 7000);
 * root.putChild('bridge', new WebSocketBridgeResource(lines, { allowedOrigins: ['https://example.org'] }));
 */
export class WebSocketBridgeResource extends WebSocketResource {
  constructor(destination: IStreamClientEndpoint | BridgeDestination, options: WebSocketOptions = {}) {
    const choose: BridgeDestination = isEndpoint(destination) ? () => destination : destination;
    super(
      (request: Request) => {
        const endpoint = choose(request);
        return endpoint === null ? null : new BridgeProtocol(endpoint);
      },
      { maxMessageSize: BRIDGE_MAX_MESSAGE_SIZE, ...options },
    );
  }
}

/** `host:port` with brackets around an IPv6 host, lower-cased: the form the allow-list compares. */
function normalize(destination: string): string | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(destination.trim());
  if (m === null) return null;
  const host = (m[1] ?? m[2]!).toLowerCase();
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A {@link BridgeDestination} that lets the page name its destination in the query (`?to=host:port`)
 * and allows only the listed ones; anything else is refused.
 *
 * @param allowed destinations as `host:port` (`[::1]:6667` for IPv6)
 * @example
 * new WebSocketBridgeResource(allowTCPDestinations(reactor, ['127.0.0.1:6667', 'irc.example.org:6667']));
 * // in the page: connectWebSocketStream(`ws://${location.host}/bridge?to=127.0.0.1:6667`, client)
 */
export function allowTCPDestinations(reactor: IReactorTCP, allowed: readonly string[]): BridgeDestination {
  const list = new Set<string>();
  for (const a of allowed) {
    const n = normalize(a);
    if (n === null) throw new TypeError(`not a host:port destination: ${JSON.stringify(a)}`);
    list.add(n);
  }
  return (request) => {
    const asked = request.args.get('to')?.[0];
    const n = asked === undefined ? null : normalize(asked);
    if (n === null || !list.has(n)) return null;
    const colon = n.lastIndexOf(':');
    const host = n.slice(0, colon).replace(/^\[|\]$/g, '');
    return new TCPClientEndpoint(reactor, host, Number(n.slice(colon + 1)));
  };
}
