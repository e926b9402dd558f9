/**
 * `writeFromBuffer` over real 127.0.0.1 sockets: a sender that refills one buffer after each write it was
 * told is free, and waits for `resumeProducing` after one it was told is held, delivers every byte intact,
 * plain and under TLS; small chunks are copied.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { connect as connectTLS } from 'node:tls';
import { createHash } from 'node:crypto';
import { eventually, selfSignedCertificate } from '../testing/index.js';
import { NodeReactor } from './reactor.js';
import { Factory, Protocol } from './protocol.js';
import type { IPv4Address } from './address.js';
import { writesFromBuffer } from './capabilities.js';
import type { IPushProducer, ITLSTransport } from './interfaces.js';

const reactor = new NodeReactor();
const CHUNK = 256 * 1024;
const CHUNKS = 64;

/** The bytes of chunk `i`: every byte of it `i`, so a chunk overwritten while held shows. */
function fill(buffer: Buffer, i: number): void {
  buffer.fill(i & 255);
}

function expected(): string {
  const h = createHash('sha256');
  const b = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNKS; i++) {
    fill(b, i);
    h.update(b);
  }
  return h.digest('hex');
}

/** Sends CHUNKS chunks from one buffer, as a push producer; refills only when the buffer is free. */
class Sender extends Protocol<ITLSTransport> implements IPushProducer {
  readonly buffer = Buffer.alloc(CHUNK);
  sent = 0;
  held = 0;
  #waiting = false;
  override connectionMade(): void {
    assert.equal(writesFromBuffer(this.transport), true);
    this.transport.registerProducer(this, true);
    this.resumeProducing();
  }
  pauseProducing(): void {
    this.#waiting = true;
  }
  resumeProducing(): void {
    this.#waiting = false;
    while (!this.#waiting && this.sent < CHUNKS) {
      fill(this.buffer, this.sent++);
      if (!(this.transport as unknown as { writeFromBuffer(d: Uint8Array): boolean }).writeFromBuffer(this.buffer)) {
        this.held++;
        assert.equal(this.#waiting, true, 'a held buffer pauses the producer');
      }
    }
    if (this.sent === CHUNKS) {
      this.transport.unregisterProducer();
      this.transport.loseConnection();
    }
  }
  stopProducing(): void {}
}

/** Reads `socket` to its end, slowly at first so that the sender's buffer is held, and hashes it. */
async function drainSlowly(socket: net.Socket): Promise<string> {
  const h = createHash('sha256');
  socket.pause();
  await new Promise((r) => setTimeout(r, 200));
  socket.on('data', (d: Buffer) => h.update(d));
  socket.resume();
  await new Promise((resolve, reject) => {
    socket.on('end', resolve);
    socket.on('error', reject);
  });
  return h.digest('hex');
}

function factoryOf(make: () => Protocol): Factory {
  const f = new Factory();
  f.buildProtocol = make;
  return f;
}

test('a reused buffer: free writes refill at once, held ones wait for resumeProducing; every byte arrives intact', async () => {
  let sender: Sender | undefined;
  const port = reactor.listenTCP(0, factoryOf(() => (sender = new Sender())), { interface: '127.0.0.1' });
  const socket = net.connect((port.getHost() as IPv4Address).port, '127.0.0.1');
  try {
    assert.equal(await drainSlowly(socket), expected());
    assert.ok(sender!.held > 0, 'a reader that stopped made the socket hold the buffer');
    assert.ok(sender!.held < CHUNKS, 'and most writes were taken at once');
  } finally {
    socket.destroy();
    await port.stopListening();
  }
});

test('under TLS too', async () => {
  const { key, cert } = selfSignedCertificate('localhost');
  let sender: Sender | undefined;
  const port = reactor.listenSSL(0, factoryOf(() => (sender = new Sender())), { key, cert }, { interface: '127.0.0.1' });
  const socket = connectTLS({ port: (port.getHost() as IPv4Address).port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
  try {
    assert.equal(await drainSlowly(socket), expected());
    assert.ok(sender!.held > 0);
  } finally {
    socket.destroy();
    await port.stopListening();
  }
});

test('a chunk below the socket high-water mark (no drain would follow) is copied: the buffer is free even on a full socket', async () => {
  let protocol: Protocol<ITLSTransport> | undefined;
  const port = reactor.listenTCP(0, factoryOf(() => (protocol = new Protocol<ITLSTransport>())), { interface: '127.0.0.1' });
  const socket = net.connect((port.getHost() as IPv4Address).port, '127.0.0.1');
  socket.pause();
  try {
    await eventually(() => protocol?.transport !== undefined, { timeout: 10, message: 'the connection' });
    const transport = protocol!.transport;
    const filler = Buffer.alloc(32 * 1024 * 1024, 7);
    transport.write(filler);
    assert.ok(transport.getWriteBufferSize() > 0, 'the socket is full: it holds what it was given');
    const small = Buffer.from('hello');
    assert.equal((transport as unknown as { writeFromBuffer(d: Uint8Array): boolean }).writeFromBuffer(small), true);
    small.write('HELLO');
    transport.loseConnection();
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    socket.resume();
    await new Promise((resolve) => socket.on('end', resolve));
    const all = Buffer.concat(received);
    assert.equal(all.length, filler.length + 5);
    assert.equal(all.subarray(filler.length).toString(), 'hello');
  } finally {
    socket.destroy();
    await port.stopListening();
  }
});
