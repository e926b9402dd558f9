/**
 * A `408 Request Timeout` on a reused pooled connection: an idempotent, bodiless request is retried once
 * on a new connection, as when the connection had gone stale. (The loopback case is in integration.test.ts.)
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { successResultOf } from '../../testing/index.js';
import { StringBodyProducer } from './body-producers.js';
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
