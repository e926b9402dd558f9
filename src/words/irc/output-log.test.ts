import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingClient } from '../test-support/recording-client.js';
import { OutputLog } from './output-log.js';
import { Harness, type FakeClient } from './test-support/harness.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

test('output log: clients given the same lines in a row share one run and one joined buffer', () => {
  const log = new OutputLog();
  const [a, b, c] = [bytes('a\r\n'), bytes('b\r\n'), bytes('c\r\n')];
  // A fan-out: each line to each of two clients in turn.
  const one = { start: log.start(a), end: 0 };
  one.end = one.start + 1;
  const two = { start: log.start(a), end: 0 };
  two.end = two.start + 1;
  for (const line of [b, c]) {
    assert.ok(log.extend(one.end++, line));
    assert.ok(log.extend(two.end++, line));
  }
  assert.equal(log.size, 3);
  assert.deepEqual([one.start, one.end], [0, 3]);
  assert.deepEqual([two.start, two.end], [0, 3]);
  const joined = log.bytes(one.start, one.end);
  assert.equal(text(joined), 'a\r\nb\r\nc\r\n');
  assert.equal(log.bytes(two.start, two.end), joined);
  assert.equal(log.bytes(0, 1), a);
});

test('output log: a line out of the log order is refused, and the run so far is there to continue from', () => {
  const log = new OutputLog();
  const [a, b, own] = [bytes('a\r\n'), bytes('b\r\n'), bytes('own\r\n')];
  log.start(a);
  assert.ok(log.extend(1, b));
  // A client whose run is a..a (end 1) is sent its own line where the log has b.
  assert.equal(log.extend(1, own), false);
  assert.deepEqual(log.slice(0, 1).map(text), ['a\r\n']);
  // A client starting with bytes other than the last entry's gets a new entry.
  assert.equal(log.start(a), 2);
});

/** What `client` is written from now on, one entry per transport write. */
function capture(client: FakeClient): Uint8Array[] {
  const t = client.transport;
  const write = t.write.bind(t);
  const writes: Uint8Array[] = [];
  t.write = (data) => {
    writes.push(data as Uint8Array);
    write(data);
  };
  return writes;
}

test('IRC output batch: room members get one write each, the same buffer, and a private line keeps its place', async () => {
  const h = new Harness();
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => h.register(n));
  for (const c of [alice, bob, carol]) c.send('JOIN #room');
  const svc = await h.service.login('svc', { client: new RecordingClient() });
  svc.join('#room');
  for (const c of [alice, bob, carol]) c.lines();
  const [wa, wb, wc] = [alice, bob, carol].map(capture);

  h.service.output.hold();
  svc.send('#room', 'one');
  svc.send('#room', 'two');
  svc.send('bob', 'just for bob');
  svc.send('#room', 'three');
  await new Promise((r) => setImmediate(r));

  for (const w of [wa, wb, wc]) assert.equal(w.length, 1);
  assert.equal(wa[0], wc[0], 'alice and carol are written the same bytes');
  const lines = (w: Uint8Array[]): string[] => text(w[0]!).trimEnd().split('\r\n').map((l) => l.slice(l.indexOf(' ') + 1));
  assert.deepEqual(lines(wa), ['PRIVMSG #room :one', 'PRIVMSG #room :two', 'PRIVMSG #room :three']);
  assert.deepEqual(lines(wb), ['PRIVMSG #room :one', 'PRIVMSG #room :two', 'PRIVMSG bob :just for bob', 'PRIVMSG #room :three']);

  // The next batch starts a new log: the same lines again reach everyone, once.
  h.service.output.hold();
  svc.send('#room', 'four');
  await new Promise((r) => setImmediate(r));
  for (const w of [wa, wb, wc]) assert.equal(text(w.at(-1)!).trimEnd().split(' ').slice(1).join(' '), 'PRIVMSG #room :four');
});
