import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ISSHService, ISSHTransport } from '../interfaces.js';
import { RecordingService, transportPair } from './test-support/services.js';

const AUTH_OK = 52;

/** A stand-in for user authentication: the server says "success" (52) on request (50) and turns delayed compression on. */
class FakeAuthServer extends RecordingService {
  override packetReceived(payload: Uint8Array): void {
    super.packetReceived(payload);
    if (payload[0] === 50) {
      this.transport!.sendPacket(Uint8Array.of(AUTH_OK));
      this.transport!.authenticationSucceeded();
    } else {
      this.transport!.sendPacket(payload);
    }
  }
}

class FakeAuthClient implements ISSHService {
  readonly name = 'test-auth';
  readonly received: Uint8Array[] = [];
  transport!: ISSHTransport;
  serviceStarted(transport: ISSHTransport): void {
    this.transport = transport;
    transport.sendPacket(Uint8Array.of(50));
  }
  packetReceived(payload: Uint8Array): void {
    this.received.push(payload);
    if (payload[0] === AUTH_OK) this.transport.authenticationSucceeded();
  }
  serviceStopped(): void {}
}

function compressedPair(serverLimits: { rekeyInterval?: number } = {}) {
  const algorithms = { compression: ['zlib@openssh.com', 'none'] };
  const servers: FakeAuthServer[] = [];
  const pair = transportPair({
    client: { algorithms },
    server: { algorithms, limits: serverLimits, services: { 'test-auth': () => (servers.push(new FakeAuthServer('test-auth')), servers.at(-1)!) } },
  });
  return { ...pair, servers };
}

const text = (n: number) => new TextEncoder().encode(`${'x'.repeat(n % 7)}channel data ${n} `.repeat(300));

test('zlib@openssh.com starts only after authentication, then packets go compressed both ways', async () => {
  const pair = compressedPair();
  pair.pump.flush();
  assert.equal(pair.client.negotiated?.compressionClientToServer, 'zlib@openssh.com');
  assert.deepEqual(pair.client.compressing, { in: false, out: false }, 'delayed until authentication');
  const auth = new FakeAuthClient();
  const accepted = pair.client.requestService(auth);
  pair.pump.flush();
  await accepted;
  assert.deepEqual(auth.received, [Uint8Array.of(AUTH_OK)], 'the success message itself arrives uncompressed');
  assert.deepEqual(pair.client.compressing, { in: true, out: true });
  assert.deepEqual(pair.server.compressing, { in: true, out: true });
  const before = pair.clientTransport.getWriteBufferSize();
  assert.equal(before, 0);
  const messages = Array.from({ length: 20 }, (_, n) => Uint8Array.from([94, ...text(n)]));
  let wire = 0;
  for (const m of messages) {
    pair.client.sendPacket(m);
    wire += pair.clientTransport.getWriteBufferSize();
    pair.pump.flush();
  }
  assert.deepEqual(pair.servers[0]!.received.slice(1), messages);
  assert.deepEqual(auth.received.slice(1), messages);
  const plain = messages.reduce((n, m) => n + m.length, 0);
  assert.ok(wire < plain / 5, `${wire} wire bytes for ${plain} bytes of payload`);
});

test('a re-key after authentication restarts both compression streams', async () => {
  const pair = compressedPair();
  const auth = new FakeAuthClient();
  pair.client.requestService(auth);
  pair.pump.flush();
  pair.client.sendPacket(Uint8Array.from([94, ...text(1)]));
  pair.pump.flush();
  pair.server.rekey();
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 2);
  assert.deepEqual(pair.client.compressing, { in: true, out: true });
  pair.client.sendPacket(Uint8Array.from([94, ...text(2)]));
  pair.pump.flush();
  assert.deepEqual(auth.received.at(-1), Uint8Array.from([94, ...text(2)]));
  assert.equal(pair.client.closeReason === undefined && pair.server.closeReason === undefined, true);
});

test('authentication that succeeds during a re-key: the queued success goes out uncompressed, what follows compressed', async () => {
  const pair = compressedPair();
  pair.pump.flush();
  const auth = new FakeAuthClient();
  pair.client.requestService(auth);
  // The server starts a re-key as the request arrives: its success is queued behind the exchange.
  pair.pump.pump();
  pair.server.rekey();
  pair.pump.flush();
  assert.equal(pair.client.closeReason?.message, undefined);
  assert.equal(pair.server.closeReason?.message, undefined);
  assert.equal(pair.client.keyExchanges, 2);
  assert.deepEqual(auth.received, [Uint8Array.of(AUTH_OK)]);
  assert.deepEqual(pair.client.compressing, { in: true, out: true });
  pair.client.sendPacket(Uint8Array.from([94, ...text(3)]));
  pair.pump.flush();
  assert.deepEqual(auth.received.at(-1), Uint8Array.from([94, ...text(3)]));
});

test('a re-key that fell due before authentication starts after it, compressed, as the peer now expects', async () => {
  const pair = compressedPair({ rekeyInterval: 60 });
  pair.pump.flush();
  pair.clock.advance(60);
  pair.pump.flush();
  assert.equal(pair.server.keyExchanges, 1, 'not before authentication');
  const auth = new FakeAuthClient();
  pair.client.requestService(auth);
  pair.pump.flush();
  assert.equal(pair.client.closeReason?.message, undefined);
  assert.equal(pair.server.keyExchanges, 2);
  pair.client.sendPacket(Uint8Array.from([94, ...text(4)]));
  pair.pump.flush();
  assert.deepEqual(auth.received.at(-1), Uint8Array.from([94, ...text(4)]));
});
