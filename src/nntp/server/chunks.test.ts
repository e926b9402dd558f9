// The server fed a whole session cut every way a network may cut it, and random input: the answers are
// the same as when each command arrives whole, and nothing but NNTP answers comes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, seededRandom, splitEvery, splitRandom } from '../../testing/index.js';
import { ServerHarness, seededStore, tick } from '../test-support/harness.js';

const SESSION = Buffer.from(
  [
    'MODE READER',
    'GROUP local.test',
    'POST',
    'From: bob@example.org',
    'Newsgroups: local.test',
    'Subject: chunks',
    'Message-ID: <chunked@x>',
    'Date: Sat, 05 Dec 2026 08:00:00 +0000',
    '',
    '..leading dot',
    '.',
    'ARTICLE <chunked@x>',
    'OVER 1-',
    'QUIT',
    '',
  ].join('\r\n'),
  'latin1',
);

async function transcript(chunks: Uint8Array[]): Promise<string> {
  const h = new ServerHarness(await seededStore());
  for (const c of chunks) {
    h.protocol.dataReceived(c);
    await tick(1);
  }
  await tick();
  return h.take();
}

test('a session split at every chunk size gives the same transcript', async () => {
  const whole = await transcript([SESSION]);
  assert.match(whole, /240 <chunked@x>/);
  assert.match(whole, /\r\n\r\n\.\.leading dot\r\n\.\r\n/);
  assert.match(whole, /205 Bye\r\n$/);
  for (const size of [1, 2, 3, 5, 7, 13, 64, 200]) assert.equal(await transcript(splitEvery(SESSION, size)), whole, `size ${size}`);
});

test('fuzz: random command bytes get only status lines or blocks back, and the server stays bounded', async () => {
  for (let seed = 1; seed <= 60; seed++) {
    const random = seededRandom(seed);
    const junk = randomBytes(random, 400, [0x0d, 0x0a, 0x20, 0x2e, 0x3c, 0x3e, 0x31, ...Buffer.from('GROUPSTATLISTOVERPOST')]);
    const h = new ServerHarness(await seededStore(), { limits: { maxCommandLength: 64 } });
    for (const c of splitRandom(random, junk, 32)) {
      if (!h.transport.connected) break;
      h.protocol.dataReceived(c);
      await tick(1);
    }
    await tick();
    const out = h.transport.value().toString('latin1');
    assert.match(out, /^200 /, `seed ${seed}`);
    for (const line of out.split('\r\n').slice(0, 3)) assert.ok(line === '' || /^[1-5]\d\d /.test(line) || !/[\0]/.test(line), `seed ${seed}`);
  }
});
