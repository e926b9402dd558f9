/**
 * Fuzzing the packet codec and every message parser with seeded randomness: truncated, oversized and
 * altered fields, any chunking. Only the SSH errors may come out, and buffering stays bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes as cryptoRandom } from 'node:crypto';
import { SSHError } from '../errors.js';
import { DEFAULT_SSH_TRANSPORT_LIMITS } from '../limits.js';
import { Clock, StringTransport, randomBytes, seededRandom, splitRandom } from '../../testing/index.js';
import { CIPHER_ALGORITHMS } from './algorithms.js';
import { cipherSpec } from './ciphers.js';
import * as m from './messages.js';
import { MSG } from './constants.js';
import { PacketDecoder, PacketEncoder } from './packet-codec.js';
import { SSHServerTransport } from './server.js';
import { SSHClientTransport } from './client.js';
import { testSigningKey } from './test-support/host-keys.js';

const SEEDS = 300;

function onlySSHErrors(what: string, seed: number, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SSHError)) assert.fail(`${what}, seed ${seed}: ${(e as Error).stack}`);
  }
}

/** `valid` altered: cut short, a byte changed, or a length field set huge. */
function mutate(random: () => number, valid: Uint8Array): Uint8Array {
  const out = Uint8Array.from(valid);
  const kind = Math.floor(random() * 4);
  if (kind === 0) return out.subarray(0, Math.floor(random() * out.length));
  if (kind === 1) {
    out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
    return out;
  }
  if (kind === 2 && out.length > 5) {
    const at = 1 + Math.floor(random() * (out.length - 4));
    out.set([0xff, 0xff, 0xff, Math.floor(random() * 256)], at);
    return out;
  }
  return Uint8Array.from([...out, ...randomBytes(random, Math.floor(random() * 8), [])]);
}

const kexinit = m.encodeKexInit({
  cookie: new Uint8Array(16),
  kex: ['curve25519-sha256', 'ext-info-c'],
  hostKey: ['ssh-ed25519'],
  cipherClientToServer: ['aes128-ctr'],
  cipherServerToClient: ['aes128-ctr'],
  macClientToServer: ['hmac-sha2-256'],
  macServerToClient: ['hmac-sha2-256'],
  compressionClientToServer: ['none'],
  compressionServerToClient: ['none'],
  languagesClientToServer: [],
  languagesServerToClient: [],
  firstKexPacketFollows: false,
});
const hostKey = testSigningKey('ed25519').publicKey.blob;

const PARSERS: { name: string; valid: Uint8Array; parse: (p: Uint8Array) => unknown }[] = [
  { name: 'KEXINIT', valid: kexinit, parse: (p) => m.parseKexInit(p) },
  { name: 'KEX_ECDH_INIT', valid: m.encodeKexInitValue(new Uint8Array(32).fill(9), false), parse: (p) => m.parseKexInitValue(p, false) },
  { name: 'KEXDH_INIT', valid: m.encodeKexInitValue(new Uint8Array(256).fill(0x85), true), parse: (p) => m.parseKexInitValue(p, true) },
  { name: 'KEX_ECDH_REPLY', valid: m.encodeKexReply({ hostKey, value: new Uint8Array(32).fill(1), signature: new Uint8Array(83) }, false), parse: (p) => m.parseKexReply(p, false) },
  { name: 'KEXDH_REPLY', valid: m.encodeKexReply({ hostKey, value: new Uint8Array(256).fill(0x85), signature: new Uint8Array(83) }, true), parse: (p) => m.parseKexReply(p, true) },
  { name: 'DISCONNECT', valid: m.encodeDisconnect({ reasonCode: 2, description: 'bad' }), parse: m.parseDisconnect },
  { name: 'DEBUG', valid: Uint8Array.of(MSG.DEBUG, 1, 0, 0, 0, 1, 0x61, 0, 0, 0, 0), parse: m.parseDebug },
  { name: 'UNIMPLEMENTED', valid: m.encodeUnimplemented(7), parse: m.parseUnimplemented },
  { name: 'SERVICE_REQUEST', valid: m.encodeServiceMessage(MSG.SERVICE_REQUEST, 'ssh-userauth'), parse: (p) => m.parseServiceMessage(p, MSG.SERVICE_REQUEST) },
  { name: 'EXT_INFO', valid: m.encodeExtInfo(new Map([['server-sig-algs', 'ssh-ed25519,rsa-sha2-512']])), parse: (p) => m.parseExtInfo(p) },
];

test('every message parser: random and altered input gives a result or an SSH error, nothing else', () => {
  for (const { name, valid, parse } of PARSERS) {
    assert.doesNotThrow(() => parse(valid), name);
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = seededRandom(seed);
      onlySSHErrors(name, seed, () => parse(mutate(random, valid)));
      const noise = randomBytes(random, Math.floor(random() * 80), [0, 0xff, 0x2c]);
      noise[0] = valid[0]!;
      onlySSHErrors(name, seed, () => parse(noise));
    }
  }
});

test('the packet decoder: random bytes in random chunks give SSH errors only, and it never holds more than one packet', () => {
  const bound = 4 + DEFAULT_SSH_TRANSPORT_LIMITS.maxPacketLength + 64;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const random = seededRandom(seed);
    const decoder = new PacketDecoder();
    const input = randomBytes(random, 1 + Math.floor(random() * 600), [0, 0, 0, 4, 12, 0xff]);
    onlySSHErrors('decoder', seed, () => {
      for (const chunk of splitRandom(random, input, 50)) {
        decoder.feed(chunk);
        while (decoder.next() !== null);
        assert.ok(decoder.buffered <= bound);
      }
    });
  }
});

test('the packet decoder under every cipher: altered packets are refused with an SSH error, intact ones decode', () => {
  for (const cipher of CIPHER_ALGORITHMS) {
    const spec = cipherSpec(cipher)!;
    for (let seed = 1; seed <= 60; seed++) {
      const random = seededRandom(seed);
      const keys = { cipher, mac: seed % 2 === 0 ? 'hmac-sha2-256-etm@openssh.com' : 'hmac-sha2-256', key: cryptoRandom(spec.keyLength), iv: cryptoRandom(spec.ivLength), macKey: cryptoRandom(32) };
      const encoder = new PacketEncoder();
      const decoder = new PacketDecoder();
      encoder.setKeys(keys);
      decoder.setKeys(keys);
      const payloads = Array.from({ length: 3 }, () => randomBytes(random, 1 + Math.floor(random() * 100), []));
      const wire = Buffer.concat(payloads.map((p) => encoder.encode(p)));
      const altered = mutate(random, wire);
      const got: Uint8Array[] = [];
      onlySSHErrors(cipher, seed, () => {
        for (const chunk of splitRandom(random, altered, 40)) {
          decoder.feed(chunk);
          for (let p = decoder.next(); p !== null; p = decoder.next()) got.push(p);
        }
      });
      // Whatever came out before the damage is exactly what was sent.
      got.forEach((p, i) => assert.deepEqual(p, payloads[i], `${cipher} seed ${seed}`));
    }
  }
});

test('both transports: random packets after the version line close the connection with an SSH error or are taken', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const random = seededRandom(seed);
    const clock = new Clock();
    const protocol =
      seed % 2 === 0
        ? new SSHServerTransport({ clock, hostKeys: [testSigningKey('ed25519')], services: {} })
        : new SSHClientTransport({ clock, verifyHostKey: () => true });
    protocol.makeConnection(new StringTransport());
    const encoder = new PacketEncoder();
    const packets: Uint8Array[] = [Buffer.from('SSH-2.0-fuzz\r\n')];
    for (let i = 0; i < 4; i++) {
      const valid = PARSERS[Math.floor(random() * PARSERS.length)]!.valid;
      packets.push(encoder.encode(random() < 0.5 ? mutate(random, valid) : valid));
    }
    const stream = Buffer.concat(packets);
    for (const chunk of splitRandom(random, stream, 64)) protocol.dataReceived(chunk);
    clock.advance(DEFAULT_SSH_TRANSPORT_LIMITS.kexTimeout);
    assert.ok(protocol.closeReason instanceof SSHError, `seed ${seed}: ${protocol.closeReason}`);
  }
});
