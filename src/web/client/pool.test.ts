import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { failureResultOf, successResultOf } from '../../testing/index.js';
import { StringBodyProducer } from './body-producers.js';
import { ResponseNeverReceived } from './errors.js';
import { readBody } from './read-body.js';
import { accept, memoryAgent } from './test-support.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

describe('HTTPConnectionPool', () => {
  test('a persistent pool reuses the connection for the next request to the same host', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    const d1 = agent.request('GET', 'http://h/1');
    const server = accept(reactor);
    assert.doesNotMatch(server.received(), /connection: close/);
    server.send(OK);
    assert.equal(Buffer.from(successResultOf(readBody(successResultOf(d1)))).toString(), 'ok');
    assert.equal(pool.cachedConnections('http://h:80').length, 1);
    server.transport.clear();
    const d2 = agent.request('GET', 'http://h/2');
    assert.equal(reactor.tcpClients.length, 1);
    assert.match(server.received(), /^GET \/2 /);
    server.send(OK);
    assert.equal(successResultOf(d2).code, 200);
    agent.request('GET', 'http://other/');
    assert.equal(reactor.tcpClients.length, 2, 'another host gets its own connection');
  });

  test('a request sent from the end of the previous body reuses the connection', () => {
    const { reactor, agent } = memoryAgent(true);
    const server = (() => {
      agent.request('GET', 'http://h/1').addCallback((r) => readBody(r)).addCallback(() => agent.request('GET', 'http://h/2'));
      return accept(reactor);
    })();
    server.send(OK);
    assert.equal(reactor.tcpClients.length, 1);
    assert.match(server.received(), /GET \/2 /);
  });

  test('idle connections close after cachedConnectionTimeout', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    pool.cachedConnectionTimeout = 10;
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send(OK);
    successResultOf(readBody(successResultOf(d)));
    reactor.advance(9);
    assert.equal(server.transport.disconnecting, false);
    reactor.advance(1);
    assert.equal(server.transport.disconnecting, true);
    assert.equal(pool.cachedConnections('http://h:80').length, 0);
    agent.request('GET', 'http://h/');
    assert.equal(reactor.tcpClients.length, 2);
  });

  test('reuse restarts the idle timer', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    pool.cachedConnectionTimeout = 10;
    const server = (() => {
      agent.request('GET', 'http://h/').addCallback(readBody);
      return accept(reactor);
    })();
    server.send(OK);
    reactor.advance(8);
    agent.request('GET', 'http://h/').addCallback(readBody);
    reactor.advance(8);
    server.send(OK);
    reactor.advance(8);
    assert.equal(server.transport.disconnecting, false);
    reactor.advance(2);
    assert.equal(server.transport.disconnecting, true);
  });

  test('at most maxPersistentPerHost idle connections are kept: the oldest is closed', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    pool.maxPersistentPerHost = 1;
    const d1 = agent.request('GET', 'http://h/');
    const d2 = agent.request('GET', 'http://h/');
    const s1 = accept(reactor, 0);
    const s2 = accept(reactor, 1);
    s1.send(OK);
    successResultOf(readBody(successResultOf(d1)));
    s2.send(OK);
    successResultOf(readBody(successResultOf(d2)));
    assert.equal(s1.transport.disconnecting, true);
    assert.equal(s2.transport.disconnecting, false);
    assert.deepEqual(pool.cachedConnections('http://h:80').map((p) => p.transport), [s2.transport]);
  });

  test('connections are not reused after Connection: close, HTTP/1.0, close-delimited bodies or extra bytes', () => {
    const heads = [
      'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA',
    ];
    for (const head of heads) {
      const { reactor, pool, agent } = memoryAgent(true);
      const d = agent.request('GET', 'http://h/');
      const server = accept(reactor);
      server.send(head);
      successResultOf(readBody(successResultOf(d)));
      assert.equal(server.transport.disconnecting, true, head);
      assert.equal(pool.cachedConnections('http://h:80').length, 0);
    }
    const { reactor, pool, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok');
    successResultOf(readBody(successResultOf(d)));
    assert.equal(pool.cachedConnections('http://h:80').length, 1, 'HTTP/1.0 with keep-alive is reused');
  });

  test('a cached connection the server closes is dropped from the pool', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send(OK);
    successResultOf(readBody(successResultOf(d)));
    server.transport.loseConnection();
    assert.equal(pool.cachedConnections('http://h:80').length, 0);
  });

  test('an idempotent request on a stale cached connection is retried once on a new one', () => {
    const { reactor, agent } = memoryAgent(true);
    const d1 = agent.request('GET', 'http://h/');
    const s1 = accept(reactor);
    s1.send(OK);
    successResultOf(readBody(successResultOf(d1)));
    const d2 = agent.request('GET', 'http://h/again');
    // The server had already closed its end: the request gets no answer at all.
    s1.transport.loseConnection();
    assert.equal(reactor.tcpClients.length, 2, 'a new connection is made for the retry');
    const s2 = accept(reactor);
    assert.match(s2.received(), /^GET \/again /);
    s2.send(OK);
    assert.equal(successResultOf(d2).code, 200);
  });

  test('the retry happens once only, and never for a POST or a request with a body', () => {
    const { reactor, agent } = memoryAgent(true);
    const warm = (): ReturnType<typeof accept> => {
      const d = agent.request('GET', 'http://h/');
      const s = accept(reactor);
      s.send(OK);
      successResultOf(readBody(successResultOf(d)));
      return s;
    };
    let s = warm();
    const post = agent.request('POST', 'http://h/');
    s.transport.loseConnection();
    failureResultOf(post, ResponseNeverReceived);
    s = warm();
    const put = agent.request('DELETE', 'http://h/', null, new StringBodyProducer('x'));
    s.transport.loseConnection();
    failureResultOf(put, ResponseNeverReceived);
    const before = reactor.tcpClients.length;
    s = warm();
    const get = agent.request('GET', 'http://h/');
    s.transport.loseConnection();
    accept(reactor).transport.loseConnection();
    failureResultOf(get, ResponseNeverReceived);
    assert.equal(reactor.tcpClients.length, before + 2, 'one retry, no more');
  });

  test('a non-persistent pool closes each connection and sends Connection: close', () => {
    const { reactor, pool, agent } = memoryAgent(false);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    assert.match(server.received(), /connection: close\r\n/);
    server.send(OK);
    successResultOf(readBody(successResultOf(d)));
    assert.equal(server.transport.disconnecting, true);
    assert.equal(pool.cachedConnections('http://h:80').length, 0);
  });

  test('closeCachedConnections closes the idle connections and fires once they are gone', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send(OK);
    successResultOf(readBody(successResultOf(d)));
    successResultOf(pool.closeCachedConnections());
    assert.equal(server.transport.disconnecting, true);
    assert.equal(reactor.getDelayedCalls().length, 0, 'no idle timer is left behind');
  });
});
