/**
 * `torsion mail`: option parsing, and the application over loopback sockets: mail in by SMTP (Torsion's
 * sendmail), refused for unknown users and for relaying without a login, relayed through the queue to a
 * smarthost after AUTH, and read and deleted over POP3 (Torsion's client).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryUsernamePasswordDatabase } from '../cred/index.js';
import { ClientFactory, reactor, type IPv4Address } from '../internet/index.js';
import { loopbackEndpoints, parseOptions, UsageError } from '../app/index.js';
import { eventually, selfSignedCertificate } from '../testing/index.js';
import { MailApplication, implicitTLSEndpoint, mailOptions, mailPlugin } from './plugin.js';
import { POP3Client } from './pop3/client.js';
import { sendmail } from './smtp/sendmail.js';
import { SMTPReplyError } from './errors.js';
import { smtpFactory } from './test-support/smtp.js';

const LOOPBACK = 'tcp:0:interface=127.0.0.1';

function parse(argv: string[]) {
  return mailOptions(parseOptions(mailPlugin.options, argv));
}

describe('torsion mail options', () => {
  test('defaults: SMTP on 2525 and POP3 on 1110 of this machine only, maildirs in ./var/mail', async () => {
    const o = await parse([]);
    assert.deepEqual(o.smtp, loopbackEndpoints(2525));
    assert.deepEqual(o.pop3, loopbackEndpoints(1110));
    assert.deepEqual(o.smtps, []);
    assert.equal(o.domain, 'localhost');
    assert.equal(o.maildir, './var/mail');
    assert.deepEqual((await parse(['--pop3', 'none'])).pop3, []);
  });

  test('front doors, domain, users from --auth, smarthost', async () => {
    const o = await parse(['--smtp', 'tcp:2525', '--pop3', 'tcp:1110', '--domain', 'example.test', '--auth', 'memory:alice:secret:bob:pw', '--smarthost', 'tcp:relay.example:587']);
    assert.deepEqual(o.smtp, ['tcp:2525']);
    assert.deepEqual(o.pop3, ['tcp:1110']);
    assert.equal(o.domain, 'example.test');
    assert.equal(o.maildir, './var/mail');
    assert.deepEqual(o.users, ['alice', 'bob']);
    assert.deepEqual(o.smarthost, { host: 'relay.example', port: 587 });
    assert.equal(o.allowPlaintextAuth, false);
    assert.equal(o.anySender, false);
    assert.equal((await parse(['--any-sender'])).anySender, true);
    assert.equal(o.clearPasswords?.get('bob'), 'pw');
  });

  test('users of a file: checker have mailboxes too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-mail-opts-'));
    try {
      writeFileSync(join(dir, 'users'), 'carol:secret\n');
      const o = await parse(['--smtp', 'tcp:2525', '--auth', `file:${join(dir, 'users')}`]);
      assert.deepEqual(o.users, ['carol']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('usage errors', async () => {
    await assert.rejects(parse(['--smtp', 'none', '--pop3', 'none']), UsageError);
    await assert.rejects(parse(['--smtp', 'tcp:1', '--tls-cert', 'x.pem']), /go together/);
    await assert.rejects(parse(['--smtp', 'tcp:1', '--smarthost', 'relay.example']), /tcp:HOST:PORT/);
    await assert.rejects(parse(['--smtp', 'tcp:1', '--domain', 'bad domain']), /--domain/);
    assert.throws(() => implicitTLSEndpoint('tcp:465', undefined, 'smtps'), /needs --tls-cert/);
    assert.equal(implicitTLSEndpoint('tcp:465:interface=127.0.0.1', { key: '', cert: '', keyFile: '/k:ey.pem', certFile: '/c.pem' }, 'smtps'), 'ssl:465:interface=127.0.0.1:privateKey=/k\\:ey.pem:certKey=/c.pem');
  });
});

describe('torsion mail over loopback', () => {
  test('mail in by SMTP, refusals, relaying after AUTH through the queue, POP3 out', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-mail-'));
    // The smarthost: a second SMTP server that records what it gets.
    const relay = smtpFactory({ hostname: 'relay.example', open: true });
    const relayPort = await reactor.listenTCP(0, relay.factory, { interface: '127.0.0.1' });
    const app = new MailApplication({
      smtp: [LOOPBACK],
      pop3: [LOOPBACK],
      domain: 'example.test',
      maildir: join(dir, 'mail'),
      checkers: [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })],
      users: ['alice'],
      smarthost: { host: '127.0.0.1', port: (relayPort.getHost() as IPv4Address).port },
      allowPlaintextAuth: true,
    });
    try {
      await app.startService();
      const smtp = app.ports.smtp![0]!;
      const pop3 = app.ports.pop3![0]!;
      const result = await sendmail('127.0.0.1', 'bob@other.example', ['alice@example.test', 'nobody@example.test'], 'Subject: hello\r\n\r\nHi Alice\r\n.dot\r\n', { port: smtp }).asPromise();
      assert.deepEqual(result.accepted, ['alice@example.test']);
      assert.match(result.rejected[0]!.text, /5\.1\.1/);
      assert.equal(readdirSync(join(dir, 'mail', 'alice', 'new')).length, 1, 'on disk once 250 came');

      const denied = await sendmail('127.0.0.1', 'bob@other.example', ['victim@elsewhere.example'], 'Subject: spam\r\n\r\nx\r\n', { port: smtp }).asPromise().catch((e: unknown) => e);
      assert.ok(denied instanceof SMTPReplyError && denied.replyCode === 550 && denied.enhanced === '5.7.1', String(denied));

      await sendmail('127.0.0.1', 'alice@example.test', ['friend@elsewhere.example'], 'Subject: out\r\n\r\nrelayed\r\n', { port: smtp, username: 'alice', password: 'secret', requireTransportSecurity: false }).asPromise();
      await eventually(() => relay.delivered.length === 1, { message: 'relayed to the smarthost' });
      assert.equal(relay.delivered[0]!.to, 'friend@elsewhere.example');
      assert.match(relay.delivered[0]!.text, /relayed\r\n$/);

      const client = new POP3Client();
      const factory = new (class extends ClientFactory<POP3Client> {
        override buildProtocol() {
          return client;
        }
      })();
      reactor.connectTCP('127.0.0.1', pop3, factory);
      await client.greeting.asPromise();
      await client.login('alice', 'secret', { allowInsecure: true }).asPromise();
      const [count] = await client.stat().asPromise();
      assert.equal(count, 1);
      const text = Buffer.from(await client.retrieve(0).asPromise()).toString();
      assert.match(text, /^Received: from localhost \(\[127\.0\.0\.1\]\)\r\n\tby example\.test with ESMTP id /);
      assert.ok(text.endsWith('Subject: hello\r\n\r\nHi Alice\r\n.dot\r\n'));
      await client.delete(0).asPromise();
      await client.quit().asPromise();
      await eventually(() => readdirSync(join(dir, 'mail', 'alice', 'new')).length === 0, { message: 'deleted at QUIT' });
    } finally {
      await app.stopService();
      await relayPort.stopListening();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('STARTTLS and implicit TLS with --tls-cert/--tls-key', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-mail-tls-'));
    const { key, cert } = selfSignedCertificate('localhost');
    writeFileSync(join(dir, 'key.pem'), key);
    writeFileSync(join(dir, 'cert.pem'), cert);
    const o = await parse(['--smtp', LOOPBACK, '--smtps', LOOPBACK, '--domain', 'example.test', '--maildir', join(dir, 'mail'), '--auth', 'memory:alice:secret', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
    const app = new MailApplication(o);
    try {
      await app.startService();
      const tls = { ca: cert, servername: 'localhost' };
      const viaStartTLS = await sendmail('127.0.0.1', 'alice@example.test', ['alice@example.test'], 'Subject: 1\r\n\r\n1\r\n', { port: app.ports.smtp![0]!, username: 'alice', password: 'secret', tls }).asPromise();
      assert.deepEqual(viaStartTLS.accepted, ['alice@example.test']);
      const implicit = await sendmail('127.0.0.1', 'alice@example.test', ['alice@example.test'], 'Subject: 2\r\n\r\n2\r\n', { port: app.ports.smtps![0]!, implicitTLS: true, username: 'alice', password: 'secret', tls }).asPromise();
      assert.deepEqual(implicit.accepted, ['alice@example.test']);
      assert.equal(readdirSync(join(dir, 'mail', 'alice', 'new')).length, 2);
    } finally {
      await app.stopService();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('on stop, open SMTP and POP3 connections are told and closed', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-mail-stop-'));
    const app = new MailApplication({ smtp: [LOOPBACK], pop3: [LOOPBACK], domain: 'example.test', maildir: join(dir, 'mail'), checkers: [], users: [] });
    try {
      await app.startService();
      const open = (port: number): { text: () => string; closed: Promise<void> } => {
        const socket = net.connect(port, '127.0.0.1');
        let text = '';
        socket.on('data', (d) => (text += d.toString()));
        return { text: () => text, closed: new Promise((resolve) => socket.on('close', () => resolve())) };
      };
      const smtp = open(app.ports.smtp![0]!);
      const pop3 = open(app.ports.pop3![0]!);
      await eventually(() => smtp.text().startsWith('220 ') && pop3.text().startsWith('+OK '), { message: 'greeted' });
      await app.stopService();
      await Promise.all([smtp.closed, pop3.closed]);
      assert.match(smtp.text(), /\r\n421 4\.3\.2 example\.test shutting down\r\n$/);
      assert.match(pop3.text(), /\r\n-ERR server shutting down, nothing deleted\r\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
