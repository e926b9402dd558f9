// ENVELOPE as RFC 3501 §7.4.2 says: the header's text unfolded, RFC 2047 encoded-words left for the client,
// 8-bit text as literals, groups, comments as names, routes, and Sender/Reply-To falling back to From.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { connect, setup } from '../test-support/imap-session.js';
import { envelopeOf, parseAddressList } from './envelope.js';

test('encoded-words stay encoded in ENVELOPE (the client decodes them), quoted names lose their quoting', () => {
  const env = envelopeOf('From: =?UTF-8?B?SsO2cmc=?= <jorg@example.test>\r\nSubject: =?ISO-8859-1?Q?caf=E9?= and more\r\nTo: "Doe, John" <john@example.test>, "Q \\"x\\" y" <q@example.test>\r\n\r\n');
  const from = '(("=?UTF-8?B?SsO2cmc=?=" NIL "jorg" "example.test"))';
  assert.equal(env, `(NIL "=?ISO-8859-1?Q?caf=E9?= and more" ${from} ${from} ${from} (("Doe, John" NIL "john" "example.test")("Q \\"x\\" y" NIL "q" "example.test")) NIL NIL NIL NIL)`);
});

test('groups, a comment as the name, an empty Subject, Sender and Reply-To empty or absent are From', () => {
  const env = envelopeOf('From: jane@example.test (Jane Roe)\r\nSender: \r\nTo: undisclosed-recipients:;\r\nCc: team: a@example.test, b@example.test;, c@example.test\r\nSubject: \r\nMessage-ID: <id@x>\r\n\r\n');
  const jane = '(("Jane Roe" NIL "jane" "example.test"))';
  assert.equal(
    env,
    `(NIL "" ${jane} ${jane} ${jane} ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL NIL "team" NIL)(NIL NIL "a" "example.test")(NIL NIL "b" "example.test")(NIL NIL NIL NIL)(NIL NIL "c" "example.test")) NIL NIL "<id@x>")`,
  );
});

test('8-bit text goes as a literal of its UTF-8 bytes; a route is the adl; an address without @ has a host', () => {
  const env = envelopeOf('From: Jörg <jorg@example.test>\r\nSubject: Grüße\r\nTo: <@a.test,@b.test:user@example.test>\r\nReply-To: nobody\r\n\r\n');
  assert.ok(env.startsWith(`(NIL {${Buffer.byteLength('Grüße')}}\r\nGrüße (({${Buffer.byteLength('Jörg')}}\r\nJörg NIL "jorg" "example.test"))`), env);
  assert.ok(env.includes('((NIL NIL "nobody" "MISSING_DOMAIN")) ((NIL "@a.test,@b.test" "user" "example.test"))'), env);
});

test('folded fields are unfolded, a quoted local part keeps its quotes, a phrase keeps its dots', () => {
  const env = envelopeOf('Subject: folded\r\n line two\r\nFrom: "multi\r\n line" <m@example.test>\r\nTo: John Q. Public <"john doe"@example.test>\r\nIn-Reply-To: <a@b> <c@d>\r\n\r\n');
  assert.ok(env.startsWith('(NIL "folded line two" (("multi line" NIL "m" "example.test"))'), env);
  assert.ok(env.includes('(("John Q. Public" NIL "\\"john doe\\"" "example.test"))'), env);
  assert.ok(env.endsWith(' "<a@b> <c@d>" NIL)'), env);
  assert.deepEqual(parseAddressList('(only a comment), , <>'), []);
});

test('the server answers FETCH ENVELOPE with the raw encoded-words and an 8-bit literal', async () => {
  const { factory, maildir, dir } = setup();
  try {
    await maildir.deliver(Buffer.from('From: =?UTF-8?Q?Bj=C3=B6rn?= <b@example.test>\r\nSubject: Smörgås\r\n\r\nbody\r\n'));
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\nb SELECT INBOX\r\n', 'b');
    const out = await c.send('c FETCH 1 ENVELOPE\r\n');
    assert.ok(out.startsWith(`* 1 FETCH (ENVELOPE (NIL {${Buffer.byteLength('Smörgås')}}\r\nSmörgås (("=?UTF-8?Q?Bj=C3=B6rn?=" NIL "b" "example.test"))`), out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
