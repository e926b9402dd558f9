import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1, latin1Bytes, randomBytes, seededRandom, splitEvery, splitRandom } from './index.js';

const input = latin1Bytes('PING 1\r\nPING 22\r\nQUIT\r\n');

test('splitEvery cuts at every size, in order, the last piece shorter', () => {
  for (let size = 1; size <= input.length + 1; size++) {
    const chunks = splitEvery(input, size);
    assert.equal(latin1(Buffer.concat(chunks)), latin1(input), `size ${size}`);
    assert.ok(chunks.slice(0, -1).every((c) => c.length === size));
    assert.ok(chunks.at(-1)!.length <= size && chunks.at(-1)!.length > 0);
  }
  assert.throws(() => splitEvery(input, 0), RangeError);
});

test('splitRandom keeps the bytes and their order, with chunks of 1 to maxChunk bytes', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const chunks = splitRandom(seededRandom(seed), input, 4);
    assert.equal(latin1(Buffer.concat(chunks)), latin1(input));
    assert.ok(chunks.every((c) => c.length >= 1 && c.length <= 4));
  }
  assert.throws(() => splitRandom(seededRandom(1), input, 0), RangeError);
});

test('latin1 and latin1Bytes are inverses over all 256 byte values', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(latin1Bytes(latin1(all)), all);
});

test('seededRandom: the same seed replays the same sequence, another seed another one, all in [0, 1)', () => {
  const draw = (seed: number) => Array.from({ length: 1000 }, seededRandom(seed));
  const a = draw(42);
  assert.deepEqual(draw(42), a);
  assert.notDeepEqual(draw(43), a);
  assert.ok(a.every((x) => x >= 0 && x < 1));
  // Spread over the interval, not stuck in a corner of it.
  const buckets = new Array<number>(10).fill(0);
  for (const x of a) buckets[Math.floor(x * 10)]!++;
  assert.ok(buckets.every((n) => n > 50), String(buckets));
});

test('randomBytes draws mostly from the alphabet, so a protocol\'s delimiters come up often', () => {
  const random = seededRandom(7);
  const data = randomBytes(random, 10_000, [0x0d, 0x0a]);
  const delimiters = data.filter((b) => b === 0x0d || b === 0x0a).length;
  assert.ok(delimiters > 6000 && delimiters < 8000, `${delimiters} of 10000`);
  assert.ok(new Set(data).size > 200, 'the other values come from all 256');
  assert.deepEqual(randomBytes(seededRandom(7), 10_000, [0x0d, 0x0a]), data);
});
