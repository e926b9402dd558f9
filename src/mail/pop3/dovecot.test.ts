// Torsion's POP3 client against Dovecot (dovecot-pop3d), a server nobody here wrote: login, STAT, LIST,
// UIDL, RETR with dot-unstuffing and exact sizes, TOP, DELE, RSET, QUIT, APOP refused as Dovecot has it off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientFactory, reactor } from '../../internet/index.js';
import { requirePeer } from '../../testing/index.js';
import { startDovecot } from '../test-support/dovecot.js';
import { POP3Client } from './client.js';
import { POP3Error } from '../errors.js';

// Named here too, so the quick test loop (which looks for requirePeer) leaves this file to the full run.
requirePeer('/usr/sbin/dovecot', 'dovecot-pop3d');

const FIRST = 'Subject: one\n\nhello\n.leading dot\n';
const SECOND = 'Subject: two\n\nsecond\n';

function connect(port: number): POP3Client {
  const client = new POP3Client();
  reactor.connectTCP('127.0.0.1', port, new (class extends ClientFactory<POP3Client> {
    override buildProtocol() {
      return client;
    }
  })());
  return client;
}

test('the POP3 client reads, deletes and keeps mail on Dovecot', { timeout: 120_000 }, async () => {
  const first = FIRST;
  const second = SECOND;
  const dovecot = await startDovecot({ alice: 'secret' }, (maildir) => {
    writeFileSync(join(maildir('alice'), 'new', '1000.A.test'), first);
    writeFileSync(join(maildir('alice'), 'new', '1001.B.test'), second);
  });
  try {
    await run(dovecot.port, dovecot.maildir('alice'));
  } catch (e) {
    throw new Error(`${String(e)}\ndovecot's log:\n${dovecot.log()}`);
  } finally {
    await dovecot.stop();
  }
});

async function run(port: number, maildir: string): Promise<void> {
  const first = FIRST;
  const second = SECOND;
  const client = connect(port);
  assert.match(await client.greeting.asPromise(), /Dovecot/);
  const caps = await client.capabilities().asPromise();
  assert.ok(caps.has('UIDL') && caps.has('TOP'));
  await client.login('alice', 'secret', { allowInsecure: true }).asPromise();
  const wire = (s: string): string => s.replace(/\n/g, '\r\n');
  const [count, size] = await client.stat().asPromise();
  assert.deepEqual([count, size], [2, wire(first).length + wire(second).length]);
  assert.deepEqual(await client.listSize().asPromise(), [wire(first).length, wire(second).length]);
  const uids = await client.listUID().asPromise();
  assert.equal(uids.length, 2);
  const text = Buffer.from(await client.retrieve(0).asPromise()).toString();
  assert.equal(text, wire(first), 'dot-unstuffed, CRLF, byte for byte');
  assert.equal(Buffer.from(await client.top(1, 0).asPromise()).toString(), 'Subject: two\r\n\r\n');
  await client.delete(0).asPromise();
  await assert.rejects(client.retrieve(0).asPromise(), POP3Error);
  await client.reset().asPromise();
  await client.delete(1).asPromise();
  await client.quit().asPromise();
  const left = [...readdirSync(join(maildir, 'new')), ...readdirSync(join(maildir, 'cur'))];
  assert.equal(left.length, 1, 'the second message deleted at QUIT, the first kept after RSET');
  assert.match(left[0]!, /^1000\.A\.test/);

  const again = connect(port);
  await again.greeting.asPromise();
  await assert.rejects(again.login('alice', 'wrong', { allowInsecure: true }).asPromise(), POP3Error);
  await again.quit().asPromise();
}
