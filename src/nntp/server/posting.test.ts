// POST and IHAVE: validation, what the server adds, Message-ID uniqueness, cross-posting, size limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleArticle, seededServer } from '../test-support/harness.js';

const POSTED = 'From: bob@example.org\r\nNewsgroups: local.test,local.misc\r\nSubject: hi\r\n\r\nbody line\r\n.starts with dot\r\n';

function stuffed(article: string): string {
  return article.replace(/^\./gm, '..') + '.\r\n';
}

test('POST files a cross-posted article in each group, adding Message-ID, Date and Path', async () => {
  const h = await seededServer({ domain: 'news.example.org' });
  assert.equal(await h.send('POST'), '340 Send article to be posted\r\n');
  const done = await h.send(stuffed(POSTED));
  const m = /^240 (<[^>]+@news\.example\.org>) Article received OK\r\n$/.exec(done);
  assert.ok(m, done);
  assert.equal(await h.send('GROUP local.misc'), '211 1 1 1 local.misc\r\n');
  const article = await h.send('ARTICLE 1');
  assert.ok(article.includes(`\r\nMessage-ID: ${m[1]}\r\n`));
  assert.match(article, /\r\nDate: [^\r]+ \+0000\r\n/);
  assert.ok(article.startsWith('220 1 ' + m[1] + '\r\nPath: news.example.org!not-for-mail\r\n'));
  assert.ok(article.endsWith('\r\n\r\nbody line\r\n..starts with dot\r\n.\r\n'), 'dot-stuffing undone on the way in, redone on the way out');
  assert.equal(await h.send('GROUP local.test'), '211 4 1 4 local.test\r\n');
  assert.equal(await h.send('STAT 4'), `223 4 ${m[1]}\r\n`);
});

test('POST refuses articles missing From, Newsgroups or Subject, or with bad fields', async () => {
  const h = await seededServer();
  const cases: Array<[string, RegExp]> = [
    ['Newsgroups: local.test\r\nSubject: x\r\n\r\nb\r\n', /missing From/],
    ['From: a@b\r\nSubject: x\r\n\r\nb\r\n', /missing Newsgroups/],
    ['From: a@b\r\nNewsgroups: local.test\r\n\r\nb\r\n', /missing Subject/],
    ['From: a@b\r\nNewsgroups: local..test\r\nSubject: x\r\n\r\nb\r\n', /bad newsgroup name/],
    ['From: a@b\r\nNewsgroups: local.test\r\nSubject: x\r\nMessage-ID: nope\r\n\r\nb\r\n', /bad Message-ID/],
    ['From: a@b\r\nFrom: c@d\r\nNewsgroups: local.test\r\nSubject: x\r\n\r\nb\r\n', /duplicate From/],
    ['From: a@b\r\nNewsgroups: no.such\r\nSubject: x\r\n\r\nb\r\n', /newsgroups is carried/],
    ['not a header\r\n\r\nb\r\n', /bad header line/],
  ];
  for (const [article, reason] of cases) {
    await h.send('POST');
    const out = await h.send(stuffed(article));
    assert.match(out, /^441 /, article);
    assert.match(out, reason, article);
  }
  assert.equal(await h.send('GROUP local.test'), '211 3 1 3 local.test\r\n', 'nothing was filed');
});

test('POST refuses a Message-ID already present', async () => {
  const h = await seededServer();
  await h.send('POST');
  assert.match(await h.send(stuffed(sampleArticle('<a1@x>'))), /^441 .*already here/);
});

test('POST over the size limit is read to its end, refused with 441, and the connection stays usable', async () => {
  const h = await seededServer({ limits: { maxArticleBytes: 1000 } });
  await h.send('POST');
  const big = 'From: a@b\r\nNewsgroups: local.test\r\nSubject: big\r\n\r\n' + 'x'.repeat(100).concat('\r\n').repeat(50);
  assert.match(await h.send(stuffed(big) + 'DATE\r\n'), /^441 Article too large .*\r\n111 /);
});

test('header count and header size limits refuse the article with 441', async () => {
  const h = await seededServer({ limits: { maxHeaderCount: 5, maxHeaderBytes: 400 } });
  await h.send('POST');
  const many = 'From: a@b\r\nNewsgroups: local.test\r\nSubject: x\r\n' + 'X-A: 1\r\n'.repeat(5) + '\r\nb\r\n';
  assert.match(await h.send(stuffed(many)), /^441 .*more than 5 header fields/);
  await h.send('POST');
  const long = 'From: a@b\r\nNewsgroups: local.test\r\nSubject: x\r\nX-Long: ' + 'y'.repeat(500) + '\r\n\r\nb\r\n';
  assert.match(await h.send(stuffed(long)), /^441 .*header section over 400 bytes/);
});

test('an article line over the limit closes the connection (it cannot be resynchronised)', async () => {
  const h = await seededServer({ limits: { maxLineLength: 100 } });
  await h.send('POST');
  assert.match(await h.send('From: ' + 'a'.repeat(200) + '\r\n'), /^400 Line too long/);
  assert.equal(h.transport.connected, false);
});

test('POST is 440 when posting is off', async () => {
  const h = await seededServer({ allowPosting: false });
  assert.match(await h.send('POST'), /^440 /);
  assert.match(await h.send('MODE READER'), /^201 /);
  assert.ok(!(await h.send('CAPABILITIES')).includes('\r\nPOST\r\n'));
});

test('IHAVE takes a new article (235), declines a known one (435), rejects a mismatched one (437)', async () => {
  const h = await seededServer();
  assert.equal(await h.send('IHAVE <new@x>'), '335 Send it\r\n');
  assert.equal(await h.send(stuffed(sampleArticle('<new@x>'))), '235 Article transferred OK\r\n');
  const stored = await h.send('ARTICLE <new@x>');
  assert.ok(stored.includes('Path: example.org!not-for-mail'), 'a fed article is stored as sent');
  assert.match(await h.send('IHAVE <new@x>'), /^435 /);
  await h.send('IHAVE <other@x>');
  assert.match(await h.send(stuffed(sampleArticle('<different@x>'))), /^437 .*differs/);
  await h.send('IHAVE <nogroup@x>');
  assert.match(await h.send(stuffed(sampleArticle('<nogroup@x>', 'elsewhere.only'))), /^437 /);
  assert.match(await h.send('IHAVE nobrackets'), /^501 /);
});

test('IHAVE can be turned off', async () => {
  const h = await seededServer({ allowIHave: false });
  assert.match(await h.send('IHAVE <new@x>'), /^502 /);
});
