// The POP3 server over a StringTransport: every command, exact byte counts and dot-stuffing, deletions only
// at QUIT, plaintext logins refused without TLS, STLS, and the limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGES, pop3Server } from '../test-support/pop3.js';
import { StringTransport } from '../../testing/index.js';
import { apopDigest } from './apop.js';

const LOGIN = 'USER alice\r\nPASS secret\r\n';

test('greets with an APOP timestamp; USER/PASS logs in and opens the maildrop', () => {
  const s = pop3Server({ allowPlaintextAuth: true });
  assert.match(s.transport.valueString(), /^\+OK Torsion POP3 server ready <[0-9a-f]{16}\.1000@mail\.example\.test>\r\n$/);
  assert.equal(s.send(LOGIN), '+OK send PASS\r\n+OK maildrop has 3 messages\r\n');
});

test('STAT, LIST and UIDL give exact byte counts, alone and per message', () => {
  const s = pop3Server({ allowPlaintextAuth: true });
  s.send(LOGIN);
  const sizes = MESSAGES.map((m) => Buffer.byteLength(m));
  assert.equal(s.send('STAT\r\n'), `+OK 3 ${sizes.reduce((a, b) => a + b)}\r\n`);
  assert.equal(s.send('LIST\r\n'), `+OK 3 messages\r\n1 ${sizes[0]}\r\n2 ${sizes[1]}\r\n3 ${sizes[2]}\r\n.\r\n`);
  assert.equal(s.send('LIST 2\r\n'), `+OK 2 ${sizes[1]}\r\n`);
  assert.equal(s.send('UIDL\r\n'), '+OK 3 messages\r\n1 uid-1\r\n2 uid-2\r\n3 uid-3\r\n.\r\n');
  assert.equal(s.send('UIDL 3\r\n'), '+OK 3 uid-3\r\n');
  assert.match(s.send('LIST 4\r\n'), /^-ERR No such message/);
  assert.match(s.send('LIST x\r\n'), /^-ERR Bad message number/);
  assert.match(s.send('STAT 1\r\n'), /^-ERR/);
});

test('RETR dot-stuffs and terminates, adding the CRLF a message lacks; TOP gives header and n lines', () => {
  const s = pop3Server({ allowPlaintextAuth: true });
  s.send(LOGIN);
  assert.equal(s.send('RETR 2\r\n'), `+OK ${Buffer.byteLength(MESSAGES[1]!)} octets\r\nSubject: two\r\nX: y\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n.\r\n`);
  assert.equal(s.send('RETR 3\r\n'), `+OK ${Buffer.byteLength(MESSAGES[2]!)} octets\r\nSubject: three\r\n\r\nno final line end\r\n.\r\n`);
  assert.equal(s.send('TOP 2 1\r\n'), '+OK top of message follows\r\nSubject: two\r\nX: y\r\n\r\nline 1\r\n.\r\n');
  assert.equal(s.send('TOP 2 0\r\n'), '+OK top of message follows\r\nSubject: two\r\nX: y\r\n\r\n.\r\n');
  assert.match(s.send('TOP 2\r\n'), /^-ERR/);
});

test('DELE marks, RSET unmarks; deletions happen only at QUIT', () => {
  const s = pop3Server({ allowPlaintextAuth: true });
  s.send(LOGIN);
  assert.equal(s.send('DELE 1\r\n'), '+OK message 1 deleted\r\n');
  assert.match(s.send('RETR 1\r\n'), /^-ERR Message already deleted/);
  assert.match(s.send('DELE 1\r\n'), /^-ERR/);
  assert.match(s.send('STAT\r\n'), /^\+OK 2 /);
  assert.equal(s.send('LIST\r\n').split('\r\n')[1], `2 ${Buffer.byteLength(MESSAGES[1]!)}`);
  assert.equal(s.send('RSET\r\n'), '+OK maildrop has 3 messages\r\n');
  s.send('DELE 2\r\nDELE 3\r\n');
  assert.deepEqual(s.mailbox.removed, [], 'nothing removed before QUIT');
  assert.equal(s.send('QUIT\r\n'), '+OK bye, deletions done\r\n');
  assert.deepEqual(s.mailbox.removed, ['uid-2', 'uid-3']);
  assert.equal(s.transport.disconnecting, true);
});

test('a dropped connection deletes nothing', () => {
  const s = pop3Server({ allowPlaintextAuth: true });
  s.send(`${LOGIN}DELE 1\r\n`);
  s.proto.connectionLost(undefined as never);
  assert.deepEqual(s.mailbox.removed, []);
});

test('APOP logs in with the digest of the greeting timestamp, and refuses a wrong one', () => {
  const s = pop3Server();
  const challenge = /<[^>]+>/.exec(s.transport.valueString())![0];
  assert.match(s.send(`APOP alice ${'0'.repeat(32)}\r\n`), /^-ERR \[AUTH\] Invalid login/);
  assert.equal(s.send(`APOP alice ${apopDigest(challenge, 'secret')}\r\n`), '+OK maildrop has 3 messages\r\n');
});

test('without TLS, USER is refused and not in CAPA; STLS switches to TLS and then USER works', () => {
  const s = pop3Server({ tls: { key: 'k', cert: 'c' } });
  const capa = s.send('CAPA\r\n');
  assert.match(capa, /^\+OK Capability list follows\r\n/);
  assert.match(capa, /\r\nSTLS\r\n/);
  assert.doesNotMatch(capa, /\r\nUSER\r\n/);
  assert.match(s.send('USER alice\r\n'), /^-ERR \[AUTH\] Plaintext authentication disallowed/);
  assert.equal(s.send('STLS\r\nUSER injected\r\n'), '+OK Begin TLS negotiation\r\n', 'the pipelined plaintext went to TLS');
  assert.equal(s.transport.tls?.asServer, true);
  const after = s.send('CAPA\r\n');
  assert.match(after, /\r\nUSER\r\n/);
  assert.doesNotMatch(after, /STLS/);
  assert.equal(s.send(LOGIN), '+OK send PASS\r\n+OK maildrop has 3 messages\r\n');
});

test('commands need the right state; wrong passwords and errors are limited; the idle timeout closes', () => {
  const s = pop3Server({ allowPlaintextAuth: true, limits: { maxAuthFailures: 2 } });
  assert.match(s.send('STAT\r\n'), /^-ERR Log in first/);
  assert.match(s.send('PASS secret\r\n'), /^-ERR USER first/);
  assert.match(s.send('USER alice\r\nPASS wrong\r\n'), /-ERR \[AUTH\] Invalid login\r\n$/);
  s.send('USER alice\r\nPASS wrong\r\n');
  assert.equal(s.transport.disconnecting, true);

  const e = pop3Server({ allowPlaintextAuth: true, limits: { maxErrors: 3 } });
  assert.match(e.send('X\r\nY\r\nZ\r\nNOOP\r\n'), /Too many errors/);
  assert.equal(e.transport.disconnecting, true);

  const t = pop3Server({ allowPlaintextAuth: true, limits: { idleTimeout: 600 } });
  t.send(LOGIN);
  t.clock.advance(599);
  assert.equal(t.transport.disconnecting, false);
  t.clock.advance(1);
  assert.equal(t.transport.disconnecting, true);
});

test('an over-long command is refused and skipped; NOOP answers', () => {
  const s = pop3Server({ allowPlaintextAuth: true, limits: { maxCommandLength: 50 } });
  s.send(LOGIN);
  assert.equal(s.send(`NOOP ${'x'.repeat(2000)}`), '-ERR Line too long\r\n');
  assert.equal(s.send(`${'x'.repeat(100)}\r\nNOOP\r\n`), '+OK\r\n');
});

test('closeAll ends every session without applying its deletions', () => {
  const s = pop3Server({ allowPlaintextAuth: true });
  s.send(`${LOGIN}DELE 1\r\n`);
  s.transport.clear();
  s.proto.factory.closeAll();
  assert.equal(s.transport.valueString(), '-ERR server shutting down, nothing deleted\r\n');
  assert.equal(s.transport.disconnecting, true);
  s.proto.connectionLost(undefined as never);
  assert.deepEqual(s.mailbox.removed, []);
  assert.equal(s.proto.factory.connections.size, 0);
});

test('one session per maildrop: a second login gets -ERR [IN-USE] until the first ends', () => {
  const first = pop3Server({ allowPlaintextAuth: true });
  const factory = first.proto.factory;
  first.send(LOGIN);
  const second = factory.buildProtocol(first.transport.getHost());
  const t2 = new StringTransport();
  second.makeConnection(t2);
  second.dataReceived(Buffer.from(LOGIN));
  assert.match(t2.valueString(), /\r\n-ERR \[IN-USE\] Mailbox in use by another session\r\n$/);
  first.proto.connectionLost(undefined as never);
  t2.clear();
  second.dataReceived(Buffer.from(LOGIN));
  assert.equal(t2.valueString(), '+OK send PASS\r\n+OK maildrop has 3 messages\r\n');
});
