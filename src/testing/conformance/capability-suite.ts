/**
 * The capability tests of the conformance suite: what every transport says about itself (its write buffer
 * and marks, batching, the TLS marker), asserted the same way over each. `streamTransportConformance`
 * registers them for every transport it runs.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecure } from '../../internet/capabilities.js';
import type { IPushProducer } from '../../internet/interfaces.js';
import { RecordingProtocol } from './recording-protocol.js';
import type { MakePair, PairHandle } from './stream-transport-suite.js';

/** What the capability tests expect of one transport. */
export interface CapabilityFeatures {
  /**
   * TLS protects the connection: `isSecure` on both ends, the client sees the server's certificate (issued
   * to `peerName`) and both agree on `alpn` when it is set. Left out: neither end claims TLS.
   */
  tls?: { peerName: string; alpn?: string };
  /**
   * `cork` holds writes back until `uncork` (default true). False for the testing loopback, which has no
   * system calls to save and moves whatever was written when pumped.
   */
  corkHolds?: boolean;
}

type WithPair = (make: MakePair, server: RecordingProtocol, client: RecordingProtocol, body: (pair: PairHandle) => Promise<void>) => Promise<void>;
type WaitFor = (what: string, cond: () => boolean, pair: PairHandle) => Promise<unknown>;

const MiB = 1024 * 1024;

/** `size` bytes of a pattern that does not repeat every 256 bytes (so a lost or doubled chunk shows). */
function bytes(size: number, seed: number): Buffer {
  const period = Buffer.allocUnsafe(251);
  for (let i = 0; i < period.length; i++) period[i] = (i * 13 + seed) & 0xff;
  return Buffer.alloc(size, period);
}

/** A push producer writing 64 KiB per turn until paused, noting the write buffer's size at each pause and resume. */
class MarkedPusher implements IPushProducer {
  paused = false;
  sent = 0;
  atPause: number[] = [];
  atResume: number[] = [];
  stopped = false;
  #scheduled = false;
  constructor(readonly proto: RecordingProtocol, readonly limit: number) {}
  start(): void {
    this.proto.transport.registerProducer(this, true);
    this.#loop();
  }
  #loop(): void {
    this.#scheduled = false;
    if (this.paused || this.stopped) return;
    if (this.sent >= this.limit) {
      this.stopped = true;
      this.proto.transport.unregisterProducer();
      return;
    }
    this.proto.transport.write(bytes(64 * 1024, this.sent & 0xff));
    this.sent += 64 * 1024;
    this.#scheduled = true;
    setImmediate(() => this.#loop());
  }
  pauseProducing(): void {
    this.paused = true;
    this.atPause.push(this.proto.transport.getWriteBufferSize());
  }
  resumeProducing(): void {
    this.paused = false;
    this.atResume.push(this.proto.transport.getWriteBufferSize());
    if (!this.#scheduled) this.#loop();
  }
  stopProducing(): void {
    this.stopped = true;
  }
}

/** Registers the capability tests (inside the `describe` of `streamTransportConformance`). */
export function capabilityTests(make: MakePair, features: CapabilityFeatures, withPair: WithPair, waitFor: WaitFor): void {
  const corkHolds = features.corkHolds ?? true;

  test('getWriteBufferSize counts what the peer has not taken yet, and is 0 once it has', async () => {
    const server = new RecordingProtocol();
    const client = new RecordingProtocol();
    await withPair(make, server, client, async (pair) => {
      assert.equal(client.transport.getWriteBufferSize(), 0);
      server.transport.pauseProducing();
      const big = bytes(8 * MiB, 5);
      client.transport.write(big);
      assert.ok(client.transport.getWriteBufferSize() > 0, 'an 8 MiB write to a peer that does not read is buffered');
      server.transport.resumeProducing();
      await waitFor('everything taken', () => server.received === big.length && client.transport.getWriteBufferSize() === 0, pair);
      assert.ok(server.data().equals(big));
    });
  });

  test('setWriteBufferLimits: a push producer is paused above the high mark, resumed at or below the low one', async () => {
    const server = new RecordingProtocol();
    const client = new RecordingProtocol();
    await withPair(make, server, client, async (pair) => {
      const t = client.transport;
      assert.deepEqual({ ...t.getWriteBufferLimits() }, { high: 64 * 1024, low: 16 * 1024 });
      assert.throws(() => t.setWriteBufferLimits(1024, 4096), RangeError);
      t.setWriteBufferLimits(512 * 1024, 128 * 1024);
      assert.deepEqual({ ...t.getWriteBufferLimits() }, { high: 512 * 1024, low: 128 * 1024 });
      server.transport.pauseProducing();
      const pusher = new MarkedPusher(client, 256 * MiB);
      pusher.start();
      await waitFor('producer paused', () => pusher.paused, pair);
      assert.ok(pusher.atPause[0]! > 512 * 1024, `paused with ${pusher.atPause[0]} bytes buffered, not above the 512 KiB mark`);
      server.transport.resumeProducing();
      await waitFor('producer resumed', () => pusher.atResume.length > 0, pair);
      assert.ok(pusher.atResume[0]! <= 128 * 1024, `resumed with ${pusher.atResume[0]} bytes buffered, above the 128 KiB mark`);
      pusher.stopProducing();
      t.unregisterProducer();
    });
  });

  test('writes between cork() and the last uncork() leave together, counted in the write buffer meanwhile', async () => {
    const server = new RecordingProtocol();
    const client = new RecordingProtocol();
    await withPair(make, server, client, async (pair) => {
      const t = client.transport;
      t.cork();
      t.cork();
      t.write('corked ');
      t.writeSequence(['and ', 'nested']);
      t.uncork();
      if (corkHolds) {
        assert.ok(t.getWriteBufferSize() >= 17, `${t.getWriteBufferSize()} bytes buffered while corked`);
        for (let i = 0; i < 5; i++) await pair.settle();
        assert.equal(server.received, 0, 'nothing leaves before the last uncork');
      }
      t.uncork();
      t.uncork();
      await waitFor('the batch', () => server.received === 17, pair);
      assert.equal(server.data().toString(), 'corked and nested');
    });
  });

  if (features.tls !== undefined) {
    const { peerName, alpn } = features.tls;
    test('the TLS marker: isSecure on both ends, the peer certificate, the negotiated protocol', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async () => {
        assert.equal(isSecure(client.transport), true);
        assert.equal(isSecure(server.transport), true);
        const cert = client.transport.getPeerCertificate!() as { subject?: { CN?: string } } | null;
        assert.equal(cert?.subject?.CN, peerName);
        if (alpn !== undefined) {
          assert.equal(client.transport.negotiatedProtocol, alpn);
          assert.equal(server.transport.negotiatedProtocol, alpn);
        }
      });
    });
  } else {
    test('no TLS: neither end claims to be secure', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async () => {
        assert.equal(isSecure(client.transport), false);
        assert.equal(isSecure(server.transport), false);
      });
    });
  }
}
