// The POP3 client against Torsion's POP3 server in memory: every command, pipelining, dot-unstuffing,
// APOP, STLS with verification, and refusing to send a password in the clear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, StringTransport, connectedServerAndClient, loopbackAsync, selfSignedCertificate } from '../../testing/index.js';
import { MailProtocolError, POP3Error, TLSRequiredError } from '../errors.js';
import { MESSAGES, pop3Server } from '../test-support/pop3.js';
import { POP3Client } from './client.js';

function pair(options: Parameters<typeof pop3Server>[0] = {}) {
  const s = pop3Server(options);
  const factory = s.proto.factory;
  const client = new POP3Client({ clock: new Clock() });
  const { pump } = connectedServerAndClient(factory, client);
  return { client, pump };
}

test('login, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT, all pipelined', () => {
  const { client, pump } = pair({ allowPlaintextAuth: true });
  const results: unknown[] = [];
  const keep = <T>(d: { addCallback(f: (v: T) => unknown): unknown }): void => void d.addCallback((v: T) => results.push(v));
  keep(client.login('alice', 'secret', { allowInsecure: true }));
  keep(client.stat());
  keep(client.listSize());
  keep(client.listUID());
  keep(client.retrieve(1));
  keep(client.top(1, 0));
  keep(client.delete(0));
  keep(client.listSize());
  keep(client.reset());
  keep(client.noop());
  keep(client.quit());
  pump.flush();
  const sizes = MESSAGES.map((m) => Buffer.byteLength(m));
  assert.deepEqual(results.slice(0, 4), ['maildrop has 3 messages', [3, sizes.reduce((a, b) => a + b)], sizes, ['uid-1', 'uid-2', 'uid-3']]);
  assert.equal(Buffer.from(results[4] as Uint8Array).toString(), MESSAGES[1], 'dot-unstuffed, byte for byte');
  assert.equal(Buffer.from(results[5] as Uint8Array).toString(), 'Subject: two\r\nX: y\r\n\r\n');
  assert.deepEqual(results[7], [undefined, sizes[1], sizes[2]]);
  assert.equal(results.length, 11);
});

test('-ERR fails the command with POP3Error and the session goes on', () => {
  const { client, pump } = pair({ allowPlaintextAuth: true });
  let failure: unknown;
  client.login('alice', 'wrong', { allowInsecure: true }).addErrback((f) => void (failure = f.value));
  pump.flush();
  assert.ok(failure instanceof POP3Error);
  assert.match((failure as Error).message, /Invalid login/);
});

test('login refuses to send a password without TLS; APOP logs in with the digest', () => {
  const { client, pump } = pair();
  let refused: unknown;
  client.login('alice', 'secret').addErrback((f) => void (refused = f.value));
  assert.ok(refused instanceof TLSRequiredError);
  let ok = '';
  client.apop('alice', 'secret').addCallback((t) => void (ok = t));
  pump.flush();
  assert.equal(ok, 'maildrop has 3 messages');
});

test('STLS with the certificate verified, then USER/PASS over TLS', async () => {
  const { key, cert } = selfSignedCertificate('mail.example.test');
  const s = pop3Server({ tls: { key, cert } });
  const client = new POP3Client({ clock: new Clock() });
  const closed = loopbackAsync(s.proto.factory, client);
  await client.greeting.asPromise();
  await client.startTLS({ ca: cert, servername: 'mail.example.test' }).asPromise();
  assert.equal(await client.login('alice', 'secret').asPromise(), 'maildrop has 3 messages');
  assert.equal((await client.stat().asPromise())[0], 3);
  await client.quit().asPromise();
  await closed.asPromise();
});

test('answers past the limits fail the session', () => {
  const client = new POP3Client({ clock: new Clock(), limits: { maxReplyLength: 50, maxMessageSize: 100 } });
  client.makeConnection(new StringTransport());
  client.dataReceived(Buffer.from('+OK hi\r\n'));
  let failure: unknown;
  client.retrieve(0).addErrback((f) => void (failure = f.value));
  client.dataReceived(Buffer.from(`+OK\r\n${'x'.repeat(40)}\r\n`.repeat(1) + `${'y'.repeat(40)}\r\n${'z'.repeat(40)}\r\n`));
  assert.ok(failure instanceof MailProtocolError);
  assert.match((failure as Error).message, /larger than 100 bytes/);
});
