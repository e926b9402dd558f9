/**
 * `connectWebSocket`: the client end. It connects over TCP or TLS with the reactor, sends the opening
 * handshake, checks the answer (`Sec-WebSocket-Accept`, subprotocol, extensions), then hands the
 * connection to a `WebSocketConnection` that speaks masked frames.
 * @module
 */
import { Deferred, Failure, TimeoutError } from '../../defer/index.js';
import type { IConnector, IDelayedCall, IStreamTransport, ITCPTransport } from '../../internet/interfaces.js';
import { ClientFactory, Protocol } from '../../internet/protocol.js';
import { reactor as globalReactor } from '../../internet/reactor.js';
import { checkHeader } from '../headers.js';
import { WebSocketConnection } from './connection.js';
import { acceptDeflateResponse, deflateOffer, parseExtensions, PerMessageDeflate } from './deflate.js';
import { WebSocketHandshakeError } from './errors.js';
import { acceptKey, checkSubprotocol, headerTokens, newKey } from './handshake.js';
import type { PerMessageDeflateOptions, WebSocketClientOptions, WebSocketClientReactor } from './interfaces.js';
import type { WebSocketProtocol } from './protocol.js';
import { WEBSOCKET_LIMITS, WEBSOCKET_TIMEOUTS } from './limits.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** The parts of a `ws:`/`wss:` URL the client needs. */
interface Target {
  secure: boolean;
  host: string;
  port: number;
  hostHeader: string;
  path: string;
}

function parseTarget(url: string): Target {
  const u = new URL(url);
  const scheme = u.protocol;
  if (scheme !== 'ws:' && scheme !== 'wss:' && scheme !== 'http:' && scheme !== 'https:') throw new TypeError(`not a WebSocket URL: ${url}`);
  if (u.hash !== '') throw new TypeError('a WebSocket URL may not have a fragment');
  const secure = scheme === 'wss:' || scheme === 'https:';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { secure, host, port: u.port === '' ? (secure ? 443 : 80) : Number(u.port), hostHeader: u.host, path: `${u.pathname || '/'}${u.search}` };
}

/**
 * Opens a WebSocket to `url` (`ws://` or `wss://`; TLS is verified by default). The Deferred fires with the
 * protocol once its `negotiationFinished` has run, or fails with `WebSocketHandshakeError` (the server
 * refused, or answered wrongly), a connect error, or `TimeoutError`. Cancelling it before then aborts.
 *
 * @example
 * class Hello extends WebSocketProtocol {
 *   override negotiationFinished() { this.transport.sendTextMessage('hello'); }
 *   override textMessageReceived(text: string) { console.log(text); this.transport.loseConnection(); }
 * }
 * await connectWebSocket('ws://127.0.0.1:8080/ws', new Hello());
 */
export function connectWebSocket<P extends WebSocketProtocol>(url: string, protocol: P | (() => P), options: WebSocketClientOptions = {}): Deferred<P> {
  const target = parseTarget(url);
  const reactor: WebSocketClientReactor = options.reactor ?? globalReactor;
  const timeout = options.timeout ?? WEBSOCKET_TIMEOUTS.timeout;
  for (const p of options.subprotocols ?? []) checkSubprotocol(p);
  let connector: IConnector | null = null;
  let timer: IDelayedCall | null = null;
  let cancelled = false;
  // Cancelling fails the Deferred with CancelledError; the connect error the disconnect causes is not reported.
  const d = new Deferred<P>(() => {
    cancelled = true;
    if (timer?.active()) timer.cancel();
    connector?.disconnect();
  });
  const fail = (error: unknown): void => {
    if (timer?.active()) timer.cancel();
    if (!d.called && !cancelled) d.errback(error instanceof Failure ? error : new Failure(error));
  };
  const handshake = new ClientHandshake(target, options, reactor, (p) => {
    if (timer?.active()) timer.cancel();
    if (!d.called) d.callback(p as P);
  }, fail, () => (typeof protocol === 'function' ? protocol() : protocol));
  const factory = new (class extends ClientFactory {
    override buildProtocol(): Protocol {
      return handshake;
    }
    override clientConnectionFailed(_c: IConnector, reason: Failure): void {
      fail(reason);
    }
  })();
  const connectOptions = { timeout };
  connector = target.secure
    ? reactor.connectSSL(target.host, target.port, factory, options.tlsOptions ?? {}, connectOptions)
    : reactor.connectTCP(target.host, target.port, factory, connectOptions);
  timer = reactor.callLater(timeout, () => {
    timer = null;
    if (d.called) return;
    fail(new TimeoutError(timeout, `WebSocket handshake with ${url} timed out`));
    connector?.disconnect();
  });
  return d;
}

/** The protocol on the TCP connection: the opening handshake, then a pass-through to the WebSocket. */
class ClientHandshake extends Protocol<IStreamTransport & Partial<ITCPTransport>> {
  readonly #target: Target;
  readonly #options: WebSocketClientOptions;
  readonly #reactor: WebSocketClientReactor;
  readonly #opened: (p: WebSocketProtocol) => void;
  readonly #failed: (e: unknown) => void;
  readonly #build: () => WebSocketProtocol;
  readonly #key = newKey();
  readonly #deflateOptions: PerMessageDeflateOptions | null;
  #head: Buffer | null = null;
  #ws: WebSocketConnection | null = null;

  constructor(target: Target, options: WebSocketClientOptions, reactor: WebSocketClientReactor, opened: (p: WebSocketProtocol) => void, failed: (e: unknown) => void, build: () => WebSocketProtocol) {
    super();
    this.#target = target;
    this.#options = options;
    this.#reactor = reactor;
    this.#opened = opened;
    this.#failed = failed;
    this.#build = build;
    const pmd = options.perMessageDeflate;
    this.#deflateOptions = pmd ? (pmd === true ? {} : pmd) : null;
  }

  override connectionMade(): void {
    const t = this.transport;
    if (typeof t.setTcpNoDelay === 'function') t.setTcpNoDelay(true);
    const o = this.#options;
    const lines = [
      `GET ${this.#target.path} HTTP/1.1`,
      `Host: ${this.#target.hostHeader}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${this.#key}`,
      'Sec-WebSocket-Version: 13',
    ];
    if (o.subprotocols !== undefined && o.subprotocols.length > 0) lines.push(`Sec-WebSocket-Protocol: ${o.subprotocols.join(', ')}`);
    if (this.#deflateOptions !== null) lines.push(`Sec-WebSocket-Extensions: ${deflateOffer(this.#deflateOptions)}`);
    if (o.origin !== undefined) lines.push(`Origin: ${o.origin}`);
    try {
      for (const [k, v] of Object.entries(o.headers ?? {})) {
        checkHeader(k, v);
        lines.push(`${k}: ${v}`);
      }
    } catch (e) {
      this.#abort(e);
      return;
    }
    this.transport.write(`${lines.join('\r\n')}\r\n\r\n`);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#ws !== null) {
      this.#ws.dataReceived(data);
      return;
    }
    const chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const buf = this.#head === null ? chunk : Buffer.concat([this.#head, chunk]);
    const end = buf.indexOf(CRLFCRLF);
    const max = this.#options.maxHeadSize ?? WEBSOCKET_LIMITS.maxHeadSize;
    if (end === -1) {
      if (buf.length > max) this.#abort(new WebSocketHandshakeError('handshake response head too large'));
      else this.#head = buf;
      return;
    }
    this.#head = null;
    if (end > max) {
      this.#abort(new WebSocketHandshakeError('handshake response head too large'));
      return;
    }
    let ws: WebSocketConnection;
    try {
      ws = this.#upgrade(buf.toString('latin1', 0, end));
    } catch (e) {
      this.#abort(e);
      return;
    }
    this.#ws = ws;
    ws.makeConnection(this.transport);
    this.#opened(ws.protocol);
    const rest = buf.subarray(end + 4);
    if (rest.length > 0) ws.dataReceived(rest);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (this.#ws !== null) this.#ws.connectionLost(reason);
    else this.#failed(new WebSocketHandshakeError(`connection closed during the WebSocket handshake: ${reason.getErrorMessage()}`));
  }

  #abort(error: unknown): void {
    this.#failed(error);
    const t = this.transport;
    if (typeof t.abortConnection === 'function') t.abortConnection();
    else t.loseConnection();
  }

  /** Checks the response head; returns the connection to switch to. */
  #upgrade(head: string): WebSocketConnection {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (status === null) throw new WebSocketHandshakeError(`not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const code = Number(status[1]);
    if (code !== 101) throw new WebSocketHandshakeError(`the server answered ${lines[0]!.slice(9)} instead of 101 Switching Protocols`, code);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new WebSocketHandshakeError(`malformed header line ${JSON.stringify(line.slice(0, 80))}`, code);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    if (!headerTokens(headers.get('upgrade') ?? null).includes('websocket')) throw new WebSocketHandshakeError('the 101 response lacks "Upgrade: websocket"', code);
    if (!headerTokens(headers.get('connection') ?? null).includes('upgrade')) throw new WebSocketHandshakeError('the 101 response lacks "Connection: Upgrade"', code);
    if (headers.get('sec-websocket-accept') !== acceptKey(this.#key)) throw new WebSocketHandshakeError('wrong Sec-WebSocket-Accept', code);
    const subprotocol = headers.get('sec-websocket-protocol') ?? null;
    if (subprotocol !== null && !(this.#options.subprotocols ?? []).includes(subprotocol)) throw new WebSocketHandshakeError(`the server chose subprotocol ${JSON.stringify(subprotocol)}, which was not offered`, code);
    const extensions = headers.get('sec-websocket-extensions') ?? null;
    let deflate: PerMessageDeflate | null = null;
    if (extensions !== null) {
      let offers;
      try {
        offers = parseExtensions(extensions);
      } catch (e) {
        throw new WebSocketHandshakeError(`malformed Sec-WebSocket-Extensions: ${(e as Error).message}`, code);
      }
      if (offers.length !== 1 || offers[0]!.name !== 'permessage-deflate' || this.#deflateOptions === null) {
        throw new WebSocketHandshakeError(`the server accepted extensions that were not offered: ${extensions}`, code);
      }
      try {
        deflate = new PerMessageDeflate(acceptDeflateResponse(offers[0]!, this.#deflateOptions), true, this.#deflateOptions);
      } catch (e) {
        throw new WebSocketHandshakeError(`bad permessage-deflate response: ${(e as Error).message}`, code);
      }
    }
    const { reactor: _r, ...connectionOptions } = this.#options;
    return new WebSocketConnection({ protocol: this.#build(), isClient: true, clock: this.#reactor, subprotocol, extensions, deflate }, connectionOptions);
  }
}
