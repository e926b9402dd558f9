/**
 * Interop: real clients nobody here wrote against the real `torsion mail` command on loopback ports with a
 * temp maildir: Python's smtplib and poplib, curl (smtp:// and pop3://, STLS and APOP), and swaks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePeer, selfSignedCertificate } from '../testing/index.js';
import { LOOPBACK, startMailCommand, type MailCommand } from './test-support/command.js';

const python = requirePeer('/usr/bin/python3', 'python3');
const curl = requirePeer('curl', 'curl');
const swaks = requirePeer('swaks', 'swaks');

describe('torsion mail with real clients', () => {
  let mail: MailCommand;
  let certFile: string;

  before(async () => {
    const { key, cert } = selfSignedCertificate('localhost');
    mail = await startMailCommand(
      (dir) => {
        writeFileSync(join(dir, 'key.pem'), key);
        writeFileSync(join(dir, 'cert.pem'), cert);
        return ['--smtp', LOOPBACK, '--pop3', LOOPBACK, '--domain', 'example.test', '--auth', 'memory:alice:secret:bob:hunter22', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')];
      },
      ['smtp', 'pop3'],
    );
    certFile = join(mail.dir, 'cert.pem');
  });

  after(async () => {
    await mail?.stop();
  });

  test('Python smtplib and poplib: STARTTLS, AUTH, refusals, then STLS, STAT/LIST/UIDL/RETR/TOP/DELE/QUIT', () => {
    const script = fileURLToPath(new URL('./test-support/python-clients.py', import.meta.url));
    const r = spawnSync(python, [script, '127.0.0.1', String(mail.ports.smtp), String(mail.ports.pop3), certFile], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stderr}\n${mail.log()}`);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    assert.match(out.ehlo, /STARTTLS/);
    assert.doesNotMatch(out.ehlo, /AUTH/, 'no AUTH before TLS');
    assert.equal(out.login_before_tls, 'SMTPNotSupportedError');
    assert.equal(out.relay[0], 550);
    assert.match(out.relay[1], /^5\.7\.1 /);
    assert.match(out.ehlo_tls, /PLAIN LOGIN/);
    assert.equal(out.refused['nobody@example.test'][0], 550);
    assert.match(out.refused['nobody@example.test'][1], /^5\.1\.1 /);
    assert.deepEqual(out.as_other, [553, '5.7.1 <bob@example.test>: Sender address not owned by user alice'], 'alice may not send as bob');
    assert.match(out.pop_welcome, /^\+OK .*<[^>]+@example\.test>$/);
    assert.ok(out.capa_before.includes('STLS'));
    assert.ok(!out.capa_before.includes('USER'), 'USER only after STLS');
    assert.equal(out.stat[0], 1);
    assert.equal(out.list[0], `1 ${out.stat[1]}`);
    assert.equal(out.retr_octets, out.stat[1], 'the octets poplib counted are the size LIST gave');
    assert.match(out.retr, /^Received: from py\.example \(\[127\.0\.0\.1\]\)\r\n\s+by example\.test with ESMTPSA id /);
    assert.ok(out.retr.endsWith('Subject: from smtplib\r\n\r\nline\r\n.starts with a dot\r\n'), out.retr);
    assert.ok(out.top.includes('Subject: from smtplib'));
    assert.match(out.quit, /^\+OK/);
    assert.deepEqual(readdirSync(join(mail.maildir, 'alice', 'new')), [], 'DELE then QUIT removed it');
  });

  test('curl: smtp:// delivers to a local user without login, pop3:// with STLS lists and retrieves', () => {
    const message = join(mail.dir, 'curl.eml');
    writeFileSync(message, 'From: carol@other.example\r\nSubject: by curl\r\n\r\nsent by curl\r\n');
    const send = spawnSync(curl, ['-sS', '--url', `smtp://127.0.0.1:${mail.ports.smtp}`, '--mail-from', 'carol@other.example', '--mail-rcpt', 'bob@example.test', '--upload-file', message], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(send.status, 0, send.stderr);
    const unknown = spawnSync(curl, ['-sS', '--url', `smtp://127.0.0.1:${mail.ports.smtp}`, '--mail-from', 'carol@other.example', '--mail-rcpt', 'nobody@example.test', '--upload-file', message], { encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /550/);
    const pop = (path: string): ReturnType<typeof spawnSync> =>
      spawnSync(curl, ['-sS', '--ssl-reqd', '--cacert', certFile, '-u', 'bob:hunter22', `pop3://127.0.0.1:${mail.ports.pop3}${path}`], { encoding: 'utf8', timeout: 30_000 });
    const list = pop('/');
    assert.equal(list.status, 0, String(list.stderr));
    assert.match(String(list.stdout), /^1 \d+\r?\n$/);
    const retr = pop('/1');
    assert.equal(retr.status, 0, String(retr.stderr));
    assert.match(String(retr.stdout), /Subject: by curl\r\n\r\nsent by curl\r\n$/);
    // Without TLS USER is not offered, so curl logs in by APOP: the password never crosses the wire.
    const plain = spawnSync(curl, ['-v', '-sS', '-u', 'bob:hunter22', `pop3://127.0.0.1:${mail.ports.pop3}/`], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stderr, /^> APOP bob [0-9a-f]{32}\r?$/m);
    assert.doesNotMatch(plain.stderr, /^> (USER|PASS)/m);
  });

  test('swaks: STARTTLS with verification, AUTH PLAIN and LOGIN, and pipelining', () => {
    for (const auth of ['PLAIN', 'LOGIN']) {
      const r = spawnSync(
        swaks,
        ['--server', `127.0.0.1:${mail.ports.smtp}`, '--from', 'alice@example.test', '--to', 'alice@example.test', '--tls', '--tls-verify', '--tls-ca-path', certFile, '--auth', auth, '--auth-user', 'alice', '--auth-password', 'secret', '--pipeline', '--header', `Subject: swaks ${auth}`, '--body', 'hello from swaks'],
        { encoding: 'utf8', timeout: 30_000 },
      );
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /<~ +250 2\.0\.0 OK: queued as/);
    }
    const names = readdirSync(join(mail.maildir, 'alice', 'new'));
    assert.equal(names.length, 2);
    const text = readFileSync(join(mail.maildir, 'alice', 'new', names[0]!), 'utf8');
    assert.match(text, /with ESMTPSA id/);
  });
});
