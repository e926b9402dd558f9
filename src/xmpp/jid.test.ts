import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JIDError } from './errors.js';
import { JID } from './jid.js';

test('JID parses and prepares each part', () => {
  const j = JID.parse('Juliet@Example.COM/Balcony Scene');
  assert.equal(j.local, 'juliet');
  assert.equal(j.domain, 'example.com');
  assert.equal(j.resource, 'Balcony Scene', 'the resource keeps its case');
  assert.equal(j.bare().toString(), 'juliet@example.com');
  assert.equal(JID.parse('example.com.').toString(), 'example.com');
  assert.equal(JID.parse('a@b/c/d@e').resource, 'c/d@e', 'the resource starts at the first slash');
  assert.ok(JID.parse('\uff2a\uff55\uff4c\uff49\uff45\uff54@example.com').equals(JID.parse('juliet@example.com')), 'fullwidth letters fold (NFKC)');
  assert.equal(JID.parse('x@127.0.0.1').domain, '127.0.0.1');
  assert.equal(JID.parse('x@[::1]').domain, '[::1]');
});

test('JID refuses forbidden characters, empty and over-long parts', () => {
  for (const bad of ['@example.com', 'a@', 'a b@example.com', 'a"b@example.com', 'a<b@example.com', 'a@exa mple.com', 'a@-bad.com', 'a@example.com/', 'a@example.com/\u0007', 'a@example.com/   ', `${'a'.repeat(1024)}@example.com`, 'a@..com', '\u0000@x']) {
    assert.throws(() => JID.parse(bad), JIDError, bad);
  }
  assert.equal(JID.tryParse('a@'), undefined);
  assert.equal(JID.tryParse(undefined), undefined);
});
