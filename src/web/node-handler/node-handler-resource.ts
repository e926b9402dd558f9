/**
 * `NodeHandlerResource`: any `node:http` request listener (an Express or Koa app) served inside a Torsion
 * `Site` under a path — Twisted's `WSGIResource`, for Node. Each request reaches the handler through a private
 * `http.Server` (never listening) over an in-memory {@link PipeSocket}, so the app gets Node's own
 * `IncomingMessage` and `ServerResponse`; the response bytes Node writes are parsed back and written to the
 * Torsion request.
 * @module
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { Failure } from '../../defer/index.js';
import { webLog } from '../log.js';
import type { Request } from '../request.js';
import { NOT_DONE_YET, Resource } from '../resource.js';
import { NODE_HANDLER_LIMITS } from './limits.js';
import { PipeSocket } from './pipe-socket.js';

/** A `node:http` request listener; a returned Promise that rejects counts as a thrown error. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Options of {@link NodeHandlerResource}: its limits (defaults in `NODE_HANDLER_LIMITS`). */
export interface NodeHandlerResourceOptions {
  maxResponseHeadSize?: number;
  maxResponseHeaders?: number;
  maxRequestBodySize?: number;
}

/** The limits a `NodeHandlerResource` applies, every one set. */
export type NodeHandlerLimits = { -readonly [K in keyof typeof NODE_HANDLER_LIMITS]: number };

/**
 * Serves `handler` for every request under this resource's path. The handler sees the path below the mount
 * point (`/api/users` under `putChild('api', ...)` is `/users`) and Node's request object; the request body
 * is streamed to it and its response streamed back, each side pausing the other when it cannot keep up.
 * An error thrown by the handler (or a rejected Promise it returns) is logged and answered with a plain 500
 * that shows no stack, or ends the connection if the response had started.
 *
 * ```ts
 * root.putChild('api', new NodeHandlerResource(expressApp));
 * ```
 */
export class NodeHandlerResource extends Resource {
  override isLeaf = true;
  override streamBody = true;
  readonly limits: NodeHandlerLimits;
  readonly #server: http.Server;

  constructor(handler: NodeRequestListener, options: NodeHandlerResourceOptions = {}) {
    super();
    this.limits = { ...NODE_HANDLER_LIMITS, ...options };
    // The Site bounds time and head size already; Node's own timers would only race it.
    this.#server = http.createServer({ requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0 }, (req, res) => {
      const fail = (e: unknown): void => {
        webLog.failure('Error in the Node handler for {method} {url}', new Failure(e), { method: req.method, url: req.url });
        if (res.headersSent) res.destroy();
        else {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Internal Server Error');
        }
      };
      try {
        const result = handler(req, res);
        if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(undefined, fail);
      } catch (e) {
        fail(e);
      }
    });
    this.#server.on('clientError', (_e, socket) => socket.destroy());
  }

  override render(request: Request): typeof NOT_DONE_YET {
    const declared = Number(request.getHeader('content-length') ?? 0);
    if (declared > this.limits.maxRequestBodySize) {
      request.sendError(413, 'The request body is larger than this resource accepts.');
      return NOT_DONE_YET;
    }
    const pipe = new PipeSocket(request, this.limits);
    this.#server.emit('connection', pipe);
    pipe.start();
    return NOT_DONE_YET;
  }
}
