/**
 * `WebSocketResource`: the server end of the opening handshake, as a leaf `Resource`. A valid upgrade is
 * answered with `101 Switching Protocols` through `request.switchProtocols`, after which the connection
 * speaks frames through a `WebSocketConnection`.
 * @module
 */
import { Resource, NOT_DONE_YET } from '../resource.js';
import type { Request } from '../request.js';
import { WebSocketConnection } from './connection.js';
import { acceptDeflateOffer, parseExtensions, PerMessageDeflate } from './deflate.js';
import { acceptKey, checkSubprotocol, headerTokens, isValidKey, offeredProtocols } from './handshake.js';
import type { WebSocketOptions, WebSocketServerFactory } from './interfaces.js';
import type { WebSocketProtocol } from './protocol.js';

type Builder = (request: Request) => WebSocketProtocol | null;

/**
 * A resource that accepts WebSocket connections. Put it anywhere in a resource tree; each accepted
 * upgrade gets a protocol from `factory`.
 *
 * Requests that are not upgrades get `426 Upgrade Required`; malformed upgrades get 400, a foreign
 * `Origin` (when `allowedOrigins` is set) or a factory returning null gets 403.
 *
 * @example
 * class Echo extends WebSocketProtocol {
 *   override textMessageReceived(text: string) { this.transport.sendTextMessage(text); }
 * }
 * root.putChild('ws', new WebSocketResource(() => new Echo(), { subprotocols: ['chat'] }));
 */
export class WebSocketResource extends Resource {
  override isLeaf = true;
  readonly #build: Builder;
  readonly options: WebSocketOptions;

  constructor(factory: WebSocketServerFactory | Builder, options: WebSocketOptions = {}) {
    super();
    this.#build = typeof factory === 'function' ? factory : (request) => factory.buildProtocol(request);
    for (const p of options.subprotocols ?? []) checkSubprotocol(p);
    this.options = options;
  }

  override render(request: Request): string | typeof NOT_DONE_YET {
    const upgrade = headerTokens(request.getHeader('upgrade'));
    if (!upgrade.includes('websocket')) {
      request.setResponseCode(426);
      request.setHeader('Upgrade', 'websocket');
      request.setHeader('Connection', 'Upgrade');
      request.setHeader('Sec-WebSocket-Version', '13');
      request.setHeader('Content-Type', 'text/plain; charset=utf-8');
      return 'This resource speaks WebSocket only.\n';
    }
    if (request.method !== 'GET') return refuse(request, 405, 'a WebSocket upgrade must be a GET');
    if (request.clientproto !== 'HTTP/1.1') return refuse(request, 400, 'a WebSocket upgrade needs HTTP/1.1');
    if (!headerTokens(request.getHeader('connection')).includes('upgrade')) return refuse(request, 400, 'Connection header lacks "upgrade"');
    if (request.getHeader('sec-websocket-version') !== '13') {
      request.setHeader('Sec-WebSocket-Version', '13');
      return refuse(request, 426, 'unsupported Sec-WebSocket-Version (13 is)');
    }
    const key = request.getHeader('sec-websocket-key');
    if (key === null || !isValidKey(key.trim())) return refuse(request, 400, 'missing or malformed Sec-WebSocket-Key');
    if (!this.#originAllowed(request.getHeader('origin'))) return refuse(request, 403, 'origin not allowed');

    const headers: Record<string, string> = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Accept': acceptKey(key.trim()) };
    const offered = offeredProtocols(request.getHeader('sec-websocket-protocol'));
    const subprotocol = (this.options.subprotocols ?? []).find((p) => offered.includes(p)) ?? null;
    if (subprotocol !== null) headers['Sec-WebSocket-Protocol'] = subprotocol;

    let deflate: PerMessageDeflate | null = null;
    let extensions: string | null = null;
    const pmd = this.options.perMessageDeflate;
    const extHeader = request.getHeader('sec-websocket-extensions');
    if (pmd && extHeader !== null) {
      let offers;
      try {
        offers = parseExtensions(extHeader);
      } catch {
        return refuse(request, 400, 'malformed Sec-WebSocket-Extensions');
      }
      const settings = pmd === true ? {} : pmd;
      const accepted = acceptDeflateOffer(offers, settings);
      if (accepted !== null) {
        deflate = new PerMessageDeflate(accepted.params, false, settings);
        extensions = headers['Sec-WebSocket-Extensions'] = accepted.response;
      }
    }

    const protocol = this.#build(request);
    if (protocol === null) return refuse(request, 403, 'connection refused');
    const clock = this.options.reactor ?? request.site.clock;
    const setup = { protocol, isClient: false, clock, subprotocol, extensions, deflate };
    const connection = new WebSocketConnection(this.options.keepRequest === false ? setup : { ...setup, request }, this.options);
    request.switchProtocols(connection, headers);
    return NOT_DONE_YET;
  }

  #originAllowed(origin: string | null): boolean {
    const allowed = this.options.allowedOrigins;
    if (allowed === undefined) return true;
    if (typeof allowed === 'function') return allowed(origin);
    return origin !== null && allowed.includes(origin);
  }
}

function refuse(request: Request, code: number, why: string): string {
  request.setResponseCode(code);
  request.setHeader('Content-Type', 'text/plain; charset=utf-8');
  return `${why}\n`;
}
