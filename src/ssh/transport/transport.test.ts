import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../../defer/index.js';
import { SSHDisconnectError, SSHHostKeyRejectedError, SSHServiceNotAvailableError } from '../errors.js';
import { CIPHER_ALGORITHMS, HOST_KEY_ALGORITHMS, KEX_ALGORITHMS, MAC_ALGORITHMS } from './algorithms.js';
import { DISCONNECT } from './constants.js';
import { testSigningKey, type TestKeyType } from './test-support/host-keys.js';
import { RecordingService, transportPair } from './test-support/services.js';

/** Runs a service round trip over `pair`: one packet each way, with a payload of `size` bytes. */
async function roundTrip(pair: ReturnType<typeof transportPair>, size = 100): Promise<void> {
  const service = new RecordingService('test-echo');
  const accepted = pair.client.requestService(service);
  pair.pump.flush();
  await accepted;
  const payload = Uint8Array.from({ length: size }, (_, i) => (i === 0 ? 90 : i & 0xff));
  pair.client.sendPacket(payload);
  pair.pump.flush();
  assert.deepEqual(pair.serverServices[0]!.received, [payload]);
  assert.deepEqual(service.received, [payload]);
}

test('client and server agree on keys and carry service packets both ways', async () => {
  const pair = transportPair();
  const { client, server, pump } = pair;
  pump.flush();
  assert.equal(client.negotiated?.kex, 'curve25519-sha256');
  assert.equal(client.negotiated?.cipherClientToServer, 'chacha20-poly1305@openssh.com');
  assert.deepEqual(client.sessionId, server.sessionId);
  assert.equal(client.strictKex, true);
  assert.equal(server.strictKex, true);
  assert.ok(client.serverSigAlgs?.includes('ssh-ed25519'));
  assert.equal(client.peerHostKey?.fingerprint(), testSigningKey('ed25519').publicKey.fingerprint());
  assert.deepEqual(server.peerAddress, { host: '192.168.1.1', port: 54321 });
  await roundTrip(pair);
  client.sendDisconnect(DISCONNECT.BY_APPLICATION, 'bye');
  pump.flush();
  assert.ok(server.closeReason instanceof SSHDisconnectError);
  assert.equal(server.closeReason.reasonCode, DISCONNECT.BY_APPLICATION);
  assert.equal(server.closeReason.byPeer, true);
  assert.ok(pair.serverServices[0]!.stopped);
});

for (const kex of KEX_ALGORITHMS) {
  test(`every cipher and MAC with ${kex}`, async () => {
    for (const cipher of CIPHER_ALGORITHMS) {
      const macs = cipher.includes('gcm') || cipher.includes('chacha') ? [MAC_ALGORITHMS[0]] : MAC_ALGORITHMS;
      for (const mac of macs) {
        const algorithms = { kex: [kex], cipher: [cipher], mac: [mac] };
        const pair = transportPair({ client: { algorithms } });
        pair.pump.flush();
        assert.deepEqual([pair.server.negotiated?.kex, pair.server.negotiated?.cipherServerToClient], [kex, cipher]);
        assert.equal(pair.server.negotiated?.macServerToClient, cipher.includes('-ctr') ? mac : '');
        // Sizes around the block sizes and one near the packet limit.
        await roundTrip(pair, 1 + ((kex.length * 7 + cipher.length * 13 + mac.length) % 200));
        pair.client.sendPacket(new Uint8Array(200_000).fill(91));
        pair.pump.flush();
        assert.equal(pair.serverServices[0]!.received[1]!.length, 200_000);
      }
    }
  });
}

const KEY_TYPES: Record<string, TestKeyType> = {
  'ssh-ed25519': 'ed25519',
  'ecdsa-sha2-nistp256': 'ecdsa-p256',
  'ecdsa-sha2-nistp384': 'ecdsa-p384',
  'ecdsa-sha2-nistp521': 'ecdsa-p521',
  'rsa-sha2-512': 'rsa',
  'rsa-sha2-256': 'rsa',
};

test('every host key algorithm signs and verifies; the client picks among several host keys', async () => {
  const all = Object.values(KEY_TYPES).map(testSigningKey);
  for (const hostKey of HOST_KEY_ALGORITHMS) {
    const pair = transportPair({ client: { algorithms: { hostKey: [hostKey] } }, server: { hostKeys: all } });
    pair.pump.flush();
    assert.equal(pair.client.negotiated?.hostKey, hostKey);
    assert.ok(pair.client.peerHostKey?.equals(testSigningKey(KEY_TYPES[hostKey]!).publicKey));
    await roundTrip(pair);
  }
});

test('the SHA-1 legacy algorithms work when both sides list them, and are not offered by default', async () => {
  const algorithms = { kex: ['diffie-hellman-group14-sha1'], hostKey: ['ssh-rsa'], cipher: ['aes128-cbc'], mac: ['hmac-sha1'] };
  const pair = transportPair({ client: { algorithms }, server: { algorithms, hostKeys: [testSigningKey('rsa')] } });
  pair.pump.flush();
  assert.equal(pair.client.negotiated?.hostKey, 'ssh-rsa');
  await roundTrip(pair);
  const kinds = { kex: 'key exchange', hostKey: 'host key', cipher: 'cipher', mac: 'MAC' } as const;
  for (const [kind, label] of Object.entries(kinds)) {
    const one = { [kind]: algorithms[kind as keyof typeof kinds] };
    const refused = transportPair({ client: { algorithms: { cipher: ['aes128-ctr'], ...one } }, server: { hostKeys: [testSigningKey('rsa')] } });
    refused.pump.flush();
    assert.equal(refused.client.keyExchanges, 0, kind);
    assert.match(String(refused.client.closeReason?.message), new RegExp(`^no ${label}`), kind);
  }
});

test('chunk-split input: the handshake and a service packet arrive whole at every chunk size', async () => {
  for (const chunkSize of [1, 2, 3, 5, 7, 16, 33, 100]) {
    const pair = transportPair({ chunkSize, client: { algorithms: { cipher: ['aes128-ctr'], mac: ['hmac-sha2-256'] } } });
    pair.pump.flush();
    assert.equal(pair.client.keyExchanges, 1, `chunk size ${chunkSize}`);
    await roundTrip(pair, 300);
  }
  const pair = transportPair({ chunkSize: 1 });
  pair.pump.flush();
  await roundTrip(pair, 300);
});

test('a host key refused by the verifier closes with HOST_KEY_NOT_VERIFIABLE; no service packet is sent', async () => {
  const pair = transportPair({ client: { verifyHostKey: () => false } });
  const service = new RecordingService('test-echo');
  const accepted = pair.client.requestService(service);
  pair.pump.flush();
  await assert.rejects(accepted, SSHHostKeyRejectedError);
  assert.equal(pair.serverServices.length, 0);
  assert.ok(pair.server.closeReason instanceof SSHDisconnectError);
  assert.equal(pair.server.closeReason.reasonCode, DISCONNECT.HOST_KEY_NOT_VERIFIABLE);
});

test('no verifier means no trust', () => {
  const pair = transportPair({ client: { verifyHostKey: undefined } });
  pair.pump.flush();
  assert.ok(pair.client.closeReason instanceof SSHHostKeyRejectedError);
});

test('the verdict may be a Deferred', async () => {
  const verdict = new Deferred<boolean>();
  const pair = transportPair({ client: { verifyHostKey: () => verdict } });
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 0);
  verdict.callback(true);
  await new Promise((resolve) => setImmediate(resolve));
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 1);
});

test('an asynchronous verdict holds the packets that follow until it comes', async () => {
  let decide!: (ok: boolean) => void;
  const seen: string[] = [];
  const pair = transportPair({
    client: {
      verifyHostKey: (key, details) => {
        seen.push(`${details.algorithm} ${details.fingerprint}`);
        return new Promise<boolean>((resolve) => (decide = resolve));
      },
    },
  });
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 0);
  assert.deepEqual(seen, [`ssh-ed25519 ${testSigningKey('ed25519').publicKey.fingerprint()}`]);
  decide(true);
  await new Promise((resolve) => setImmediate(resolve));
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 1);
  assert.equal(pair.server.keyExchanges, 1);
  await roundTrip(pair);
});

test('an asynchronous host key signature (an agent) holds the exchange until it comes', async () => {
  const key = testSigningKey('ed25519');
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slowKey = { publicKey: key.publicKey, sign: async (alg: string, data: Uint8Array) => (await gate, key.sign(alg, data)) };
  const pair = transportPair({ server: { hostKeys: [slowKey] } });
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 0);
  release();
  await new Promise((resolve) => setImmediate(resolve));
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 1);
  await roundTrip(pair);
});

test('an unknown service is refused with SERVICE_NOT_AVAILABLE', async () => {
  const pair = transportPair();
  const accepted = pair.client.requestService(new RecordingService('no-such-service'));
  pair.pump.flush();
  await assert.rejects(accepted, (e: unknown) => e instanceof SSHDisconnectError && e.reasonCode === DISCONNECT.SERVICE_NOT_AVAILABLE);
  assert.ok(pair.server.closeReason instanceof SSHServiceNotAvailableError);
});

test('whenSecure fires after the first exchange; connectionSecure runs once', async () => {
  const pair = transportPair();
  const secure = pair.client.whenSecure();
  pair.pump.flush();
  await secure;
  pair.client.rekey();
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 2);
  await pair.client.whenSecure();
});

test('the server takes one SERVICE_REQUEST: a second one, which could restart or skip a service, is refused', async () => {
  const pair = transportPair();
  const first = pair.client.requestService(new RecordingService('test-echo'));
  pair.pump.flush();
  await first;
  const second = pair.client.requestService(new RecordingService('test-echo'));
  pair.pump.flush();
  await assert.rejects(second, (e: unknown) => e instanceof SSHDisconnectError && e.reasonCode === DISCONNECT.PROTOCOL_ERROR);
  assert.equal(pair.serverServices.length, 1);
});

test('a verifier that throws refuses the key; a software version that could break the version line is refused', () => {
  const pair = transportPair({
    client: {
      verifyHostKey: () => {
        throw new Error('known_hosts unreadable');
      },
    },
  });
  pair.pump.flush();
  assert.ok(pair.client.closeReason instanceof SSHHostKeyRejectedError);
  assert.match(pair.client.closeReason.message, /known_hosts unreadable/);
  for (const softwareVersion of ['Evil\r\nSSH-2.0-x', 'has space', 'a-b', '', 'x'.repeat(300)]) {
    assert.throws(() => transportPair({ client: { softwareVersion } }), RangeError, softwareVersion);
  }
});
