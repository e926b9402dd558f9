import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FTPFileSystemError, FTPPathError, FTPPermissionDenied } from '../errors.js';
import type { IConsumer } from '../../internet/interfaces.js';
import { resolvePath } from '../paths.js';
import { BLOCKING_WRITE_LIMIT, FilesystemShell, TempFileWriter, UPLOAD_PREFIX, type BlockingWrites } from './filesystem-shell.js';

let base: string;
let root: string;

before(() => {
  base = mkdtempSync(join(tmpdir(), 'torsion-ftp-shell-'));
  root = join(base, 'root');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(base, 'secret.txt'), 'outside');
  writeFileSync(join(root, 'in.txt'), 'inside');
  symlinkSync(join(base, 'secret.txt'), join(root, 'out-link'));
  symlinkSync(base, join(root, 'out-dir'));
  symlinkSync(join(root, 'in.txt'), join(root, 'in-link'));
});

after(() => rmSync(base, { recursive: true, force: true }));

async function read(shell: FilesystemShell, path: string[], offset = 0): Promise<string> {
  const file = await shell.openForReading(path);
  const chunks: Uint8Array[] = [];
  const consumer: IConsumer = { registerProducer: () => undefined, unregisterProducer: () => undefined, write: (d) => void chunks.push(Buffer.from(d as Uint8Array)) };
  await file.send(consumer, offset);
  return Buffer.concat(chunks).toString();
}

async function rejects(p: PromiseLike<unknown>, code: number): Promise<void> {
  await assert.rejects(Promise.resolve(p), (e: unknown) => e instanceof FTPFileSystemError && e.replyCode === code);
}

describe('FilesystemShell confinement', () => {
  test('paths clients send cannot climb out: .., absolute, backslashes', async () => {
    const shell = new FilesystemShell(root);
    for (const path of ['../secret.txt', '/../../secret.txt', '..\\secret.txt', 'sub/../../secret.txt']) {
      await rejects(shell.stat(resolvePath([], path)), 550);
    }
    assert.equal(await read(shell, resolvePath(['sub'], '../../in.txt')), 'inside');
  });

  test('segments that are not plain names are refused', async () => {
    const shell = new FilesystemShell(root);
    for (const bad of [['..'], ['.'], [''], ['a/b'], ['a\\b'], ['a\0b'], ['sub', '..', '..']]) await assert.rejects(Promise.resolve(shell.stat(bad)), FTPPathError, JSON.stringify(bad));
  });

  test('a symlink leading out of the root is neither read, listed, followed nor written through', async () => {
    const shell = new FilesystemShell(root);
    await rejects(shell.openForReading(['out-link']), 550);
    await rejects(shell.stat(['out-dir', 'secret.txt']), 550);
    await rejects(shell.list(['out-dir']), 550);
    await rejects(shell.openForWriting(['out-dir', 'planted.txt']), 550);
    await rejects(shell.makeDirectory(['out-dir', 'planted']), 550);
    const names = (await shell.list([])).map((f) => f.name).sort();
    assert.deepEqual(names, ['in-link', 'in.txt', 'sub']);
    assert.equal(await read(shell, ['in-link']), 'inside');
    assert.deepEqual(readdirSync(base).sort(), ['root', 'secret.txt']);
  });

  test('a root that is itself reached through a symlink works', async () => {
    const linkRoot = join(base, 'root-link');
    symlinkSync(root, linkRoot);
    const shell = new FilesystemShell(linkRoot);
    assert.equal(await read(shell, ['in.txt']), 'inside');
    await rejects(shell.openForReading(['out-link']), 550);
  });
});

describe('FilesystemShell uploads', () => {
  test('an upload is invisible under its name until finished, then renamed into place', async () => {
    const shell = new FilesystemShell(root);
    writeFileSync(join(root, 'doc.txt'), 'old');
    const upload = await shell.openForWriting(['doc.txt']);
    await upload.write(Buffer.from('new '));
    await upload.write(Buffer.from('content'));
    assert.equal(readFileSync(join(root, 'doc.txt'), 'utf8'), 'old');
    assert.ok(readdirSync(root).some((n) => n.startsWith(UPLOAD_PREFIX)));
    assert.ok(!(await shell.list([])).some((f) => f.name.startsWith(UPLOAD_PREFIX)), 'temporaries are not listed');
    await upload.finish();
    assert.equal(readFileSync(join(root, 'doc.txt'), 'utf8'), 'new content');
    assert.ok(!readdirSync(root).some((n) => n.startsWith(UPLOAD_PREFIX)));
  });

  test('chunks written without waiting (gathered into writev batches) land whole and in order', async () => {
    const shell = new FilesystemShell(root);
    const upload = await shell.openForWriting(['many.bin']);
    const chunks = Array.from({ length: 3000 }, (_, i) => Buffer.alloc(1 + ((i * 7919) % 5000), i & 255));
    await Promise.all(chunks.map((c) => upload.write(c).asPromise()));
    await upload.finish();
    assert.ok(readFileSync(join(root, 'many.bin')).equals(Buffer.concat(chunks)));
  });

  test('an aborted upload leaves the old file and no temporary', async () => {
    const shell = new FilesystemShell(root);
    writeFileSync(join(root, 'keep.txt'), 'keep me');
    const upload = await shell.openForWriting(['keep.txt']);
    await upload.write(Buffer.from('half'));
    await upload.abort();
    assert.equal(readFileSync(join(root, 'keep.txt'), 'utf8'), 'keep me');
    assert.ok(!readdirSync(root).some((n) => n.startsWith(UPLOAD_PREFIX)));
  });

  test('append and resume start from a copy; a resume offset past the end is 554', async () => {
    const shell = new FilesystemShell(root);
    writeFileSync(join(root, 'log.txt'), 'abc');
    let upload = await shell.openForWriting(['log.txt'], { append: true });
    await upload.write(Buffer.from('def'));
    assert.equal(readFileSync(join(root, 'log.txt'), 'utf8'), 'abc');
    await upload.finish();
    assert.equal(readFileSync(join(root, 'log.txt'), 'utf8'), 'abcdef');
    upload = await shell.openForWriting(['log.txt'], { offset: 2 });
    await upload.write(Buffer.from('X'));
    await upload.finish();
    assert.equal(readFileSync(join(root, 'log.txt'), 'utf8'), 'abX');
    await rejects(shell.openForWriting(['log.txt'], { offset: 99 }), 554);
    assert.equal(await read(shell, ['log.txt'], 1), 'bX');
  });

  test('names reserved for temporaries cannot be written; uniqueName finds a free one', async () => {
    const shell = new FilesystemShell(root);
    await assert.rejects(Promise.resolve(shell.openForWriting([`${UPLOAD_PREFIX}x`])), FTPPathError);
    assert.equal(await shell.uniqueName([], 'in.txt'), 'in.txt.1');
    assert.equal(await shell.uniqueName([], 'fresh'), 'fresh');
  });
});

describe('FilesystemShell changes', () => {
  test('mkdir, rename, delete, rmdir; errors map to reply codes', async () => {
    const shell = new FilesystemShell(root);
    await shell.makeDirectory(['made']);
    await rejects(shell.makeDirectory(['made']), 550);
    writeFileSync(join(root, 'made', 'f'), 'x');
    await rejects(shell.removeDirectory(['made']), 550);
    await shell.rename(['made', 'f'], ['g']);
    await shell.removeDirectory(['made']);
    await rejects(shell.removeFile(['sub']), 550);
    await shell.removeFile(['g']);
    await rejects(shell.removeFile(['g']), 550);
    await rejects(shell.removeDirectory([]), 550);
    await rejects(shell.openForReading(['sub']), 550);
  });

  test('a read-only shell refuses every change', async () => {
    const shell = new FilesystemShell(root, { readOnly: true });
    for (const change of [() => shell.openForWriting(['x']), () => shell.makeDirectory(['x']), () => shell.removeDirectory(['sub']), () => shell.removeFile(['in.txt']), () => shell.rename(['in.txt'], ['y'])]) {
      await assert.rejects(Promise.resolve(change()), FTPPermissionDenied);
    }
    assert.equal(await read(shell, ['in.txt']), 'inside');
  });
});

describe('TempFileWriter', () => {
  test('one write at a time, each gathering what arrived meanwhile up to 256 KiB, in order', async () => {
    // A handle that holds every write until the test lets it finish, recording how many ran at once.
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const out = Buffer.alloc(2 * 1024 * 1024);
    const held: Array<() => void> = [];
    const writeAt = (chunks: readonly Uint8Array[], position: number): Promise<{ bytesWritten: number }> => {
      running++;
      most = Math.max(most, running);
      let n = 0;
      for (const c of chunks) {
        out.set(c, position + n);
        n += c.length;
      }
      sizes.push(n);
      return new Promise((resolve) =>
        held.push(() => {
          running--;
          resolve({ bytesWritten: n });
        }),
      );
    };
    const handle = {
      write: (b: Uint8Array, _o: number, length: number, position: number) => writeAt([b.subarray(0, length)], position),
      writev: (bs: Uint8Array[], position: number) => writeAt(bs, position),
      close: async () => undefined,
    } as unknown as ConstructorParameters<typeof TempFileWriter>[0];
    const writer = new TempFileWriter(handle, '/nonexistent/temp', '/nonexistent/target', 0);
    const chunks = Array.from({ length: 24 }, (_, i) => Buffer.alloc(64 * 1024, i));
    let done = false;
    const all = Promise.all(chunks.map((c) => writer.write(c).asPromise())).then(() => (done = true));
    for (let turns = 0; !done && turns < 1000; turns++) {
      await new Promise((r) => setImmediate(r));
      held.shift()?.();
    }
    await all;
    assert.equal(most, 1, 'never more than one write in flight');
    assert.deepEqual(sizes, [64 * 1024, 256 * 1024, 256 * 1024, 256 * 1024, 256 * 1024, 256 * 1024, 192 * 1024]);
    assert.ok(out.subarray(0, 24 * 64 * 1024).equals(Buffer.concat(chunks)));
  });
});

describe('TempFileWriter.writeNow', () => {
  /** A writer over an in-memory file: queued writes wait for `release`, blocking ones land at once. */
  function writer(blocking: Partial<BlockingWrites> = {}) {
    const out = Buffer.alloc(1024 * 1024);
    const held: Array<() => void> = [];
    const at = (chunks: readonly Uint8Array[], position: number): Promise<{ bytesWritten: number }> => {
      let n = 0;
      for (const c of chunks) {
        out.set(c, position + n);
        n += c.length;
      }
      return new Promise((resolve) => held.push(() => resolve({ bytesWritten: n })));
    };
    const handle = {
      fd: -1,
      write: (b: Uint8Array, _o: number, length: number, position: number) => at([b.subarray(0, length)], position),
      writev: (bs: Uint8Array[], position: number) => at(bs, position),
      close: async () => undefined,
    } as unknown as ConstructorParameters<typeof TempFileWriter>[0];
    let clock = 0;
    const w = new TempFileWriter(handle, '/nonexistent/temp', '/nonexistent/target', 0, {
      writeSync: (_fd, data, offset, length, position) => {
        out.set(data.subarray(offset, offset + length), position);
        return length;
      },
      now: () => clock,
      ...blocking,
    });
    return { w, out, held, tick: (s: number) => (clock += s) };
  }

  test('writes at once; declines while a queued write runs, so the bytes stay in order', async () => {
    const { w, out, held } = writer();
    assert.equal(w.writeNow(Buffer.from('aa')), true);
    const queued = w.write(Buffer.from('bb'));
    assert.equal(w.writeNow(Buffer.from('cc')), false, 'a queued write is running');
    held.shift()!();
    await queued;
    await new Promise((r) => setImmediate(r));
    assert.equal(w.writeNow(Buffer.from('cc')), true);
    assert.equal(out.subarray(0, 6).toString(), 'aabbcc');
  });

  test('after one write slower than BLOCKING_WRITE_LIMIT it declines for the rest of the upload', () => {
    let slowNext = false;
    const { w, tick } = writer({
      writeSync: (_fd, _d, _o, length) => {
        if (slowNext) tick(BLOCKING_WRITE_LIMIT * 2);
        return length;
      },
    });
    assert.equal(w.writeNow(Buffer.alloc(10)), true);
    assert.equal(w.writeNow(Buffer.alloc(10)), true, 'a fast write changes nothing');
    slowNext = true;
    assert.equal(w.writeNow(Buffer.alloc(10)), true, 'the slow write itself is done');
    slowNext = false;
    assert.equal(w.writeNow(Buffer.alloc(10)), false);
  });

  test('a disk error is kept for finish: 552 for a full disk', async () => {
    const { w } = writer({
      writeSync: () => {
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      },
    });
    assert.equal(w.writeNow(Buffer.alloc(10)), true);
    await assert.rejects(w.finish().asPromise(), (e: unknown) => e instanceof FTPFileSystemError && e.replyCode === 552);
  });
});
