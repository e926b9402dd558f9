/**
 * A Torsion resource tree mounted inside node:http, Express 5 and fastify 5, over real 127.0.0.1 sockets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import WebSocket from 'ws';
import type { IPushProducer } from '../../internet/interfaces.js';
import type { Request } from '../request.js';
import { NOT_DONE_YET, Resource } from '../resource.js';
import { WebSocketProtocol } from '../websocket/protocol.js';
import { WebSocketResource } from '../websocket/resource.js';
import { toNodeHandler } from './to-node-handler.js';
import { call, close, Counter, Delayed, listen, streamBytes } from './test-support.js';

class Hello extends Resource {
  override isLeaf = true;
  renderGET(request: Request): string {
    request.setHeader('content-type', 'text/plain');
    return `hello ${request.args.get('name')?.[0] ?? 'world'} at ${request.prePathURL()}`;
  }
  renderPOST(request: Request): string {
    return `you sent ${Buffer.from(request.content).toString('utf8')}`;
  }
}

class Shout extends WebSocketProtocol {
  override textMessageReceived(text: string): void {
    this.transport.sendTextMessage(text.toUpperCase());
  }
}

/** Streams `total` bytes with a push producer, counting what it produced. */
class Stream extends Resource {
  override isLeaf = true;
  produced = 0;
  pauses = 0;
  constructor(readonly total: number) {
    super();
  }
  renderGET(request: Request): typeof NOT_DONE_YET {
    const piece = Buffer.alloc(64 * 1024, 0x62);
    let paused = false;
    const produce = (): void => {
      while (!paused && this.produced < this.total) {
        this.produced += piece.length;
        request.write(piece);
      }
      if (this.produced >= this.total && !paused) {
        request.unregisterProducer();
        request.finish();
      }
    };
    const producer: IPushProducer = {
      pauseProducing: () => {
        paused = true;
        this.pauses++;
      },
      resumeProducing: () => {
        paused = false;
        setImmediate(produce);
      },
      stopProducing: () => {
        paused = true;
      },
    };
    request.registerProducer(producer, true);
    setImmediate(produce);
    return NOT_DONE_YET;
  }
}

function tree(extra: Record<string, Resource> = {}): Resource {
  const root = new Resource();
  root.putChild('hello', new Hello());
  root.putChild('upload', new Counter());
  root.putChild('ws', new WebSocketResource(() => new Shout()));
  for (const [k, v] of Object.entries(extra)) root.putChild(k, v);
  return root;
}

describe('toNodeHandler inside node:http', () => {
  let server: http.Server;
  let port: number;
  const stream = new Stream(32 * 1024 * 1024);
  let release!: () => void;
  const delayed = new Delayed(() => new Promise((r) => (release = r)));
  before(async () => {
    server = toNodeHandler(tree({ stream, delayed }), { prefix: '/app', site: { accessLog: false } }).attach(http.createServer());
    port = await listen(server);
  });
  after(() => close(server));

  test('GET under the prefix: prepath holds the mount path; outside it is 404', async () => {
    const r = await call(port, 'GET', '/app/hello?name=Ada');
    assert.equal(r.code, 200);
    assert.equal(r.text, 'hello Ada at /app/hello');
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal((await call(port, 'GET', '/elsewhere')).code, 404);
  });

  test('POST with a chunked body is read like on Torsion’s server', async () => {
    const r = await call(port, 'POST', '/app/hello', (req) => {
      req.write('a');
      req.end('b');
    });
    assert.equal(r.text, 'you sent ab');
  });

  test('the site’s body limit applies: 413 for a buffered body over maxBodySize', async () => {
    const small = toNodeHandler(tree(), { site: { accessLog: false, maxBodySize: 10 } }).attach(http.createServer());
    const p = await listen(small);
    try {
      const r = await call(p, 'POST', '/hello', 'x'.repeat(100));
      assert.equal(r.code, 413);
    } finally {
      await close(small);
    }
  });

  test('a slow reader pauses the Torsion producer (res.write false), drain resumes it', async () => {
    const got = await new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/app/stream', agent: false }, (res) => {
        let n = 0;
        res.once('data', (c: Buffer) => {
          n += c.length;
          res.pause();
          setTimeout(() => {
            // Bytes produced while the client read nothing are bounded by the socket and stream buffers.
            assert.ok(stream.produced < 8 * 1024 * 1024, `produced ${stream.produced} bytes while the client was paused`);
            assert.ok(stream.pauses > 0);
            res.on('data', (d: Buffer) => (n += d.length));
            res.resume();
          }, 300);
        });
        res.on('end', () => resolve(n));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    assert.equal(got, 32 * 1024 * 1024);
  });

  test('NOT_DONE_YET: a delayed response, and a client going away cancels the request', async () => {
    const pending = call(port, 'GET', '/app/delayed/x');
    await delayed.rendered;
    release();
    const r = await pending;
    assert.equal(r.text, 'prepath=app/delayed postpath=x;done');
    assert.equal(await delayed.finished, 'finished');

    const cancelled = new Delayed(() => new Promise(() => {}));
    const s2 = toNodeHandler(cancelled, { site: { accessLog: false } }).attach(http.createServer());
    const p2 = await listen(s2);
    try {
      await new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: p2, path: '/', agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => {});
      });
      assert.equal(await cancelled.finished, 'lost: ConnectionLost');
    } finally {
      await close(s2);
    }
  });
});

describe('toNodeHandler inside Express 5', () => {
  let server: http.Server;
  let port: number;
  before(async () => {
    const handler = toNodeHandler(tree(), { prefix: '/app', site: { accessLog: false } });
    const app = express();
    app.get('/', (_req, res) => {
      res.send('express home');
    });
    app.use('/app', handler);
    server = http.createServer(app);
    server.on('upgrade', handler.upgrade);
    port = await listen(server);
  });
  after(() => close(server));

  test('Express routes and the mounted tree side by side', async () => {
    assert.equal((await call(port, 'GET', '/')).text, 'express home');
    assert.equal((await call(port, 'GET', '/app/hello?name=Bo')).text, 'hello Bo at /app/hello');
    assert.equal((await call(port, 'POST', '/app/hello', 'xyz', { 'content-type': 'text/plain' })).text, 'you sent xyz');
  });

  test('a 100 MiB streamed body with bounded memory', async (t) => {
    const total = 100 * 1024 * 1024;
    const r = await call(port, 'POST', '/app/upload', (req) => streamBytes(req, total));
    const { bytes, rssGrowth } = JSON.parse(r.text) as { bytes: number; rssGrowth: number };
    assert.equal(bytes, total);
    t.diagnostic(`RSS growth while receiving: ${(rssGrowth / 1024 / 1024).toFixed(1)} MiB`);
    t.diagnostic(`RSS growth while receiving: ${(rssGrowth / 1024 / 1024).toFixed(1)} MiB`);
    // The peak includes garbage not yet collected; a body held in memory would add its 100 MiB.
    assert.ok(rssGrowth < 48 * 1024 * 1024, `RSS grew by ${rssGrowth} bytes`);
  });

  test('a WebSocket through Express’s server upgrade event', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/ws`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hi there'));
      ws.on('message', (m) => resolve(String(m)));
      ws.on('error', reject);
    });
    assert.equal(reply, 'HI THERE');
    ws.close();
    await new Promise((r) => ws.on('close', r));
  });
});

describe('toNodeHandler inside fastify 5', () => {
  const app = Fastify();
  let port: number;
  before(async () => {
    const handler = toNodeHandler(tree(), { prefix: '/app', site: { accessLog: false } });
    app.get('/', async () => 'fastify home');
    app.all('/app/*', (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    // fastify parses the body itself unless told otherwise; the raw stream must reach Torsion untouched.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null));
    app.server.on('upgrade', handler.upgrade);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app.close());

  test('GET and POST through fastify’s raw request', async () => {
    assert.equal((await call(port, 'GET', '/')).text, 'fastify home');
    assert.equal((await call(port, 'GET', '/app/hello?name=Cy')).text, 'hello Cy at /app/hello');
    assert.equal((await call(port, 'POST', '/app/hello', 'pq', { 'content-type': 'text/plain' })).text, 'you sent pq');
  });

  test('a 100 MiB streamed body with bounded memory', async (t) => {
    const total = 100 * 1024 * 1024;
    const r = await call(port, 'POST', '/app/upload', (req) => streamBytes(req, total), { 'content-type': 'application/octet-stream' });
    const { bytes, rssGrowth } = JSON.parse(r.text) as { bytes: number; rssGrowth: number };
    assert.equal(bytes, total);
    t.diagnostic(`RSS growth while receiving: ${(rssGrowth / 1024 / 1024).toFixed(1)} MiB`);
    t.diagnostic(`RSS growth while receiving: ${(rssGrowth / 1024 / 1024).toFixed(1)} MiB`);
    // The peak includes garbage not yet collected; a body held in memory would add its 100 MiB.
    assert.ok(rssGrowth < 48 * 1024 * 1024, `RSS grew by ${rssGrowth} bytes`);
  });

  test('a WebSocket through fastify’s server upgrade event', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/ws`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('from fastify'));
      ws.on('message', (m) => resolve(String(m)));
      ws.on('error', reject);
    });
    assert.equal(reply, 'FROM FASTIFY');
    ws.close();
    await new Promise((r) => ws.on('close', r));
  });
});
