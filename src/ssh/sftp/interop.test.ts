import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FX, FXF } from './constants.js';
import { SFTPStatusError } from './errors.js';
import { isDirectory, isSymbolicLink } from './attrs.js';
import { requirePeer } from '../../testing/index.js';
import { openSSHServer, SFTP_SERVER } from './test-support/openssh.js';
import { tempDir } from './test-support/session.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const status = (code: number) => (e: unknown) => e instanceof SFTPStatusError && e.status === code;

test("SFTPClient against OpenSSH's sftp-server: every operation", { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const { client, stop } = await openSSHServer(requirePeer(SFTP_SERVER, 'openssh-sftp-server'), dir.path);
  try {
    assert.equal(client.serverVersion, 3);
    assert.ok(client.extensions.has('posix-rename@openssh.com'));
    assert.ok(client.serverLimits && client.serverLimits.maxReadLength > 0, 'limits@openssh.com');
    assert.equal(await client.realpath('.'), dir.path.replace(/\/$/, ''));

    const data = new Uint8Array(2 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
    await client.writeFile('big.bin', data);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir.path, 'big.bin'))), data);
    assert.deepEqual(new Uint8Array(await client.readFile('big.bin')), data);
    const streamed = new Uint8Array(data.length);
    assert.equal(await client.download('big.bin', (d, offset) => streamed.set(d, offset)), data.length);
    assert.deepEqual(streamed, data);

    const h = await client.open('h.txt', FXF.READ | FXF.WRITE | FXF.CREAT | FXF.TRUNC, { permissions: 0o600 });
    await client.write(h, 0, enc.encode('hello world'));
    assert.equal(dec.decode((await client.read(h, 6, 100))!), 'world');
    assert.equal(await client.read(h, 11, 10), null);
    assert.equal((await client.fstat(h)).size, 11);
    await client.fsetstat(h, { size: 5 });
    await client.fsync(h);
    await client.close(h);
    assert.equal(readFileSync(join(dir.path, 'h.txt'), 'utf8'), 'hello');
    assert.equal(statSync(join(dir.path, 'h.txt')).mode & 0o777, 0o600);
    await assert.rejects(client.read(h, 0, 1), status(FX.FAILURE), 'closed handle');

    await client.mkdir('d');
    assert.ok(isDirectory(await client.stat('d')));
    for (let i = 0; i < 150; i++) writeFileSync(join(dir.path, 'd', `n${i}`), 'x');
    const entries = await client.readdir('d');
    const names = entries.map((e) => e.filename).filter((n) => n !== '.' && n !== '..');
    assert.equal(names.length, 150);
    assert.match(entries.find((e) => e.filename === 'n1')!.longname, /^-rw-r--r-- .* n1$/);
    await assert.rejects(client.rmdir('d'), status(FX.FAILURE));
    await client.mkdir('e');
    await client.rmdir('e');
    await assert.rejects(client.stat('e'), status(FX.NO_SUCH_FILE));

    await client.writeFile('a', 'A');
    await client.writeFile('b', 'B');
    await assert.rejects(client.rename('a', 'b'), status(FX.FAILURE), 'RENAME refuses to overwrite, as ours');
    await client.rename('a', 'c');
    await client.rename('c', 'b', { overwrite: true });
    assert.equal(readFileSync(join(dir.path, 'b'), 'utf8'), 'A');
    await client.hardlink('b', 'hl');
    assert.equal(statSync(join(dir.path, 'hl')).nlink, 2);
    await client.symlink('b', 'sl');
    assert.equal(readlinkSync(join(dir.path, 'sl')), 'b', 'SYMLINK in OpenSSH order: target first');
    assert.equal(await client.readlink('sl'), 'b');
    assert.ok(isSymbolicLink(await client.lstat('sl')));
    await client.setstat('b', { permissions: 0o640, atime: 1_000_000, mtime: 1_500_000 });
    assert.equal(statSync(join(dir.path, 'b')).mtimeMs, 1_500_000_000);
    await client.remove('sl');
    assert.equal(existsSync(join(dir.path, 'sl')), false);
    await assert.rejects(client.remove('sl'), status(FX.NO_SUCH_FILE));
    await assert.rejects(client.open('missing'), status(FX.NO_SUCH_FILE));
    const vfs = await client.statvfs('.');
    assert.ok(vfs.bsize > 0 && vfs.blocks > 0);
    await assert.rejects(client.extended('nonsense@example.org'), status(FX.OP_UNSUPPORTED));
  } finally {
    stop();
    dir.remove();
  }
});
