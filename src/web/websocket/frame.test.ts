import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, encodeTextFrame, Opcode, unmask } from './frame.js';

function referenceXor(data: Buffer, key: Buffer): Buffer {
  return Buffer.from(data.map((b, i) => b ^ key[i & 3]!));
}

test('masking matches a byte-by-byte reference for every length and alignment', () => {
  for (let length = 0; length < 300; length += length < 80 ? 1 : 37) {
    const payload = Buffer.from(Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff));
    const out = encodeFrame(Opcode.BINARY, payload, true);
    const head = length < 126 ? 2 : 4;
    const key = out.subarray(head, head + 4);
    assert.ok(out.subarray(head + 4).equals(referenceXor(payload, key)), `length ${length}`);
    for (let shift = 0; shift < 4; shift++) {
      const backing = Buffer.alloc(length + 8);
      const view = backing.subarray(shift, shift + length);
      payload.copy(view);
      unmask(view, key, 0);
      assert.ok(view.equals(referenceXor(payload, key)), `unmask length ${length} shift ${shift}`);
    }
  }
});

test('frame headers use the 7-bit, 16-bit and 64-bit length forms', () => {
  assert.deepEqual([...encodeFrame(Opcode.TEXT, Buffer.from('Hello'), false)], [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
  assert.deepEqual([...encodeFrame(Opcode.BINARY, Buffer.alloc(256), false).subarray(0, 4)], [0x82, 0x7e, 0x01, 0x00]);
  assert.deepEqual([...encodeFrame(Opcode.BINARY, Buffer.alloc(65536), false).subarray(0, 10)], [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual([...encodeTextFrame('€', false)], [0x81, 0x03, 0xe2, 0x82, 0xac]);
  const masked = encodeTextFrame('Hello', true);
  assert.equal(masked[1], 0x85);
  assert.equal(referenceXor(masked.subarray(6), masked.subarray(2, 6)).toString(), 'Hello');
});
