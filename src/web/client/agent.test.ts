import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, TimeoutError } from '../../defer/index.js';
import { ConnectionAborted } from '../../internet/error.js';
import { assertNoResult, failureResultOf, successResultOf } from '../../testing/index.js';
import { StringBodyProducer, FileBodyProducer } from './body-producers.js';
import { BodyTooLarge, PartialDownloadError, PotentialDataLoss, RequestTransmissionFailed, ResponseDone, ResponseFailed, SchemeNotSupported } from './errors.js';
import { readBody } from './read-body.js';
import { accept, BodyRecorder, memoryAgent } from './test-support.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Thing: a\r\nX-Thing: b\r\n\r\nhello';

describe('Agent over a memory reactor', () => {
  test('sends the request line and Host, and fires with the response head, then the body', () => {
    const { reactor, agent } = memoryAgent(false);
    const d = agent.request('GET', 'http://example.org:8080/a/b?x=1#frag', { 'User-Agent': 'torsion-test' });
    assert.equal(reactor.tcpClients[0].host, 'example.org');
    assert.equal(reactor.tcpClients[0].port, 8080);
    assertNoResult(d);
    const server = accept(reactor);
    assert.equal(server.received(), 'GET /a/b?x=1 HTTP/1.1\r\nhost: example.org:8080\r\nuser-agent: torsion-test\r\nconnection: close\r\n\r\n');
    server.send(OK);
    const response = successResultOf(d);
    assert.equal(response.code, 200);
    assert.equal(response.phrase, 'OK');
    assert.equal(response.version, 'HTTP/1.1');
    assert.equal(response.length, 5);
    assert.deepEqual(response.headers.getAll('x-thing'), ['a', 'b']);
    assert.equal(response.request.method, 'GET');
    assert.equal(Buffer.from(successResultOf(readBody(response))).toString(), 'hello');
    assert.equal(server.transport.disconnecting, true, 'a non-persistent connection is closed after the response');
  });

  test('connectTimeout reaches the connector; Connection: close from the caller is honoured', () => {
    const { reactor, pool, agent } = memoryAgent(true, { connectTimeout: 7 });
    const d = agent.request('GET', 'http://h/', { connection: 'close' });
    assert.equal(reactor.tcpClients[0].timeout, 7);
    const server = accept(reactor);
    assert.match(server.received(), /\r\nconnection: close\r\n\r\n$/);
    server.send(OK);
    successResultOf(readBody(successResultOf(d)));
    assert.equal(server.transport.disconnecting, true);
    assert.equal(pool.cachedConnections('http://h:80').length, 0);
  });

  test('default ports, IPv6 literals and the absent path', () => {
    const { reactor, agent } = memoryAgent(false);
    agent.request('GET', 'http://[::1]');
    assert.equal(reactor.tcpClients[0].host, '::1');
    assert.equal(reactor.tcpClients[0].port, 80);
    assert.match(accept(reactor).received(), /^GET \/ HTTP\/1\.1\r\nhost: \[::1\]\r\n/);
  });

  test('https connects with TLS, passing the agent TLS options', () => {
    const { reactor, agent } = memoryAgent(false, { tlsOptions: { ca: 'CA' } });
    agent.request('GET', 'https://example.org/');
    assert.equal(reactor.sslClients.length, 1);
    assert.equal(reactor.sslClients[0].port, 443);
    assert.deepEqual(reactor.sslClients[0].tlsOptions, { ca: 'CA' });
  });

  test('other schemes, bad methods and header injection fail at once', () => {
    const { agent } = memoryAgent();
    failureResultOf(agent.request('GET', 'ftp://example.org/'), SchemeNotSupported);
    failureResultOf(agent.request('GE T', 'http://example.org/'), TypeError);
    failureResultOf(agent.request('GET', 'http://example.org/', { 'x-evil': 'a\r\nInjected: yes' }), TypeError);
  });

  test('the body arrives in any chunking: Content-Length, chunked, close-delimited', () => {
    const body = 'The quick brown fox jumps over the lazy dog. '.repeat(7);
    const chunkedBody = body.match(/.{1,37}/gs)!.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('') + '0\r\nTrailer: x\r\n\r\n';
    const wires = [`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`, `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody}`, `HTTP/1.1 200 OK\r\n\r\n${body}`];
    for (const [kind, wire] of wires.entries()) {
      for (let size = 1; size <= 64; size += size < 8 ? 1 : 13) {
        const { reactor, agent } = memoryAgent(false);
        const d = agent.request('GET', 'http://h/');
        const server = accept(reactor);
        for (let i = 0; i < wire.length; i += size) server.send(wire.slice(i, i + size));
        const recorder = new BodyRecorder();
        successResultOf(d).deliverBody(recorder);
        if (kind === 2) {
          assert.equal(recorder.reason, null);
          server.transport.loseConnection();
          assert.ok(recorder.reason!.check(PotentialDataLoss), `close-delimited, chunks of ${size}`);
        } else assert.ok(recorder.reason?.check(ResponseDone), `kind ${kind}, chunks of ${size}`);
        assert.equal(recorder.text(), body);
      }
    }
  });

  test('readBody: PartialDownloadError for a close-delimited body, BodyTooLarge past the limit', () => {
    const { reactor, agent } = memoryAgent(false);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send('HTTP/1.0 200 OK\r\n\r\nabc');
    const body = readBody(successResultOf(d));
    server.transport.loseConnection();
    const f = failureResultOf(body, PartialDownloadError);
    assert.equal(Buffer.from((f.value as PartialDownloadError).body).toString(), 'abc');

    const d2 = agent.request('GET', 'http://h/');
    const server2 = accept(reactor);
    server2.send('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345');
    const limited = readBody(successResultOf(d2), 4);
    failureResultOf(limited, BodyTooLarge);
    assert.equal(server2.transport.aborted, true);
  });

  test('a body cut short fails with ResponseFailed', () => {
    const { reactor, agent } = memoryAgent(false);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345');
    const body = readBody(successResultOf(d));
    server.transport.loseConnection();
    failureResultOf(body, ResponseFailed);
  });

  test('interim 1xx responses are skipped; HEAD, 204 and 304 have no body', () => {
    const { reactor, agent } = memoryAgent(true);
    const d = agent.request('HEAD', 'http://h/');
    const server = accept(reactor);
    server.send('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
    const response = successResultOf(d);
    assert.equal(response.code, 200);
    assert.equal(successResultOf(readBody(response)).byteLength, 0);
    const d2 = agent.request('GET', 'http://h/');
    assert.equal(reactor.tcpClients.length, 1, 'the connection was reused after the HEAD');
    server.send('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n');
    assert.equal(successResultOf(readBody(successResultOf(d2))).byteLength, 0);
  });

  test('response limits: head size and header count', () => {
    const { reactor, agent } = memoryAgent(false, { limits: { maxHeadSize: 200, maxHeaders: 5 } });
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(300)}`);
    failureResultOf(d, ResponseFailed);
    assert.equal(server.transport.aborted, true);
    const d2 = agent.request('GET', 'http://h/');
    const server2 = accept(reactor);
    server2.send('HTTP/1.1 200 OK\r\n' + 'X-A: 1\r\n'.repeat(6) + '\r\n');
    failureResultOf(d2, ResponseFailed);
  });

  test('a malformed response fails the request and drops the connection', () => {
    const { reactor, agent } = memoryAgent(false);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send('SMTP ready\r\n\r\n');
    failureResultOf(d, ResponseFailed);
    assert.equal(server.transport.aborted, true);
  });

  test('a body with a known length goes with Content-Length', () => {
    const { reactor, agent } = memoryAgent(false);
    agent.request('POST', 'http://h/p', null, new StringBodyProducer('héllo'));
    assert.equal(accept(reactor).received(), 'POST /p HTTP/1.1\r\nhost: h\r\nconnection: close\r\ncontent-length: 6\r\n\r\nhéllo'.replace('é', '\xc3\xa9'));
    agent.request('POST', 'http://h/p');
    assert.match(accept(reactor).received(), /content-length: 0\r\n\r\n$/);
  });

  test('a body of unknown length goes chunked, with backpressure from the transport', async () => {
    const { reactor, agent } = memoryAgent(false);
    async function* parts() {
      yield 'ab';
      yield Buffer.from('cde');
    }
    const d = agent.request('PUT', 'http://h/p', null, new FileBodyProducer(parts()));
    const server = accept(reactor);
    assert.ok(server.transport.producer, 'the body producer is registered with the transport');
    for (let i = 0; i < 10 && server.transport.producer; i++) await new Promise((r) => setImmediate(r));
    assert.equal(server.transport.producer, null);
    assert.match(server.received(), /transfer-encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n$/);
    server.send(OK);
    assert.equal(successResultOf(d).code, 200);
  });

  test('a producer that writes more or less than announced fails the request', async () => {
    const { reactor, agent } = memoryAgent(false);
    async function* parts() {
      yield 'abcdef';
    }
    const d = agent.request('PUT', 'http://h/p', null, new FileBodyProducer(parts(), 3));
    const server = accept(reactor);
    for (let i = 0; i < 10 && !server.transport.aborted; i++) await new Promise((r) => setImmediate(r));
    failureResultOf(d, RequestTransmissionFailed);
    assert.equal(server.transport.aborted, true);
    assert.doesNotMatch(server.received(), /abcdef/);
  });

  test('cancelling aborts the connection; cancelling while connecting stops the attempt', () => {
    const { reactor, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    d.cancel();
    failureResultOf(d, CancelledError);
    assert.equal(server.transport.aborted, true);
    assert.equal(reactor.tcpClients.length, 1, 'a cancelled request is not retried');

    const d2 = agent.request('GET', 'http://h/');
    d2.cancel();
    failureResultOf(d2, CancelledError);
    assert.equal(reactor.tcpClients[1].connector.state, 'disconnected');
  });

  test('a timeout on the request Deferred aborts it', () => {
    const { reactor, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/').addTimeout(5, reactor);
    const server = accept(reactor);
    reactor.advance(5);
    assert.equal(server.transport.aborted, true);
    assert.ok(d.called);
    d.addErrback(() => null);
  });

  test('responseTimeout: no head in time aborts the connection and fails with TimeoutError', () => {
    const { reactor, agent } = memoryAgent(true, { responseTimeout: 5 });
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    reactor.advance(4);
    assert.equal(server.transport.aborted, false);
    reactor.advance(1);
    failureResultOf(d, TimeoutError);
    assert.equal(server.transport.aborted, true);
    const ok = agent.request('GET', 'http://h/');
    accept(reactor).send(OK);
    assert.equal(successResultOf(ok).code, 200);
    assert.equal(reactor.getDelayedCalls().length, 1, 'only the idle timer of the pooled connection is left');
  });

  test('pausing the body pauses the connection; resuming resumes it', () => {
    const { reactor, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345');
    let transport: { pauseProducing(): void; resumeProducing(): void } | null = null;
    const recorder = new BodyRecorder();
    successResultOf(d).deliverBody({ makeConnection: (t) => (transport = t), dataReceived: (b) => recorder.dataReceived(b), connectionLost: (r) => recorder.connectionLost(r) });
    transport!.pauseProducing();
    assert.equal(server.transport.producerState, 'paused');
    transport!.resumeProducing();
    assert.equal(server.transport.producerState, 'producing');
    server.send('67890');
    assert.equal(recorder.text(), '1234567890');
    assert.ok(recorder.reason?.check(ResponseDone));
  });

  test('stopping the body drops the connection and tells the body protocol', () => {
    const { reactor, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc');
    const recorder = new BodyRecorder();
    let transport: { stopProducing(): void } | null = null;
    successResultOf(d).deliverBody({ makeConnection: (t) => (transport = t), dataReceived: (b) => recorder.dataReceived(b), connectionLost: (r) => recorder.connectionLost(r) });
    transport!.stopProducing();
    assert.equal(server.transport.aborted, true);
    assert.ok(recorder.reason?.check(ResponseFailed));
    assert.ok((recorder.reason!.value as ResponseFailed).reasons[0].check(ConnectionAborted));
  });

  test('an unread body is buffered up to a limit, then the connection stops reading until deliverBody', () => {
    const { reactor, agent } = memoryAgent(true);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    const size = 200 * 1024;
    server.send(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
    server.send(Buffer.alloc(100 * 1024, 1));
    assert.equal(server.transport.producerState, 'paused');
    const body = readBody(successResultOf(d));
    assert.equal(server.transport.producerState, 'producing');
    server.send(Buffer.alloc(100 * 1024, 2));
    assert.equal(successResultOf(body).byteLength, size);
  });
});
