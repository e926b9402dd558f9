/**
 * `readIntoBuffer` over real 127.0.0.1 sockets: accepted and dialled connections read into the buffer their
 * protocol gave, in order, with pausing and the end of the stream working as before; TLS refuses it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { connect as connectTLS } from 'node:tls';
import { randomBytes } from 'node:crypto';
import type { Failure } from '../defer/index.js';
import { eventually, selfSignedCertificate } from '../testing/index.js';
import { NodeReactor } from './reactor.js';
import { ClientFactory, Factory, Protocol } from './protocol.js';
import { IPv4Address } from './address.js';
import { readIntoBuffer } from './capabilities.js';
import type { ITLSTransport } from './interfaces.js';

const reactor = new NodeReactor();

/** A factory whose protocols are `make()`'s. */
function factoryOf(make: () => Protocol): Factory {
  const f = new Factory();
  f.buildProtocol = make;
  return f;
}

/** Switches to `buffer` on connect; checks every chunk is a view of it and copies it out. */
class Reader extends Protocol<ITLSTransport> {
  readonly buffer = Buffer.alloc(4096);
  switched: boolean | null = null;
  received: Buffer[] = [];
  views = 0;
  lost: Failure | null = null;
  override connectionMade(): void {
    this.switched = readIntoBuffer(this.transport, this.buffer);
  }
  override dataReceived(data: Uint8Array): void {
    if (data.buffer === this.buffer.buffer && data.byteOffset === this.buffer.byteOffset) this.views++;
    this.received.push(Buffer.from(data));
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}

test('an accepted connection reads into its protocol buffer: every chunk a view of it, all bytes in order, then the end', async () => {
  let reader: Reader | undefined;
  const port = reactor.listenTCP(0, factoryOf(() => (reader = new Reader())), { interface: '127.0.0.1' });
  const body = randomBytes(1024 * 1024);
  const socket = net.connect((port.getHost() as IPv4Address).port, '127.0.0.1');
  try {
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.end(body);
    await eventually(() => reader?.lost != null, { timeout: 10, message: 'the connection to end' });
    assert.equal(reader!.switched, true);
    assert.ok(Buffer.concat(reader!.received).equals(body), 'every byte, in order');
    assert.equal(reader!.views, reader!.received.length, 'each chunk was a view of the buffer');
    assert.ok(reader!.received.length >= body.length / 4096, 'no chunk larger than the buffer');
  } finally {
    socket.destroy();
    await port.stopListening();
  }
});

test('a dialled connection reads into the buffer too, and pauseProducing still stops the reading', async () => {
  const body = randomBytes(4 * 1024 * 1024);
  const server = net.createServer((s) => s.end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const reader = new Reader();
  const factory = new ClientFactory();
  factory.buildProtocol = () => reader;
  try {
    reactor.connectTCP('127.0.0.1', (server.address() as net.AddressInfo).port, factory);
    await eventually(() => reader.received.length > 0, { timeout: 10, message: 'the first chunk' });
    reader.transport.pauseProducing();
    await new Promise((r) => setTimeout(r, 100));
    const whilePaused = reader.received.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(reader.received.length, whilePaused, 'nothing delivered while paused');
    assert.ok(Buffer.concat(reader.received).length < body.length, 'paused before the end');
    reader.transport.resumeProducing();
    await eventually(() => reader.lost !== null, { timeout: 10, message: 'the connection to end' });
    assert.equal(reader.switched, true);
    assert.ok(Buffer.concat(reader.received).equals(body));
    assert.equal(reader.views, reader.received.length);
  } finally {
    server.close();
  }
});

test('TLS refuses it (what is read is not what is delivered), and startTLS is refused once it is on', async () => {
  const { key, cert } = selfSignedCertificate('localhost');
  let tlsReader: Reader | undefined;
  const tls = reactor.listenSSL(0, factoryOf(() => (tlsReader = new Reader())), { key, cert }, { interface: '127.0.0.1' });
  let plainReader: Reader | undefined;
  const plain = reactor.listenTCP(0, factoryOf(() => (plainReader = new Reader())), { interface: '127.0.0.1' });
  const s1 = connectTLS({ port: (tls.getHost() as IPv4Address).port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
  s1.on('error', () => undefined);
  const s2 = net.connect((plain.getHost() as IPv4Address).port, '127.0.0.1');
  try {
    await eventually(() => tlsReader !== undefined && plainReader !== undefined, { timeout: 10, message: 'both connections' });
    assert.equal(tlsReader!.switched, false);
    assert.equal(plainReader!.switched, true);
    assert.throws(() => plainReader!.transport.startTLS({ key, cert }, true), /readIntoBuffer/);
  } finally {
    s1.destroy();
    s2.destroy();
    await tls.stopListening();
    await plain.stopListening();
  }
});
