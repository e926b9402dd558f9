/**
 * `torsion words --db postgres://...`: accounts and history in a real PostgreSQL server (Debian's
 * `postgresql`, started on loopback for this test), surviving a restart of the application.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { PostgresServer } from '../db/test-support/postgres-server.js';
import { RecordingClient } from './test-support/recording-client.js';
import { WordsApplication } from './plugin.js';

let server: PostgresServer;
before(async () => {
  server = await PostgresServer.start();
});
after(async () => {
  await server?.stop();
});

test('--db keeps accounts and history in PostgreSQL across restarts', { timeout: 180_000 }, async () => {
  const config = { irc: ['tcp:0:interface=127.0.0.1'], web: [], data: tmpdir(), db: server.tcpOptions.connectionString, scrypt: { N: 1024, r: 8, p: 1 } };
  const first = new WordsApplication(config);
  await first.startService();
  try {
    await first.words.register('pgfan', 'elephant');
    const user = await first.words.login('pgfan', { client: new RecordingClient(), password: 'elephant' });
    user.join('#pg');
    user.send('#pg', 'stored in postgres');
    user.send('#pg', 'and this one');
  } finally {
    await first.stopService();
  }
  const second = new WordsApplication(config);
  await second.startService();
  try {
    assert.equal(await second.words.isRegistered('pgfan'), true);
    await assert.rejects(second.words.login('pgfan', { client: new RecordingClient(), password: 'mammoth' }).asPromise(), /Password incorrect/);
    const history = await second.words.history('#pg', { limit: 10 });
    assert.deepEqual(history.map((m) => `${m.from}: ${m.text}`), ['pgfan: stored in postgres', 'pgfan: and this one']);
  } finally {
    await second.stopService();
  }
});
