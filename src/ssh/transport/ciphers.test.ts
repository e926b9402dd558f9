/** Sealing from a packet's pieces (no assembled packet, one copy of the payload fewer) gives the same wire bytes as sealing the packet. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SSHMacError } from '../errors.js';
import { makeOpener, makeSealer } from './ciphers.js';

const KEY_BYTES: Record<string, number> = { 'aes256-gcm@openssh.com': 32, 'aes128-gcm@openssh.com': 16, 'chacha20-poly1305@openssh.com': 64 };

for (const [cipher, keyBytes] of Object.entries(KEY_BYTES)) {
  test(`${cipher}: sealParts and seal agree packet after packet, and the peer opens them`, () => {
    const keys = { cipher, mac: '', key: randomBytes(keyBytes), iv: randomBytes(12), macKey: new Uint8Array() };
    const [whole, pieces, opener] = [makeSealer(keys), makeSealer(keys), makeOpener(keys)];
    assert.ok(pieces.sealParts !== undefined);
    for (const size of [0, 1, 27, 32768]) {
      const payload = new Uint8Array(randomBytes(size));
      // The length field is outside the blocks: padding length, payload and padding fill them.
      const block = whole.blockSize;
      const padLength = block - ((1 + size) % block);
      const padding = randomBytes(padLength < 4 ? padLength + block : padLength);
      const header = Buffer.alloc(5);
      header.writeUInt32BE(1 + size + padding.length);
      header[4] = padding.length;
      const wire = pieces.sealParts!(size, header, [payload.subarray(0, size >> 1), payload.subarray(size >> 1)], padding);
      assert.deepEqual(wire, whole.seal(size, Buffer.concat([header, payload, padding])), `${size} bytes`);
      assert.equal(opener.packetLength(size, wire.subarray(0, 4)), 1 + size + padding.length);
      assert.deepEqual(new Uint8Array(opener.open(size, wire).subarray(1, 1 + size)), payload);
    }
  });
}

for (const [cipher, keyBytes] of Object.entries(KEY_BYTES)) {
  test(`${cipher}: a packet with any byte of its length, body or tag changed is refused`, () => {
    const keys = { cipher, mac: '', key: randomBytes(keyBytes), iv: randomBytes(12), macKey: new Uint8Array() };
    const [sealer, opener] = [makeSealer(keys), makeOpener(keys)];
    const payload = randomBytes(100);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(1 + payload.length + 11);
    header[4] = 11;
    const wire = sealer.seal(7, Buffer.concat([header, payload, randomBytes(11)]));
    assert.equal(opener.packetLength(7, wire.subarray(0, 4)), 112);
    assert.deepEqual(opener.open(7, wire).subarray(1, 101), payload);
    for (let i = 0; i < wire.length; i++) {
      const changed = Buffer.from(wire);
      changed[i]! ^= 0x40;
      assert.throws(() => opener.open(7, changed), SSHMacError, `byte ${i}`);
    }
    // The same bytes under another sequence number (a replayed or reordered packet) are refused too.
    assert.throws(() => opener.open(8, wire), SSHMacError);
  });
}
