// The SQLite store: the same answers as the memory store, and numbers and message-ids kept across a
// restart (a new store on the same file), never reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArticle } from './article.js';
import { DbNewsStorage } from './db-storage.js';
import { NNTPDuplicateArticleError, NNTPNoSuchGroupError } from './errors.js';
import { sampleArticle, seededStore } from './test-support/harness.js';

const LIMITS = { maxHeaderCount: 100, maxHeaderBytes: 100000 };

test('DbNewsStorage files, numbers and finds articles, and keeps them across a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-nntp-'));
  try {
    const filename = join(dir, 'news.sqlite');
    const first = new DbNewsStorage({ filename });
    await seededStore(first);
    assert.deepEqual(
      (await first.listGroups()).map((g) => [g.name, g.count, g.low, g.high]),
      [
        ['local.misc', 0, 1, 0],
        ['local.test', 3, 1, 3],
      ],
    );
    const a2 = await first.articleByNumber('local.test', 2);
    assert.equal(a2?.messageId, '<a2@x>');
    assert.equal(a2?.text, sampleArticle('<a2@x>', 'local.test', '.dotted line\r\nsecond\r\n'));
    assert.deepEqual((await first.overview('local.test', 2, 3)).map((o) => [o.number, o.messageId, o.lines]), [
      [2, '<a2@x>', 2],
      [3, '<a3@x>', 1],
    ]);
    const { formatOverview } = await import('./article.js');
    assert.deepEqual(
      await first.overviewLines('local.test', 1, 3),
      (await first.overview('local.test', 1, 3)).map((o) => formatOverview(o.number, o)),
      'the kept OVER lines are the ones formatted from the fields',
    );
    const dup = sampleArticle('<a1@x>');
    await assert.rejects(first.storeArticle(parseArticle(dup, LIMITS), dup, 5000), NNTPDuplicateArticleError);
    const lost = sampleArticle('<l@x>', 'no.where');
    await assert.rejects(first.storeArticle(parseArticle(lost, LIMITS), lost, 5000), NNTPNoSuchGroupError);
    const cross = sampleArticle('<c@x>', 'local.misc,local.test');
    assert.deepEqual((await first.storeArticle(parseArticle(cross, LIMITS), cross, 5000)).numbers, { 'local.misc': 1, 'local.test': 4 });
    assert.deepEqual(await first.newNews('local.m*', 4000), ['<c@x>']);
    await first.close();

    const second = new DbNewsStorage({ filename });
    assert.equal((await second.articleByMessageId('<c@x>'))?.numbers['local.test'], 4, 'numbers survive the restart');
    const next = sampleArticle('<n@x>');
    assert.deepEqual((await second.storeArticle(parseArticle(next, LIMITS), next, 6000)).numbers, { 'local.test': 5 }, 'the next number continues, none is reused');
    assert.deepEqual(await second.articleNumbers('local.test', 0, 100), [1, 2, 3, 4, 5]);
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('storeArticles files a batch in one transaction, skipping known, repeated and homeless articles', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-nntp-'));
  try {
    const store = new DbNewsStorage({ filename: join(dir, 'news.sqlite') });
    await seededStore(store);
    const item = (text: string) => ({ article: parseArticle(text, LIMITS), text, arrived: 9000 });
    const stored = await store.storeArticles([item(sampleArticle('<b1@x>')), item(sampleArticle('<a1@x>')), item(sampleArticle('<b1@x>')), item(sampleArticle('<b2@x>', 'no.where')), item(sampleArticle('<b3@x>', 'local.misc,local.test'))]);
    assert.deepEqual(stored.map((s) => [s.messageId, s.numbers]), [
      ['<b1@x>', { 'local.test': 4 }],
      ['<b3@x>', { 'local.misc': 1, 'local.test': 5 }],
    ]);
    assert.deepEqual((await store.overview('local.test', 4, 5)).map((o) => o.messageId), ['<b1@x>', '<b3@x>']);
    const next = sampleArticle('<b4@x>');
    assert.deepEqual((await store.storeArticle(parseArticle(next, LIMITS), next, 9001)).numbers, { 'local.test': 6 });
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OVER through the server gives the same answer from the SQLite store (kept lines) as from memory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-nntp-'));
  try {
    const { ServerHarness } = await import('./test-support/harness.js');
    const { eventually } = await import('../testing/index.js');
    const db = new DbNewsStorage({ filename: join(dir, 'news.sqlite') });
    const answers: string[] = [];
    for (const store of [await seededStore(db), await seededStore()]) {
      const h = new ServerHarness(store);
      h.take();
      h.protocol.dataReceived(Buffer.from('GROUP local.test\r\nOVER 1-\r\n'));
      // The SQLite store answers from its worker thread: wait for the end of the OVER block.
      await eventually(() => h.transport.value().toString('latin1').endsWith('\r\n.\r\n'), { timeout: 10 });
      answers.push(h.take());
    }
    assert.match(answers[0]!, /^211 3 1 3 local\.test\r\n224 [^]*\r\n3\t[^]*\r\n\.\r\n$/);
    assert.equal(answers[0], answers[1]);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
