/**
 * Torsion's Agent against `node:http` servers on the loopback (the "Agent against node:http").
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { reactor } from '../../internet/reactor.js';
import { Agent } from './agent.js';
import { FileBodyProducer, StringBodyProducer } from './body-producers.js';
import { ContentDecoderAgent } from './content-decoder.js';
import { CookieAgent } from './cookie-agent.js';
import { CookieJar } from './cookie-jar.js';
import { ResponseFailed } from './errors.js';
import { HTTPConnectionPool } from './pool.js';
import { readBody } from './read-body.js';
import { RedirectAgent } from './redirect.js';

const servers: Server[] = [];
const sockets = new Set<Socket>();
after(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers) await new Promise((r) => s.close(r));
});

/** A node:http server on 127.0.0.1 port 0; resolves with its base URL and a count of connections. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; connections: () => number }> {
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

async function collect(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('Agent against node:http', () => {
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool, connectTimeout: 10 });
  after(() => pool.closeCachedConnections());

  test('GET with headers; keep-alive reuses one connection for sequential requests', async () => {
    const { url, connections } = await serve((req, res) => {
      res.setHeader('x-seen-agent', String(req.headers['user-agent']));
      res.end(`you asked for ${req.url}`);
    });
    for (let i = 0; i < 5; i++) {
      const response = await agent.request('GET', `${url}/n/${i}?q=1`, { 'user-agent': 'torsion' });
      assert.equal(response.code, 200);
      assert.equal(response.headers.get('x-seen-agent'), 'torsion');
      assert.equal(text(await readBody(response)), `you asked for /n/${i}?q=1`);
    }
    assert.equal(connections(), 1);
  });

  test('concurrent requests open parallel connections and all complete', async () => {
    const { url, connections } = await serve((req, res) => res.end(req.url));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => agent.request('GET', `${url}/${i}`).addCallback(readBody).asPromise()));
    assert.deepEqual(results.map(text), Array.from({ length: 20 }, (_, i) => `/${i}`));
    assert.equal(connections(), 20, 'no idle connection existed, so each request opened its own');
  });

  test('POST bodies: with Content-Length, and chunked from a stream', async () => {
    const { url } = await serve(async (req, res) => {
      const body = await collect(req);
      res.end(JSON.stringify({ method: req.method, te: req.headers['transfer-encoding'] ?? null, cl: req.headers['content-length'] ?? null, body: body.toString() }));
    });
    const r1 = JSON.parse(text(await readBody(await agent.request('POST', url, { 'content-type': 'text/plain' }, new StringBodyProducer('hello there')))));
    assert.deepEqual(r1, { method: 'POST', te: null, cl: '11', body: 'hello there' });
    const big = 'x'.repeat(300_000);
    const stream = Readable.from([big.slice(0, 100_000), big.slice(100_000)]);
    const r2 = JSON.parse(text(await readBody(await agent.request('PUT', url, null, new FileBodyProducer(stream)))));
    assert.deepEqual({ ...r2, body: r2.body.length }, { method: 'PUT', te: 'chunked', cl: null, body: 300_000 });
  });

  test('a large chunked response streams through deliverBody in pieces', async () => {
    const piece = Buffer.alloc(64 * 1024, 7);
    const { url } = await serve((_req, res) => {
      let n = 0;
      const write = (): void => {
        while (n < 32) {
          n++;
          if (!res.write(piece)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
    });
    const response = await agent.request('GET', url);
    assert.equal(response.length, null);
    let received = 0;
    let pieces = 0;
    await new Promise<void>((resolve, reject) => {
      response.deliverBody({
        dataReceived: (d) => {
          received += d.byteLength;
          pieces++;
        },
        connectionLost: (reason) => (reason.value.name === 'ResponseDone' ? resolve() : reject(reason.value)),
      });
    });
    assert.equal(received, 32 * 64 * 1024);
    assert.ok(pieces > 1);
  });

  test('HEAD, 204 and 304 leave the connection usable', async () => {
    const { url, connections } = await serve((req, res) => {
      if (req.url === '/204') res.writeHead(204).end();
      else if (req.url === '/304') res.writeHead(304, { etag: '"x"' }).end();
      else res.end('body!');
    });
    assert.equal((await readBody(await agent.request('HEAD', url))).byteLength, 0);
    assert.equal((await agent.request('GET', `${url}/204`)).code, 204);
    assert.equal((await agent.request('GET', `${url}/304`)).code, 304);
    assert.equal(text(await readBody(await agent.request('GET', url))), 'body!');
    assert.equal(connections(), 1);
  });

  test('redirects, gzip and cookies through the wrapping agents', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/login') {
        res.writeHead(303, { location: '/home', 'set-cookie': 'sid=42; Path=/; HttpOnly' }).end();
      } else if (req.url === '/home') {
        const body = zlib.gzipSync(`welcome, cookie ${req.headers.cookie}, accept ${req.headers['accept-encoding']}`);
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
      } else res.writeHead(404).end();
    });
    const jar = new CookieJar();
    const browser = new RedirectAgent(new ContentDecoderAgent(new CookieAgent(agent, jar)));
    const response = await browser.request('POST', `${url}/login`, null, new StringBodyProducer('user=me'));
    assert.equal(response.code, 200);
    assert.equal(response.previousResponse?.code, 303);
    assert.equal(text(await readBody(response)), 'welcome, cookie sid=42, accept gzip, deflate, br');
  });

  test('a server that dies mid-body fails the body with ResponseFailed', async () => {
    const { url } = await serve((req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write('only a little');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const response = await agent.request('GET', url);
    await assert.rejects(readBody(response).asPromise(), ResponseFailed);
  });

  test('a refused connection fails the request', async () => {
    const { url } = await serve((_req, res) => res.end());
    const server = servers[servers.length - 1];
    await new Promise((r) => server.close(r));
    await assert.rejects(new Agent(reactor).request('GET', url).asPromise(), (e: Error) => /refused/i.test(e.message) || e.name === 'ConnectionRefusedError');
  });

  test('cancelling a request whose response never comes closes the connection', async () => {
    let closed!: () => void;
    const socketClosed = new Promise<void>((r) => (closed = r));
    const control: { cancel?: () => void } = {};
    const { url } = await serve((req) => {
      req.socket.on('close', closed);
      control.cancel?.();
    });
    const d = new Agent(reactor).request('GET', url);
    control.cancel = () => d.cancel();
    await assert.rejects(d.asPromise(), (e: Error) => e.name === 'CancelledError');
    await socketClosed;
  });
});
