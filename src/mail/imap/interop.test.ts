/**
 * Interop: Python's imaplib and curl (imap://) against the real `torsion mail --imap` command on loopback,
 * with mail delivered by its own SMTP front door.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePeer, selfSignedCertificate } from '../../testing/index.js';
import { sendmail } from '../smtp/sendmail.js';
import { LOOPBACK, startMailCommand, type MailCommand } from '../test-support/command.js';

const python = requirePeer('/usr/bin/python3', 'python3');
const curl = requirePeer('curl', 'curl');

describe('torsion mail --imap with real clients', () => {
  let mail: MailCommand;
  let certFile: string;
  let tls: { ca: string; servername: string };

  before(async () => {
    const { key, cert } = selfSignedCertificate('localhost');
    tls = { ca: cert, servername: 'localhost' };
    mail = await startMailCommand(
      (dir) => {
        writeFileSync(join(dir, 'key.pem'), key);
        writeFileSync(join(dir, 'cert.pem'), cert);
        return ['--smtp', LOOPBACK, '--imap', LOOPBACK, '--imaps', LOOPBACK, '--pop3', 'none', '--domain', 'example.test', '--auth', 'memory:alice:secret:bob:hunter22', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')];
      },
      ['smtp', 'imap', 'imaps'],
    );
    certFile = join(mail.dir, 'cert.pem');
  });

  after(async () => {
    await mail?.stop();
  });

  test('Python imaplib: LOGINDISABLED before STARTTLS, then SELECT, SEARCH, FETCH, STORE, APPEND, EXPUNGE, LIST, STATUS', async () => {
    await sendmail('127.0.0.1', 'carol@other.example', ['alice@example.test'], 'Subject: for imaplib\r\n\r\nhello imap\r\n', { port: mail.ports.smtp!, tls }).asPromise();
    const script = fileURLToPath(new URL('../test-support/python-imap.py', import.meta.url));
    const r = spawnSync(python, [script, '127.0.0.1', String(mail.ports.imap), certFile], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stderr}\n${mail.log()}`);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    assert.ok(out.caps_before.includes('LOGINDISABLED') && out.caps_before.includes('STARTTLS'), String(out.caps_before));
    assert.notEqual(out.login_before_tls, 'accepted');
    assert.ok(out.caps_tls.includes('AUTH=PLAIN') && !out.caps_tls.includes('STARTTLS'));
    assert.equal(out.login, 'OK');
    assert.deepEqual(out.select, ['OK', '1']);
    assert.match(out.uidvalidity, /^\d+$/);
    assert.equal(out.search_all, '1');
    assert.equal(out.search_subject, '1');
    assert.match(out.fetch_header[0], /^1 \(UID 1 RFC822\.SIZE \d+ BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}$/);
    assert.equal(out.fetch_header[1], 'Subject: for imaplib\r\n\r\n');
    assert.match(out.uid_fetch[1], /^Received: .*\r\nSubject: for imaplib\r\n\r\nhello imap\r\n$/s);
    assert.match(out.flags_after, /\\Seen/);
    assert.equal(out.append, 'OK');
    assert.equal(out.search_flagged, '2');
    assert.deepEqual(out.expunge, ['1']);
    assert.deepEqual(out.list, ['(\\HasNoChildren) "/" INBOX']);
    assert.match(out.status, /^"?INBOX"? \(MESSAGES 1 UIDNEXT 3 UNSEEN 1\)$/);
    assert.equal(out.logout, 'BYE');
  });

  test('Python imaplib: CREATE, LIST, LSUB, APPEND with keywords, UID COPY, UID MOVE, UID EXPUNGE, STATUS, RENAME, DELETE', async () => {
    const script = fileURLToPath(new URL('../test-support/python-imap-mailboxes.py', import.meta.url));
    const r = spawnSync(python, [script, '127.0.0.1', String(mail.ports.imap), certFile], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stderr}\n${mail.log()}`);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    assert.ok(out.caps.includes('UIDPLUS') && out.caps.includes('MOVE'), String(out.caps));
    assert.deepEqual(out.create, ['OK', 'OK', 'OK']);
    assert.deepEqual(out.create_bad, ['NO', 'NO']);
    assert.deepEqual(out.list, ['(\\HasNoChildren) "/" INBOX', '(\\HasChildren \\Archive) "/" "Archive"', '(\\HasNoChildren) "/" "Archive/2024"', '(\\HasNoChildren) "/" "Entw&APw-rfe"', '(\\HasNoChildren \\Sent) "/" "Sent"']);
    assert.deepEqual(out.list_special, ['(\\HasChildren \\Archive) "/" "Archive"', '(\\HasNoChildren \\Sent) "/" "Sent"'], 'LIST (SPECIAL-USE): only those');
    assert.ok(out.caps.includes('SPECIAL-USE') && out.caps.includes('CONDSTORE'), String(out.caps));
    assert.deepEqual(out.list_children, ['(\\HasNoChildren) "/" "Archive/2024"']);
    assert.deepEqual(out.lsub, ['() "/" "Archive/2024"', '() "/" "Sent"']);
    assert.match(out.append[1], /^\[APPENDUID \d+ 1\] APPEND completed$/);
    assert.equal(out.copy, 'OK');
    const appended = /APPENDUID (\d+)/.exec(out.append[1])![1];
    assert.match(out.copy_copyuid[0], /^\d+ 2 1$/);
    assert.equal(out.move, 'OK');
    assert.deepEqual(out.move_copyuid, [`${appended} 2 2`]);
    assert.equal(out.select_sent[1], '2');
    assert.match(out.flags[0], /\$Label1/);
    assert.match(out.permanentflags[0], /\$Label1 \\\*\)$/);
    assert.deepEqual(out.search_keyword, ['1']);
    assert.equal(out.uid_expunge[0], 'OK');
    // Left in Sent: the message moved from INBOX (UID 2, \Flagged); the expunge of UID 1 moved HIGHESTMODSEQ past it.
    const h = out.highestmodseq as number;
    const [, own] = /^1 \(UID 2 FLAGS \(\\Flagged\) MODSEQ \((\d+)\)\)$/.exec(out.fetch_modseq[0]) ?? [];
    assert.ok(Number(own) > 1 && Number(own) < h, out.fetch_modseq[0]);
    assert.equal(out.store_stale[0], 'OK');
    assert.deepEqual(out.store_stale, ['OK', '2'], 'changed after mod-sequence 1, so left alone and named in [MODIFIED]');
    assert.deepEqual(out.store_fresh.slice(0, 2), ['OK', `1 (UID 2 MODSEQ (${h + 1}) FLAGS (\\Seen \\Flagged))`]);
    assert.deepEqual(out.changedsince, [`1 (UID 2 FLAGS (\\Seen \\Flagged) MODSEQ (${h + 1}))`]);
    assert.deepEqual(out.changedsince_none, []);
    assert.deepEqual(out.status_modseq, [`"Sent" (HIGHESTMODSEQ ${h + 1})`]);
    assert.match(out.status[0], /^"Archive\/2024" \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+\)$/);
    assert.equal(out.rename, 'OK');
    assert.deepEqual(out.list_after_rename, ['(\\HasChildren) "/" "Old"', '(\\HasNoChildren) "/" "Old/2024"']);
    assert.ok(existsSync(join(mail.maildir, 'alice', '.Old.2024', 'cur')), 'a Maildir++ folder on disk');
    assert.equal(out.delete, 'OK');
    assert.equal(out.select_deleted, 'NO');
  });

  test('curl: imaps:// lists and fetches by UID; imap:// with --ssl-reqd goes through STARTTLS', async () => {
    await sendmail('127.0.0.1', 'carol@other.example', ['bob@example.test'], 'Subject: for curl\r\n\r\nhello curl\r\n', { port: mail.ports.smtp!, tls }).asPromise();
    const run = (url: string, ...extra: string[]): ReturnType<typeof spawnSync> => spawnSync(curl, ['-sS', '--cacert', certFile, '-u', 'bob:hunter22', ...extra, url], { encoding: 'utf8', timeout: 30_000 });
    const list = run(`imaps://localhost:${mail.ports.imaps}/`, '--resolve', `localhost:${mail.ports.imaps}:127.0.0.1`);
    assert.equal(list.status, 0, `${String(list.stderr)}\n${mail.log()}`);
    assert.match(String(list.stdout), /INBOX/);
    const fetched = run(`imap://localhost:${mail.ports.imap}/INBOX;UID=1`, '--ssl-reqd', '--resolve', `localhost:${mail.ports.imap}:127.0.0.1`);
    assert.equal(fetched.status, 0, String(fetched.stderr));
    assert.match(String(fetched.stdout), /Subject: for curl\r\n\r\nhello curl\r\n$/);
    const search = run(`imap://localhost:${mail.ports.imap}/INBOX`, '--ssl-reqd', '--resolve', `localhost:${mail.ports.imap}:127.0.0.1`, '-X', 'SEARCH UNSEEN');
    assert.equal(search.status, 0, String(search.stderr));
    assert.match(String(search.stdout), /^\* SEARCH\s*\r?\n?$/m, 'the UID=1 fetch set \\Seen');
  });
});
