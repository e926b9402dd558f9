/**
 * A `408 Request Timeout` on a reused pooled connection: an idempotent, bodiless request is retried once
 * on a new connection, as when the connection had gone stale.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { reactor } from '../../internet/reactor.js';
import { successResultOf } from '../../testing/index.js';
import { Agent } from './agent.js';
import { StringBodyProducer } from './body-producers.js';
import { HTTPConnectionPool } from './pool.js';
import { readBody } from './read-body.js';
import { accept, memoryAgent, type FakeServer } from './test-support.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 7\r\n\r\ntimeout';

/** A persistent agent with one connection already used once and back in the pool. */
function warmedUp(): ReturnType<typeof memoryAgent> & { first: FakeServer } {
  const setup = memoryAgent(true);
  const d = setup.agent.request('GET', 'http://h/warm');
  const first = accept(setup.reactor);
  first.send(OK);
  successResultOf(readBody(successResultOf(d)));
  assert.equal(setup.pool.cachedConnections('http://h:80').length, 1);
  first.transport.clear();
  return { ...setup, first };
}

describe('408 on a reused connection, over a memory reactor', () => {
  test('an idempotent request is retried once on a new connection; the old one is dropped', () => {
    const { reactor, pool, agent, first } = warmedUp();
    const d = agent.request('GET', 'http://h/again');
    assert.match(first.received(), /^GET \/again /);
    first.send(TIMEOUT);
    assert.equal(reactor.tcpClients.length, 2, 'a new connection is opened');
    assert.equal(first.transport.disconnecting, true);
    const second = accept(reactor);
    assert.match(second.received(), /^GET \/again /);
    second.send(OK);
    const response = successResultOf(d);
    assert.equal(response.code, 200);
    assert.equal(Buffer.from(successResultOf(readBody(response))).toString(), 'ok');
    assert.equal(pool.cachedConnections('http://h:80').length, 1);
  });

  test('a 408 that leaves its connection open (or mid-body) still has that connection dropped, not pooled', () => {
    for (const answer of ['HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n', 'HTTP/1.1 408 Request Timeout\r\nContent-Length: 100\r\n\r\npart']) {
      const { reactor, pool, agent, first } = warmedUp();
      const d = agent.request('GET', 'http://h/');
      first.send(answer);
      assert.equal(first.transport.aborted, true);
      assert.equal(pool.cachedConnections('http://h:80').length, 0);
      accept(reactor).send(OK);
      assert.equal(successResultOf(d).code, 200);
    }
  });

  test('only once: a 408 on the new connection is returned as it is', () => {
    const { reactor, agent, first } = warmedUp();
    const d = agent.request('HEAD', 'http://h/');
    first.send(TIMEOUT.replace(/timeout$/, ''));
    accept(reactor).send(TIMEOUT);
    assert.equal(successResultOf(d).code, 408);
    assert.equal(reactor.tcpClients.length, 2);
  });

  test('a 408 on a new connection is not retried', () => {
    const { reactor, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/');
    accept(reactor).send(TIMEOUT);
    assert.equal(successResultOf(d).code, 408);
    assert.equal(reactor.tcpClients.length, 1);
  });

  test('a POST, a request with a body, or a pool with retryAutomatically off gets the 408', () => {
    for (const [method, body, retry] of [
      ['POST', null, true],
      ['PUT', new StringBodyProducer('x'), true],
      ['GET', null, false],
    ] as const) {
      const { reactor, pool, agent, first } = warmedUp();
      pool.retryAutomatically = retry;
      const d = agent.request(method, 'http://h/', null, body);
      first.send(TIMEOUT);
      assert.equal(successResultOf(d).code, 408, `${method} retry=${retry}`);
      assert.equal(reactor.tcpClients.length, 1, `${method} retry=${retry}: no new connection`);
    }
  });
});

describe('408 on a reused connection, over loopback', () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  after(async () => {
    for (const s of sockets) s.destroy();
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  test('a server that answers the second request on a connection with 408 sees the request again on a new one', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      sockets.add(socket);
      const n = ++connections;
      let requests = 0;
      let buffered = '';
      socket.on('data', (d) => {
        buffered += d.toString('latin1');
        while (buffered.includes('\r\n\r\n')) {
          buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
          requests++;
          if (n === 1 && requests === 2) socket.end(TIMEOUT);
          else socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nconn ${n} #${requests}`);
        }
      });
      socket.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const pool = new HTTPConnectionPool(reactor);
    const agent = new Agent(reactor, { pool });
    const text = async (): Promise<string> => Buffer.from(await readBody(await agent.request('GET', url))).toString();
    assert.equal(await text(), 'conn 1 #1');
    assert.equal(await text(), 'conn 2 #1');
    assert.equal(connections, 2);
    await pool.closeCachedConnections();
  });
});
