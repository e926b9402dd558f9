import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, TimeoutError } from '../../defer/index.js';
import { ConnectionRefusedError } from '../../internet/error.js';
import { failureResultOf, MemoryReactor, successResultOf } from '../../testing/index.js';
import { Resource } from '../resource.js';
import type { Request } from '../request.js';
import { Site } from '../site.js';
import { connectWebSocket } from './client.js';
import { WebSocketHandshakeError } from './errors.js';
import { Opcode } from './frame.js';
import { acceptKey } from './handshake.js';
import type { WebSocketOptions } from './interfaces.js';
import { WebSocketResource } from './resource.js';
import { decodeFrames, Echo, frame, Recorder } from './test-support.js';

function echoSite(options: WebSocketOptions = {}, seen: Request[] = [], clock = new MemoryReactor().clock): Site {
  const root = new Resource();
  root.putChild(
    'ws',
    new WebSocketResource((r) => {
      seen.push(r);
      return new Echo();
    }, options),
  );
  return new Site(root, { accessLog: false, clock });
}

/** A client connected to a StringTransport, and the key it sent. */
function rawClient(options = {}) {
  const reactor = new MemoryReactor();
  const d = connectWebSocket('ws://example.com/ws', new Recorder(), { reactor, ...options });
  const { transport, protocol } = reactor.tcpClients[0]!.connector.succeed();
  const feed = (b: Uint8Array) => protocol.dataReceived(b);
  const request = transport.value().toString('latin1');
  const key = /Sec-WebSocket-Key: (\S+)\r\n/.exec(request)![1]!;
  transport.clear();
  const answer = (extra = '', accept = acceptKey(key)) =>
    feed(Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`, 'latin1'));
  return { reactor, d, transport, request, key, answer, feed };
}

describe('connectWebSocket', () => {
  test('handshakes with a WebSocketResource in memory, masks its frames, echoes, chunked 1 byte at a time', () => {
    for (const chunkSize of [undefined, 1, 5]) {
      const reactor = new MemoryReactor();
      const seen: Request[] = [];
      const d = connectWebSocket('ws://example.com:8080/ws?room=1', () => new Recorder(), { reactor, subprotocols: ['chat'], headers: { Cookie: 'a=b' }, origin: 'https://example.com' });
      const record = reactor.tcpClients[0]!;
      assert.equal(record.host, 'example.com');
      assert.equal(record.port, 8080);
      const { pump } = record.connector.connectTo(echoSite({ subprotocols: ['chat'] }, seen, reactor.clock), { chunkSize });
      const client = successResultOf(d);
      assert.equal(client.finished, true);
      assert.equal(client.transport.subprotocol, 'chat');
      assert.equal(seen[0]!.getHeader('host'), 'example.com:8080');
      assert.equal(seen[0]!.getCookie('a'), 'b');
      assert.equal(seen[0]!.getHeader('origin'), 'https://example.com');
      assert.deepEqual(seen[0]!.args.get('room'), ['1']);
      client.transport.sendTextMessage('hello €');
      client.transport.sendBytesMessage(new Uint8Array(70_000).fill(3));
      pump.flush();
      assert.deepEqual(client.texts, ['hello €']);
      assert.equal(client.bytes[0]!.length, 70_000);
      client.transport.loseConnection(1000, 'bye');
      pump.flush();
      assert.equal(client.lost?.closeCode, 1000);
      assert.equal(client.lost?.wasClean, true);
    }
  });

  test('the request is a proper opening handshake with a fresh 16-byte key', () => {
    const a = rawClient();
    const b = rawClient();
    assert.match(a.request, /^GET \/ws HTTP\/1\.1\r\nHost: example\.com\r\n/);
    assert.match(a.request, /\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n/);
    assert.match(a.request, /\r\nSec-WebSocket-Version: 13\r\n/);
    assert.equal(Buffer.from(a.key, 'base64').length, 16);
    assert.notEqual(a.key, b.key);
  });

  const bad: [string, (c: ReturnType<typeof rawClient>) => void, RegExp][] = [
    ['a 403', (c) => c.feed(Buffer.from('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')), /403 Forbidden/],
    ['a wrong accept value', (c) => c.answer('', 'AAAA'), /Sec-WebSocket-Accept/],
    ['a subprotocol that was not offered', (c) => c.answer('Sec-WebSocket-Protocol: other\r\n'), /not offered/],
    ['an extension that was not offered', (c) => c.answer('Sec-WebSocket-Extensions: permessage-deflate\r\n'), /not offered/],
    ['a head that never ends', (c) => c.feed(Buffer.alloc(20_000, 0x61)), /too large/],
  ];
  for (const [name, answer, message] of bad) {
    test(`fails with WebSocketHandshakeError on ${name}`, () => {
      const c = rawClient();
      answer(c);
      const f = failureResultOf(c.d, WebSocketHandshakeError);
      assert.match(f.getErrorMessage(), message);
      assert.equal(c.transport.disconnecting, true);
    });
  }

  test('rejects a masked frame from the server with 1002', () => {
    const c = rawClient();
    c.answer();
    const client = successResultOf(c.d);
    c.feed(frame(Opcode.TEXT, 'x', { mask: true }));
    const out = decodeFrames(c.transport.value(), true);
    assert.equal(out.at(-1)!.opcode, Opcode.CLOSE);
    assert.equal(out.at(-1)!.payload.readUInt16BE(0), 1002);
    assert.deepEqual(client.texts, []);
  });

  test('frames right behind the 101 head are delivered', () => {
    const reactor = new MemoryReactor();
    const d = connectWebSocket('ws://example.com/', new Recorder(), { reactor });
    const { transport, protocol } = reactor.tcpClients[0]!.connector.succeed();
    const key = /Sec-WebSocket-Key: (\S+)\r\n/.exec(transport.value().toString())![1]!;
    const head = Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
    protocol.dataReceived(Buffer.concat([head, frame(Opcode.TEXT, 'early', { mask: false })]));
    assert.deepEqual(successResultOf(d).texts, ['early']);
  });

  test('after the close exchange the client waits closeTimeout for the server to close TCP, then drops it', () => {
    const c = rawClient({ closeTimeout: 3 });
    c.answer();
    const client = successResultOf(c.d);
    c.feed(frame(Opcode.CLOSE, Buffer.from([0x03, 0xe8]), { mask: false }));
    assert.equal(c.transport.disconnecting, false);
    c.reactor.advance(3);
    assert.equal(c.transport.disconnecting, true);
    assert.equal(client.lost?.closeCode, 1000);
    assert.equal(client.lost?.wasClean, true);
  });

  test('connection refused, timeout and cancel fail the Deferred', () => {
    const r1 = new MemoryReactor();
    const d1 = connectWebSocket('ws://127.0.0.1:1/', new Recorder(), { reactor: r1 });
    r1.tcpClients[0]!.connector.fail();
    failureResultOf(d1, ConnectionRefusedError);

    const r2 = new MemoryReactor();
    const d2 = connectWebSocket('ws://example.com/', new Recorder(), { reactor: r2, timeout: 5 });
    r2.tcpClients[0]!.connector.succeed();
    r2.advance(4);
    assert.equal(d2.called, false);
    r2.advance(1);
    failureResultOf(d2, TimeoutError);

    const r3 = new MemoryReactor();
    const d3 = connectWebSocket('ws://example.com/', new Recorder(), { reactor: r3 });
    d3.cancel();
    failureResultOf(d3, CancelledError);
    assert.equal(r3.tcpClients[0]!.connector.state, 'disconnected');
  });

  test('wss: connects with TLS through connectSSL, verification left on', () => {
    const reactor = new MemoryReactor();
    connectWebSocket('wss://example.com/x', new Recorder(), { reactor }).addErrback(() => undefined);
    assert.equal(reactor.sslClients[0]!.port, 443);
    assert.deepEqual(reactor.sslClients[0]!.tlsOptions, {});
    assert.throws(() => connectWebSocket('ftp://example.com/', new Recorder(), { reactor }), TypeError);
    assert.throws(() => connectWebSocket('ws://example.com/#frag', new Recorder(), { reactor }), TypeError);
  });

  test('client heartbeat and limits: pings after silence, drops a dead server, 1009 on a big message', () => {
    const c = rawClient({ pingInterval: 5, pingTimeout: 2, maxMessageSize: 10 });
    c.answer();
    successResultOf(c.d);
    c.reactor.advance(5);
    const ping = decodeFrames(c.transport.value(), true).at(-1)!;
    assert.equal(ping.opcode, Opcode.PING);
    c.reactor.advance(2);
    assert.equal(c.transport.disconnecting, true, 'no answer: dropped');

    const b = rawClient({ maxMessageSize: 10 });
    b.answer();
    b.feed(frame(Opcode.TEXT, 'x'.repeat(11), { mask: false }));
    assert.equal(decodeFrames(b.transport.value(), true).at(-1)!.payload.readUInt16BE(0), 1009);
  });

  test('IPv6 literal URLs connect to the bare address and send a bracketed Host', () => {
    const reactor = new MemoryReactor();
    connectWebSocket('ws://[::1]:9000/x', new Recorder(), { reactor }).addErrback(() => undefined);
    assert.equal(reactor.tcpClients[0]!.host, '::1');
    const { transport } = reactor.tcpClients[0]!.connector.succeed();
    assert.match(transport.value().toString(), /\r\nHost: \[::1\]:9000\r\n/);
  });
});
