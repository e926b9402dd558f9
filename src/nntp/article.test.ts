// Article parsing (folding, limits, malformed lines), the posting rules, overview lines; fuzzed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, seededRandom } from '../testing/index.js';
import { formatOverview, headerValue, overviewOf, parseArticle, parseOverview, preparePost, serializeArticle } from './article.js';
import { NNTPArticleError, NNTPArticleTooLargeError } from './errors.js';

const LIMITS = { maxHeaderCount: 50, maxHeaderBytes: 4096 };

test('parseArticle unfolds continuation lines and splits off the body', () => {
  const a = parseArticle('Subject: one\r\n  two\r\nFrom:x@y\r\n\r\nbody\r\n\r\nmore\r\n', LIMITS);
  assert.deepEqual(a.headers, [
    ['Subject', 'one two'],
    ['From', 'x@y'],
  ]);
  assert.equal(a.body, 'body\r\n\r\nmore\r\n');
  assert.equal(headerValue(a, 'subject'), 'one two');
  assert.equal(serializeArticle(a), 'Subject: one two\r\nFrom: x@y\r\n\r\nbody\r\n\r\nmore\r\n');
});

test('parseArticle refuses malformed headers and enforces its limits', () => {
  assert.throws(() => parseArticle(' lead\r\n\r\n', LIMITS), NNTPArticleError);
  assert.throws(() => parseArticle('no colon\r\n\r\n', LIMITS), NNTPArticleError);
  assert.throws(() => parseArticle('Bad Name: x\r\n\r\n', LIMITS), NNTPArticleError);
  assert.throws(() => parseArticle('\r\nbody only\r\n', LIMITS), NNTPArticleError);
  assert.throws(() => parseArticle('X: 1\r\n'.repeat(51) + '\r\n', LIMITS), NNTPArticleTooLargeError);
  assert.throws(() => parseArticle('X: ' + 'a'.repeat(5000) + '\r\n\r\n', LIMITS), NNTPArticleTooLargeError);
  assert.throws(() => parseArticle('X: ' + 'a'.repeat(5000), LIMITS), NNTPArticleTooLargeError, 'no separator at all still bounded');
});

test('fuzz: parseArticle answers with an article or an NNTP error, never anything else', () => {
  for (let seed = 1; seed <= 500; seed++) {
    const random = seededRandom(seed);
    const text = Buffer.from(randomBytes(random, Math.floor(random() * 400), [0x0d, 0x0a, 0x3a, 0x20, 0x09, 0x41])).toString('latin1');
    try {
      const a = parseArticle(text, LIMITS);
      assert.ok(a.headers.length > 0 && a.headers.length <= LIMITS.maxHeaderCount, `seed ${seed}`);
      for (const [name] of a.headers) assert.ok(!name.includes(':') && !/\s/.test(name), `seed ${seed}`);
    } catch (e) {
      assert.ok(e instanceof NNTPArticleError || e instanceof NNTPArticleTooLargeError, `seed ${seed}: ${String(e)}`);
    }
  }
});

test('preparePost adds Message-ID, Date and Path, and keeps given ones', () => {
  const a = parseArticle('From: a@b\r\nNewsgroups: g.one, g.two\r\nSubject: s\r\n\r\nb\r\n', LIMITS);
  const p = preparePost(a, { domain: 'ex.org', now: 0, unique: 'u1' });
  assert.equal(headerValue(p, 'Message-ID'), '<u1@ex.org>');
  assert.equal(headerValue(p, 'Date'), 'Thu, 01 Jan 1970 00:00:00 +0000');
  assert.equal(p.headers[0]![0], 'Path');
  const given = parseArticle('From: a@b\r\nNewsgroups: g\r\nSubject: s\r\nMessage-ID: <m@x>\r\nDate: then\r\nPath: a!b\r\n\r\n', LIMITS);
  assert.deepEqual(preparePost(given, { domain: 'ex.org', now: 0, unique: 'u' }).headers, given.headers);
});

test('overview fields never carry a TAB or line break that would forge another field', () => {
  const text = 'Subject: a\tb\r\nFrom: x\r\n\r\nl1\r\nl2\r\n';
  const a = parseArticle(text, LIMITS);
  const line = formatOverview(7, overviewOf(text, a));
  assert.equal(line.split('\t').length, 8);
  const o = parseOverview(line);
  assert.equal(o.number, 7);
  assert.equal(o.subject, 'a b');
  assert.equal(o.lines, 2);
  assert.equal(o.bytes, text.length);
  assert.throws(() => parseOverview('x\ty'), NNTPArticleError);
});
