/**
 * The idle-body timeout: a body that stalls after its head fails and its connection is aborted; a slow
 * body that keeps coming, or one the caller has paused, is not cut.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Failure } from '../../defer/index.js';
import { reactor } from '../../internet/reactor.js';
import { failureResultOf, successResultOf } from '../../testing/index.js';
import { Agent } from './agent.js';
import { ResponseBodyTimeout, ResponseDone, ResponseFailed } from './errors.js';
import type { BodyTransport } from './interfaces.js';
import { HTTPConnectionPool } from './pool.js';
import { readBody } from './read-body.js';
import { accept, BodyRecorder, memoryAgent } from './test-support.js';

const HEAD = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n';

function timedOut(reason: ResponseFailed | Error): ResponseBodyTimeout {
  assert.ok(reason instanceof ResponseFailed, `expected ResponseFailed, got ${reason.name}`);
  const inner = reason.reasons[0].value;
  assert.ok(inner instanceof ResponseBodyTimeout, `expected ResponseBodyTimeout, got ${inner.name}`);
  return inner;
}

describe('bodyIdleTimeout over a memory reactor', () => {
  test('a body that stalls after its head fails after 60 s by default, and the connection is aborted, not pooled', () => {
    const { reactor, pool, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send(HEAD + '123');
    const body = readBody(successResultOf(d));
    reactor.advance(59.9);
    assert.equal(server.transport.disconnecting, false);
    reactor.advance(0.1);
    const f = failureResultOf(body, ResponseFailed);
    const timeout = timedOut(f.value);
    assert.equal(timeout.seconds, 60);
    assert.match(f.getErrorMessage(), /stalled: no byte received for 60 s/);
    assert.equal(server.transport.aborted, true);
    assert.equal(pool.cachedConnections('http://h:80').length, 0);
    agent.request('GET', 'http://h/');
    assert.equal(reactor.tcpClients.length, 2, 'the next request opens a new connection');
  });

  test('each chunk resets the timer: a slow but progressing body completes', () => {
    const { reactor, agent } = memoryAgent(true, { bodyIdleTimeout: 5 });
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send(HEAD);
    const body = readBody(successResultOf(d));
    for (const c of '1234567890') {
      reactor.advance(4.9);
      server.send(c);
    }
    assert.equal(Buffer.from(successResultOf(body)).toString(), '1234567890');
    assert.equal(server.transport.disconnecting, false);
    reactor.advance(100);
    assert.equal(server.transport.disconnecting, false, 'the timer is gone once the body is complete');
  });

  test('the timer only runs once the head is in, and honours the option', () => {
    const { reactor, agent } = memoryAgent(true, { bodyIdleTimeout: 5 });
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    reactor.advance(1000);
    server.send('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    const recorder = new BodyRecorder();
    successResultOf(d).deliverBody(recorder);
    reactor.advance(4);
    assert.equal(recorder.reason, null);
    reactor.advance(1);
    assert.equal(recorder.text(), 'abc');
    assert.equal(timedOut(recorder.reason!.value).seconds, 5);
  });

  test('bodyIdleTimeout: null means no limit', () => {
    const { reactor, agent } = memoryAgent(true, { bodyIdleTimeout: null });
    const d = agent.request('GET', 'http://h/events');
    const server = accept(reactor);
    server.send('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n');
    const recorder = new BodyRecorder();
    successResultOf(d).deliverBody(recorder);
    reactor.advance(3600);
    server.send('5\r\nhello\r\n0\r\n\r\n');
    assert.equal(recorder.text(), 'hello');
    assert.ok(recorder.reason?.check(ResponseDone));
  });

  test('a body paused by its reader (or buffered unread) does not time out; resuming starts the timer again', () => {
    const { reactor, agent } = memoryAgent(true, { bodyIdleTimeout: 5 });
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send(HEAD + '12345');
    let transport: BodyTransport | null = null;
    const recorder = new BodyRecorder();
    successResultOf(d).deliverBody({ makeConnection: (t) => (transport = t), dataReceived: (b) => recorder.dataReceived(b), connectionLost: (r) => recorder.connectionLost(r) });
    transport!.pauseProducing();
    reactor.advance(1000);
    assert.equal(recorder.reason, null);
    assert.equal(server.transport.disconnecting, false);
    transport!.resumeProducing();
    reactor.advance(4.9);
    server.send('67890');
    assert.equal(recorder.text(), '1234567890');
    assert.ok((recorder.reason as Failure | null)?.check(ResponseDone));

    const d2 = agent.request('GET', 'http://h/big');
    server.send(`HTTP/1.1 200 OK\r\nContent-Length: ${200 * 1024}\r\n\r\n`);
    server.send(Buffer.alloc(100 * 1024));
    assert.equal(server.transport.producerState, 'paused', 'nobody reads the body: the connection is paused');
    reactor.advance(1000);
    const body = readBody(successResultOf(d2));
    reactor.advance(5);
    timedOut(failureResultOf(body, ResponseFailed).value);
  });
});

describe('bodyIdleTimeout over loopback', () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  after(async () => {
    for (const s of sockets) s.destroy();
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  test('a server that sends its head and part of the body, then nothing, fails the body; the socket is closed', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => (closed = r));
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial'));
      socket.on('close', () => closed());
      socket.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const pool = new HTTPConnectionPool(reactor);
    const agent = new Agent(reactor, { pool, bodyIdleTimeout: 0.3 });
    const response = await agent.request('GET', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await assert.rejects(readBody(response).asPromise(), (e: Error) => {
      timedOut(e);
      return true;
    });
    await serverSawClose;
    assert.equal(pool.cachedConnections(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).length, 0);
  });
});
