/**
 * `ReverseProxyResource`: forwards requests to another HTTP server (Twisted's `web.proxy`), streaming both
 * ways with backpressure, over a small internal HTTP/1.1 client on `connectTCP`.
 * @module
 */
import { Failure } from '../defer/index.js';
import type { IConnector, IPushProducer, IReactorTCP, IStreamTransport } from '../internet/interfaces.js';
import { ClientFactory, Protocol } from '../internet/protocol.js';
import { reactor as defaultReactor } from '../internet/reactor.js';
import type { IResource } from './interfaces.js';
import { webLog } from './log.js';
import type { Request } from './request.js';
import { errorHTML, NOT_DONE_YET, Resource } from './resource.js';
import { ResponseParser } from './response-parser.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function hopHeaders(connection: string | null): Set<string> {
  if (connection === null) return HOP_BY_HOP;
  const set = new Set(HOP_BY_HOP);
  for (const t of connection.split(',')) set.add(t.trim().toLowerCase());
  return set;
}

/**
 * Proxies everything under it to `host:port`, prefixing `path`.
 *
 * @example
 * root.putChild('api', new ReverseProxyResource('127.0.0.1', 9000, '/v1'));
 * // GET /api/users?x=1 → GET /v1/users?x=1 on 127.0.0.1:9000
 */
export class ReverseProxyResource extends Resource {
  override streamBody = true;

  constructor(readonly host: string, readonly port: number, readonly path: string, readonly reactor: IReactorTCP = defaultReactor) {
    super();
  }

  /** The same upstream, one path segment deeper. */
  override getChild(segment: string, _request: Request): IResource {
    return new ReverseProxyResource(this.host, this.port, `${this.path}/${encodeURIComponent(segment)}`, this.reactor);
  }

  /** Opens a connection to the upstream server and relays the request and its response. */
  override render(request: Request): typeof NOT_DONE_YET {
    const q = request.uri.indexOf('?');
    const target = (this.path === '' ? '/' : this.path) + (q === -1 ? '' : request.uri.slice(q));
    const client = new ProxyClient(request, target, this.host, this.port);
    request.pauseBody();
    const factory = new ProxyClientFactory(client);
    const connector = this.reactor.connectTCP(this.host, this.port, factory);
    request.notifyFinish().addErrback(() => {
      client.abandon();
      connector.disconnect();
    });
    return NOT_DONE_YET;
  }
}

class ProxyClientFactory extends ClientFactory<ProxyClient> {
  constructor(readonly client: ProxyClient) {
    super();
  }

  override buildProtocol(): ProxyClient {
    return this.client;
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    this.client.failed(reason);
  }
}

/** One upstream request. */
class ProxyClient extends Protocol<IStreamTransport> implements IPushProducer {
  #parser: ResponseParser;
  #chunked = false;
  #done = false;

  constructor(readonly request: Request, readonly target: string, readonly host: string, readonly port: number) {
    super();
    const req = request;
    this.#parser = new ResponseParser(
      {
        head: (code, message, headers) => {
          req.setResponseCode(code, message || undefined);
          const skip = hopHeaders(headers.reduce<string | null>((acc, v, i) => (i % 2 === 0 && v === 'connection' ? headers[i + 1] : acc), null));
          for (let i = 0; i < headers.length; i += 2) {
            if (!skip.has(headers[i]) && !(headers[i] === 'date')) req.addHeader(headers[i], headers[i + 1]);
          }
        },
        data: (chunk) => req.write(chunk),
        done: () => {
          this.#done = true;
          req.unregisterProducer();
          if (!req.finished) req.finish();
          this.transport.loseConnection();
        },
      },
      request.method === 'HEAD',
    );
  }

  override connectionMade(): void {
    const req = this.request;
    const skip = hopHeaders(req.getHeader('connection'));
    let head = `${req.method} ${this.target} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nConnection: close\r\n`;
    let forwardedFor: string | null = null;
    let length: string | null = null;
    for (const [name, value] of req.headers) {
      if (name === 'x-forwarded-for') forwardedFor = value;
      else if (name === 'content-length') length = value;
      else if (!skip.has(name) && name !== 'host' && !name.startsWith('x-forwarded-')) head += `${name}: ${value}\r\n`;
    }
    const peer = req.getClientAddress() as { host?: string };
    const client = peer.host ?? 'unknown';
    head += `X-Forwarded-For: ${forwardedFor === null ? client : `${forwardedFor}, ${client}`}\r\n`;
    head += `X-Forwarded-Host: ${req.getHeader('host') ?? ''}\r\nX-Forwarded-Proto: ${req.isSecure() ? 'https' : 'http'}\r\n`;
    const chunkedIn = req.getHeader('transfer-encoding') !== null;
    if (length !== null) head += `Content-Length: ${length}\r\n`;
    else if (chunkedIn) {
      head += 'Transfer-Encoding: chunked\r\n';
      this.#chunked = true;
    }
    this.transport.write(`${head}\r\n`);
    // The client's response streams from the upstream socket: pause it when the client reads slowly.
    req.registerProducer(this, true);
    this.transport.registerProducer({ pauseProducing: () => req.pauseBody(), resumeProducing: () => req.resumeBody(), stopProducing: () => {} }, true);
    req.setBodyReceiver({
      dataReceived: (chunk) => {
        if (this.#chunked) this.transport.writeSequence([`${chunk.byteLength.toString(16)}\r\n`, chunk, '\r\n']);
        else this.transport.write(chunk);
      },
      bodyDone: (reason) => {
        if (reason) return;
        if (this.#chunked) this.transport.write('0\r\n\r\n');
        this.transport.unregisterProducer();
      },
    });
    req.resumeBody();
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#done) return;
    try {
      this.#parser.feed(data);
    } catch (e) {
      this.#upstreamError(new Failure(e));
    }
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (this.#done) return;
    try {
      this.#parser.end();
    } catch (e) {
      this.#upstreamError(new Failure(e));
    }
  }

  pauseProducing(): void {
    this.transport.pauseProducing();
  }

  resumeProducing(): void {
    this.transport.resumeProducing();
  }

  stopProducing(): void {
    this.abandon();
  }

  /** The client went away: drop the upstream connection. */
  abandon(): void {
    this.#done = true;
    if (this.connected) this.transport.loseConnection();
  }

  /** Could not connect: 502. */
  failed(reason: Failure): void {
    webLog.warn('Proxy connection to {host}:{port} failed: {reason}', { host: this.host, port: this.port, reason: reason.getErrorMessage() });
    this.#badGateway();
  }

  #upstreamError(reason: Failure): void {
    webLog.warn('Proxy upstream {host}:{port} failed: {reason}', { host: this.host, port: this.port, reason: reason.getErrorMessage() });
    this.#done = true;
    if (this.connected) this.transport.loseConnection();
    this.#badGateway();
  }

  #badGateway(): void {
    const req = this.request;
    if (req.finished) return;
    req.unregisterProducer();
    if (req.startedWriting) {
      req.processingFailed(new Failure(new Error('upstream response was cut short')));
      return;
    }
    req.setResponseCode(502);
    req.setHeader('Content-Type', 'text/html; charset=utf-8');
    req.write(errorHTML(502, 'Bad Gateway', 'The upstream server could not be reached or sent a bad response.'));
    req.finish();
  }
}
