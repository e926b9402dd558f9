/** Sealing from a packet's pieces (no assembled packet, one copy of the payload fewer) gives the same wire bytes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { makeOpener, makeSealer } from './ciphers.js';

for (const cipher of ['aes256-gcm@openssh.com', 'aes128-gcm@openssh.com']) {
  test(`${cipher}: sealParts and seal agree packet after packet, and the peer opens them`, () => {
    const keys = { cipher, mac: '', key: randomBytes(cipher.startsWith('aes256') ? 32 : 16), iv: randomBytes(12), macKey: new Uint8Array() };
    const [whole, pieces, opener] = [makeSealer(keys), makeSealer(keys), makeOpener(keys)];
    assert.ok(pieces.sealParts !== undefined);
    for (const size of [0, 1, 27, 32768]) {
      const payload = new Uint8Array(randomBytes(size));
      // The length field is outside the blocks for GCM: padding length, payload and padding fill them.
      const padLength = 16 - ((1 + size) % 16);
      const padding = randomBytes(padLength < 4 ? padLength + 16 : padLength);
      const header = Buffer.alloc(5);
      header.writeUInt32BE(1 + size + padding.length);
      header[4] = padding.length;
      const wire = pieces.sealParts!(0, header, payload, padding);
      assert.deepEqual(wire, whole.seal(0, Buffer.concat([header, payload, padding])), `${size} bytes`);
      assert.deepEqual(new Uint8Array(opener.open(0, wire).subarray(1, 1 + size)), payload);
    }
  });
}
