import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { reactor } from '../internet/reactor.js';
import type { IListeningPort } from '../internet/interfaces.js';
import { Resource, NOT_DONE_YET } from './resource.js';
import type { Request } from './request.js';
import { Site } from './site.js';
import { ReverseProxyResource } from './proxy.js';

class Echo extends Resource {
  override isLeaf = true;
  override render(r: Request): string {
    r.setHeader('Content-Type', 'application/json');
    return JSON.stringify({ method: r.method, uri: r.uri, body: Buffer.from(r.content).toString(), headers: Object.fromEntries(r.headers) });
  }
}

const ports: IListeningPort[] = [];
function listen(site: Site): number {
  const port = reactor.listenTCP(0, site, { interface: '127.0.0.1' });
  ports.push(port);
  return (port.getHost() as unknown as { port: number }).port;
}
after(async () => {
  for (const p of ports) await p.stopListening();
});

function get(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer[] } = {}): Promise<{ res: IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (Array.isArray(options.body)) for (const b of options.body) req.write(b);
    else if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Raw socket exchange: sends `data`, resolves with everything received until the server closes. */
function raw(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' });
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.write(data);
  });
}

describe('Site over real TCP (loopback)', () => {
  test('keep-alive: several requests on one connection, and a POST body', async () => {
    const port = listen(new Site(new Echo(), { accessLog: false }));
    const reqs = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const out = await raw(port, reqs);
    const bodies = [...out.matchAll(/\{.*?"uri":"([^"]+)".*?"body":"([^"]*)"/g)].map((m) => `${m[1]}:${m[2]}`);
    assert.deepEqual(bodies, ['/a:', '/b:abc', '/c:']);
  });

  test('node:http client: chunked upload, query, headers', async () => {
    const port = listen(new Site(new Echo(), { accessLog: false }));
    const { res, body } = await get(port, '/p?q=1', { method: 'PUT', headers: { 'X-Test': 'yes' }, body: [Buffer.from('one,'), Buffer.from('two')] });
    assert.equal(res.statusCode, 200);
    const json = JSON.parse(body.toString());
    assert.equal(json.body, 'one,two');
    assert.equal(json.headers['transfer-encoding'], 'chunked');
    assert.equal(json.headers['x-test'], 'yes');
  });

  test('a response streamed with a producer and the client vanishing fails notifyFinish', async () => {
    let lost!: Promise<string>;
    class Forever extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        r.write('start');
        lost = new Promise((resolve) => r.notifyFinish().addErrback((f) => resolve(f.value.name)));
        return NOT_DONE_YET;
      }
    }
    const port = listen(new Site(new Forever(), { accessLog: false }));
    await new Promise<void>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      s.once('data', () => {
        s.destroy();
        resolve();
      });
    });
    assert.match(await lost, /Connection(Lost|Done)/);
  });
});

describe('slow readers', () => {
  test('a client pipelining thousands of requests without reading costs bounded memory', async () => {
    const site = new Site(new (class extends Resource {
      override isLeaf = true;
      renderGET() {
        return 'x'.repeat(10_000);
      }
    })(), { accessLog: false });
    const port = listen(site);
    const s = connect({ port, host: '127.0.0.1' });
    s.pause();
    await new Promise((r) => s.once('connect', r));
    const batch = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(1000);
    for (let i = 0; i < 20; i++) s.write(batch);
    let most = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 25));
      for (const ch of site.channels) most = Math.max(most, ch.transport.getWriteBufferSize());
    }
    s.destroy();
    assert.ok(most > 0, 'responses were waiting');
    assert.ok(most < 4 * 1024 * 1024, `unread responses buffered: ${most} bytes (20,000 x 10 kB were asked for)`);
  });
});

describe('Site over a Unix socket', () => {
  test('serves requests on listenUNIX', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'torsion-web-unix-'));
    const path = join(dir, 'web.sock');
    const port = reactor.listenUNIX(path, new Site(new Echo(), { accessLog: false }));
    try {
      const body = await new Promise<string>((resolve, reject) => {
        httpRequest({ socketPath: path, path: '/over/unix', headers: { host: 'unix' } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      assert.equal(JSON.parse(body).uri, '/over/unix');
    } finally {
      await port.stopListening();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ReverseProxyResource', () => {
  test('forwards method, path, query, body and X-Forwarded-*, streams the response back', async () => {
    const upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('X-Upstream', 'yes');
        res.write(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
        res.end();
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const upPort = (upstream.address() as { port: number }).port;
    try {
      const root = new Resource();
      root.putChild('api', new ReverseProxyResource('127.0.0.1', upPort, '/v1'));
      const port = listen(new Site(root, { accessLog: false }));
      const { res, body } = await get(port, '/api/users/7?x=1', { method: 'POST', headers: { Host: 'front.example', 'X-Forwarded-For': '10.1.1.1' }, body: [Buffer.from('hello '), Buffer.from('upstream')] });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-upstream'], 'yes');
      const json = JSON.parse(body.toString());
      assert.equal(json.method, 'POST');
      assert.equal(json.url, '/v1/users/7?x=1');
      assert.equal(json.body, 'hello upstream');
      assert.equal(json.headers['x-forwarded-for'], '10.1.1.1, 127.0.0.1');
      assert.equal(json.headers['x-forwarded-host'], 'front.example');
      assert.equal(json.headers['x-forwarded-proto'], 'http');
    } finally {
      await new Promise((r) => upstream.close(r));
    }
  });

  test('an unreachable upstream is a 502', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const deadPort = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const port = listen(new Site(new ReverseProxyResource('127.0.0.1', deadPort, ''), { accessLog: false }));
    const { res } = await get(port, '/');
    assert.equal(res.statusCode, 502);
  });
});
