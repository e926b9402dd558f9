import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { Deferred } from '../defer/index.js';
import { capturedLogEvents } from '../logger/index.js';
import { CannotListenError } from './error.js';
import { DatagramProtocol } from './protocol.js';
import { NodeReactor } from './reactor.js';
import { InvalidAddressError, listenUDP, type DatagramAddress } from './udp.js';

/** Records datagrams and lets a test wait for the next one. */
class Recorder extends DatagramProtocol {
  received: { data: string; addr: DatagramAddress }[] = [];
  started = 0;
  stopped = 0;
  refused = 0;
  #waiting: Deferred<void>[] = [];

  override startProtocol(): void { this.started++; }
  override stopProtocol(): void { this.stopped++; }
  override connectionRefused(): void {
    this.refused++;
    this.#wake();
  }
  override datagramReceived(data: Uint8Array, addr: DatagramAddress): void {
    this.received.push({ data: Buffer.from(data).toString(), addr });
    this.#wake();
  }
  /** Fires once `count` datagrams (or refusals) have been seen. */
  async waitFor(count: number, what: () => number = () => this.received.length): Promise<void> {
    while (what() < count) {
      const d = new Deferred<void>();
      this.#waiting.push(d);
      await d;
    }
  }
  #wake(): void {
    for (const d of this.#waiting.splice(0)) d.callback(undefined);
  }
}

class Echo extends DatagramProtocol {
  override datagramReceived(data: Uint8Array, addr: DatagramAddress): void {
    this.transport!.write(data, addr);
  }
}

describe('listenUDP', () => {
  for (const host of ['127.0.0.1', '::1']) {
    test(`echoes datagrams over ${host}`, async () => {
      const server = listenUDP(null, 0, new Echo(), { interface: host });
      const client = new Recorder();
      const cport = listenUDP(null, 0, client, { interface: host });
      await server.whenListening();
      await cport.whenListening();
      const addr = server.getHost();
      assert.equal(addr.type, 'UDP');
      assert.equal(addr.host, host);
      assert.ok(addr.port > 0);
      assert.equal(client.started, 1);
      cport.write('ping', { host, port: addr.port });
      cport.write(new Uint8Array([0x70, 0x6f, 0x6e, 0x67]), { host, port: addr.port });
      await client.waitFor(2);
      assert.deepEqual(client.received.map((r) => r.data).sort(), ['ping', 'pong']);
      assert.deepEqual(client.received[0].addr, { host, port: addr.port });
      await server.stopListening();
      await cport.stopListening();
      assert.equal(client.stopped, 1);
      assert.equal(server.listening, false);
    });
  }

  test('drops datagrams over maxPacketSize and keeps delivering the others', async () => {
    const rec = new Recorder();
    const port = listenUDP(null, 0, rec, { interface: '127.0.0.1', maxPacketSize: 100 });
    await port.whenListening();
    const sender = dgram.createSocket('udp4');
    const target = port.getHost().port;
    const logs = capturedLogEvents();
    try {
      await new Promise<void>((r) => sender.send(Buffer.alloc(200, 0x61), target, '127.0.0.1', () => r()));
      await new Promise<void>((r) => sender.send('small', target, '127.0.0.1', () => r()));
      await rec.waitFor(1);
    } finally {
      logs.stop();
    }
    assert.deepEqual(rec.received.map((r) => r.data), ['small']);
    assert.ok(logs.messages().some((m) => /dropped a 200-byte datagram/.test(m)), logs.messages().join('\n'));
    sender.close();
    await port.stopListening();
  });

  test('connected UDP hears only its peer and writes without an address', async () => {
    const peer = new Recorder();
    const peerPort = listenUDP(null, 0, peer, { interface: '127.0.0.1' });
    const stranger = listenUDP(null, 0, new Recorder(), { interface: '127.0.0.1' });
    const rec = new Recorder();
    const port = listenUDP(null, 0, rec, { interface: '127.0.0.1' });
    await Promise.all([peerPort.whenListening(), stranger.whenListening(), port.whenListening()]);
    const peerAddr = { host: '127.0.0.1', port: peerPort.getHost().port };
    port.connect(peerAddr.host, peerAddr.port);
    assert.deepEqual(port.getPeer(), peerAddr);
    port.write('hello');
    await peer.waitFor(1);
    assert.equal(peer.received[0].data, 'hello');
    assert.equal(peer.received[0].addr.port, port.getHost().port);
    stranger.write('intruder', { host: '127.0.0.1', port: port.getHost().port });
    peerPort.write('reply', { host: '127.0.0.1', port: port.getHost().port });
    await rec.waitFor(1);
    // The stranger's datagram was sent first; on loopback it would have arrived first had the kernel not filtered it.
    assert.deepEqual(rec.received.map((r) => r.data), ['reply']);
    assert.throws(() => port.write('x', { host: '127.0.0.1', port: 1 }), InvalidAddressError);
    assert.throws(() => port.connect('127.0.0.1', 2), /already connected/);
    await Promise.all([peerPort.stopListening(), stranger.stopListening(), port.stopListening()]);
  });

  for (const host of ['127.0.0.1', '::1']) {
    test(`connected UDP reports an unreachable port with connectionRefused over ${host}`, async () => {
      const closed = listenUDP(null, 0, new Recorder(), { interface: host });
      await closed.whenListening();
      const deadPort = closed.getHost().port;
      await closed.stopListening();
      const rec = new Recorder();
      const port = listenUDP(null, 0, rec, { interface: host });
      await port.whenListening();
      port.connect(host, deadPort);
      port.write('anyone?');
      await rec.waitFor(1, () => rec.refused);
      assert.ok(rec.refused >= 1);
      await port.stopListening();
    });
  }

  test('a datagram too big to send is logged, not thrown, and the port keeps working', async () => {
    const rec = new Recorder();
    const target = listenUDP(null, 0, rec, { interface: '127.0.0.1' });
    const port = listenUDP(null, 0, new Recorder(), { interface: '127.0.0.1' });
    await Promise.all([target.whenListening(), port.whenListening()]);
    const addr = { host: '127.0.0.1', port: target.getHost().port };
    const logs = capturedLogEvents();
    try {
      port.write(new Uint8Array(70_000), addr);
      port.write('after', addr);
      await rec.waitFor(1);
    } finally {
      logs.stop();
    }
    assert.deepEqual(rec.received.map((r) => r.data), ['after']);
    assert.ok(logs.messages().some((m) => m.includes('EMSGSIZE')), logs.messages().join('\n'));
    await Promise.all([target.stopListening(), port.stopListening()]);
  });

  test('reportSendErrors: false sends without a completion callback: a failed send is not logged, the port keeps working', async () => {
    const rec = new Recorder();
    const target = listenUDP(null, 0, rec, { interface: '127.0.0.1' });
    const port = listenUDP(null, 0, new Recorder(), { interface: '127.0.0.1', reportSendErrors: false });
    await Promise.all([target.whenListening(), port.whenListening()]);
    const addr = { host: '127.0.0.1', port: target.getHost().port };
    const logs = capturedLogEvents();
    try {
      port.write(new Uint8Array(70_000), addr);
      port.write('after', addr);
      await rec.waitFor(1);
      await new Promise((r) => setImmediate(r));
    } finally {
      logs.stop();
    }
    assert.deepEqual(rec.received.map((r) => r.data), ['after']);
    assert.ok(!logs.messages().some((m) => m.includes('EMSGSIZE')), logs.messages().join('\n'));
    await Promise.all([target.stopListening(), port.stopListening()]);
  });

  test('write needs an IP address, and an address when not connected', async () => {
    const port = listenUDP(null, 0, new Recorder(), { interface: '127.0.0.1' });
    await port.whenListening();
    assert.throws(() => port.write('x'), InvalidAddressError);
    assert.throws(() => port.write('x', { host: 'localhost', port: 9 }), InvalidAddressError);
    assert.throws(() => port.connect('localhost', 9), InvalidAddressError);
    port.setBroadcastAllowed(true);
    assert.equal(port.getBroadcastAllowed(), true);
    await port.stopListening();
  });

  test('binding is synchronous: getHost works at once, a port in use throws CannotListenError', async () => {
    const rec = new Recorder();
    const first = listenUDP(null, 0, rec, { interface: '127.0.0.1' });
    assert.ok(first.getHost().port > 0);
    assert.equal(rec.started, 1);
    const other = new Recorder();
    assert.throws(() => listenUDP(null, first.getHost().port, other, { interface: '127.0.0.1' }), CannotListenError);
    assert.throws(() => listenUDP(null, 0, other, { interface: 'localhost' }), CannotListenError);
    assert.equal(other.started, 0);
    await first.stopListening();
  });

  test('a port in use fails with CannotListenError: from listenUDP, or from whenListening where the bind is asynchronous (Bun)', async () => {
    const first = listenUDP(null, 0, new Recorder(), { interface: '127.0.0.1' });
    await first.whenListening();
    const other = new Recorder();
    let failure: unknown;
    try {
      await listenUDP(null, first.getHost().port, other, { interface: '127.0.0.1' }).whenListening();
    } catch (e) {
      failure = e;
    }
    assert.ok(failure instanceof CannotListenError, String(failure));
    assert.equal(other.started, 0);
    await first.stopListening();
  });

  test('a port listening on the Node reactor is closed when the reactor shuts down', async () => {
    const reactor = new NodeReactor();
    const rec = new Recorder();
    const port = listenUDP(reactor, 0, rec, { interface: '127.0.0.1' });
    assert.equal(reactor.resources.size, 1);
    await port.whenListening();
    await reactor.resources.closeAll();
    assert.equal(port.listening, false);
    assert.equal(rec.stopped, 1);
    const other = listenUDP(reactor, 0, new Recorder(), { interface: '127.0.0.1' });
    await other.loseConnection();
    assert.equal(reactor.resources.size, 0, 'a port stopped by hand leaves the list');
  });

  test('stopListening is idempotent and stops the protocol once', async () => {
    const rec = new Recorder();
    const port = listenUDP(null, 0, rec, { interface: '127.0.0.1' });
    await port.whenListening();
    const a = port.stopListening();
    const b = port.stopListening();
    await a;
    await b;
    await port.stopListening();
    assert.equal(rec.stopped, 1);
    assert.equal(port.listening, false);
  });
});
