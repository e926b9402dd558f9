// Every reading command of RFC 3977 against a seeded in-memory store, with its success and error answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededServer } from '../test-support/harness.js';

test('greeting says whether posting is allowed', async () => {
  const { ServerHarness, seededStore } = await import('../test-support/harness.js');
  const open = new ServerHarness(await seededStore());
  assert.match(open.take(), /^200 .*posting allowed\r\n$/);
  const closed = new ServerHarness(await seededStore(), { allowPosting: false });
  assert.match(closed.take(), /^201 /);
});

test('CAPABILITIES lists VERSION 2, READER, POST, OVER, HDR', async () => {
  const h = await seededServer();
  const out = await h.send('CAPABILITIES');
  assert.match(out, /^101 /);
  for (const cap of ['VERSION 2', 'READER', 'POST', 'IHAVE', 'OVER MSGID', 'HDR', 'NEWNEWS']) assert.ok(out.includes(`\r\n${cap}\r\n`), cap);
  assert.ok(out.endsWith('\r\n.\r\n'));
  assert.ok(!out.includes('STARTTLS'), 'no STARTTLS without a certificate');
  assert.ok(!out.includes('AUTHINFO'), 'no AUTHINFO without a portal');
});

test('MODE READER, DATE, HELP, unknown commands, bad syntax', async () => {
  const { ServerHarness, seededStore } = await import('../test-support/harness.js');
  const h = new ServerHarness(await seededStore(), {}, 1764921600); // 2025-12-05 08:00:00 UTC
  h.take();
  assert.equal(await h.send('MODE READER'), '200 Posting allowed\r\n');
  assert.match(await h.send('MODE STREAM'), /^501 /);
  assert.equal(await h.send('DATE'), '111 20251205080000\r\n');
  assert.match(await h.send('HELP'), /^100 [^]*\r\n\.\r\n$/);
  assert.match(await h.send('FROB'), /^500 /);
  assert.match(await h.send('GROUP a\0b'), /^501 /);
  assert.match(await h.send(''), /^501 /);
});

test('GROUP selects a group; an unknown one is 411', async () => {
  const h = await seededServer();
  assert.equal(await h.send('GROUP local.test'), '211 3 1 3 local.test\r\n');
  assert.equal(await h.send('GROUP local.misc'), '211 0 1 0 local.misc\r\n');
  assert.match(await h.send('GROUP no.such'), /^411 /);
  assert.match(await h.send('GROUP'), /^501 /);
});

test('LISTGROUP lists numbers, with a range, and needs a group', async () => {
  const h = await seededServer();
  assert.match(await h.send('LISTGROUP'), /^412 /);
  assert.equal(await h.send('LISTGROUP local.test'), '211 3 1 3 local.test list follows\r\n1\r\n2\r\n3\r\n.\r\n');
  assert.equal(await h.send('LISTGROUP local.test 2-'), '211 3 1 3 local.test list follows\r\n2\r\n3\r\n.\r\n');
  assert.equal(await h.send('LISTGROUP'), '211 3 1 3 local.test list follows\r\n1\r\n2\r\n3\r\n.\r\n');
  assert.match(await h.send('LISTGROUP local.test x-y'), /^501 /);
  assert.match(await h.send('LISTGROUP nope'), /^411 /);
});

test('ARTICLE, HEAD, BODY, STAT by number, by message-id and current, dot-stuffed', async () => {
  const h = await seededServer();
  assert.match(await h.send('ARTICLE 1'), /^412 /);
  assert.match(await h.send('ARTICLE'), /^412 /);
  await h.send('GROUP local.test');
  const art = await h.send('ARTICLE 2');
  assert.ok(art.startsWith('220 2 <a2@x>\r\nFrom: alice@example.org\r\n'));
  assert.ok(art.endsWith('\r\n\r\n..dotted line\r\nsecond\r\n.\r\n'), 'a body line starting with a dot is doubled');
  assert.equal(await h.send('STAT'), '223 2 <a2@x>\r\n', 'ARTICLE n made n current');
  const head = await h.send('HEAD 1');
  assert.ok(head.startsWith('221 1 <a1@x>\r\n') && head.endsWith('Path: example.org!not-for-mail\r\n.\r\n'));
  assert.equal(await h.send('BODY 2'), '222 2 <a2@x>\r\n..dotted line\r\nsecond\r\n.\r\n');
  assert.equal(await h.send('STAT <a3@x>'), '223 3 <a3@x>\r\n');
  assert.equal(await h.send('STAT'), '223 2 <a2@x>\r\n', 'by message-id leaves the current article alone');
  assert.match(await h.send('STAT 99'), /^423 /);
  assert.match(await h.send('STAT <nope@x>'), /^430 /);
  assert.match(await h.send('STAT <bad'), /^501 /);
  assert.match(await h.send('STAT abc'), /^501 /);
  assert.match(await h.send('STAT 1 2'), /^501 /);
});

test('ARTICLE with no current article is 420', async () => {
  const h = await seededServer();
  await h.send('GROUP local.misc');
  assert.match(await h.send('ARTICLE'), /^420 /);
  assert.match(await h.send('NEXT'), /^420 /);
  assert.match(await h.send('OVER'), /^420 /);
});

test('NEXT and LAST walk the group and stop at its ends', async () => {
  const h = await seededServer();
  assert.match(await h.send('NEXT'), /^412 /);
  await h.send('GROUP local.test');
  assert.match(await h.send('LAST'), /^422 /);
  assert.equal(await h.send('NEXT'), '223 2 <a2@x>\r\n');
  assert.equal(await h.send('NEXT'), '223 3 <a3@x>\r\n');
  assert.match(await h.send('NEXT'), /^421 /);
  assert.equal(await h.send('LAST'), '223 2 <a2@x>\r\n');
  assert.match(await h.send('NEXT x'), /^501 /);
});

test('OVER and XOVER give the overview fields in LIST OVERVIEW.FMT order', async () => {
  const h = await seededServer();
  assert.match(await h.send('OVER 1-3'), /^412 /);
  assert.equal(await h.send('LIST OVERVIEW.FMT'), '215 Order of fields in overview database\r\nSubject:\r\nFrom:\r\nDate:\r\nMessage-ID:\r\nReferences:\r\n:bytes\r\n:lines\r\n.\r\n');
  await h.send('GROUP local.test');
  const over = await h.send('OVER 1-2');
  const lines = over.split('\r\n');
  assert.equal(lines[0], '224 Overview information follows');
  assert.deepEqual(lines[1]!.split('\t').slice(0, 6), ['1', 'About <a1@x>', 'alice@example.org', 'Sat, 05 Dec 2026 08:00:00 +0000', '<a1@x>', '']);
  assert.equal(lines[2]!.split('\t')[7], '2', ':lines counts body lines');
  assert.equal(lines[3], '.');
  assert.equal((await h.send('XOVER 3-')).split('\r\n').length, 4);
  assert.match(await h.send('OVER'), /^224 [^]*\r\n1\t/);
  assert.match(await h.send('OVER <a2@x>'), /^224 [^]*\r\n0\tAbout <a2@x>/);
  assert.match(await h.send('OVER 50-60'), /^423 /);
  assert.match(await h.send('OVER 5-x'), /^501 /);
  assert.match(await h.send('OVER <zz@x>'), /^430 /);
});

test('HDR and XHDR give one field, or a metadata item', async () => {
  const h = await seededServer();
  await h.send('GROUP local.test');
  assert.equal(await h.send('HDR Subject 1-2'), '225 Headers follow\r\n1 About <a1@x>\r\n2 About <a2@x>\r\n.\r\n');
  assert.equal(await h.send('XHDR subject 3'), '221 Headers follow\r\n3 About <a3@x>\r\n.\r\n');
  assert.equal(await h.send('HDR :lines 2'), '225 Headers follow\r\n2 2\r\n.\r\n');
  assert.equal(await h.send('HDR X-None <a1@x>'), '225 Headers follow\r\n0 \r\n.\r\n');
  assert.match(await h.send('HDR'), /^501 /);
  assert.match(await h.send('HDR Subject 9'), /^423 /);
  assert.equal(await h.send('LIST HEADERS'), '215 Headers and metadata items supported\r\n:\r\n:bytes\r\n:lines\r\n.\r\n');
});

test('LIST ACTIVE, NEWSGROUPS, ACTIVE.TIMES and COUNTS, with wildmats', async () => {
  const h = await seededServer();
  assert.equal(await h.send('LIST'), '215 List of newsgroups follows\r\nlocal.misc 0 1 y\r\nlocal.test 3 1 y\r\n.\r\n');
  assert.equal(await h.send('LIST ACTIVE *.test'), '215 List of newsgroups follows\r\nlocal.test 3 1 y\r\n.\r\n');
  assert.equal(await h.send('LIST ACTIVE local.*,!*.misc'), '215 List of newsgroups follows\r\nlocal.test 3 1 y\r\n.\r\n');
  assert.equal(await h.send('LIST NEWSGROUPS'), '215 Descriptions follow\r\nlocal.misc\tOther things\r\nlocal.test\tTesting\r\n.\r\n');
  assert.equal(await h.send('LIST ACTIVE.TIMES local.test'), '215 Creation times follow\r\nlocal.test 100 torsion\r\n.\r\n');
  assert.equal(await h.send('LIST COUNTS'), '215 List of newsgroups with counts follows\r\nlocal.misc 0 1 0 y\r\nlocal.test 3 1 3 y\r\n.\r\n');
  assert.match(await h.send('LIST DISTRIBUTIONS'), /^501 /);
  assert.match(await h.send('LIST OVERVIEW.FMT x'), /^501 /);
});

test('NEWGROUPS and NEWNEWS take a date and time', async () => {
  const h = await seededServer();
  assert.equal(await h.send('NEWGROUPS 19700101 000141 GMT'), '231 List of new newsgroups follows\r\nlocal.misc 0 1 y\r\n.\r\n');
  assert.equal(await h.send('NEWGROUPS 700101 000000'), '231 List of new newsgroups follows\r\nlocal.misc 0 1 y\r\nlocal.test 3 1 y\r\n.\r\n');
  assert.equal(await h.send('NEWNEWS local.* 19700101 001642'), '230 List of new articles follows\r\n<a2@x>\r\n<a3@x>\r\n.\r\n');
  assert.equal(await h.send('NEWNEWS other.* 19700101 000000'), '230 List of new articles follows\r\n.\r\n');
  assert.match(await h.send('NEWGROUPS 20251301 000000'), /^501 /);
  assert.match(await h.send('NEWGROUPS 20250101 000000 UTC'), /^501 /);
  assert.match(await h.send('NEWNEWS *'), /^501 /);
});

test('pipelined commands are answered in order', async () => {
  const h = await seededServer();
  const out = await h.send('GROUP local.test\r\nSTAT 3\r\nNEXT\r\nDATE\r\n');
  const lines = out.split('\r\n');
  assert.equal(lines[0], '211 3 1 3 local.test');
  assert.equal(lines[1], '223 3 <a3@x>');
  assert.match(lines[2]!, /^421 /);
  assert.match(lines[3]!, /^111 /);
});

test('QUIT says 205 and closes', async () => {
  const h = await seededServer();
  assert.equal(await h.send('QUIT'), '205 Bye\r\n');
  assert.equal(h.transport.connected, false);
  assert.equal(h.factory.connections.size, 0);
});
