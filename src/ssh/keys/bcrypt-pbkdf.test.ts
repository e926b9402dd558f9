/**
 * Blowfish and bcrypt_pbkdf against published vectors: Eric Young's Blowfish ECB vectors, the initial
 * state's first and last words of pi, and the bcrypt_pbkdf vectors of OpenBSD's regression tests.
 * (Vectors made by ssh-keygen on this machine are in key-interop.test.ts: its encrypted keys decrypt.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Blowfish } from './blowfish.js';
import { bcryptPbkdf } from './bcrypt-pbkdf.js';

const hex = (s: string): Uint8Array => Buffer.from(s, 'hex');
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

test('the initial state is the hex digits of pi: P[0], P[17], the first and last S-box words', () => {
  const bf = new Blowfish();
  assert.equal(bf.p[0], 0x243f6a88);
  assert.equal(bf.p[17], 0x8979fb1b);
  assert.equal(bf.s[0], 0xd1310ba6);
  assert.equal(bf.s[1023], 0x3ac372e6);
});

test('Blowfish ECB: published vectors', () => {
  const vectors: [string, string, string][] = [
    ['0000000000000000', '0000000000000000', '4ef997456198dd78'],
    ['ffffffffffffffff', 'ffffffffffffffff', '51866fd5b85ecb8a'],
    ['3000000000000000', '1000000000000001', '7d856f9a613063f2'],
    ['1111111111111111', '1111111111111111', '2466dd878b963c9d'],
    ['0123456789abcdef', '1111111111111111', '61f9c3802281b096'],
  ];
  for (const [key, plain, cipher] of vectors) {
    assert.equal(Buffer.from(new Blowfish(hex(key)).encryptBlock(hex(plain))).toString('hex'), cipher, `key ${key}`);
  }
});

test('bcrypt_pbkdf: OpenBSD regression vectors (4 rounds; NULs in passphrase and salt; 16 and 32 bytes)', () => {
  const vectors: [Uint8Array, Uint8Array, number, string][] = [
    [text('password'), text('salt'), 4, '5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9'],
    [text('password'), Uint8Array.of(0), 4, 'c12b566235eee04c212598970a579a67'],
    [Uint8Array.of(0), text('salt'), 4, '6051be18c2f4f82cbf0efee5471b4bb9'],
    [text('password\0'), text('salt\0'), 4, '7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050'],
  ];
  for (const [pass, salt, rounds, out] of vectors) {
    assert.equal(Buffer.from(bcryptPbkdf(pass, salt, rounds, out.length / 2)).toString('hex'), out);
  }
});

test('bcrypt_pbkdf: a longer key is the shorter one interleaved, not a prefix (the stride spreads each block)', () => {
  const short = bcryptPbkdf(text('pw'), text('salt'), 1, 32);
  const long = bcryptPbkdf(text('pw'), text('salt'), 1, 48);
  // With 48 bytes the stride is 2: block 1 fills the even bytes, block 2 the odd ones.
  assert.deepEqual(long.filter((_, i) => i % 2 === 0), short.subarray(0, 24));
  assert.throws(() => bcryptPbkdf(text('pw'), text('salt'), 0, 32), RangeError);
});
