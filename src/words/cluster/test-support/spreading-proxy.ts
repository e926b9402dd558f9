/**
 * A load balancer without sticky sessions, for the tests of pages across nodes: each HTTP request goes to
 * the next node in turn, and WebSocket upgrades are refused (as by a proxy that cannot carry them), so
 * pages fall back to long polling and their polls land on every node.
 * @module
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy passed on. */
export interface ProxiedRequest {
  port: number;
  method: string;
  path: string;
  /** The node's status code, or 502 when it could not be reached. */
  status?: number;
}

/** A running {@link startSpreadingProxy}. */
export interface SpreadingProxy {
  readonly port: number;
  /** The nodes' ports, in turn; change it to take a node out (as a health check would). */
  backends: number[];
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * Listens on a loopback port and spreads requests over `backends` round robin, GETs and POSTs each in their
 * own turn (one turn for both could send every GET of a page that alternates them to the same node).
 */
export async function startSpreadingProxy(backends: number[]): Promise<SpreadingProxy> {
  const turns = new Map<string, number>();
  const proxy: SpreadingProxy = { port: 0, backends, requests: [], close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    if (req.headers.upgrade !== undefined) {
      res.writeHead(400, { Connection: 'close' }).end();
      return;
    }
    const turn = turns.get(req.method ?? '') ?? 0;
    turns.set(req.method ?? '', turn + 1);
    const port = proxy.backends[turn % proxy.backends.length]!;
    const record: ProxiedRequest = { port, method: req.method ?? 'GET', path: req.url ?? '/' };
    proxy.requests.push(record);
    const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      record.status = answer.statusCode;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (_req, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
