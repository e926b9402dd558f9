/**
 * The client against Torsion's own `Site` over real loopback sockets: plain, TLS (verified), and through a
 * small local HTTP proxy (absolute-form and CONNECT).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { ConnectError } from '../../internet/error.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { InsecureTLSOptionsError } from '../../internet/tls-options.js';
import { reactor } from '../../internet/reactor.js';
import { selfSignedCertificate } from '../../testing/index.js';
import type { Request } from '../request.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { Agent } from './agent.js';
import { StringBodyProducer } from './body-producers.js';
import { HTTPConnectionPool } from './pool.js';
import { ProxyAgent } from './proxy-agent.js';
import { readBody } from './read-body.js';

class Echo extends Resource {
  override isLeaf = true;
  override render(r: Request): string {
    r.setHeader('content-type', 'application/json');
    return JSON.stringify({ method: r.method, uri: r.uri, secure: r.isSecure(), body: Buffer.from(r.content).toString(), host: r.getHeader('host') });
  }
}

const ports: IListeningPort[] = [];
const servers: Server[] = [];
const sockets = new Set<Socket>();
after(async () => {
  for (const p of ports) await p.stopListening();
  for (const s of sockets) s.destroy();
  for (const s of servers) await new Promise((r) => s.close(r));
});

function portOf(p: IListeningPort): number {
  return (p.getHost() as unknown as { port: number }).port;
}

function listenSite(): number {
  const p = reactor.listenTCP(0, new Site(new Echo(), { accessLog: false }), { interface: '127.0.0.1' });
  ports.push(p);
  return portOf(p);
}

function listenSiteTLS(): number {
  const { key, cert } = selfSignedCertificate();
  const p = reactor.listenSSL(0, new Site(new Echo(), { accessLog: false }), { key, cert }, { interface: '127.0.0.1' });
  ports.push(p);
  return portOf(p);
}

const json = async (d: ReturnType<Agent['request']>): Promise<Record<string, unknown>> => JSON.parse(Buffer.from(await readBody(await d)).toString());

describe('Agent against a torsion Site', () => {
  test('GET and POST over one kept-alive connection', async () => {
    const port = listenSite();
    const pool = new HTTPConnectionPool(reactor);
    const agent = new Agent(reactor, { pool });
    assert.deepEqual(await json(agent.request('GET', `http://127.0.0.1:${port}/a?b=c`)), { method: 'GET', uri: '/a?b=c', secure: false, body: '', host: `127.0.0.1:${port}` });
    assert.equal((await json(agent.request('POST', `http://127.0.0.1:${port}/p`, null, new StringBodyProducer('payload')))).body, 'payload');
    assert.equal(pool.cachedConnections(`http://127.0.0.1:${port}`).length, 1);
    await pool.closeCachedConnections();
  });

  test('https: verified against the CA given, refused without it', async () => {
    const port = listenSiteTLS();
    const { cert } = selfSignedCertificate();
    const verified = new Agent(reactor, { tlsOptions: { ca: cert } });
    assert.equal((await json(verified.request('GET', `https://127.0.0.1:${port}/s`))).secure, true);
    assert.equal((await json(verified.request('GET', `https://localhost:${port}/s`))).secure, true);
    await assert.rejects(new Agent(reactor).request('GET', `https://127.0.0.1:${port}/`).asPromise(), /self[- ]signed|certificate/i);
  });

  test('turning verification off takes the loudly named option', async () => {
    const port = listenSiteTLS();
    await assert.rejects(new Agent(reactor, { tlsOptions: { rejectUnauthorized: false } }).request('GET', `https://127.0.0.1:${port}/`).asPromise(), InsecureTLSOptionsError);
    const insecure = new Agent(reactor, { tlsOptions: { dangerouslyDisableVerification: true } });
    assert.equal((await json(insecure.request('GET', `https://127.0.0.1:${port}/`))).secure, true);
  });
});

/** A small forward proxy: absolute-form requests are relayed, CONNECT opens a tunnel (to 127.0.0.1 only). */
async function startProxy(secure = false): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const relay = (req: IncomingMessage, res: ServerResponse): void => {
    seen.push(`${req.method} ${req.url} auth=${req.headers['proxy-authorization'] ?? ''}`);
    const target = new URL(req.url!);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = httpRequest({ host: '127.0.0.1', port: target.port, path: target.pathname + target.search, method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const proxy: Server = secure ? createHTTPSServer(selfSignedCertificate(), relay) : createServer(relay);
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    sockets.add(client);
    const port = Number(new URL(`http://${req.url}`).port);
    const upstream = netConnect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  proxy.on('connection', (s: Socket) => sockets.add(s));
  servers.push(proxy);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return { url: `${secure ? 'https' : 'http'}://user:secret@127.0.0.1:${(proxy.address() as AddressInfo).port}`, seen };
}

describe('ProxyAgent through a local proxy', () => {
  test('http: the proxy gets the absolute URI and the credentials', async () => {
    const port = listenSite();
    const { url, seen } = await startProxy();
    const agent = new ProxyAgent(url, reactor);
    const body = await json(agent.request('GET', `http://127.0.0.1:${port}/via/proxy?x=1`));
    assert.equal(body.uri, '/via/proxy?x=1');
    assert.deepEqual(seen, [`GET http://127.0.0.1:${port}/via/proxy?x=1 auth=Basic ${Buffer.from('user:secret').toString('base64')}`]);
  });

  test('https: CONNECT, then TLS to the target verified inside the tunnel, with keep-alive', async () => {
    const port = listenSiteTLS();
    const { cert } = selfSignedCertificate();
    const { url, seen } = await startProxy();
    const pool = new HTTPConnectionPool(reactor);
    const agent = new ProxyAgent(url, reactor, { tlsOptions: { ca: cert }, pool });
    assert.deepEqual(await json(agent.request('GET', `https://localhost:${port}/tunnelled`)), { method: 'GET', uri: '/tunnelled', secure: true, body: '', host: `localhost:${port}` });
    assert.equal((await json(agent.request('POST', `https://localhost:${port}/again`, null, new StringBodyProducer('in the tunnel')))).body, 'in the tunnel');
    assert.deepEqual(seen, [`CONNECT localhost:${port}`], 'one tunnel carried both requests');
    await pool.closeCachedConnections();
  });

  test('an https proxy: TLS to the proxy, and TLS inside TLS for an https target', async () => {
    const plain = listenSite();
    const secure = listenSiteTLS();
    const { cert } = selfSignedCertificate();
    const { url, seen } = await startProxy(true);
    const agent = new ProxyAgent(url, reactor, { tlsOptions: { ca: cert }, proxyTLSOptions: { ca: cert } });
    assert.equal((await json(agent.request('GET', `http://127.0.0.1:${plain}/p`))).secure, false);
    assert.equal((await json(agent.request('GET', `https://localhost:${secure}/s`))).secure, true);
    assert.deepEqual(seen.map((l) => l.split(' ')[0]), ['GET', 'CONNECT']);
  });

  test('https through the tunnel still refuses a certificate it cannot verify, and says why', async () => {
    const port = listenSiteTLS();
    const { url } = await startProxy();
    await assert.rejects(new ProxyAgent(url, reactor).request('GET', `https://localhost:${port}/`).asPromise(), (e: Error) => {
      assert.ok(e instanceof ConnectError);
      assert.match(e.message, /^the TLS handshake with localhost:\d+ through the proxy failed: .*self[- ]signed/i);
      assert.equal((e.cause as NodeJS.ErrnoException).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
      return true;
    });
  });

  test('https through the tunnel: a host name the certificate does not cover is reported as such', async () => {
    const port = listenSiteTLS();
    const { cert } = selfSignedCertificate();
    const { url } = await startProxy();
    // The proxy only ever connects to 127.0.0.1, whatever name it is asked for.
    const agent = new ProxyAgent(url, reactor, { tlsOptions: { ca: cert } });
    await assert.rejects(agent.request('GET', `https://not-the-name.test:${port}/`).asPromise(), (e: Error) => {
      assert.ok(e instanceof ConnectError);
      assert.match(e.message, /through the proxy failed: .*not-the-name\.test/);
      assert.equal((e.cause as NodeJS.ErrnoException).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      return true;
    });
  });
});

/**
 * A server whose first connection answers one GET and then treats the second with `onSecond`; every other
 * request gets "conn N #M". The agent must see the second GET answered on a new connection.
 */
async function retriedOnNewConnection(onSecond: (socket: Socket) => void): Promise<void> {
  let connections = 0;
  const server = createNetServer((socket) => {
    sockets.add(socket);
    const n = ++connections;
    let requests = 0;
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        requests++;
        if (n === 1 && requests === 2) onSecond(socket);
        else socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nconn ${n} #${requests}`);
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server as unknown as Server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  const text = async (): Promise<string> => Buffer.from(await readBody(await agent.request('GET', url))).toString();
  assert.equal(await text(), 'conn 1 #1');
  assert.equal(await text(), 'conn 2 #1');
  assert.equal(connections, 2);
  await pool.closeCachedConnections();
}

describe('HTTPConnectionPool over real sockets', () => {
  test('a GET on a connection the server drops without answering is retried once on a new one', () =>
    // The first connection answers once, then "times out" just as the second request arrives.
    retriedOnNewConnection((socket) => socket.destroy()));

  test('a GET answered with 408 on a reused connection is sent again on a new one', () =>
    retriedOnNewConnection((socket) => socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 7\r\n\r\ntimeout')));
});
