/**
 * `toNodeHandler`: a Torsion resource tree as a `node:http` request listener, so it mounts inside a Node
 * server, Express or fastify. Every request goes through a real `HTTPChannel` (see {@link ResponseBridge}), so
 * the site's limits, timeouts, `NOT_DONE_YET`, producers and streaming bodies behave as on Torsion's server.
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { adoptSocket } from '../../internet/adopt.js';
import { tcpAddress } from '../../internet/addresses.js';
import type { IResource } from '../interfaces.js';
import { Resource } from '../resource.js';
import { Site, type SiteOptions } from '../site.js';
import { HOP_BY_HOP } from './limits.js';
import { ResponseBridge } from './response-bridge.js';

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * The path the handler is mounted under (`/app`), given with a resource: the tree is put under it, so
   * `request.prepath` starts with its segments and `prePathURL()` makes links that work (Twisted's
   * prepath/postpath). Requests outside it get 404. A `Site` is given the whole URL as it is.
   */
  prefix?: string;
  /** Options of the `Site` made around a resource (limits, timeouts, clock, ...). */
  site?: SiteOptions;
}

/** A `node:http` request listener serving a Torsion site, with its `upgrade` listener. */
export interface NodeHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** The site every request goes to. */
  readonly site: Site;
  /** An `upgrade` listener (WebSockets): Torsion takes the socket over. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Listens for `request` and `upgrade` on `server`. Returns `server`. */
  attach<S extends Server>(server: S): S;
}

/**
 * Returns a request listener serving `siteOrResource`:
 *
 * ```ts
 * const handler = toNodeHandler(root, { prefix: '/app' });
 * app.use('/app', handler);             // Express: the full URL (`req.originalUrl`) is used
 * server.on('upgrade', handler.upgrade); // WebSockets
 * ```
 */
export function toNodeHandler(siteOrResource: Site | IResource, options: NodeHandlerOptions = {}): NodeHandler {
  const site = siteOrResource instanceof Site ? siteOrResource : new Site(mountAt(options.prefix ?? '', siteOrResource), options.site);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const bridge = new ResponseBridge(req, res);
    const channel = site.buildProtocol(bridge.getPeer());
    bridge.start(channel);
    const chunked = req.headers['transfer-encoding'] !== undefined;
    channel.dataReceived(requestHead(req, chunked ? 'transfer-encoding: chunked\r\nconnection: close\r\n' : 'connection: close\r\n'));
    req.on('data', (chunk: Buffer) => {
      if (bridge.closed) return;
      if (chunked) {
        channel.dataReceived(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'));
        channel.dataReceived(chunk);
        channel.dataReceived(CRLF);
      } else channel.dataReceived(chunk);
    });
    req.on('end', () => {
      if (chunked && !bridge.closed) channel.dataReceived(LAST_CHUNK);
    });
  };
  const upgrade = (req: IncomingMessage, _socket: Duplex, head: Buffer): void => {
    const channel = site.buildProtocol(tcpAddress(req.socket.remoteAddress, req.socket.remotePort));
    adoptSocket(req.socket, channel);
    channel.dataReceived(requestHead(req, `connection: ${req.headers.connection ?? 'upgrade'}\r\nupgrade: ${req.headers.upgrade ?? ''}\r\n`));
    if (head.length > 0) channel.dataReceived(head);
  };
  return Object.assign(handler, {
    site,
    upgrade,
    attach<S extends Server>(server: S): S {
      server.on('request', handler);
      server.on('upgrade', upgrade);
      return server;
    },
  });
}

const CRLF = Buffer.from('\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/** The request head as Torsion's channel reads it: Node's header fields, this hop's own replaced by `own`. */
function requestHead(req: IncomingMessage, own: string): Buffer {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  let head = `${req.method ?? 'GET'} ${url} HTTP/1.1\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return Buffer.from(`${head}${own}\r\n`, 'latin1');
}

/** `resource` under the segments of `prefix` (`/a/b`): parents that hold only the next segment. */
function mountAt(prefix: string, resource: IResource): IResource {
  const segments = prefix.split('/').filter((s) => s.length > 0);
  let child = resource;
  for (let i = segments.length - 1; i >= 0; i--) {
    const parent = new Resource();
    parent.putChild(segments[i]!, child);
    child = parent;
  }
  return child;
}
