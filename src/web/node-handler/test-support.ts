/**
 * Helpers of the mounting tests: a node:http client over 127.0.0.1 and Torsion resources that exercise
 * streaming, NOT_DONE_YET and cancellation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Failure } from '../../defer/index.js';
import type { Request } from '../request.js';
import { NOT_DONE_YET, Resource } from '../resource.js';

export interface Reply {
  code: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request to 127.0.0.1:`port`; `body` may be a function that writes the body itself. */
export function call(port: number, method: string, path: string, body?: string | ((req: http.ClientRequest) => void), headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof body === 'function') body(req);
    else req.end(body);
  });
}

/** Streams `total` bytes in 64 KiB pieces with backpressure, then ends. */
export function streamBytes(req: http.ClientRequest, total: number): void {
  const piece = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  const more = (): void => {
    while (sent < total) {
      const n = Math.min(piece.length, total - sent);
      sent += n;
      if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) {
        req.once('drain', more);
        return;
      }
    }
    req.end();
  };
  more();
}

export function portOf(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

export function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(portOf(server))));
}

export function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Counts a streamed request body and answers with the count and the largest RSS growth seen meanwhile. */
export class Counter extends Resource {
  override isLeaf = true;
  override streamBody = true;
  renderPOST(request: Request): typeof NOT_DONE_YET {
    let n = 0;
    const rss0 = process.memoryUsage().rss;
    let peak = 0;
    request.setBodyReceiver({
      dataReceived(chunk) {
        n += chunk.length;
        peak = Math.max(peak, process.memoryUsage().rss - rss0);
      },
      bodyDone(reason) {
        if (reason) return;
        request.setHeader('content-type', 'application/json');
        request.write(JSON.stringify({ bytes: n, rssGrowth: peak }));
        request.finish();
      },
    });
    return NOT_DONE_YET;
  }
}

/** Answers with a prepath, then (after `later` resolves) the rest: a delayed NOT_DONE_YET response. */
export class Delayed extends Resource {
  override isLeaf = true;
  finished: Promise<string>;
  /** Resolves once a request is being rendered. */
  rendered: Promise<void>;
  #settle!: (how: string) => void;
  #rendered!: () => void;
  constructor(readonly later: () => Promise<void>) {
    super();
    this.finished = new Promise((r) => (this.#settle = r));
    this.rendered = new Promise((r) => (this.#rendered = r));
  }
  renderGET(request: Request): typeof NOT_DONE_YET {
    this.#rendered();
    request.setHeader('content-type', 'text/plain');
    request.write(`prepath=${request.prepath.join('/')} postpath=${request.postpath.join('/')};`);
    request.notifyFinish().addCallbacks(
      () => this.#settle('finished'),
      (f: Failure) => this.#settle(`lost: ${f.value.constructor.name}`),
    );
    void this.later().then(() => {
      request.write('done');
      request.finish();
    });
    return NOT_DONE_YET;
  }
}
