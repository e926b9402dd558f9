import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountExistsError, DbStore, MemoryStore, createWordsService, hashPassword, verifyPassword, type ChatMessage, type IWordsStore } from './index.js';
import { assertFailure } from '../testing/index.js';
import { RecordingClient } from './test-support/recording-client.js';

const FAST = { N: 1024, r: 8, p: 1 };

function msg(i: number, to = '#r'): ChatMessage {
  return { id: `id${i}`, time: 1000 + i, from: 'alice', to, text: `line ${i}`, kind: i % 2 ? 'notice' : 'privmsg' };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-words-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const kinds: [string, () => IWordsStore][] = [
  ['MemoryStore', () => new MemoryStore({ historyPerRoom: 300 })],
  ['DbStore', () => new DbStore({ filename: join(dir, `s${++n}.sqlite`), historyPerRoom: 300 })],
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
  });
}

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
