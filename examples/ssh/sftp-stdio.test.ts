import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePeer } from 'torsion/testing';

const script = fileURLToPath(new URL('./sftp-stdio.ts', import.meta.url));

/** Runs OpenSSH's `sftp -b` against the example server over stdio (`sftp -D`), in `local` as working directory. */
function sftpBatch(root: string, local: string, batch: string): Promise<{ code: number | null; out: string; err: string }> {
  const sftp = requirePeer('sftp', 'openssh-client');
  const batchFile = join(local, 'batch.txt');
  writeFileSync(batchFile, batch);
  // `--import tsx` would be looked up from sftp's working directory: name the loader by its full URL.
  const server = `${process.execPath} --import ${import.meta.resolve('tsx')} ${script} ${root}`;
  const child = spawn(sftp, ['-b', batchFile, '-D', server], {
    cwd: local,
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=torsion-source`.trim() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, out, err }))));
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-sftp-cli-'));
  const root = join(dir, 'root');
  const local = join(dir, 'local');
  const outside = join(dir, 'outside');
  for (const d of [root, local, outside]) mkdirSync(d);
  writeFileSync(join(outside, 'secret'), 'outside the root');
  return { dir, root, local, outside, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

test("OpenSSH's sftp client (batch mode, sftp -D) against examples/ssh/sftp-stdio.ts: put, get, ls, rename, rm, mkdir, rmdir, chmod, ln, df", { timeout: 60_000 }, async () => {
  const t = setup();
  try {
    const payload = Buffer.alloc(300_000).map((_, i) => (i * 13) & 0xff);
    writeFileSync(join(t.local, 'up.bin'), payload);
    const r = await sftpBatch(
      t.root,
      t.local,
      [
        'pwd',
        'mkdir docs',
        'put up.bin docs/up.bin',
        'ls -l docs',
        'chmod 600 docs/up.bin',
        'ln docs/up.bin docs/hard.bin',
        'ln -s up.bin docs/soft.bin',
        'get docs/soft.bin via-link.bin',
        'df /',
        'rename docs/up.bin docs/moved.bin',
        'get docs/moved.bin down.bin',
        'mkdir empty',
        'rmdir empty',
        'rm docs/moved.bin',
        'ls',
        '',
      ].join('\n'),
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Remote working directory: \/\n/);
    assert.match(r.out, /-rw-r--r-- .* 300000 .* up\.bin/);
    assert.deepEqual(readFileSync(join(t.local, 'down.bin')), payload);
    assert.deepEqual(readFileSync(join(t.local, 'via-link.bin')), payload, 'a relative link inside the root is followed');
    assert.equal(statSync(join(t.root, 'docs', 'hard.bin')).mode & 0o777, 0o600, 'chmod, and a hard link (hardlink@openssh.com) to the same file');
    assert.match(r.out, /Size +Used +Avail/, 'df (statvfs@openssh.com)');
    assert.equal(existsSync(join(t.root, 'docs', 'moved.bin')), false);
    assert.equal(existsSync(join(t.root, 'empty')), false);
    assert.equal(existsSync(join(t.root, 'docs')), true);
  } finally {
    t.remove();
  }
});

test('escapes through sftp fail: cd .. beyond the root, get /etc/passwd, a symbolic link pointing out, ln -s out', { timeout: 60_000 }, async () => {
  const t = setup();
  try {
    writeFileSync(join(t.root, 'inside.txt'), 'in');
    symlinkSync(join(t.outside, 'secret'), join(t.root, 'abs-link'));
    symlinkSync('../outside/secret', join(t.root, 'rel-link'));
    symlinkSync('../outside', join(t.root, 'dir-link'));
    // `-` keeps a batch going after a command fails, so each attempt is tried and reported.
    const r = await sftpBatch(
      t.root,
      t.local,
      [
        'cd ../../..',
        'pwd',
        'ls',
        '-get /etc/passwd passwd',
        '-get ../outside/secret s1',
        '-get abs-link s2',
        '-get rel-link s3',
        '-get dir-link/secret s4',
        '-cd dir-link',
        '-ln -s /etc/passwd made-link',
        '-ln -s ../outside/secret made-link2',
        '-put batch.txt dir-link/planted',
        '',
      ].join('\n'),
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Remote working directory: \/\n/, 'cd .. stays at the root');
    assert.match(r.out, /inside\.txt/);
    for (const f of ['passwd', 's1', 's2', 's3', 's4']) assert.equal(existsSync(join(t.local, f)), false, `${f} was not downloaded`);
    assert.match(r.err, /passwd.*not found/i);
    assert.equal(existsSync(join(t.root, 'made-link')), false);
    assert.equal(existsSync(join(t.root, 'made-link2')), false);
    assert.equal(existsSync(join(t.outside, 'planted')), false);
    assert.equal(readFileSync(join(t.outside, 'secret'), 'utf8'), 'outside the root');

    const strict = await sftpBatch(t.root, t.local, 'get /etc/passwd passwd\n');
    assert.notEqual(strict.code, 0, 'without "-", the failed get fails the batch');
  } finally {
    t.remove();
  }
});
