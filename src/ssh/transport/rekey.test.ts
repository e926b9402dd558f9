import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SSHHostKeyRejectedError, SSHLimitError } from '../errors.js';
import { signingKeyOf, testSigningKey } from './test-support/host-keys.js';
import { RecordingService, transportPair } from './test-support/services.js';

async function withService(options: Parameters<typeof transportPair>[0] = {}) {
  const pair = transportPair(options);
  const service = new RecordingService('test-echo');
  const accepted = pair.client.requestService(service);
  pair.pump.flush();
  await accepted;
  pair.client.authenticationSucceeded();
  pair.server.authenticationSucceeded();
  return { ...pair, service };
}

const packet = (n: number, size = 1000) => Uint8Array.from({ length: size }, (_, i) => (i === 0 ? 90 : (n + i) & 0xff));

test('re-key by volume: after rekeyBytes under one set of keys, a new exchange runs and no packet is lost', async () => {
  const pair = await withService({ client: { limits: { rekeyBytes: 8 * 1024 } } });
  const sent = Array.from({ length: 40 }, (_, n) => packet(n));
  for (const p of sent) {
    pair.client.sendPacket(p);
    pair.pump.flush();
  }
  // 40 KB with a limit of 8 KB (each packet counted on the way out and its echo on the way in).
  assert.ok(pair.client.keyExchanges >= 5, `only ${pair.client.keyExchanges} exchanges`);
  assert.equal(pair.server.keyExchanges, pair.client.keyExchanges);
  assert.deepEqual(pair.serverServices[0]!.received, sent);
  assert.deepEqual(pair.service.received, sent);
  assert.deepEqual(pair.client.sessionId, pair.server.sessionId, 'the session id stays the first exchange hash');
});

test('re-key by time: after rekeyInterval seconds of the clock given', async () => {
  const pair = await withService({ server: { limits: { rekeyInterval: 600 } }, client: { limits: { rekeyInterval: 0 } } });
  pair.clock.advance(599);
  pair.pump.flush();
  assert.equal(pair.server.keyExchanges, 1);
  pair.clock.advance(1);
  pair.pump.flush();
  assert.equal(pair.server.keyExchanges, 2);
  assert.equal(pair.client.keyExchanges, 2);
  pair.clock.advance(600);
  pair.pump.flush();
  assert.equal(pair.server.keyExchanges, 3);
  pair.client.sendPacket(packet(1));
  pair.pump.flush();
  assert.deepEqual(pair.service.received, [packet(1)]);
});

test('packets sent during a re-key are queued and go out in order under the new keys, both ways', async () => {
  const pair = await withService();
  pair.server.rekey();
  assert.equal(pair.server.rekeying, true);
  pair.serverServices[0]!.transport!.sendPacket(packet(7));
  pair.pump.pump();
  assert.deepEqual(pair.service.received, [], 'held back while the exchange runs');
  pair.client.sendPacket(packet(1));
  pair.client.sendPacket(packet(2));
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 2);
  assert.deepEqual(pair.serverServices[0]!.received, [packet(1), packet(2)]);
  assert.deepEqual(pair.service.received, [packet(7), packet(1), packet(2)]);
});

test('over maxQueuedBytes queued during a re-key closes the connection', async () => {
  const pair = await withService({ client: { limits: { maxQueuedBytes: 1500 } } });
  pair.client.rekey();
  pair.client.sendPacket(packet(1));
  assert.equal(pair.client.closeReason === undefined, true);
  pair.client.sendPacket(packet(2));
  assert.ok(pair.client.closeReason instanceof SSHLimitError);
});

test('a host key that changes at a re-key is refused', async () => {
  const first = testSigningKey('ed25519');
  const second = signingKeyOf(generateKeyPairSync('ed25519').privateKey);
  let current = first;
  const swapping = { get publicKey() { return current.publicKey; }, sign: (alg: string, data: Uint8Array) => current.sign(alg, data) };
  const pair = await withService({ server: { hostKeys: [swapping] } });
  current = second;
  pair.client.rekey();
  pair.pump.flush();
  assert.ok(pair.client.closeReason instanceof SSHHostKeyRejectedError);
  assert.equal(pair.client.keyExchanges, 1);
});

test('no automatic re-key before authentication (OpenSSH clients refuse KEXINIT then); a due one runs after it', async () => {
  const pair = transportPair({ client: { limits: { rekeyBytes: 1000 } }, server: { limits: { rekeyInterval: 60 } } });
  const service = new RecordingService('test-echo');
  pair.client.requestService(service);
  pair.pump.flush();
  for (let n = 0; n < 5; n++) pair.client.sendPacket(packet(n));
  pair.clock.advance(60);
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 1);
  assert.equal(service.received.length, 5);
  pair.server.authenticationSucceeded();
  pair.pump.flush();
  assert.equal(pair.server.keyExchanges, 2, 'the time-based re-key that fell due');
  pair.client.authenticationSucceeded();
  pair.client.sendPacket(packet(9));
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 3, 'the volume-based one');
});

test('a queue flushed after a re-key that passes rekeyBytes again waits for the next exchange instead of crossing it', async () => {
  const pair = await withService({ client: { limits: { rekeyBytes: 3000 } } });
  pair.client.rekey();
  const sent = Array.from({ length: 10 }, (_, n) => packet(n));
  for (const p of sent) pair.client.sendPacket(p);
  pair.pump.flush();
  assert.equal(pair.server.closeReason === undefined, true, String(pair.server.closeReason));
  assert.deepEqual(pair.serverServices[0]!.received, sent);
  assert.ok(pair.client.keyExchanges >= 3);
});

test('sendPacket refuses key exchange messages, which only the transport may send', async () => {
  const pair = await withService();
  for (const type of [20, 21, 30, 49]) assert.throws(() => pair.client.sendPacket(Uint8Array.of(type)), RangeError);
  assert.throws(() => pair.client.sendPacket(new Uint8Array(0)), RangeError);
});
