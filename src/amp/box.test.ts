import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BoxDecoder, parseBoxes, serializeBox, type AmpBox } from './box.js';
import { AMPMalformedBoxError, AMPTooLongError } from './errors.js';
import { seededRandom, splitEvery, splitRandom, randomBytes } from '../testing/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('AMP box codec', () => {
  test('serializes as Twisted does: 16-bit lengths, empty key at the end', () => {
    const bytes = serializeBox(new Map([['_ask', enc('1')], ['x', enc('ab')]]));
    assert.deepEqual([...bytes], [0, 4, ...enc('_ask'), 0, 1, ...enc('1'), 0, 1, ...enc('x'), 0, 2, ...enc('ab'), 0, 0]);
  });

  test('decodes the same bytes fed in chunks of every size', () => {
    const boxes: AmpBox[] = [new Map([['a', enc('1')], ['bb', new Uint8Array(0)]]), new Map([['k', new Uint8Array(300).fill(7)]])];
    const wire = new Uint8Array([...serializeBox(boxes[0]!), ...serializeBox(boxes[1]!)]);
    for (let size = 1; size <= wire.length; size++) {
      const d = new BoxDecoder();
      const got = splitEvery(wire, size).flatMap((c) => d.feed(c));
      assert.deepEqual(got, boxes, `chunk size ${size}`);
      assert.ok(d.idle);
    }
  });

  test('refuses keys over 255 bytes and values over 65,535 on the way out', () => {
    assert.throws(() => serializeBox(new Map([['k'.repeat(256), enc('v')]])), AMPTooLongError);
    assert.throws(() => serializeBox(new Map([['k', new Uint8Array(65_536)]])), AMPTooLongError);
    assert.equal(serializeBox(new Map([['k', new Uint8Array(65_535)]])).length, 2 + 1 + 2 + 65_535 + 2);
    assert.throws(() => serializeBox(new Map([['', enc('v')]])), AMPMalformedBoxError);
  });

  test('refuses a key length over 255 on the way in, before the key arrives', () => {
    assert.throws(() => new BoxDecoder().feed(new Uint8Array([1, 0])), AMPTooLongError);
  });

  test('refuses a box that grows past maxBoxBytes (an endless box)', () => {
    const d = new BoxDecoder({ maxBoxBytes: 1000 });
    const pair = serializeBox(new Map([['k', new Uint8Array(200)]])).subarray(0, -2);
    assert.throws(() => {
      for (let i = 0; i < 10; i++) d.feed(pair);
    }, AMPTooLongError);
  });

  test('parseBoxes refuses trailing bytes of an unfinished box', () => {
    assert.throws(() => parseBoxes(new Uint8Array([0, 1, 97, 0, 1])), AMPMalformedBoxError);
  });

  test('fuzz: random bytes either decode or fail with a codec error, never anything else', () => {
    const random = seededRandom(19);
    for (let i = 0; i < 2000; i++) {
      const data = randomBytes(random, Math.floor(random() * 64), [0, 1, 2, 255]);
      const d = new BoxDecoder({ maxBoxBytes: 4096 });
      try {
        for (const chunk of splitRandom(random, data, 7)) d.feed(chunk);
      } catch (e) {
        assert.ok(e instanceof AMPTooLongError || e instanceof AMPMalformedBoxError, String(e));
      }
    }
  });

  test('fuzz: random boxes round-trip through random chunking', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      const box: AmpBox = new Map();
      const n = Math.floor(random() * 5);
      for (let k = 0; k < n; k++) box.set(`k${k}${'x'.repeat(Math.floor(random() * 20))}`, randomBytes(random, Math.floor(random() * 100), []));
      const d = new BoxDecoder();
      const got = splitRandom(random, serializeBox(box), 9).flatMap((c) => d.feed(c));
      assert.deepEqual(got, [box]);
    }
  });
});
