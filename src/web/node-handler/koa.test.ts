/**
 * Koa 3 both ways, over real 127.0.0.1 sockets: a Torsion resource tree mounted inside a Koa app with
 * `toNodeHandler` (Koa told to leave the response alone), and a Koa app served inside a Torsion `Site` by
 * `NodeHandlerResource`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import Koa from 'koa';
import WebSocket from 'ws';
import { reactor } from '../../internet/reactor.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import type { Request } from '../request.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { WebSocketProtocol } from '../websocket/protocol.js';
import { WebSocketResource } from '../websocket/resource.js';
import { NodeHandlerResource } from './node-handler-resource.js';
import { toNodeHandler } from './to-node-handler.js';
import { call, close, Counter, listen, streamBytes } from './test-support.js';

const MiB = 1024 * 1024;

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

describe('toNodeHandler inside Koa 3', () => {
  let server: http.Server;
  let port: number;
  before(async () => {
    const root = new Resource();
    root.putChild('hello', new Hello());
    root.putChild('upload', new Counter());
    root.putChild('ws', new WebSocketResource(() => new Shout()));
    const handler = toNodeHandler(root, { prefix: '/app', site: { accessLog: false } });
    const app = new Koa();
    app.use(async (ctx, next) => {
      if (ctx.path === '/app' || ctx.path.startsWith('/app/')) {
        // Koa must neither answer nor read the body: the mounted tree owns the raw request and response.
        ctx.respond = false;
        handler(ctx.req, ctx.res);
        return;
      }
      await next();
    });
    app.use((ctx) => {
      ctx.body = 'koa home';
    });
    server = http.createServer(app.callback());
    server.on('upgrade', handler.upgrade);
    port = await listen(server);
  });
  after(() => close(server));

  test('Koa middleware and the mounted tree side by side', async () => {
    assert.equal((await call(port, 'GET', '/')).text, 'koa home');
    const r = await call(port, 'GET', '/app/hello?name=Kay');
    assert.equal(r.code, 200);
    assert.equal(r.text, 'hello Kay at /app/hello');
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal((await call(port, 'POST', '/app/hello', 'xyz', { 'content-type': 'text/plain' })).text, 'you sent xyz');
  });

  test('a 100 MiB streamed body with bounded memory', async (t) => {
    const r = await call(port, 'POST', '/app/upload', (req) => streamBytes(req, 100 * MiB));
    const { bytes, rssGrowth } = JSON.parse(r.text) as { bytes: number; rssGrowth: number };
    assert.equal(bytes, 100 * MiB);
    t.diagnostic(`RSS growth while receiving: ${(rssGrowth / MiB).toFixed(1)} MiB`);
    // The peak includes garbage not yet collected; a body held in memory would add its 100 MiB.
    assert.ok(rssGrowth < 48 * MiB, `RSS grew by ${rssGrowth} bytes`);
  });

  test('a WebSocket through the Koa server’s upgrade event', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/ws`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('from koa'));
      ws.on('message', (m) => resolve(String(m)));
      ws.on('error', reject);
    });
    assert.equal(reply, 'FROM KOA');
    ws.close();
    await new Promise((r) => ws.on('close', r));
  });
});

describe('NodeHandlerResource serving Koa 3', () => {
  let port: IListeningPort;
  let number: number;
  before(() => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      await next();
      ctx.set('x-app', 'koa');
    });
    app.use(async (ctx) => {
      if (ctx.method === 'POST' && ctx.path === '/count') {
        let bytes = 0;
        let peak = 0;
        const rss0 = process.memoryUsage().rss;
        for await (const chunk of ctx.req) {
          bytes += (chunk as Buffer).length;
          peak = Math.max(peak, process.memoryUsage().rss - rss0);
        }
        ctx.body = { bytes, rssGrowth: peak };
      } else if (ctx.path === '/users') {
        ctx.body = { url: ctx.url, ip: ctx.ip, q: ctx.query.x };
      } else if (ctx.path === '/boom') {
        ctx.throw(418, 'teapot');
      }
    });
    const root = new Resource();
    root.putChild('koa', new NodeHandlerResource(app.callback()));
    port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
    number = (port.getHost() as unknown as { port: number }).port;
  });
  after(() => port.stopListening());

  test('GET: Koa sees the path below the mount point, the query and the client address', async () => {
    const r = await call(number, 'GET', '/koa/users?x=2');
    assert.equal(r.code, 200);
    assert.equal(r.headers['x-app'], 'koa');
    assert.deepEqual(JSON.parse(r.text), { url: '/users?x=2', ip: '127.0.0.1', q: '2' });
  });

  test('Koa’s own status codes and 404 pass through', async () => {
    assert.equal((await call(number, 'GET', '/koa/boom')).code, 418);
    assert.equal((await call(number, 'GET', '/koa/nothing-here')).code, 404);
  });

  test('a 100 MiB streamed body with bounded memory', async (t) => {
    const r = await call(number, 'POST', '/koa/count', (req) => streamBytes(req, 100 * MiB));
    const { bytes, rssGrowth } = JSON.parse(r.text) as { bytes: number; rssGrowth: number };
    assert.equal(bytes, 100 * MiB);
    t.diagnostic(`RSS growth while receiving: ${(rssGrowth / MiB).toFixed(1)} MiB`);
    assert.ok(rssGrowth < 48 * MiB, `RSS grew by ${rssGrowth} bytes`);
  });
});
