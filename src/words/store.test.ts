import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AccountExistsError, DbStore, MemoryStore, createWordsService, hashPassword, verifyPassword, type ChatMessage, type IWordsStore } from './index.js';
import { assertFailure, successResultOf } from '../testing/index.js';
import { RecordingClient } from './test-support/recording-client.js';

const FAST = { N: 1024, r: 8, p: 1 };

function msg(i: number, to = '#r'): ChatMessage {
  return { id: `id${i}`, time: 1000 + i, from: 'alice', to, text: `line ${i}`, kind: i % 3 === 0 ? 'message' : i % 3 === 1 ? 'notice' : 'action' };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-words-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const kinds: [string, (limits?: { historyPerRoom?: number; maxHistory?: number }) => IWordsStore][] = [
  ['MemoryStore', (limits) => new MemoryStore({ historyPerRoom: 300, ...limits })],
  ['DbStore', (limits) => new DbStore({ filename: join(dir, `s${++n}.sqlite`), historyPerRoom: 300, ...limits })],
];

for (const [name, make] of kinds) {
  describe(name, () => {
    test('accounts: create, read, duplicate refused, change password, delete', async () => {
      const store = make();
      await store.start();
      try {
        assert.equal(await store.getAccount('bob'), undefined);
        await store.createAccount('bob', { name: 'Bob', passwordHash: 'h1', created: 5 });
        assert.deepEqual(await store.getAccount('bob'), { name: 'Bob', passwordHash: 'h1', created: 5 });
        assert.ok((await assertFailure(store.createAccount('bob', { name: 'BOB', passwordHash: 'h2', created: 6 }))) instanceof AccountExistsError);
        assert.equal(await store.setPasswordHash('bob', 'h3'), true);
        assert.equal(await store.setPasswordHash('nobody', 'h3'), false);
        assert.equal((await store.getAccount('bob'))?.passwordHash, 'h3');
        assert.equal(await store.deleteAccount('bob'), true);
        assert.equal(await store.deleteAccount('bob'), false);
      } finally {
        await store.stop();
      }
    });

    test('SCRAM keys: kept with the account, replaced or dropped with the password, added only for the password they were made from', async () => {
      const store = make();
      await store.start();
      try {
        const keys = (tag: string) => [{ hash: 'sha1' as const, salt: `s1${tag}`, iterations: 4096, storedKey: `k1${tag}`, serverKey: `v1${tag}` }, { hash: 'sha256' as const, salt: `s2${tag}`, iterations: 4096, storedKey: `k2${tag}`, serverKey: `v2${tag}` }];
        await store.createAccount('ann', { name: 'Ann', passwordHash: 'h1', created: 5, scram: keys('a') });
        assert.deepEqual((await store.getAccount('ann'))?.scram, keys('a'));
        assert.equal(await store.setPasswordHash('ann', 'h2', keys('b')), true);
        assert.deepEqual((await store.getAccount('ann'))?.scram, keys('b'));
        assert.equal(await store.setPasswordHash('ann', 'h3'), true);
        assert.equal((await store.getAccount('ann'))?.scram, undefined, 'a new password without keys leaves no stale keys');
        assert.equal(await store.setScramCredentials('ann', 'h2', keys('c')), false, 'keys of an older password are not added');
        assert.equal((await store.getAccount('ann'))?.scram, undefined);
        assert.equal(await store.setScramCredentials('ann', 'h3', keys('d')), true);
        assert.deepEqual((await store.getAccount('ann'))?.scram, keys('d'));
      } finally {
        await store.stop();
      }
    });

    test('history: newest lines oldest first, before/after, per room, fields kept, old lines trimmed', async () => {
      const store = make();
      await store.start();
      try {
        for (let i = 0; i < 500; i++) store.appendMessage('#r', msg(i));
        store.appendMessage('#other', msg(9999, '#other'));
        const tagged = { ...msg(500), tags: { '+draft/reply': 'id1' } };
        store.appendMessage('#r', tagged);
        const last = await store.history('#r', { limit: 3 });
        assert.deepEqual(last.map((m) => m.id), ['id498', 'id499', 'id500']);
        assert.deepEqual(last[2], tagged);
        assert.deepEqual(last[1], msg(499));
        assert.deepEqual((await store.history('#r', { limit: 2, before: 1000 + 450 })).map((m) => m.id), ['id448', 'id449']);
        assert.deepEqual((await store.history('#r', { limit: 100, after: 1000 + 498 })).map((m) => m.id), ['id499', 'id500']);
        assert.deepEqual((await store.history('#other', { limit: 10 })).map((m) => m.id), ['id9999']);
        assert.deepEqual(await store.history('#none', { limit: 10 }), []);
        const all = await store.history('#r', { limit: 10_000 });
        assert.ok(all.length >= 300 && all.length < 501, `trimmed to about 300 (${all.length})`);
        assert.equal(all.at(-1)?.id, 'id500');
      } finally {
        await store.stop();
      }
    });

    test('history: earliest gives the oldest matching lines, with after and before', async () => {
      const store = make();
      await store.start();
      try {
        for (let i = 0; i < 200; i++) void store.appendMessage('#r', msg(i));
        const oldest = await store.history('#r', { limit: 3, after: 1000 + 10, earliest: true });
        assert.deepEqual(oldest.map((m) => m.id), ['id11', 'id12', 'id13']);
        assert.deepEqual((await store.history('#r', { limit: 2, earliest: true, before: 1000 + 5 })).map((m) => m.id), ['id0', 'id1']);
        assert.deepEqual((await store.history('#r', { limit: 5, after: 1000 + 197, earliest: true })).map((m) => m.id), ['id198', 'id199']);
        assert.deepEqual(await store.history('#r', { limit: 0, earliest: true }), []);
      } finally {
        await store.stop();
      }
    });

    test('history after a room number: exactly the numbered lines past it, once, in the order of the numbers', async () => {
      const store = make();
      await store.start();
      try {
        // As a store shared by two nodes receives them: not quite in the room's order, and the numbers have
        // holes (joins and parts take numbers too); a line stored before numbers existed has none.
        const seqs = [1, 3, 2, 4, 7, 6, 9, 8, 12, 10];
        void store.appendMessage('#r', msg(100));
        for (const seq of seqs) void store.appendMessage('#r', { ...msg(seq), seq });
        void store.appendMessage('#other', { ...msg(50, '#other'), seq: 8 });
        const after = await store.history('#r', { limit: 100, afterSeq: 4 });
        assert.deepEqual(after.map((m) => m.seq), [6, 7, 8, 9, 10, 12]);
        assert.deepEqual(after.map((m) => m.id), ['id6', 'id7', 'id8', 'id9', 'id10', 'id12'], 'each line with its own number');
        assert.deepEqual((await store.history('#r', { limit: 2, afterSeq: 4 })).map((m) => m.seq), [10, 12], 'the newest past it');
        assert.deepEqual((await store.history('#r', { limit: 2, afterSeq: 4, earliest: true })).map((m) => m.seq), [6, 7], 'or the oldest');
        assert.deepEqual(await store.history('#r', { limit: 100, afterSeq: 12 }), []);
        assert.equal((await store.history('#r', { limit: 100, afterSeq: 0 })).length, seqs.length, 'the unnumbered line is left out');
      } finally {
        await store.stop();
      }
    });

    test('history: the total over all rooms is bounded by maxHistory, the oldest lines going first', async () => {
      const store = make({ historyPerRoom: 300, maxHistory: 500 });
      await store.start();
      try {
        let i = 0;
        for (const room of ['#a', '#b', '#c']) for (let k = 0; k < 250; k++, i++) void store.appendMessage(room, msg(i, room));
        await store.flush();
        const rooms = await Promise.all(['#a', '#b', '#c'].map((r) => store.history(r, { limit: 1000 })));
        assert.deepEqual(
          rooms.map((r) => r.length),
          [0, 250, 250],
          'the 250 oldest lines, all of #a, went',
        );
        assert.equal(rooms[2].at(-1)?.id, 'id749');
        for (let k = 0; k < 100; k++, i++) void store.appendMessage('#a', msg(i, '#a'));
        const after = await Promise.all(['#a', '#b', '#c'].map((r) => store.history(r, { limit: 1000 })));
        assert.deepEqual(after.map((r) => r.length), [100, 150, 250]);
        assert.equal(after[1][0].id, 'id350', "#b's oldest 100 went");
      } finally {
        await store.stop();
      }
    });
  });
}

describe('MemoryStore', () => {
  test('the total limit skips lines the per-room limit already dropped, however many', () => {
    const store = new MemoryStore({ historyPerRoom: 20, maxHistory: 30 });
    let i = 0;
    for (let k = 0; k < 5; k++) void store.appendMessage('#x', msg(i++, '#x'));
    for (let k = 0; k < 5000; k++) void store.appendMessage('#y', msg(i++, '#y'));
    assert.equal(store.size, 25);
    for (let k = 0; k < 20; k++) void store.appendMessage('#z', msg(i++, '#z'));
    assert.equal(store.size, 30);
    const ids = (room: string): string[] => successResultOf(store.history(room, { limit: 100 })).map((m) => m.id);
    assert.deepEqual(ids('#x'), [], 'the oldest lines of all went first');
    assert.deepEqual(ids('#y'), Array.from({ length: 10 }, (_, k) => `id${4995 + k}`), 'then the oldest of #y');
    assert.equal(ids('#z').length, 20);
  });
});

describe('DbStore', () => {
  test("appendMessage's Deferred fires once the line is committed, not before", async () => {
    const store = new DbStore({ filename: join(dir, 'commit.sqlite') });
    await store.start();
    try {
      const stored = store.appendMessage('#r', msg(1));
      assert.equal(stored.called, false, 'not stored yet');
      await stored;
      // Straight from the table, without the flush history() does first.
      const rows = await store.pool.runQuery('SELECT id FROM words_messages');
      assert.deepEqual(rows, [{ id: 'id1' }]);
    } finally {
      await store.stop();
    }
  });
});

describe('DbStore persistence', () => {
  test('accounts and history survive a restart of the service on the same file', async () => {
    const filename = join(dir, 'persist.sqlite');
    const first = createWordsService({ store: new DbStore({ filename }), scrypt: FAST });
    await first.start();
    await first.register('keeper', 'pw');
    const u = await first.login('keeper', { client: new RecordingClient(), password: 'pw' });
    u.join('#kept');
    u.send('#kept', 'remember me');
    await first.stop();

    const second = createWordsService({ store: new DbStore({ filename }), scrypt: FAST });
    await second.start();
    try {
      assert.equal((await second.history('#KEPT', { limit: 5 }))[0]?.text, 'remember me');
      const again = await second.login('keeper', { client: new RecordingClient(), password: 'pw' });
      assert.equal(again.account, 'keeper');
    } finally {
      await second.stop();
    }
  });
});

test('DbStore reads rows written before message kinds: privmsg is a message, its CTCP ACTION an action', async () => {
  const filename = join(dir, 'legacy.sqlite');
  const store = new DbStore({ filename });
  await store.start();
  await store.stop();
  const db = new Database(filename);
  const insert = db.prepare('INSERT INTO words_messages (room, id, time, sender, target, body, kind, tags) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)');
  insert.run('#old', 'a', 1, 'ann', '#old', 'plain line', 'privmsg');
  insert.run('#old', 'b', 2, 'ann', '#old', '\x01ACTION waves\x01', 'privmsg');
  insert.run('#old', 'c', 3, 'ann', '#old', 'heads up', 'notice');
  db.close();
  const again = new DbStore({ filename });
  await again.start();
  try {
    const rows = await again.history('#old', { limit: 10 });
    assert.deepEqual(rows.map((m) => [m.kind, m.text]), [['message', 'plain line'], ['action', 'waves'], ['notice', 'heads up']]);
  } finally {
    await again.stop();
  }
});

test('DbStore adds the room number column to a table made before it, keeping the lines', async () => {
  const filename = join(dir, 'before-room-seq.sqlite');
  const db = new Database(filename);
  db.exec('CREATE TABLE words_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, id TEXT NOT NULL, time BIGINT NOT NULL, sender TEXT NOT NULL, target TEXT NOT NULL, body TEXT NOT NULL, kind TEXT NOT NULL, tags TEXT)');
  db.prepare('INSERT INTO words_messages (room, id, time, sender, target, body, kind) VALUES (?, ?, ?, ?, ?, ?, ?)').run('#r', 'old', 1000, 'ann', '#r', 'from before', 'message');
  db.close();
  const store = new DbStore({ filename });
  await store.start();
  try {
    await store.appendMessage('#r', { ...msg(1), seq: 5 });
    assert.deepEqual((await store.history('#r', { limit: 10 })).map((m) => [m.id, m.seq]), [['old', undefined], ['id1', 5]]);
    assert.deepEqual((await store.history('#r', { limit: 10, afterSeq: 0 })).map((m) => m.id), ['id1']);
  } finally {
    await store.stop();
  }
});

test('DbStore adds the SCRAM keys column to a table made before it, keeping the accounts', async () => {
  const filename = join(dir, 'before-scram.sqlite');
  const db = new Database(filename);
  db.exec('CREATE TABLE words_accounts (key TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT NOT NULL, created BIGINT NOT NULL)');
  db.prepare('INSERT INTO words_accounts VALUES (?, ?, ?, ?)').run('old', 'Old', 'h0', 1000);
  db.close();
  const store = new DbStore({ filename });
  await store.start();
  try {
    assert.deepEqual(await store.getAccount('old'), { name: 'Old', passwordHash: 'h0', created: 1 });
    const keys = [{ hash: 'sha256' as const, salt: 's', iterations: 4096, storedKey: 'k', serverKey: 'v' }];
    assert.equal(await store.setScramCredentials('old', 'h0', keys), true);
    assert.deepEqual((await store.getAccount('old'))?.scram, keys);
  } finally {
    await store.stop();
  }
  const reopened = new DbStore({ filename });
  await reopened.start();
  await reopened.stop();
});

describe('passwords', () => {
  test('scrypt hashes verify with the right password only, and salts differ', async () => {
    const a = await hashPassword('correct horse', FAST);
    const b = await hashPassword('correct horse', FAST);
    assert.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct horsE', a), false);
    assert.equal(await verifyPassword('x', 'plain-text'), false);
    assert.equal(await verifyPassword('x', 'scrypt$999999999$8$1$AA==$AA=='), false);
  });
});
