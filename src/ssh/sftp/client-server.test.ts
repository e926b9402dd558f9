import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FX, FXF } from './constants.js';
import { SFTPConnectionLostError, SFTPLimitError, SFTPStatusError } from './errors.js';
import { isDirectory, isRegularFile, isSymbolicLink } from './attrs.js';
import { session } from './test-support/session.js';

const enc = new TextEncoder();

function status(code: number) {
  return (e: unknown) => e instanceof SFTPStatusError && e.status === code;
}

test('SFTPClient and SFTPServer over a loopback: the server announces OpenSSH extensions and its limits', async () => {
  const s = await session();
  try {
    assert.equal(s.client.serverVersion, 3);
    for (const ext of ['posix-rename@openssh.com', 'statvfs@openssh.com', 'fstatvfs@openssh.com', 'hardlink@openssh.com', 'fsync@openssh.com', 'limits@openssh.com']) {
      assert.ok(s.client.extensions.has(ext), ext);
    }
    assert.equal(s.client.serverLimits?.maxReadLength, s.server.limits.maxReadLength);
    assert.equal(s.client.serverLimits?.maxOpenHandles, s.server.limits.maxOpenHandles);
  } finally {
    s.close();
  }
});

test('writeFile and readFile round-trip 3 MiB with many requests in flight, and the file is on disk', async () => {
  const s = await session({ client: { readChunkSize: 32 * 1024, writeChunkSize: 32 * 1024 } });
  try {
    const data = new Uint8Array(3 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 0xff;
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, s.client.outstanding)), 0);
    await s.client.writeFile('big.bin', data);
    assert.deepEqual(new Uint8Array(readFileSync(join(s.root, 'big.bin'))), data);
    const back = await s.client.readFile('/big.bin');
    clearInterval(watch);
    assert.deepEqual(back, data);
    assert.equal(s.server.openHandles, 0);
    assert.ok(peak > 1, `requests were pipelined (peak ${peak})`);
  } finally {
    s.close();
  }
});

test('readFile of an empty file, and of a file whose server answers short reads', async () => {
  const s = await session({ server: { limits: { maxReadLength: 1000 } }, client: { readChunkSize: 4096 } });
  try {
    writeFileSync(join(s.root, 'empty'), '');
    assert.equal((await s.client.readFile('empty')).length, 0);
    // The client keeps its 4 KiB chunks if told nothing; the server cuts each READ to 1000 bytes.
    s.client.readChunkSize = 4096;
    const data = enc.encode('x'.repeat(10_000) + 'end');
    writeFileSync(join(s.root, 'f'), data);
    assert.deepEqual(await s.client.readFile('f'), data);
  } finally {
    s.close();
  }
});

test('open, write, read, fstat, fsetstat, fsync and close on a handle', async () => {
  const s = await session();
  try {
    const h = await s.client.open('a.txt', FXF.READ | FXF.WRITE | FXF.CREAT, { permissions: 0o640 });
    await s.client.write(h, 0, enc.encode('hello world'));
    await s.client.write(h, 6, enc.encode('WORLD'));
    assert.equal(new TextDecoder().decode((await s.client.read(h, 0, 100))!), 'hello WORLD');
    assert.equal(await s.client.read(h, 11, 10), null, 'EOF at the end');
    const attrs = await s.client.fstat(h);
    assert.equal(attrs.size, 11);
    assert.ok(isRegularFile(attrs));
    assert.equal(attrs.permissions! & 0o777, 0o640);
    await s.client.fsetstat(h, { size: 5, atime: 1_000_000, mtime: 2_000_000 });
    await s.client.fsync(h);
    await s.client.close(h);
    assert.equal(readFileSync(join(s.root, 'a.txt'), 'utf8'), 'hello');
    assert.equal(statSync(join(s.root, 'a.txt')).mtimeMs, 2_000_000_000);
    await assert.rejects(s.client.read(h, 0, 1), status(FX.FAILURE), 'a closed handle is invalid');
    await assert.rejects(s.client.open('a.txt', 'wx'), status(FX.FAILURE), 'EXCL on an existing file');
    await assert.rejects(s.client.open('missing', 'r'), status(FX.NO_SUCH_FILE));
  } finally {
    s.close();
  }
});

test('directories: mkdir, readdir with long names, stat, lstat, rmdir', async () => {
  const s = await session();
  try {
    await s.client.mkdir('d', { permissions: 0o750 });
    assert.ok(isDirectory(await s.client.stat('d')));
    for (let i = 0; i < 250; i++) writeFileSync(join(s.root, 'd', `f${i}`), 'x'.repeat(i));
    const entries = await s.client.readdir('d');
    assert.equal(entries.length, 250, 'more than one READDIR batch (100 each)');
    const f7 = entries.find((e) => e.filename === 'f7')!;
    assert.equal(f7.attrs.size, 7);
    assert.match(f7.longname, /^-rw-r--r-- +1 +\d+ +\d+ +7 [A-Z][a-z]{2} [ \d]\d ( \d{4}|\d\d:\d\d) f7$/);
    await assert.rejects(s.client.rmdir('d'), status(FX.FAILURE), 'not empty');
    await assert.rejects(s.client.mkdir('d'), status(FX.FAILURE), 'exists');
    await s.client.mkdir('e');
    await s.client.rmdir('e');
    assert.equal(existsSync(join(s.root, 'e')), false);
    await assert.rejects(s.client.readdir('nowhere'), status(FX.NO_SUCH_FILE));
    await assert.rejects(s.client.stat('nowhere'), status(FX.NO_SUCH_FILE));
    assert.equal(s.server.openHandles, 0);
  } finally {
    s.close();
  }
});

test('remove, rename (refusing to overwrite), posix-rename, hardlink, symlink, readlink, realpath, setstat, statvfs', async () => {
  const s = await session();
  try {
    await s.client.writeFile('a', 'A');
    await s.client.writeFile('b', 'B');
    await assert.rejects(s.client.rename('a', 'b'), status(FX.FAILURE), 'RENAME does not overwrite');
    await s.client.rename('a', 'c');
    assert.equal(readFileSync(join(s.root, 'c'), 'utf8'), 'A');
    await s.client.rename('c', 'b', { overwrite: true });
    assert.equal(readFileSync(join(s.root, 'b'), 'utf8'), 'A');
    await s.client.hardlink('b', 'h');
    assert.equal(statSync(join(s.root, 'h')).nlink, 2);
    await s.client.symlink('b', 'link');
    assert.equal(readlinkSync(join(s.root, 'link')), 'b');
    assert.equal(await s.client.readlink('link'), 'b');
    assert.ok(isSymbolicLink(await s.client.lstat('link')));
    assert.equal((await s.client.stat('link')).size, 1);
    assert.equal(await s.client.realpath('.'), '/');
    assert.equal(await s.client.realpath('link'), '/b');
    assert.equal(await s.client.realpath('/../../b/.'), '/b');
    await assert.rejects(s.client.realpath('/x/../b'), status(FX.NO_SUCH_FILE), 'as POSIX: x must exist');
    await s.client.setstat('b', { permissions: 0o600 });
    assert.equal(statSync(join(s.root, 'b')).mode & 0o777, 0o600);
    await s.client.remove('link');
    assert.equal(existsSync(join(s.root, 'link')), false);
    await assert.rejects(s.client.remove('link'), status(FX.NO_SUCH_FILE));
    const vfs = await s.client.statvfs('/');
    assert.ok(vfs.bsize > 0 && vfs.blocks > 0);
    await assert.rejects(s.client.extended('nonsense@example.org'), status(FX.OP_UNSUPPORTED));
  } finally {
    s.close();
  }
});

test('setstat refuses owners by default, and clears setuid bits', async () => {
  const s = await session();
  try {
    await s.client.writeFile('f', 'x');
    await assert.rejects(s.client.setstat('f', { uid: 0, gid: 0 }), status(FX.PERMISSION_DENIED));
    await s.client.setstat('f', { permissions: 0o4755 });
    assert.equal(statSync(join(s.root, 'f')).mode & 0o7777, 0o755);
  } finally {
    s.close();
  }
});

test('pipelined READs are answered out of order yet each lands on its own request', async () => {
  const s = await session();
  try {
    const data = new Uint8Array(64 * 1024).map((_, i) => i % 251);
    writeFileSync(join(s.root, 'p'), data);
    const h = await s.client.open('p');
    const reads = [];
    for (let i = 63; i >= 0; i--) reads.push(s.client.read(h, i * 1024, 1024).then((d) => [i, d] as const));
    for (const [i, d] of await Promise.all(reads)) assert.deepEqual(new Uint8Array(d!), data.subarray(i * 1024, (i + 1) * 1024));
    await s.client.close(h);
  } finally {
    s.close();
  }
});

test('requests outstanding when the connection ends fail with SFTPConnectionLostError; later ones too', async () => {
  const s = await session();
  try {
    const pending = s.client.stat('.');
    s.clientTransport.loseConnection();
    await assert.rejects(pending, SFTPConnectionLostError);
    await assert.rejects(s.client.stat('.'), SFTPConnectionLostError);
    assert.ok(!lstatSync(s.root).isSymbolicLink());
  } finally {
    s.close();
  }
});

test('answers cut into small chunks: readFile and download take DATA in pieces, read() whole', async () => {
  const s = await session({ loopback: { chunkSize: 999 }, client: { readChunkSize: 8192 } });
  try {
    const data = new Uint8Array(200_003).map((_, i) => (i * 11) & 0xff);
    writeFileSync(join(s.root, 'f'), data);
    assert.deepEqual(new Uint8Array(await s.client.readFile('f')), data);
    const streamed = new Uint8Array(data.length);
    let calls = 0;
    const length = await s.client.download('f', (d, offset) => {
      calls++;
      streamed.set(d, offset);
    });
    assert.equal(length, data.length);
    assert.deepEqual(streamed, data);
    assert.ok(calls > data.length / 8192, 'answers handed over in several pieces each');
    const h = await s.client.open('f');
    assert.deepEqual(new Uint8Array((await s.client.read(h, 5000, 8192))!), data.subarray(5000, 13192));
    await s.client.close(h);
  } finally {
    s.close();
  }
});

test('readdir fails with SFTPLimitError past maxReaddirNames, and closes its handle', async () => {
  const s = await session({ client: { limits: { maxReaddirNames: 150 } } });
  try {
    for (let i = 0; i < 250; i++) writeFileSync(join(s.root, `f${i}`), '');
    await assert.rejects(s.client.readdir('/'), SFTPLimitError);
    assert.equal(s.server.openHandles, 0);
  } finally {
    s.close();
  }
});
