/**
 * Torsion's FTPClient against FTP servers nobody here wrote: vsftpd (plain and explicit FTPS; it has no
 * MLSD, so listings come from LIST) and Python's pyftpdlib (MLSD, MDTM, active mode).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reactor } from '../internet/index.js';
import { requirePeer } from '../testing/index.js';
import { connectFTP } from './client/connect.js';
import { FTPCommandFailed } from './errors.js';
import { startPyftpdlib, startVsftpd, type PeerServer } from './test-support/peer-servers.js';

requirePeer('vsftpd', 'vsftpd');
requirePeer('/usr/bin/python3', 'python3-pyftpdlib');

describe('FTPClient against vsftpd', { timeout: 120_000 }, () => {
  let server: PeerServer;
  before(async () => {
    server = await startVsftpd();
  });
  after(async () => server?.stop());

  test('login, upload, LIST, download, resume, rename, size, mkdir, delete, active mode', async () => {
    const body = randomBytes(1024 * 1024 + 7);
    const ftp = await connectFTP(reactor, '127.0.0.1', server.port);
    await ftp.login(server.user, server.password);
    assert.equal(await ftp.pwd(), '/');
    await ftp.storeBytes('data.bin', body);
    assert.ok(readFileSync(join(server.home, 'data.bin')).equals(body));
    assert.equal(await ftp.size('data.bin'), body.length);
    const listed = await ftp.list();
    assert.deepEqual(listed.map((f) => [f.name, f.type, f.size]), [['data.bin', 'file', body.length]]);
    assert.ok(Buffer.from(await ftp.retrieveBytes('data.bin')).equals(body));
    assert.ok(Buffer.from(await ftp.retrieveBytes('data.bin', 1000)).equals(body.subarray(1000)));
    assert.equal(await ftp.makeDirectory('dir'), '/dir');
    await ftp.rename('data.bin', 'dir/moved.bin');
    assert.deepEqual(await ftp.nlst('dir'), ['dir/moved.bin']);
    assert.ok(Math.abs((await ftp.modificationTime('dir/moved.bin')) - Date.now() / 1000) < 3600);
    await ftp.removeFile('dir/moved.bin');
    await ftp.removeDirectory('dir');
    await assert.rejects(ftp.size('nope').asPromise(), (e: unknown) => e instanceof FTPCommandFailed && e.replyCode === 550);
    await ftp.quit();
    const active = await connectFTP(reactor, '127.0.0.1', server.port, { passive: false });
    await active.login(server.user, server.password);
    await active.storeBytes('active.txt', 'active mode\n');
    assert.equal(Buffer.from(await active.retrieveBytes('active.txt')).toString(), 'active mode\n');
    await active.quit();
  });
});

describe('FTPClient against vsftpd with explicit FTPS', { timeout: 120_000 }, () => {
  let server: PeerServer;
  before(async () => {
    server = await startVsftpd(true);
  });
  after(async () => server?.stop());

  test('AUTH TLS with verification, PROT P transfers', async () => {
    const ftp = await connectFTP(reactor, '127.0.0.1', server.port);
    await ftp.authTLS({ ca: readFileSync(server.caFile!), servername: 'localhost' });
    await ftp.login(server.user, server.password);
    await ftp.storeBytes('secret.txt', 'over TLS\n');
    assert.equal(Buffer.from(await ftp.retrieveBytes('secret.txt')).toString(), 'over TLS\n');
    assert.deepEqual((await ftp.list()).map((f) => f.name), ['secret.txt']);
    await ftp.quit();
  });

  test('vsftpd refuses a plain login when FTPS is forced', async () => {
    const ftp = await connectFTP(reactor, '127.0.0.1', server.port);
    await assert.rejects(ftp.login(server.user, server.password).asPromise(), (e: unknown) => e instanceof FTPCommandFailed && e.replyCode === 530);
  });
});

describe('FTPClient against pyftpdlib', { timeout: 120_000 }, () => {
  let server: PeerServer;
  before(async () => {
    server = await startPyftpdlib();
  });
  after(async () => server?.stop());

  test('FEAT, MLSD, MDTM, streaming upload, append, active and passive', async () => {
    writeFileSync(join(server.home, 'given.txt'), 'from the server\n');
    const ftp = await connectFTP(reactor, '127.0.0.1', server.port);
    await ftp.login(server.user, server.password);
    const features = await ftp.features();
    assert.ok([...features].some((f) => f.startsWith('MLST')), [...features].join(','));
    const { upload, done } = ftp.storeFile('stream.txt');
    const u = await upload;
    for (let i = 0; i < 100; i++) u.write(Buffer.from(`line ${i}\n`));
    u.finish();
    await done;
    await ftp.storeBytes('stream.txt', 'appended\n', { append: true });
    const expected = Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('') + 'appended\n';
    assert.equal(readFileSync(join(server.home, 'stream.txt'), 'utf8'), expected);
    const entries = await ftp.mlsd();
    assert.deepEqual(entries.map((f) => [f.name, f.type, f.size]).sort(), [
      ['given.txt', 'file', 16],
      ['stream.txt', 'file', expected.length],
    ]);
    assert.ok(Math.abs((await ftp.modificationTime('given.txt')) - Date.now() / 1000) < 3600);
    assert.ok((await ftp.list()).some((f) => f.name === 'given.txt' && f.type === 'file'));
    await ftp.quit();
    const active = await connectFTP(reactor, '127.0.0.1', server.port, { passive: false });
    await active.login(server.user, server.password);
    assert.equal(Buffer.from(await active.retrieveBytes('given.txt')).toString(), 'from the server\n');
    await active.quit();
  });
});
