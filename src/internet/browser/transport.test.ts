import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, type Failure } from '../../defer/index.js';
import { ConnectError, ConnectingTimeoutError, ConnectionAborted, ConnectionDone, ConnectionLost } from '../error.js';
import type { IPullProducer, IPushProducer } from '../interfaces.js';
import { ClientFactory, Protocol } from '../protocol.js';
import { captureLogs } from '../../logger/index.js';
import { LineReceiver } from '../../protocols/line-receiver.js';
import { Clock, failureResultOf, successResultOf } from '../../testing/index.js';
import { WebSocketConnector, connectWebSocketStream } from './connect.js';
import type { WebSocketStreamTransport } from './transport.js';
import { FakeWebSocket } from './test-support/fake-websocket.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

class Lines extends LineReceiver {
  lines: string[] = [];
  made = 0;
  lost: Failure | null = null;
  override connectionMade(): void {
    this.made++;
  }
  override lineReceived(line: Uint8Array): void {
    this.lines.push(text(line));
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lost = reason;
  }
}

class Producer implements IPushProducer {
  events: string[] = [];
  pauseProducing(): void {
    this.events.push('pause');
  }
  resumeProducing(): void {
    this.events.push('resume');
  }
  stopProducing(): void {
    this.events.push('stop');
  }
}

function open(protocol = new Lines(), options: { clock?: Clock; highWater?: number; lowWater?: number; maxMessageSize?: number } = {}) {
  const clock = options.clock ?? new Clock();
  const d = connectWebSocketStream('ws://127.0.0.1:1/bridge', protocol, { ...options, reactor: clock, WebSocket: FakeWebSocket });
  const ws = FakeWebSocket.last();
  ws.open();
  successResultOf(d);
  return { protocol, ws, clock, transport: protocol.transport as WebSocketStreamTransport };
}

beforeEach(() => {
  FakeWebSocket.instances = [];
});

describe('connectWebSocketStream', () => {
  test('fires with the protocol once connectionMade has run, over a binary socket', () => {
    const p = new Lines();
    const d = connectWebSocketStream('ws://127.0.0.1:1/bridge', p, { reactor: new Clock(), WebSocket: FakeWebSocket, subprotocols: ['lines'] });
    const ws = FakeWebSocket.last();
    assert.equal(ws.url, 'ws://127.0.0.1:1/bridge');
    assert.deepEqual(ws.protocols, ['lines']);
    assert.equal(d.called, false);
    ws.open();
    assert.equal(successResultOf(d), p);
    assert.equal(p.made, 1);
    assert.equal(ws.binaryType, 'arraybuffer');
    assert.equal(String(p.transport.getPeer()), 'WEBSOCKET:ws://127.0.0.1:1/bridge');
    assert.equal(p.transport.getHost().type, 'WEBSOCKET');
  });

  test('takes a factory, and a reactor as the third argument: the page WebSocket, the handshake timed on that reactor', () => {
    const page = globalThis as { WebSocket?: unknown };
    const pageWebSocket = page.WebSocket;
    page.WebSocket = FakeWebSocket;
    try {
      const clock = new Clock();
      const d = connectWebSocketStream<Lines>('ws://h/x', ClientFactory.forProtocol(Lines), clock);
      assert.equal(FakeWebSocket.instances.length, 1, 'the page WebSocket is used');
      assert.equal(clock.getDelayedCalls().length, 1, 'the handshake timeout is on the given reactor');
      FakeWebSocket.last().open();
      const p = successResultOf(d);
      assert.ok(p instanceof Lines, 'built by the factory');
      assert.equal(p.made, 1);
    } finally {
      page.WebSocket = pageWebSocket;
    }
  });

  test('with no WebSocket class in the runtime and none passed, fails with ConnectError', () => {
    const page = globalThis as { WebSocket?: unknown };
    const pageWebSocket = page.WebSocket;
    page.WebSocket = undefined;
    try {
      const d = connectWebSocketStream<Lines>('ws://h/x', ClientFactory.forProtocol(Lines), new Clock());
      assert.ok(failureResultOf(d, ConnectError).getErrorMessage().includes('no WebSocket'));
    } finally {
      page.WebSocket = pageWebSocket;
    }
  });

  test('fails with ConnectError when the socket closes before opening', () => {
    const d = connectWebSocketStream('ws://h/x', new Lines(), { reactor: new Clock(), WebSocket: FakeWebSocket });
    FakeWebSocket.last().closed(1006, '', false);
    assert.match(failureResultOf(d, ConnectError).getErrorMessage(), /closed before opening \(code 1006\)/);
  });

  test('times out the handshake on the reactor and closes the socket', () => {
    const clock = new Clock();
    const d = connectWebSocketStream('ws://h/x', new Lines(), { reactor: clock, WebSocket: FakeWebSocket, timeout: 5 });
    clock.advance(4.9);
    assert.equal(d.called, false);
    clock.advance(0.1);
    failureResultOf(d, ConnectingTimeoutError);
    assert.equal(FakeWebSocket.last().closeCalls.length, 1);
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  test('cancelling abandons the attempt with CancelledError', () => {
    const clock = new Clock();
    const d = connectWebSocketStream('ws://h/x', new Lines(), { reactor: clock, WebSocket: FakeWebSocket });
    d.cancel();
    failureResultOf(d, CancelledError);
    const ws = FakeWebSocket.last();
    assert.equal(ws.closeCalls.length, 1);
    ws.open(); // a late open is ignored
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  test('a factory that refuses closes the socket and fails the Deferred', () => {
    const refusing = { buildProtocol: () => null, doStart() {}, doStop() {} };
    const d = connectWebSocketStream('ws://h/x', refusing, { reactor: new Clock(), WebSocket: FakeWebSocket });
    FakeWebSocket.last().open();
    assert.match(failureResultOf(d, ConnectError).getErrorMessage(), /refused/);
    assert.equal(FakeWebSocket.last().closeCalls.length, 1);
  });
});

describe('WebSocketStreamTransport', () => {
  test('lines both ways; messages split anywhere are reassembled', () => {
    const { protocol, ws } = open();
    protocol.sendLine('hello');
    assert.equal(ws.sentText(), 'hello\r\n');
    const input = 'one\r\ntwo\r\nthree, longer\r\n';
    for (let size = 1; size <= input.length; size++) {
      protocol.lines = [];
      for (let i = 0; i < input.length; i += size) ws.receive(new TextEncoder().encode(input.slice(i, i + size)));
      assert.deepEqual(protocol.lines, ['one', 'two', 'three, longer'], `chunks of ${size}`);
    }
  });

  test('a text message is read as UTF-8 bytes', () => {
    const { protocol, ws } = open();
    ws.receive('caf\u00e9\r\n');
    assert.deepEqual(protocol.lines, ['caf\u00e9']);
  });

  test('a large write goes out as several messages no larger than maxMessageSize', () => {
    const { ws, transport } = open(new Lines(), { maxMessageSize: 1000 });
    const big = new Uint8Array(4500).map((_, i) => i % 251);
    transport.write(big);
    assert.deepEqual(ws.sent.map((m) => m.length), [1000, 1000, 1000, 1000, 500]);
    assert.deepEqual(Buffer.concat(ws.sent), Buffer.from(big));
  });

  test('writeSequence sends the pieces as one message', () => {
    const { ws, transport } = open();
    transport.writeSequence(['a', new Uint8Array([98]), 'c']);
    assert.equal(ws.sent.length, 1);
    assert.equal(ws.sentText(), 'abc');
  });

  test('a streaming producer is paused above the high-water mark and resumed once bufferedAmount drains', () => {
    const { ws, clock, transport } = open(new Lines(), { highWater: 100, lowWater: 10 });
    const producer = new Producer();
    transport.registerProducer(producer, true);
    ws.accumulate = true;
    transport.write(new Uint8Array(60));
    assert.deepEqual(producer.events, []);
    transport.write(new Uint8Array(60));
    assert.deepEqual(producer.events, ['pause']);
    transport.write(new Uint8Array(60));
    assert.deepEqual(producer.events, ['pause'], 'paused once');
    ws.bufferedAmount = 50;
    clock.advance(0.01);
    assert.deepEqual(producer.events, ['pause'], 'still above low water');
    ws.bufferedAmount = 10;
    clock.advance(0.01);
    assert.deepEqual(producer.events, ['pause', 'resume']);
    assert.equal(clock.getDelayedCalls().length, 0, 'no polling once drained');
  });

  test('a pull producer is asked for more while the socket drains', () => {
    const { ws, clock, transport } = open(new Lines(), { highWater: 100, lowWater: 10 });
    let asked = 0;
    const producer: IPullProducer = {
      resumeProducing: () => {
        asked++;
        transport.write(new Uint8Array(40));
      },
      stopProducing() {},
    };
    transport.registerProducer(producer, false);
    ws.accumulate = true;
    clock.advance(0);
    assert.equal(asked, 1);
    clock.advance(0.01);
    assert.equal(asked, 1, 'not asked while 40 bytes wait');
    ws.bufferedAmount = 0;
    clock.advance(0.01);
    clock.advance(0);
    assert.equal(asked, 2);
    transport.unregisterProducer();
    ws.bufferedAmount = 0;
    clock.advance(1);
    assert.equal(asked, 2);
  });

  test('loseConnection waits for the producer, closes with 1000, then connectionLost(ConnectionDone)', () => {
    const { protocol, ws, transport } = open();
    const producer = new Producer();
    transport.registerProducer(producer, true);
    protocol.sendLine('last words');
    transport.loseConnection();
    assert.equal(transport.disconnecting, true);
    assert.deepEqual(ws.closeCalls, []);
    protocol.sendLine('still flushing');
    transport.unregisterProducer();
    assert.deepEqual(ws.closeCalls, [{ code: 1000, reason: undefined }]);
    protocol.sendLine('too late');
    assert.equal(ws.sentText(), 'last words\r\nstill flushing\r\n');
    ws.receive('ignored\r\n');
    assert.deepEqual(protocol.lines, [], 'nothing is read once closing');
    ws.closed(1000, '', true);
    assert.ok(protocol.lost?.check(ConnectionDone));
    assert.equal(protocol.connected, false);
  });

  test('the server closing cleanly or not reaches connectionLost, and a registered producer is stopped', () => {
    const a = open();
    a.ws.closed(1001, 'going away', true);
    assert.ok(a.protocol.lost?.check(ConnectionDone));
    const b = open();
    const producer = new Producer();
    b.transport.registerProducer(producer, true);
    b.ws.closed(1006, '', false);
    assert.ok(b.protocol.lost?.check(ConnectionLost));
    assert.ok(!b.protocol.lost?.check(ConnectionDone));
    assert.match(b.protocol.lost!.getErrorMessage(), /code 1006/);
    assert.deepEqual(producer.events, ['stop']);
    const c = open();
    c.ws.closed(1011, 'upstream refused', true);
    assert.match(c.protocol.lost!.getErrorMessage(), /1011 \(upstream refused\)/);
  });

  test('abortConnection: nothing more is read, connectionLost(ConnectionAborted) on the next turn', () => {
    const { protocol, ws, clock, transport } = open();
    transport.abortConnection();
    assert.equal(ws.closeCalls.length, 1);
    ws.receive('late\r\n');
    assert.deepEqual(protocol.lines, []);
    assert.equal(protocol.lost as unknown, null);
    clock.advance(0);
    assert.ok(protocol.lost?.check(ConnectionAborted));
    ws.closed(1005, '', true);
    assert.ok(protocol.lost?.check(ConnectionAborted), 'connectionLost once');
  });

  test('pauseProducing holds messages and the close until resumeProducing', () => {
    const { protocol, ws, transport } = open();
    transport.pauseProducing();
    ws.receive('a\r\nb\r\n');
    ws.receive('c\r\n');
    ws.closed(1000, '', true);
    assert.deepEqual(protocol.lines, []);
    assert.equal(protocol.lost as unknown, null);
    transport.resumeProducing();
    assert.deepEqual(protocol.lines, ['a', 'b', 'c']);
    assert.ok(protocol.lost?.check(ConnectionDone));
  });

  test('once closing, a pause does not hold the close back', () => {
    const { protocol, ws, transport } = open();
    transport.loseConnection();
    transport.pauseProducing();
    ws.closed(1000, '', true);
    assert.ok(protocol.lost?.check(ConnectionDone));
  });

  test('pausing again inside dataReceived stops the replay there', () => {
    const { protocol, ws, transport } = open();
    transport.pauseProducing();
    ws.receive('a\r\n');
    ws.receive('b\r\n');
    const seen: string[] = [];
    protocol.lineReceived = (line) => {
      seen.push(text(line));
      transport.pauseProducing();
    };
    transport.resumeProducing();
    assert.deepEqual(seen, ['a']);
    transport.resumeProducing();
    assert.deepEqual(seen, ['a', 'b']);
  });

  test('a dataReceived that throws is logged and the connection aborted', () => {
    const { protocol, ws, clock } = open();
    protocol.lineReceived = () => {
      throw new Error('bad line');
    };
    const events = captureLogs(() => ws.receive('x\r\n'));
    assert.ok(events.some((e) => e.log_failure?.getErrorMessage() === 'bad line'));
    clock.advance(0);
    assert.ok(protocol.lost?.check(ConnectionAborted));
  });
});

describe('WebSocketConnector', () => {
  test('a client factory hears the attempt, the loss, and can reconnect; doStart/doStop once each', () => {
    const clock = new Clock();
    const calls: string[] = [];
    class Reconnecting extends ClientFactory<Lines> {
      override protocol = Lines;
      override startFactory() {
        calls.push('start');
      }
      override stopFactory() {
        calls.push('stop');
      }
      override startedConnecting() {
        calls.push('connecting');
      }
      override clientConnectionLost(c: WebSocketConnector, reason: Failure) {
        calls.push(`lost:${reason.value.name}`);
        if (calls.filter((x) => x.startsWith('lost')).length < 2) c.connect();
      }
      override clientConnectionFailed(_c: WebSocketConnector, reason: Failure) {
        calls.push(`failed:${reason.value.name}`);
      }
    }
    const connector = new WebSocketConnector('ws://h/x', new Reconnecting(), { reactor: clock, WebSocket: FakeWebSocket });
    connector.connect();
    FakeWebSocket.last().open();
    assert.equal(connector.state, 'connected');
    FakeWebSocket.last().closed(1006, '', false);
    assert.equal(FakeWebSocket.instances.length, 2, 'reconnected');
    const second = FakeWebSocket.last();
    second.open();
    (connector.transport!.protocol as Lines).sendLine('again');
    assert.equal(second.sentText(), 'again\r\n');
    connector.disconnect();
    second.closed(1000, '', true);
    assert.deepEqual(calls, ['start', 'connecting', 'lost:ConnectionLost', 'connecting', 'lost:ConnectionDone', 'stop']);
    assert.equal(connector.state, 'disconnected');
    assert.equal(String(connector.getDestination()), 'WEBSOCKET:ws://h/x');
  });

  test('stopConnecting fails the attempt with UserError', () => {
    const failures: string[] = [];
    const factory = new (class extends ClientFactory {
      override protocol = Protocol;
      override clientConnectionFailed(_c: unknown, reason: Failure) {
        failures.push(reason.value.name);
      }
    })();
    const connector = new WebSocketConnector('ws://h/x', factory, { reactor: new Clock(), WebSocket: FakeWebSocket });
    connector.connect();
    assert.throws(() => connector.connect(), /state connecting/);
    connector.stopConnecting();
    assert.deepEqual(failures, ['UserError']);
    assert.throws(() => connector.stopConnecting(), /not connecting/);
  });
});
