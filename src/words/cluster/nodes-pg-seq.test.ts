/**
 * The room sequence number end to end: two words nodes on one real redis-server and one real PostgreSQL
 * (started on loopback), users on both saying lines into one room at once. Every member on both nodes sees
 * one order, each line under the same number everywhere; PostgreSQL holds each line once, with that
 * number; and the history after a number (what a page that lost its node asks for) is exactly the lines
 * after it, once each, in the order the members saw.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { PostgresServer } from '../../db/test-support/postgres-server.js';
import { eventually, requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';
import { RecordingClient } from '../test-support/recording-client.js';
import { WordsApplication } from '../plugin.js';

let redis: PeerProgram;
let pg: PostgresServer;
const apps: WordsApplication[] = [];

before(async () => {
  redis = await startPeerProgram({
    executable: requirePeer('redis-server', 'redis-server'),
    args: (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: /Ready to accept connections/,
  });
  pg = await PostgresServer.start();
});

after(async () => {
  for (const app of apps) await app.stopService();
  await redis?.stop();
  await pg?.stop();
});

test('lines said at once on two nodes: one order and one number each everywhere, stored once, replayed by number exactly', { timeout: 110_000 }, async () => {
  const config = { irc: [], web: [], data: tmpdir(), db: pg.tcpOptions.connectionString, redis: `redis://127.0.0.1:${redis.port}/0`, scrypt: { N: 1024, r: 8, p: 1 } };
  for (let i = 0; i < 2; i++) {
    const app = new WordsApplication({ ...config, name: `node${i}.test` });
    await app.startService();
    apps.push(app);
  }
  const [a, b] = apps as [WordsApplication, WordsApplication];
  const login = async (app: WordsApplication, nick: string): Promise<{ client: RecordingClient; say(text: string): void }> => {
    const client = new RecordingClient();
    const user = await app.words.login(nick, { client });
    user.join('#seq');
    await eventually(() => a.words.findRoom('#seq')?.memberByKey(nick) !== undefined && b.words.findRoom('#seq')?.memberByKey(nick) !== undefined);
    return { client, say: (text) => void user.send('#seq', text) };
  };
  const ann = await login(a, 'ann');
  const amy = await login(a, 'amy');
  const bob = await login(b, 'bob');
  const bea = await login(b, 'bea');
  const N = 30;
  for (let i = 0; i < N; i++) {
    ann.say(`a${i}`);
    bob.say(`b${i}`);
  }
  // amy (node 0) and bea (node 1) said nothing: each sees every line.
  await eventually(() => amy.client.messages.length === 2 * N && bea.client.messages.length === 2 * N, { timeout: 30 });
  const seen = (c: RecordingClient): string[] => c.messages.map((m) => `${m.seq}:${m.text}`);
  assert.deepEqual(seen(bea.client), seen(amy.client), 'one order and one number per line on both nodes');
  const seqs = amy.client.messages.map((m) => m.seq!);
  assert.deepEqual([...seqs].sort((x, y) => x - y), seqs, 'in the order of the numbers');
  assert.ok(seen(amy.client).some((l, i) => i > 0 && l.split(':')[1]![0] !== seen(amy.client)[i - 1]!.split(':')[1]![0]), 'both senders in the one order');
  assert.deepEqual(seen(ann.client), seen(amy.client).filter((l) => l.split(':')[1]!.startsWith('b')), 'a sender sees the others in that order too');

  // In PostgreSQL each line once, under its number (each node stored its own senders' lines).
  await Promise.all(apps.map((app) => app.words.store.flush().asPromise()));
  const stored = await b.words.history('#seq', { limit: 1000, afterSeq: 0 });
  assert.deepEqual(stored.map((m) => `${m.seq}:${m.text}`), seen(amy.client));
  // A page that lost its node after the 17th line asks the other node for the rest: exactly those, once, in order.
  const cut = seqs[16]!;
  const replay = await a.words.history('#seq', { limit: 1000, afterSeq: cut });
  assert.deepEqual(replay.map((m) => `${m.seq}:${m.text}`), seen(amy.client).slice(17));
});
