import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../defer/index.js';
import { ConnectionDone } from '../../internet/error.js';
import { Resource } from '../resource.js';
import { wire, statusCodes } from '../test-support.js';
import { Opcode } from './frame.js';
import { WebSocketResource } from './resource.js';
import { WebSocketProtocol } from './protocol.js';
import { Echo, Recorder, feedInChunks, frame, serverWire, upgradeRequest } from './test-support.js';

function closeCode(f: { payload: Buffer }): number {
  return f.payload.readUInt16BE(0);
}

function tcpClosed(s: ReturnType<typeof serverWire>): void {
  s.w.channel.connectionLost(new Failure(new ConnectionDone()));
}

describe('WebSocketResource handshake', () => {
  test('answers the RFC 6455 sample key with 101 and the sample accept value', () => {
    const s = serverWire(new Recorder());
    assert.match(s.head(), /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(s.head(), /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.match(s.head(), /\r\nUpgrade: websocket\r\n/i);
    assert.equal(s.protocol.finished, true);
    assert.equal(s.transport.request?.path, '/ws');
    assert.equal(s.transport.subprotocol, null);
  });

  function refused(extraOrRequest: string, options = {}, build: () => WebSocketProtocol | null = () => new Recorder()): { code: number; out: string } {
    const root = new Resource();
    root.putChild('ws', new WebSocketResource(build, options));
    const w = wire(root);
    w.send(extraOrRequest);
    return { code: statusCodes(w.output())[0]!, out: w.output() };
  }

  test('a plain GET gets 426 with an Upgrade header', () => {
    const r = refused('GET /ws HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(r.code, 426);
    assert.match(r.out, /\r\nUpgrade: websocket\r\n/);
  });

  test('bad upgrades are refused with the right status', () => {
    const base = 'Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n';
    assert.equal(refused(`GET /ws HTTP/1.1\r\n${base}\r\n`).code, 400, 'no key');
    assert.equal(refused(`GET /ws HTTP/1.1\r\n${base}Sec-WebSocket-Key: short\r\n\r\n`).code, 400, 'malformed key');
    assert.equal(refused(`POST /ws HTTP/1.1\r\n${base}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 0\r\n\r\n`).code, 405);
    assert.equal(refused(`GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`).code, 400, 'no upgrade token');
    const v8 = refused(upgradeRequest('/ws').replace('Version: 13', 'Version: 8'));
    assert.equal(v8.code, 426);
    assert.match(v8.out, /Sec-WebSocket-Version: 13\r\n/);
  });

  test('Origin is checked when allowedOrigins is set; a null protocol is a 403', () => {
    const options = { allowedOrigins: ['https://good.example'] };
    assert.equal(refused(upgradeRequest('/ws', 'Origin: https://evil.example\r\n'), options).code, 403);
    assert.equal(refused(upgradeRequest('/ws'), options).code, 403, 'no Origin at all');
    assert.equal(refused(upgradeRequest('/ws', 'Origin: https://good.example\r\n'), options).code, 101);
    assert.equal(refused(upgradeRequest('/ws', 'Origin: a\r\n'), { allowedOrigins: (o: string | null) => o === 'a' }).code, 101);
    assert.equal(refused(upgradeRequest('/ws'), {}, () => null).code, 403);
  });

  test('subprotocol: the server picks its most preferred one the client offered', () => {
    const s = serverWire(new Recorder(), { subprotocols: ['v2', 'v1'] }, 'Sec-WebSocket-Protocol: v1, v2\r\n');
    assert.match(s.head(), /\r\nSec-WebSocket-Protocol: v2\r\n/);
    assert.equal(s.transport.subprotocol, 'v2');
    const none = serverWire(new Recorder(), { subprotocols: ['v3'] }, 'Sec-WebSocket-Protocol: v1\r\n');
    assert.doesNotMatch(none.head(), /Sec-WebSocket-Protocol/);
    assert.equal(none.transport.subprotocol, null);
  });
});

describe('WebSocket server frames', () => {
  test('RFC 6455 sample frames: masked "Hello" in, unmasked "Hello" out', () => {
    const s = serverWire(new Echo());
    s.send(Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]));
    assert.deepEqual(s.protocol.texts, ['Hello']);
    const raw = s.w.transport.value();
    assert.deepEqual([...raw.subarray(raw.length - 7)], [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
  });

  test('messages survive any chunking (1..N bytes), with fragments, interleaved pings and all length forms', () => {
    const euro = Buffer.from('price: 5€ ok');
    const split = euro.indexOf(0xe2) + 1; // inside the 3-byte euro sign
    const big = Buffer.alloc(70_000, 7);
    const input = Buffer.concat([
      frame(Opcode.TEXT, 'one'),
      frame(Opcode.TEXT, euro.subarray(0, split), { fin: false }),
      frame(Opcode.PING, 'p'),
      frame(Opcode.CONTINUATION, euro.subarray(split)),
      frame(Opcode.BINARY, Buffer.alloc(300, 1)),
      frame(Opcode.BINARY, big.subarray(0, 1000), { fin: false }),
      frame(Opcode.CONTINUATION, big.subarray(1000, 2000), { fin: false }),
      frame(Opcode.CONTINUATION, big.subarray(2000)),
      frame(Opcode.TEXT, ''),
    ]);
    for (const size of [1, 2, 3, 7, 64, 1000, input.length]) {
      const s = serverWire(new Echo());
      feedInChunks(s.send, input, size);
      assert.deepEqual(s.protocol.texts, ['one', 'price: 5€ ok', ''], `chunk size ${size}`);
      assert.deepEqual(s.protocol.bytes.map((b) => b.length), [300, 70_000]);
      assert.ok(s.protocol.bytes[1]!.equals(big));
      const out = s.frames();
      assert.deepEqual(out.map((f) => f.opcode), [Opcode.TEXT, Opcode.PONG, Opcode.TEXT, Opcode.BINARY, Opcode.BINARY, Opcode.TEXT]);
      assert.equal(out[1]!.payload.toString(), 'p');
      assert.equal(out[4]!.payload.length, 70_000);
    }
  });

  test('frames that arrive in one read are answered in one write', () => {
    const s = serverWire(new Echo());
    const before = s.w.writes();
    s.send(Buffer.concat(Array.from({ length: 100 }, (_, i) => frame(Opcode.TEXT, `m${i}`))));
    assert.equal(s.w.writes() - before, 1);
    assert.equal(s.frames().length, 100);
    assert.equal(s.frames()[99]!.payload.toString(), 'm99');
  });

  const violations: [string, Buffer, number][] = [
    ['unmasked client frame', frame(Opcode.TEXT, 'x', { mask: false }), 1002],
    ['RSV2 set', frame(Opcode.TEXT, 'x', { rsv: 0x20 }), 1002],
    ['RSV1 without an extension', frame(Opcode.TEXT, 'x', { rsv1: true }), 1002],
    ['reserved data opcode', frame(0x3, 'x'), 1002],
    ['reserved control opcode', frame(0xb, 'x'), 1002],
    ['fragmented ping', frame(Opcode.PING, 'x', { fin: false }), 1002],
    ['ping over 125 bytes', frame(Opcode.PING, Buffer.alloc(126)), 1002],
    ['continuation with nothing started', frame(Opcode.CONTINUATION, 'x'), 1002],
    ['new message inside a fragmented one', Buffer.concat([frame(Opcode.TEXT, 'a', { fin: false }), frame(Opcode.TEXT, 'b')]), 1002],
    ['invalid UTF-8', frame(Opcode.TEXT, Buffer.from([0x68, 0xc0, 0xaf])), 1007],
    ['invalid UTF-8 in the first fragment', frame(Opcode.TEXT, Buffer.from([0xf4, 0x90, 0x80]), { fin: false }), 1007],
    ['UTF-8 cut at the end of a fragmented message', Buffer.concat([frame(Opcode.TEXT, 'a', { fin: false }), frame(Opcode.CONTINUATION, Buffer.from([0xe2, 0x82]))]), 1007],
    ['close with 1 byte', frame(Opcode.CLOSE, Buffer.from([3])), 1002],
    ['close with code 1005', frame(Opcode.CLOSE, Buffer.from([0x03, 0xed])), 1002],
    ['close with code 999', frame(Opcode.CLOSE, Buffer.from([0x03, 0xe7])), 1002],
    ['close reason not UTF-8', frame(Opcode.CLOSE, Buffer.from([0x03, 0xe8, 0xff])), 1007],
  ];
  for (const [name, bytes, code] of violations) {
    test(`${name} fails the connection with ${code}`, () => {
      const s = serverWire(new Recorder());
      s.send(bytes);
      const out = s.frames();
      assert.equal(out.at(-1)!.opcode, Opcode.CLOSE);
      assert.equal(closeCode(out.at(-1)!), code);
      assert.equal(s.w.transport.disconnecting, true);
      s.send(frame(Opcode.TEXT, 'ignored'));
      assert.deepEqual(s.protocol.texts, []);
      tcpClosed(s);
      assert.equal(s.protocol.lost?.closeCode, code);
      assert.equal(s.protocol.lost?.wasClean, false);
    });
  }

  test('maxMessageSize: a frame header announcing too much closes with 1009 before the payload arrives', () => {
    const s = serverWire(new Recorder(), { maxMessageSize: 1000 });
    s.send(frame(Opcode.BINARY, Buffer.alloc(5000)).subarray(0, 8));
    assert.equal(closeCode(s.frames().at(-1)!), 1009);
  });

  test('maxMessageSize counts every fragment of a message', () => {
    const s = serverWire(new Recorder(), { maxMessageSize: 1000 });
    s.send(frame(Opcode.BINARY, Buffer.alloc(600), { fin: false }));
    assert.equal(s.frames().length, 0);
    s.send(frame(Opcode.CONTINUATION, Buffer.alloc(600)));
    assert.equal(closeCode(s.frames().at(-1)!), 1009);
    assert.deepEqual(s.protocol.bytes, []);
  });

  test('an exception in user code closes with 1011', () => {
    class Bad extends Recorder {
      override textMessageReceived(): void {
        throw new Error('boom');
      }
    }
    const s = serverWire(new Bad());
    s.send(frame(Opcode.TEXT, 'x'));
    assert.equal(closeCode(s.frames().at(-1)!), 1011);
  });
});

describe('WebSocket server close handshake, pings, flow control', () => {
  test('the client closes: the server echoes the code, closes TCP, and reports a clean close', () => {
    const s = serverWire(new Recorder());
    s.send(frame(Opcode.CLOSE, Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('bye')])));
    const out = s.frames();
    assert.equal(out.at(-1)!.opcode, Opcode.CLOSE);
    assert.equal(closeCode(out.at(-1)!), 4000);
    assert.equal(s.w.transport.disconnecting, true);
    tcpClosed(s);
    assert.deepEqual({ ...s.protocol.lost }, { ...s.protocol.lost, closeCode: 4000, reason: 'bye', wasClean: true });
  });

  test('the server closes: close frame, nothing sent after it, clean once the client answers', () => {
    const s = serverWire(new Recorder());
    s.transport.loseConnection(4001, 'done');
    s.transport.sendTextMessage('dropped');
    const out = s.frames();
    assert.equal(out.length, 1);
    assert.equal(closeCode(out[0]!), 4001);
    assert.equal(out[0]!.payload.subarray(2).toString(), 'done');
    assert.equal(s.w.transport.disconnecting, false, 'waits for the client');
    s.send(frame(Opcode.CLOSE, Buffer.from([0x0f, 0xa1])));
    assert.equal(s.w.transport.disconnecting, true);
    tcpClosed(s);
    assert.equal(s.protocol.lost?.wasClean, true);
    assert.equal(s.protocol.lost?.closeCode, 4001);
  });

  test('closeTimeout: a client that never answers the close is dropped', () => {
    const s = serverWire(new Recorder(), { closeTimeout: 5 });
    s.transport.loseConnection();
    s.w.clock.advance(4.9);
    assert.equal(s.w.transport.aborted, false);
    s.w.clock.advance(0.2);
    assert.equal(s.w.transport.aborted, true);
  });

  test('a close without a code is reported as 1005 and answered with an empty close', () => {
    const s = serverWire(new Recorder());
    s.send(frame(Opcode.CLOSE, Buffer.alloc(0)));
    assert.equal(s.frames().at(-1)!.payload.length, 0);
    tcpClosed(s);
    assert.equal(s.protocol.lost?.closeCode, 1005);
  });

  test('TCP lost without a close frame is 1006, not clean', () => {
    const s = serverWire(new Recorder());
    tcpClosed(s);
    assert.equal(s.protocol.lost?.closeCode, 1006);
    assert.equal(s.protocol.lost?.wasClean, false);
  });

  test('ping is answered with a pong carrying the same payload; pongs reach pongReceived', () => {
    const s = serverWire(new Recorder());
    s.send(frame(Opcode.PING, 'abc'));
    s.send(frame(Opcode.PONG, 'xyz'));
    const pong = s.frames().at(-1)!;
    assert.equal(pong.opcode, Opcode.PONG);
    assert.equal(pong.payload.toString(), 'abc');
    assert.deepEqual(s.protocol.pongs.map(String), ['xyz']);
    s.transport.ping(Buffer.from('hi'));
    assert.equal(s.frames().at(-1)!.opcode, Opcode.PING);
    assert.throws(() => s.transport.ping(Buffer.alloc(126)), RangeError);
  });

  test('heartbeat: silence brings a ping, an answer keeps the connection, no answer drops it', () => {
    const s = serverWire(new Recorder(), { pingInterval: 10, pingTimeout: 5 });
    s.w.clock.advance(10);
    assert.equal(s.frames().at(-1)?.opcode, Opcode.PING);
    s.send(frame(Opcode.PONG, ''));
    s.w.clock.advance(5);
    assert.equal(s.w.transport.aborted, false);
    assert.equal(s.frames().filter((f) => f.opcode === Opcode.PING).length, 1, 'traffic since the last tick: no new ping');
    s.w.clock.advance(10);
    assert.equal(s.frames().filter((f) => f.opcode === Opcode.PING).length, 2);
    s.w.clock.advance(4.9);
    assert.equal(s.w.transport.aborted, false);
    s.w.clock.advance(0.2);
    assert.equal(s.w.transport.aborted, true);
  });

  test('a busy connection is never pinged', () => {
    const s = serverWire(new Recorder(), { pingInterval: 10, pingTimeout: 5 });
    for (let i = 0; i < 10; i++) {
      s.send(frame(Opcode.TEXT, 'x'));
      s.w.clock.advance(9);
    }
    assert.equal(s.frames().length, 0);
  });

  test('pauseProducing stops reading and delivering; resumeProducing delivers what was held', () => {
    class Pausing extends Recorder {
      override textMessageReceived(data: string): void {
        super.textMessageReceived(data);
        if (data === 'pause') this.transport.pauseProducing();
      }
    }
    const s = serverWire(new Pausing());
    s.send(Buffer.concat([frame(Opcode.TEXT, 'a'), frame(Opcode.TEXT, 'pause'), frame(Opcode.TEXT, 'b')]));
    assert.deepEqual(s.protocol.texts, ['a', 'pause']);
    assert.equal(s.w.transport.producerState, 'paused');
    s.send(frame(Opcode.TEXT, 'c'));
    assert.deepEqual(s.protocol.texts, ['a', 'pause']);
    s.transport.resumeProducing();
    assert.deepEqual(s.protocol.texts, ['a', 'pause', 'b', 'c']);
    assert.equal(s.w.transport.producerState, 'producing');
  });

  test('the transport is an IConsumer: producers go to the TCP transport, write sends messages', () => {
    const s = serverWire(new Recorder());
    const producer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    s.transport.registerProducer(producer, true);
    assert.equal(s.w.transport.producer, producer);
    s.transport.write('text');
    s.transport.write(Buffer.from([1, 2]));
    assert.deepEqual(s.frames().map((f) => f.opcode), [Opcode.TEXT, Opcode.BINARY]);
    s.transport.unregisterProducer();
    assert.equal(s.w.transport.producer, null);
  });
});

describe('WebSocket server edge cases', () => {
  test('pausing and resuming inside a message callback delivers every message once, in order', () => {
    class Flicker extends Recorder {
      override textMessageReceived(data: string): void {
        super.textMessageReceived(data);
        this.transport.pauseProducing();
        this.transport.resumeProducing();
      }
    }
    const s = serverWire(new Flicker());
    s.send(Buffer.concat([frame(Opcode.TEXT, 'a'), frame(Opcode.TEXT, 'b'), frame(Opcode.TEXT, 'c')]));
    assert.deepEqual(s.protocol.texts, ['a', 'b', 'c']);
  });

  test('a paused connection is not dropped by the heartbeat', () => {
    const s = serverWire(new Recorder(), { pingInterval: 10, pingTimeout: 5 });
    s.transport.pauseProducing();
    s.w.clock.advance(100);
    assert.equal(s.w.transport.aborted, false);
    s.transport.resumeProducing();
    s.w.clock.advance(15);
    assert.equal(s.w.transport.aborted, false);
    s.w.clock.advance(10);
    assert.equal(s.w.transport.aborted, true);
  });

  test('a large frame arriving in many reads is decoded once complete', () => {
    const s = serverWire(new Recorder());
    const payload = Buffer.alloc(3_000_000).map((_, i) => i % 251);
    feedInChunks(s.send, frame(Opcode.BINARY, payload), 65_536);
    assert.equal(s.protocol.bytes.length, 1);
    assert.ok(s.protocol.bytes[0]!.equals(payload));
  });

  test('a large message goes out unmasked behind its own header, intact', () => {
    const s = serverWire(new Recorder());
    const payload = Buffer.alloc(200_000, 5);
    s.transport.sendBytesMessage(payload);
    const out = s.frames();
    assert.equal(out.length, 1);
    assert.ok(out[0]!.payload.equals(payload));
  });

  test('loseConnection refuses codes an endpoint may not send', () => {
    const s = serverWire(new Recorder());
    assert.throws(() => s.transport.loseConnection(1005), RangeError);
    assert.throws(() => s.transport.loseConnection(5000), RangeError);
    s.transport.loseConnection(4999, 'x'.repeat(200));
    assert.ok(s.frames()[0]!.payload.length <= 125);
  });
});

test('an exception in negotiationFinished closes with 1011 instead of escaping into the HTTP layer', () => {
  class Bad extends Recorder {
    override negotiationFinished(): void {
      throw new Error('boom');
    }
  }
  const s = serverWire(new Bad());
  assert.match(s.head(), /^HTTP\/1\.1 101 /);
  assert.equal(s.frames().at(-1)!.payload.readUInt16BE(0), 1011);
  assert.equal(s.w.transport.disconnecting, true);
});

test('bytes fed while paused are held and decoded in order on resume', () => {
  const s = serverWire(new Recorder());
  s.transport.pauseProducing();
  const input = Buffer.concat([frame(Opcode.TEXT, 'one'), frame(Opcode.BINARY, Buffer.alloc(1000, 2)), frame(Opcode.TEXT, 'two')]);
  feedInChunks(s.send, input, 100);
  assert.deepEqual(s.protocol.texts, []);
  s.transport.resumeProducing();
  assert.deepEqual(s.protocol.texts, ['one', 'two']);
  assert.equal(s.protocol.bytes[0]!.length, 1000);
});

test('a burst of sends outside a read corks the transport once, uncorked on the next tick', async () => {
  const s = serverWire(new Recorder());
  const calls: string[] = [];
  s.w.transport.cork = () => calls.push('cork');
  s.w.transport.uncork = () => calls.push('uncork');
  s.transport.sendTextMessage('a');
  s.transport.sendTextMessage('b');
  s.transport.sendBytesMessage(Buffer.from([1]));
  assert.deepEqual(calls, ['cork']);
  assert.equal(s.frames().length, 3, 'the frames are handed to the transport at once');
  await new Promise((r) => process.nextTick(r));
  assert.deepEqual(calls, ['cork', 'uncork']);
  s.transport.sendTextMessage('c');
  assert.deepEqual(calls, ['cork', 'uncork', 'cork']);
});

describe('WebSocketResource keepRequest', () => {
  test('false: the protocol is built with the request, and the open connection does not hold it', () => {
    let seen: string | undefined;
    const root = new Resource();
    const protocol = new Recorder();
    root.putChild(
      'ws',
      new WebSocketResource((r) => {
        seen = r.path;
        return protocol;
      }, { keepRequest: false }),
    );
    const w = wire(root);
    w.send(upgradeRequest('/ws'));
    assert.equal(seen, '/ws');
    assert.equal(protocol.finished, true);
    assert.equal(protocol.transport.request, undefined);
    assert.equal(serverWire(new Recorder()).transport.request?.path, '/ws', 'kept by default');
  });
});
