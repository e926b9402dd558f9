/**
 * SSH public keys and signatures: every key type reads back what it writes, signs and verifies with each
 * of its algorithms, and refuses forged, mismatched, malformed and too-weak input.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { BadKeyError } from './errors.js';
import { SSHPublicKey, sshSign } from './ssh-keys.js';
import { WireReader, WireWriter } from './ssh-wire.js';
import { testKey, testKeys } from './test-support/keys.js';

const data = new TextEncoder().encode('session id and userauth request');

describe('SSHPublicKey', () => {
  for (const k of testKeys()) {
    test(`${k.name}: the blob reads back as the same key, and names its type first`, () => {
      const again = SSHPublicKey.fromBlob(k.publicKey.blob);
      assert.equal(again.type, k.publicKey.type);
      assert.ok(again.equals(k.publicKey));
      assert.equal(new WireReader(again.blob).text(), again.type);
      const jwk = (o: SSHPublicKey) => JSON.stringify(o.keyObject.export({ format: 'jwk' }));
      assert.equal(jwk(again), JSON.stringify(createPublicKey(k.privateKey).export({ format: 'jwk' })));
      assert.match(again.fingerprint(), /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.match(again.toString('me@host'), new RegExp(`^${again.type} [A-Za-z0-9+/]+=* me@host$`));
    });

    for (const alg of k.algorithms) {
      test(`${k.name}: ${alg} signatures verify, and not over other data, by another key, or under another name`, () => {
        const sig = sshSign(k.privateKey, alg, data);
        assert.equal(k.publicKey.verify(alg, sig, data), true);
        assert.equal(k.publicKey.verify(alg, sig, new TextEncoder().encode('other data')), false);
        const other = testKeys().find((o) => o.name !== k.name);
        assert.equal(other?.publicKey.verify(alg, sig, data), false);
        const otherName = { 'rsa-sha2-256': 'rsa-sha2-512', 'rsa-sha2-512': 'rsa-sha2-256', 'ssh-ed25519': 'ecdsa-sha2-nistp256' }[alg] ?? 'ssh-ed25519';
        const renamed = new WireWriter().string(otherName).string(sigBody(sig)).bytes();
        assert.equal(k.publicKey.verify(alg, renamed, data), false, 'the blob must name the algorithm asked for');
        const flipped = Uint8Array.from(sig);
        flipped[flipped.length - 5] ^= 1;
        assert.equal(k.publicKey.verify(alg, flipped, data), false);
        assert.equal(k.publicKey.verify(alg, sig.subarray(0, sig.length - 1), data), false, 'truncated');
        assert.equal(k.publicKey.verify(alg, Uint8Array.from([...sig, 0]), data), false, 'trailing byte');
      });
    }
  }

  test('ssh-rsa (SHA-1) signatures are refused unless allowSHA1', () => {
    const k = testKey('rsa');
    const sig = sshSign(k.privateKey, 'ssh-rsa', data);
    assert.equal(k.publicKey.verify('ssh-rsa', sig, data), false);
    assert.equal(k.publicKey.verify('ssh-rsa', sig, data, { allowSHA1: true }), true);
    assert.deepEqual(k.publicKey.signatureAlgorithms(), ['rsa-sha2-512', 'rsa-sha2-256']);
  });

  test('an RSA signature with its leading zero bytes dropped still verifies (OpenSSH pads it back)', () => {
    const k = testKey('rsa');
    for (let i = 0; i < 2000; i++) {
      const message = new TextEncoder().encode(`message ${i}`);
      const raw = sign('sha256', message, k.privateKey);
      if (raw[0] !== 0) continue;
      const stripped = new WireWriter().string('rsa-sha2-256').string(raw.subarray(1)).bytes();
      assert.equal(k.publicKey.verify('rsa-sha2-256', stripped, message), true);
      return;
    }
    assert.fail('no signature with a leading zero byte in 2000 tries');
  });

  test('an ECDSA signature with r or s longer than the curve is false, not an exception', () => {
    const k = testKey('nistp256');
    const body = new WireWriter().mpint(new Uint8Array(40).fill(1)).mpint(new Uint8Array(32).fill(1)).bytes();
    const sig = new WireWriter().string('ecdsa-sha2-nistp256').string(body).bytes();
    assert.equal(k.publicKey.verify('ecdsa-sha2-nistp256', sig, data), false);
  });

  test('weak, malformed and unknown keys are refused with BadKeyError', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey;
    const smallBlob = SSHPublicKey.fromKeyObject(small).blob;
    assert.throws(() => SSHPublicKey.fromBlob(smallBlob), (e: Error) => e instanceof BadKeyError && /512 bits/.test(e.message));
    assert.ok(SSHPublicKey.fromBlob(smallBlob, { maxPublicKeyBytes: 16384, minRSABits: 512, maxRSABits: 16384 }));

    const ed = testKey('ed25519').publicKey.blob;
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated', ed.subarray(0, ed.length - 1), /truncated/],
      ['trailing bytes', Uint8Array.from([...ed, 0]), /unexpected bytes/],
      ['short Ed25519 key', new WireWriter().string('ssh-ed25519').string(new Uint8Array(31)).bytes(), /31 bytes/],
      ['unknown type', new WireWriter().string('ssh-dss').string(new Uint8Array(4)).bytes(), /unsupported key type/],
      ['curve mismatch', reCurve(testKey('nistp256').publicKey.blob, 'nistp384'), /curve nistp384/],
      ['point off the curve', offCurve(testKey('nistp256').publicKey.blob), /not a valid public key/],
      ['compressed point', compressed(testKey('nistp256').publicKey.blob), /uncompressed/],
      ['negative RSA exponent', new WireWriter().string('ssh-rsa').string(Uint8Array.from([0x81])).mpint(new Uint8Array(128).fill(0xff)).bytes(), /negative mpint/],
      ['padded mpint', new WireWriter().string('ssh-rsa').string(Uint8Array.from([0, 1, 0, 1])).mpint(new Uint8Array(128).fill(0xff)).bytes(), /leading zero/],
      ['even exponent', new WireWriter().string('ssh-rsa').mpint(Uint8Array.from([4])).mpint(new Uint8Array(128).fill(0xff)).bytes(), /exponent/],
      ['oversized blob', new Uint8Array(16385), /over 16384/],
      ['name with a control byte', new WireWriter().string('ssh-ed\n25519').bytes(), /printable/],
    ];
    for (const [what, blob, message] of cases) {
      assert.throws(() => SSHPublicKey.fromBlob(blob), (e: Error) => e instanceof BadKeyError && message.test(e.message), what);
    }
  });
});

/** The signature bytes inside an SSH signature blob. */
function sigBody(sig: Uint8Array): Uint8Array {
  const r = new WireReader(sig);
  r.string();
  return r.string();
}

function ecParts(blob: Uint8Array): [string, string, Uint8Array] {
  const r = new WireReader(blob);
  return [r.text(), r.text(), Uint8Array.from(r.string())];
}

function reCurve(blob: Uint8Array, curve: string): Uint8Array {
  const [type, , q] = ecParts(blob);
  return new WireWriter().string(type).string(curve).string(q).bytes();
}

function offCurve(blob: Uint8Array): Uint8Array {
  const [type, curve, q] = ecParts(blob);
  q[q.length - 1] ^= 1;
  return new WireWriter().string(type).string(curve).string(q).bytes();
}

function compressed(blob: Uint8Array): Uint8Array {
  const [type, curve, q] = ecParts(blob);
  const x = q.subarray(1, 33);
  return new WireWriter().string(type).string(curve).string(Uint8Array.from([2 + (q[64] & 1), ...x])).bytes();
}
