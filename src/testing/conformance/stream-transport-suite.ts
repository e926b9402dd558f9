/**
 * One conformance suite for every stream transport (TCP, TLS, Unix sockets, STARTTLS, the TLS wrapper, the
 * in-memory loopback and TLS over it, stdio, child processes, the WebSocket stream, the web's in-memory
 * transport): the same behaviour and the same capabilities (capability-suite.ts), asserted the same way.
 * Give it a function that connects two protocols.
 * @module
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IProtocol, IPullProducer, IPushProducer } from '../../internet/interfaces.js';
import { ConnectionAborted, ConnectionDone } from '../../internet/error.js';
import { eventually } from '../eventually.js';
import { capabilityTests, type CapabilityFeatures } from './capability-suite.js';
import { HalfCloseRecordingProtocol, RecordingProtocol } from './recording-protocol.js';

/** A connected pair, as the transport under test makes it. */
export interface PairHandle {
  /** Lets bytes and events move (a turn of the event loop, or a pump of the loopback). */
  settle(): Promise<void>;
  /** Releases whatever the pair holds (ports, sockets). */
  cleanup(): Promise<void>;
}

/** Connects `server` and `client`; resolves once both have had `connectionMade`. */
export type MakePair = (server: IProtocol, client: IProtocol) => Promise<PairHandle>;

/** Waits until `cond()` holds, letting the pair settle in between. */
function waitFor(what: string, cond: () => boolean, pair: PairHandle): Promise<true> {
  return eventually(cond, { timeout: 30, message: what, step: () => pair.settle() });
}

function pattern(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

async function withPair<S extends IProtocol, C extends IProtocol>(
  make: MakePair,
  server: S,
  client: C,
  body: (pair: PairHandle) => Promise<void>,
): Promise<void> {
  const pair = await make(server, client);
  try {
    await body(pair);
  } finally {
    await pair.cleanup();
  }
}

/** A streaming producer writing `chunk`-sized pieces until paused, up to `limit` bytes. */
class Pusher implements IPushProducer {
  paused = false;
  pauses = 0;
  resumes = 0;
  sent = 0;
  stopped = false;
  #scheduled = false;
  constructor(readonly proto: RecordingProtocol, readonly chunk: number, readonly limit: number) {}
  start(): void {
    this.proto.transport.registerProducer(this, true);
    this.#loop();
  }
  /** One chunk per turn of the loop, as a producer fed by I/O would write. */
  #loop(): void {
    this.#scheduled = false;
    if (this.paused || this.stopped) return;
    if (this.sent >= this.limit) {
      this.stopped = true;
      this.proto.transport.unregisterProducer();
      return;
    }
    this.proto.transport.write(pattern(this.chunk, this.sent & 0xff));
    this.sent += this.chunk;
    this.#scheduled = true;
    setImmediate(() => this.#loop());
  }
  pauseProducing(): void {
    this.paused = true;
    this.pauses++;
  }
  resumeProducing(): void {
    this.paused = false;
    this.resumes++;
    if (!this.#scheduled) this.#loop();
  }
  stopProducing(): void {
    this.stopped = true;
  }
}

/** What a transport supports; everything does unless said otherwise (the tests for the rest are not registered). */
export interface SuiteFeatures extends CapabilityFeatures {
  /** `loseWriteConnection` and `readConnectionLost` (default true). */
  halfClose?: boolean;
  /** `abortConnection` reaching the peer (default true). */
  abort?: boolean;
}

/**
 * Registers the conformance tests for one transport.
 *
 * @example
 * streamTransportConformance('TCP', makeTCPPair);
 */
export function streamTransportConformance(name: string, make: MakePair, features: SuiteFeatures = {}): void {
  const halfClose = features.halfClose ?? true;
  const abort = features.abort ?? true;
  describe(`stream transport conformance: ${name}`, () => {
    test('both sides are connected and writes arrive in order, both ways', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        assert.ok(server.made && client.made);
        const expected: Buffer[] = [];
        for (let i = 0; i < 200; i++) {
          const piece = Buffer.from(`message ${i};`);
          expected.push(piece);
          if (i % 3 === 0) client.transport.writeSequence([piece.subarray(0, 4), piece.subarray(4)]);
          else client.transport.write(piece);
        }
        server.transport.write('from server');
        const all = Buffer.concat(expected);
        await waitFor('client data', () => server.received >= all.length && client.received >= 11, pair);
        assert.deepEqual(server.data(), all);
        assert.equal(client.data().toString(), 'from server');
      });
    });

    test('a large write (8 MiB) arrives intact', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        const big = pattern(8 * 1024 * 1024, 7);
        client.transport.write(big);
        await waitFor('8 MiB', () => server.received >= big.length, pair);
        assert.ok(server.data().equals(big));
      });
    });

    test('loseConnection sends everything written first; both sides get ConnectionDone', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        const big = pattern(2 * 1024 * 1024, 3);
        client.transport.write(big);
        client.transport.write('end');
        client.transport.loseConnection();
        assert.equal(client.transport.disconnecting, true);
        await waitFor('both lost', () => !!server.lostReason && !!client.lostReason, pair);
        assert.equal(server.received, big.length + 3);
        assert.equal(server.data().subarray(-3).toString(), 'end');
        assert.ok(client.lostReason!.check(ConnectionDone), `client: ${client.lostReason!.getErrorMessage()}`);
        assert.ok(server.lostReason!.check(ConnectionDone), `server: ${server.lostReason!.getErrorMessage()}`);
      });
    });

    test('loseConnection sends everything written first while input is still unread (a paused reader)', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        // Closing a socket with unread input sends a reset, and the peer's kernel drops what it had not delivered.
        client.transport.pauseProducing();
        server.transport.write(pattern(64 * 1024, 5));
        for (let i = 0; i < 5; i++) await pair.settle();
        const big = pattern(512 * 1024, 4);
        client.transport.write(big);
        client.transport.write('end');
        client.transport.loseConnection();
        await waitFor('both lost', () => !!server.lostReason && !!client.lostReason, pair);
        assert.equal(server.received, big.length + 3);
        assert.equal(server.data().subarray(-3).toString(), 'end');
        assert.ok(server.lostReason!.check(ConnectionDone), `server: ${server.lostReason!.getErrorMessage()}`);
      });
    });

    if (abort) test('abortConnection drops the connection at once with ConnectionAborted', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        client.transport.write(pattern(4 * 1024 * 1024, 1));
        client.transport.abortConnection!();
        await waitFor('both lost', () => !!server.lostReason && !!client.lostReason, pair);
        assert.ok(client.lostReason!.check(ConnectionAborted), client.lostReason!.getErrorMessage());
        assert.ok(server.received < 4 * 1024 * 1024, 'abort must not flush the whole buffer');
      });
    });

    if (halfClose) test('half-close: the peer is told readConnectionLost and can still answer', async () => {
      const server = new HalfCloseRecordingProtocol();
      const client = new HalfCloseRecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        client.transport.write('request');
        client.transport.loseWriteConnection!();
        await waitFor('server readConnectionLost', () => server.readLost, pair);
        assert.equal(server.data().toString(), 'request');
        assert.equal(server.lostReason, undefined);
        await waitFor('client writeConnectionLost', () => client.writeLost, pair);
        server.transport.write('response');
        server.transport.loseConnection();
        await waitFor('both lost', () => !!server.lostReason && !!client.lostReason, pair);
        assert.equal(client.data().toString(), 'response');
        assert.ok(client.lostReason!.check(ConnectionDone), client.lostReason!.getErrorMessage());
        assert.ok(server.lostReason!.check(ConnectionDone), server.lostReason!.getErrorMessage());
      });
    });

    if (halfClose) test('a protocol that does not do half-close loses the connection (ConnectionDone) when the peer half-closes', async () => {
      const server = new RecordingProtocol();
      const client = new HalfCloseRecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        client.transport.write('bye');
        client.transport.loseWriteConnection!();
        await waitFor('server lost', () => !!server.lostReason, pair);
        assert.equal(server.data().toString(), 'bye');
        assert.ok(server.lostReason!.check(ConnectionDone), server.lostReason!.getErrorMessage());
      });
    });

    test('a streaming producer is paused when the reader stops and resumed when it reads again', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        server.transport.pauseProducing();
        const limit = 256 * 1024 * 1024;
        const pusher = new Pusher(client, 64 * 1024, limit);
        pusher.start();
        await waitFor('producer paused', () => pusher.paused, pair);
        const sentWhenPaused = pusher.sent;
        assert.ok(sentWhenPaused < limit, 'the producer was paused before writing everything');
        server.transport.resumeProducing();
        await waitFor('producer resumed', () => pusher.resumes > 0, pair);
        const total = 24 * 1024 * 1024;
        await waitFor('data flowing again', () => server.received >= Math.min(total, sentWhenPaused), pair);
        pusher.stopProducing();
        client.transport.unregisterProducer();
        assert.ok(pusher.pauses >= 1);
        assert.equal(server.data().subarray(0, 64 * 1024).equals(pattern(64 * 1024, 0)), true);
      });
    });

    test('a pull producer is asked for each chunk until it unregisters; loseConnection waits for it', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        let asked = 0;
        const chunks = 20;
        const producer: IPullProducer = {
          resumeProducing() {
            asked++;
            client.transport.write(pattern(32 * 1024, asked));
            if (asked === chunks) client.transport.unregisterProducer();
          },
          stopProducing() {},
        };
        client.transport.registerProducer(producer, false);
        client.transport.loseConnection();
        await waitFor('server lost', () => !!server.lostReason, pair);
        assert.equal(asked, chunks);
        assert.equal(server.received, chunks * 32 * 1024);
        assert.ok(server.lostReason!.check(ConnectionDone));
      });
    });

    test('pauseProducing on the transport stops dataReceived until resumeProducing', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        server.transport.pauseProducing();
        client.transport.write('held back');
        for (let i = 0; i < 5; i++) await pair.settle();
        assert.equal(server.received, 0);
        server.transport.resumeProducing();
        await waitFor('data after resume', () => server.received === 9, pair);
        assert.equal(server.data().toString(), 'held back');
      });
    });

    test('the peer closing is ConnectionDone on both sides, and getHost/getPeer name the ends', async () => {
      const server = new RecordingProtocol();
      const client = new RecordingProtocol();
      await withPair(make, server, client, async (pair) => {
        assert.ok(server.transport.getHost().type);
        assert.ok(client.transport.getPeer().type);
        server.transport.loseConnection();
        await waitFor('both lost', () => !!server.lostReason && !!client.lostReason, pair);
        assert.ok(client.lostReason!.check(ConnectionDone), client.lostReason!.getErrorMessage());
        assert.equal(client.connected, false);
      });
    });

    capabilityTests(make, features, withPair, waitFor);
  });
}
