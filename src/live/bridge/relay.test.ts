import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred, Failure } from '../../defer/index.js';
import { ConnectionDone, ConnectionLost, ConnectionRefusedError } from '../../internet/error.js';
import type { IAddress, IProtocol, IProtocolFactory, IPullProducer, IPushProducer, WriteBufferLimits } from '../../internet/interfaces.js';
import { DEFAULT_WRITE_BUFFER_LIMITS } from '../../internet/capabilities.js';
import { IPv4Address } from '../../internet/address.js';
import { captureLogs } from '../../logger/index.js';
import { StringTransportWithDisconnection } from '../../testing/index.js';
import { WebSocketClosedError } from '../../web/websocket/errors.js';
import type { WebSocketTransport } from '../../web/websocket/interfaces.js';
import { BridgeCloseCode, BridgeProtocol } from './relay.js';

/** The page's WebSocket as the bridge sees it: records messages, flow control and the close. */
class FakeWebSocketTransport implements WebSocketTransport {
  sent: Buffer[] = [];
  paused = false;
  producer: IPushProducer | IPullProducer | null = null;
  closed: { code?: number; reason?: string } | null = null;
  aborted = false;
  subprotocol = null;
  extensions = null;
  sendTextMessage(): void {
    throw new Error('the bridge sends bytes only');
  }
  sendBytesMessage(data: Uint8Array): void {
    this.sent.push(Buffer.from(data));
  }
  write(): void {
    throw new Error('unused');
  }
  sendPreparedMessage(): void {
    throw new Error('the bridge does not broadcast');
  }
  ping(): void {}
  loseConnection(code?: number, reason?: string): void {
    if (this.producer !== null) throw new Error('closing with a producer registered would wait forever');
    this.closed = { code, reason };
  }
  abortConnection(): void {
    this.aborted = true;
  }
  pauseProducing(): void {
    this.paused = true;
  }
  resumeProducing(): void {
    this.paused = false;
  }
  registerProducer(producer: IPushProducer | IPullProducer): void {
    if (this.producer !== null) throw new Error('producer already registered');
    this.producer = producer;
  }
  unregisterProducer(): void {
    this.producer = null;
  }
  getPeer(): IAddress {
    return new IPv4Address('TCP', '127.0.0.1', 50000);
  }
  getHost(): IAddress {
    return new IPv4Address('TCP', '127.0.0.1', 8080);
  }
  getWriteBufferSize(): number {
    return 0;
  }
  setWriteBufferLimits(): void {}
  getWriteBufferLimits(): WriteBufferLimits {
    return DEFAULT_WRITE_BUFFER_LIMITS;
  }
}

/** An endpoint the test connects (or fails) by hand. */
class ManualEndpoint {
  attempts: { factory: IProtocolFactory; d: Deferred<IProtocol>; cancelled: boolean }[] = [];
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    const attempt = { factory, d: new Deferred<IProtocol>(() => (attempt.cancelled = true)), cancelled: false };
    this.attempts.push(attempt);
    return attempt.d;
  }
  /** Completes the last attempt over a recording transport. */
  succeed(): { protocol: IProtocol; transport: StringTransportWithDisconnection } {
    const { factory, d } = this.attempts.at(-1)!;
    const protocol = factory.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 7000))!;
    const transport = new StringTransportWithDisconnection({ protocol });
    protocol.makeConnection(transport);
    d.callback(protocol);
    return { protocol, transport };
  }
}

function bridge() {
  const endpoint = new ManualEndpoint();
  const ws = new FakeWebSocketTransport();
  const p = new BridgeProtocol(endpoint);
  p.negotiationStarted(ws);
  p.negotiationFinished();
  return { endpoint, ws, p };
}

const closedCleanly = (): Failure => new Failure(new WebSocketClosedError(1000, '', true));

describe('BridgeProtocol', () => {
  test('reading from the page waits for the destination; held messages go first, then bytes flow both ways', () => {
    const { endpoint, ws, p } = bridge();
    assert.equal(ws.paused, true);
    assert.equal(endpoint.attempts.length, 1);
    p.bytesMessageReceived(new TextEncoder().encode('early\r\n'));
    const { protocol, transport } = endpoint.succeed();
    assert.equal(ws.paused, false);
    assert.equal(transport.valueString(), 'early\r\n');
    p.bytesMessageReceived(new TextEncoder().encode('hello\r\n'));
    assert.equal(transport.valueString(), 'early\r\nhello\r\n');
    protocol.dataReceived(new TextEncoder().encode('welcome\r\n'));
    assert.equal(Buffer.concat(ws.sent).toString(), 'welcome\r\n');
  });

  test('backpressure both ways: each transport is the other one’s producer', () => {
    const { endpoint, ws } = bridge();
    const { transport } = endpoint.succeed();
    assert.equal(ws.producer, transport, 'a full page socket pauses reading from the destination');
    assert.equal(transport.streaming, true);
    const reading = transport.producer as IPushProducer;
    reading.pauseProducing();
    assert.equal(ws.paused, true, 'a full destination socket pauses reading from the page');
    reading.resumeProducing();
    assert.equal(ws.paused, false);
  });

  test('the destination closing cleanly closes the page with 1000, after unregistering', () => {
    const { endpoint, ws } = bridge();
    const { transport } = endpoint.succeed();
    transport.loseConnection();
    assert.deepEqual(ws.closed, { code: BridgeCloseCode.NORMAL, reason: undefined });
    assert.equal(ws.producer, null);
    assert.equal(ws.aborted, false, 'not aborted by the producer being stopped');
  });

  test('the destination lost uncleanly closes the page with 1011', () => {
    const { endpoint, ws, p } = bridge();
    const { protocol } = endpoint.succeed();
    protocol.connectionLost(new Failure(new ConnectionLost()));
    assert.deepEqual(ws.closed, { code: BridgeCloseCode.UPSTREAM_LOST, reason: 'destination connection lost' });
    p.bytesMessageReceived(new Uint8Array([1])); // late message: dropped, no throw
  });

  test('the page closing closes the destination', () => {
    const { endpoint, p } = bridge();
    const { transport, protocol } = endpoint.succeed();
    let lost: Failure | null = null;
    const original = protocol.connectionLost.bind(protocol);
    protocol.connectionLost = (r) => {
      lost = r;
      original(r);
    };
    p.connectionLost(closedCleanly());
    assert.equal(transport.disconnecting, true);
    assert.equal(transport.producer, null, 'unregistered first, so the close is not held up');
    assert.ok((lost as Failure | null)?.check(ConnectionDone));
  });

  test('the page closing while connecting abandons the attempt; a late connection is closed', () => {
    const { endpoint, p } = bridge();
    p.connectionLost(closedCleanly());
    assert.equal(endpoint.attempts[0]!.cancelled, true);
    const other = bridge();
    other.p.connectionLost(closedCleanly());
    const attempt = other.endpoint.attempts[0]!;
    // An endpoint whose attempt ignores cancellation still connects: the bridge closes it at once.
    const protocol = attempt.factory.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 7000))!;
    const transport = new StringTransportWithDisconnection({ protocol });
    protocol.makeConnection(transport);
    assert.equal(transport.disconnecting, true);
  });

  test('an unreachable destination closes the page with 1014 and logs why', () => {
    const { endpoint, ws } = bridge();
    const events = captureLogs(() => endpoint.attempts[0]!.d.errback(new ConnectionRefusedError('refused')));
    assert.deepEqual(ws.closed, { code: BridgeCloseCode.BAD_GATEWAY, reason: 'destination unreachable' });
    assert.ok(events.some((e) => e.error === 'refused'));
  });

  test('a text message closes the page with 1003: the bridge carries bytes', () => {
    const { endpoint, ws, p } = bridge();
    endpoint.succeed();
    p.textMessageReceived('hello');
    assert.deepEqual(ws.closed, { code: BridgeCloseCode.UNSUPPORTED_DATA, reason: 'binary messages only' });
  });
});
