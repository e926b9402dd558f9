/**
 * Express 5 and fastify 5 apps served inside a Torsion `Site` by `NodeHandlerResource`, over real 127.0.0.1
 * sockets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { reactor } from '../../internet/reactor.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { NodeHandlerResource, type NodeRequestListener } from './node-handler-resource.js';
import { call, streamBytes } from './test-support.js';

const MiB = 1024 * 1024;

function serve(handlers: Record<string, NodeRequestListener>, options = {}): { port: IListeningPort; number: number } {
  const root = new Resource();
  for (const [k, h] of Object.entries(handlers)) root.putChild(k, new NodeHandlerResource(h, options));
  const port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
  return { port, number: (port.getHost() as unknown as { port: number }).port };
}

describe('NodeHandlerResource serving Express 5', () => {
  let server: { port: IListeningPort; number: number };
  const seen = { produced: 0, closedEarly: false };
  let closed!: () => void;
  const closedEarly = new Promise<void>((r) => (closed = r));
  before(() => {
    const app = express();
    app.get('/users', (req, res) => {
      res.json({ url: req.url, ip: req.ip, q: req.query.x });
    });
    app.post('/echo', express.json(), (req, res) => {
      res.set('x-app', 'express').json({ got: req.body as unknown });
    });
    app.post('/count', (req, res) => {
      let n = 0;
      const rss0 = process.memoryUsage().rss;
      let peak = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
        peak = Math.max(peak, process.memoryUsage().rss - rss0);
      });
      req.on('end', () => res.json({ bytes: n, rssGrowth: peak }));
    });
    app.get('/big', (_req, res) => {
      const piece = Buffer.alloc(64 * 1024, 0x63);
      const total = 32 * MiB;
      const more = (): void => {
        while (seen.produced < total) {
          seen.produced += piece.length;
          if (!res.write(piece)) {
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      more();
    });
    app.get('/hang', (_req, res) => {
      res.write('started');
      res.on('close', () => {
        seen.closedEarly = !res.writableFinished;
        closed();
      });
    });
    app.get('/throw', () => {
      throw new Error('secret stack detail');
    });
    server = serve({
      api: app,
      sync: () => {
        throw new Error('secret sync detail');
      },
      async: async () => {
        await Promise.resolve();
        throw new Error('secret async detail');
      },
    });
  });
  after(() => server.port.stopListening());

  test('GET: the app sees the path below the mount point, the query and the client address', async () => {
    const r = await call(server.number, 'GET', '/api/users?x=1');
    assert.equal(r.code, 200);
    assert.deepEqual(JSON.parse(r.text), { url: '/users?x=1', ip: '127.0.0.1', q: '1' });
  });

  test('POST: a JSON body reaches express.json(), headers come back', async () => {
    const r = await call(server.number, 'POST', '/api/echo', '{"a":1}', { 'content-type': 'application/json' });
    assert.equal(r.code, 200);
    assert.equal(r.headers['x-app'], 'express');
    assert.deepEqual(JSON.parse(r.text), { got: { a: 1 } });
  });

  test('a 100 MiB streamed body with bounded memory', async (t) => {
    const r = await call(server.number, 'POST', '/api/count', (req) => streamBytes(req, 100 * MiB));
    const { bytes, rssGrowth } = JSON.parse(r.text) as { bytes: number; rssGrowth: number };
    assert.equal(bytes, 100 * MiB);
    t.diagnostic(`RSS growth while receiving: ${(rssGrowth / MiB).toFixed(1)} MiB`);
    // The peak includes garbage not yet collected (it stays the same for a 300 MiB body; 65 MiB in one CI run
    // on a loaded machine, usually under 40); a body held in memory would add its whole 100 MiB to that.
    assert.ok(rssGrowth < 90 * MiB, `RSS grew by ${rssGrowth} bytes`);
  });

  test('a slow client pauses the app’s response (res.write returns false)', async () => {
    const got = await new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.number, path: '/api/big', agent: false }, (res) => {
        let n = 0;
        res.once('data', (c: Buffer) => {
          n += c.length;
          res.pause();
          setTimeout(() => {
            assert.ok(seen.produced < 8 * MiB, `the app wrote ${seen.produced} bytes while the client read nothing`);
            res.on('data', (d: Buffer) => (n += d.length));
            res.resume();
          }, 300);
        });
        res.on('end', () => resolve(n));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    assert.equal(got, 32 * MiB);
  });

  test('a client going away closes the app’s response', async () => {
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: server.number, path: '/api/hang', agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
    });
    await closedEarly;
    assert.equal(seen.closedEarly, true);
  });

  test('errors become a 500 that shows no stack', async () => {
    for (const path of ['/sync', '/async']) {
      const r = await call(server.number, 'GET', path);
      assert.equal(r.code, 500, path);
      assert.doesNotMatch(r.text, /secret|at /, path);
    }
    const r = await call(server.number, 'GET', '/api/throw');
    assert.equal(r.code, 500);
  });

  test('maxRequestBodySize: a declared body over it is 413 before the app runs', async () => {
    let ran = false;
    const small = serve({ up: () => (ran = true) }, { maxRequestBodySize: 10 });
    try {
      const r = await call(small.number, 'POST', '/up', 'x'.repeat(100));
      assert.equal(r.code, 413);
      assert.equal(ran, false);
    } finally {
      await small.port.stopListening();
    }
  });
});

describe('NodeHandlerResource serving fastify 5', () => {
  let server: { port: IListeningPort; number: number };
  let captured!: NodeRequestListener;
  const app = Fastify({
    bodyLimit: 200 * MiB,
    serverFactory: (handler) => {
      captured = handler;
      return http.createServer(handler);
    },
  });
  before(async () => {
    app.get('/hi', async (request) => ({ hi: (request.query as { name?: string }).name }));
    app.post('/echo', async (request) => ({ got: request.body }));
    app.addContentTypeParser('application/octet-stream', (_request, payload, done) => {
      let n = 0;
      payload.on('data', (c: Buffer) => (n += c.length));
      payload.on('end', () => done(null, n));
    });
    app.post('/count', async (request) => ({ bytes: request.body }));
    await app.ready();
    server = serve({ f: captured });
  });
  after(async () => {
    await server.port.stopListening();
    await app.close();
  });

  test('GET and POST', async () => {
    assert.deepEqual(JSON.parse((await call(server.number, 'GET', '/f/hi?name=Di')).text), { hi: 'Di' });
    const r = await call(server.number, 'POST', '/f/echo', '{"b":2}', { 'content-type': 'application/json' });
    assert.deepEqual(JSON.parse(r.text), { got: { b: 2 } });
  });

  test('a 100 MiB streamed body', async (t) => {
    const rss0 = process.memoryUsage().rss;
    const r = await call(server.number, 'POST', '/f/count', (req) => streamBytes(req, 100 * MiB), { 'content-type': 'application/octet-stream' });
    assert.deepEqual(JSON.parse(r.text), { bytes: 100 * MiB });
    const growth = process.memoryUsage().rss - rss0;
    t.diagnostic(`RSS growth: ${(growth / MiB).toFixed(1)} MiB`);
    assert.ok(growth < 48 * MiB, `RSS grew by ${growth} bytes`);
  });
});
