/**
 * `Expect: 100-continue`: the body waits for `100 Continue`, for at most `continueTimeout`; a final
 * response first means the body is never sent and the connection is not reused.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IListeningPort } from '../../internet/interfaces.js';
import { reactor } from '../../internet/reactor.js';
import { successResultOf } from '../../testing/index.js';
import type { Request } from '../request.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { Agent } from './agent.js';
import { FileBodyProducer, StringBodyProducer } from './body-producers.js';
import { HTTPConnectionPool } from './pool.js';
import { readBody } from './read-body.js';
import { accept, memoryAgent } from './test-support.js';

const EXPECT = { expect: '100-continue' };

/** A body producer that records whether it was started or stopped. */
class Recorded extends StringBodyProducer {
  started = false;
  stopped = false;
  override startProducing(consumer: Parameters<StringBodyProducer['startProducing']>[0]): ReturnType<StringBodyProducer['startProducing']> {
    this.started = true;
    return super.startProducing(consumer);
  }
  override stopProducing(): void {
    this.stopped = true;
  }
}

describe('Expect: 100-continue over a memory reactor', () => {
  test('the head goes first; the body follows 100 Continue; the connection is reused', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    const d = agent.request('PUT', 'http://h/up', EXPECT, new StringBodyProducer('payload'));
    const server = accept(reactor);
    assert.match(server.received(), /\r\nexpect: 100-continue\r\n/);
    assert.match(server.received(), /content-length: 7\r\n\r\n$/, 'only the head so far');
    server.send('HTTP/1.1 100 Continue\r\n\r\n');
    assert.match(server.received(), /\r\n\r\npayload$/);
    server.send('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
    assert.equal(successResultOf(d).code, 201);
    assert.equal(pool.cachedConnections('http://h:80').length, 1);
    assert.equal(reactor.getDelayedCalls().filter((c) => c.getTime() <= reactor.seconds() + 1).length, 0, 'the continue timer is cancelled');
  });

  test('without an answer the body is sent after continueTimeout (1 s by default)', () => {
    const { reactor, agent } = memoryAgent(true);
    agent.request('POST', 'http://h/', EXPECT, new StringBodyProducer('late'));
    const server = accept(reactor);
    reactor.advance(0.9);
    assert.doesNotMatch(server.received(), /late/);
    reactor.advance(0.1);
    assert.match(server.received(), /\r\n\r\nlate$/);
    server.send('HTTP/1.1 100 Continue\r\n\r\n');
    assert.equal((server.received().match(/late/g) ?? []).length, 1, 'a late 100 does not send it twice');
  });

  test('continueTimeout is an agent option; a chunked body waits too', async () => {
    const { reactor, agent } = memoryAgent(true, { continueTimeout: 3 });
    agent.request('POST', 'http://h/', { Expect: '100-Continue' }, new FileBodyProducer((async function* () {
      yield 'x';
    })()));
    const server = accept(reactor);
    reactor.advance(2.9);
    await new Promise((r) => setImmediate(r));
    assert.match(server.received(), /transfer-encoding: chunked\r\n\r\n$/);
    reactor.advance(0.1);
    await new Promise((r) => setImmediate(r));
    assert.match(server.received(), /\r\n\r\n1\r\nx\r\n0\r\n\r\n$/);
  });

  test('a final response before 100: the body is never sent, the producer is stopped, the connection closed', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    const producer = new Recorded('too big');
    const d = agent.request('PUT', 'http://h/', EXPECT, producer);
    const server = accept(reactor);
    server.send('HTTP/1.1 413 Content Too Large\r\nContent-Length: 4\r\n\r\nnope');
    const response = successResultOf(d);
    assert.equal(response.code, 413);
    assert.equal(Buffer.from(successResultOf(readBody(response))).toString(), 'nope');
    reactor.advance(10);
    assert.doesNotMatch(server.received(), /too big/);
    assert.equal(producer.started, false);
    assert.equal(producer.stopped, true);
    assert.equal(server.transport.disconnecting, true);
    assert.equal(pool.cachedConnections('http://h:80').length, 0);
  });

  test('an empty body does not wait, and its connection stays reusable', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    const d = agent.request('POST', 'http://h/', EXPECT, new StringBodyProducer(''));
    const server = accept(reactor);
    server.send('HTTP/1.1 204 No Content\r\n\r\n');
    assert.equal(successResultOf(d).code, 204);
    assert.equal(pool.cachedConnections('http://h:80').length, 1);
  });

  test('a request without the header sends its body at once', () => {
    const { reactor, agent } = memoryAgent(true);
    agent.request('POST', 'http://h/', null, new StringBodyProducer('now'));
    assert.match(accept(reactor).received(), /\r\n\r\nnow$/);
  });
});

describe('Expect: 100-continue against a torsion Site over loopback', () => {
  const ports: IListeningPort[] = [];
  after(async () => {
    for (const p of ports) await p.stopListening();
  });

  class Echo extends Resource {
    override isLeaf = true;
    override render(r: Request): string {
      return Buffer.from(r.content).toString();
    }
  }

  test('the Site answers 100 and the body goes at once (a huge continueTimeout would hang otherwise)', async () => {
    const p = reactor.listenTCP(0, new Site(new Echo(), { accessLog: false }), { interface: '127.0.0.1' });
    ports.push(p);
    const port = (p.getHost() as unknown as { port: number }).port;
    const pool = new HTTPConnectionPool(reactor);
    const agent = new Agent(reactor, { pool, continueTimeout: 3600 });
    const url = `http://127.0.0.1:${port}/`;
    const d = agent.request('POST', url, EXPECT, new StringBodyProducer('uploaded after 100'));
    const timer = setTimeout(() => d.cancel(), 30_000);
    const response = await d;
    clearTimeout(timer);
    assert.equal(Buffer.from(await readBody(response)).toString(), 'uploaded after 100');
    assert.equal(Buffer.from(await readBody(await agent.request('POST', url, EXPECT, new StringBodyProducer('again')))).toString(), 'again');
    assert.equal(pool.cachedConnections(`http://127.0.0.1:${port}`).length, 1);
    await pool.closeCachedConnections();
  });
});
