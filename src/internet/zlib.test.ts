import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:zlib';
import { inflateRawAfterStoredHistory, inflateRawWithHistory } from './zlib.js';

const SYNC = { finishFlush: constants.Z_SYNC_FLUSH };
const TAIL = Buffer.from([0, 0, 0xff, 0xff]);
const history = Buffer.from('abcdefghij'.repeat(10));
const message = Buffer.from(`${'abcdefghij'.repeat(5)}!`);
// `message` deflated (by Node's zlib) against `history`: its one back-reference reaches into the history,
// so no inflater can read it without. Fixed bytes, as Deno's deflate would ignore the dictionary.
const packed = Buffer.concat([Buffer.from('229da508000000ffff', 'hex'), TAIL]);

test('a stream that refers back into the history inflates, with or without dictionary support', () => {
  assert.throws(() => inflateRawWithHistory(packed, undefined, SYNC), /distance too far back/);
  assert.ok(inflateRawWithHistory(packed, history, SYNC).equals(message));
  // The path Deno takes (it ignores `dictionary`): the history as a stored block in front.
  assert.ok(inflateRawAfterStoredHistory(packed, history, SYNC).equals(message));
});

test('maxOutputLength bounds the message, not the history in front of it', () => {
  const limit = message.length;
  assert.ok(inflateRawAfterStoredHistory(packed, history, { ...SYNC, maxOutputLength: limit }).equals(message));
  assert.throws(() => inflateRawAfterStoredHistory(packed, history, { ...SYNC, maxOutputLength: limit - 1 }), (e: { code?: string }) => e.code === 'ERR_BUFFER_TOO_LARGE');
  assert.throws(() => inflateRawAfterStoredHistory(packed, Buffer.alloc(70_000), SYNC), RangeError);
});
