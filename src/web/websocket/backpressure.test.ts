/**
 * Flow control end to end over the in-memory loopback: a client that stops reading makes the server's
 * producer pause (the WebSocket transport is an IConsumer), and resuming lets everything through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IPushProducer } from '../../internet/interfaces.js';
import { MemoryReactor, successResultOf } from '../../testing/index.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { connectWebSocket } from './client.js';
import { WebSocketProtocol } from './protocol.js';
import { WebSocketResource } from './resource.js';
import { Recorder } from './test-support.js';

const TOTAL = 200;
const CHUNK = Buffer.alloc(16 * 1024, 1);

/** Streams TOTAL binary messages as fast as the connection takes them. */
class Firehose extends WebSocketProtocol implements IPushProducer {
  sent = 0;
  paused = false;
  pauses = 0;
  override negotiationFinished(): void {
    this.transport.registerProducer(this, true);
    this.#produce();
  }
  pauseProducing(): void {
    this.paused = true;
    this.pauses++;
  }
  resumeProducing(): void {
    this.paused = false;
    this.#produce();
  }
  stopProducing(): void {
    this.paused = true;
  }
  #produce(): void {
    while (!this.paused && this.sent < TOTAL) {
      this.sent++;
      this.transport.sendBytesMessage(CHUNK);
    }
    if (this.sent === TOTAL) this.transport.unregisterProducer();
  }
}

test('a client that stops reading pauses the server producer; resuming drains it all', () => {
  const reactor = new MemoryReactor();
  const servers: Firehose[] = [];
  const root = new Resource();
  root.putChild('ws', new WebSocketResource(() => servers[servers.push(new Firehose()) - 1]!, { pingInterval: 0 }));
  class Slow extends Recorder {
    override bytesMessageReceived(data: Uint8Array): void {
      super.bytesMessageReceived(data);
      if (this.bytes.length === 1) this.transport.pauseProducing();
    }
  }
  const d = connectWebSocket('ws://example.com/ws', new Slow(), { reactor, pingInterval: 0 });
  const { pump } = reactor.tcpClients[0]!.connector.connectTo(new Site(root, { accessLog: false, clock: reactor.clock }), { highWaterMark: 64 * 1024, lowWaterMark: 16 * 1024 });
  pump.flush();
  const client = successResultOf(d);
  const server = servers[0]!;
  assert.equal(client.bytes.length, 1, 'the paused client got no more messages');
  assert.equal(server.paused, true, 'the server producer was paused');
  assert.ok(server.sent < TOTAL / 2, `sent ${server.sent} of ${TOTAL} while the client was not reading`);
  client.transport.resumeProducing();
  pump.flush();
  assert.equal(client.bytes.length, TOTAL);
  assert.equal(server.sent, TOTAL);
  assert.ok(server.pauses >= 1);
});
