import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, parsePayload } from './frames.js';
import { LiveProtocolError } from './errors.js';

describe('decodeFrame', () => {
  test("a MSG's or NEXT's payload comes back as its text, the same characters, unparsed", () => {
    assert.deepEqual(decodeFrame('[1,7,3,{"a":[1,2]}]', 100), [1, 7, 3, '{"a":[1,2]}']);
    assert.deepEqual(decodeFrame('[4,"x"]', 100), [4, '"x"']);
    // JSON's whitespace anywhere between the parts; the payload's own stays in its text, and parses.
    const [kind, seq, ack, payload] = decodeFrame(' \n[ 1 ,\t7 , 0 , [ "a" ] ]\r\n', 100) as [number, number, number, string];
    assert.deepEqual([kind, seq, ack, parsePayload(payload)], [1, 7, 0, ['a']]);
    assert.deepEqual(decodeFrame('[1,9007199254740991,0,1]', 100), [1, 9007199254740991, 0, '1']);
  });

  test('the other frames are parsed whole, as before', () => {
    assert.deepEqual(decodeFrame('[0,"page",5]', 100), [0, 'page', 5]);
    assert.deepEqual(decodeFrame('[0,5]', 100), [0, 5]);
    assert.deepEqual(decodeFrame('[2,5]', 100), [2, 5]);
    assert.deepEqual(decodeFrame('[3, 0]', 100), [3, 0]);
    assert.deepEqual(decodeFrame('[9,"gone"]', 100), [9, 'gone']);
  });

  test('malformed MSG and NEXT frames are refused before any payload is parsed', () => {
    for (const bad of [
      '[1,0,0,1]', // seq 0
      '[1,-1,0,1]',
      '[1,1.0,0,1]', // numbers are plain digits
      '[1,1e0,0,1]',
      '[1,01,0,1]', // not JSON
      '[1,9007199254740992,0,1]', // not a safe integer
      '[1,1,0]', // no payload
      '[1,1,1]',
      '[1,"1",0,1]',
      '[4]',
      '[4,1',
      '[1.0,1,0,1]',
      '[4.0,1]',
      '1,1,0,1]',
      '{"0":1}',
    ]) {
      assert.throws(() => decodeFrame(bad, 100), LiveProtocolError, bad);
    }
  });

  test('a payload that is not JSON, or more than one value, fails when it is parsed', () => {
    for (const text of ['[4,]', '[4,1,2]', '[4,"a"],[5]', '[1,1,0,{]', '[4,"a"]]']) {
      const frame = decodeFrame(text, 100);
      assert.throws(() => parsePayload(frame.at(-1) as string), LiveProtocolError, text);
    }
  });

  test('an oversized frame is refused by its length', () => {
    assert.throws(() => decodeFrame(`[4,"${'x'.repeat(200)}"]`, 100), /over the limit of 100/);
  });
});
