import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FX } from './constants.js';
import { SFTPStatusError } from './errors.js';
import { session } from './test-support/session.js';

const SECRET = 'secret outside the root';

function status(code: number) {
  return (e: unknown) => e instanceof SFTPStatusError && e.status === code;
}

/** A session whose root has a sibling `outside/` holding a secret file. */
async function jailed() {
  const s = await session();
  mkdirSync(join(s.dir, 'outside'));
  writeFileSync(join(s.dir, 'outside', 'secret'), SECRET);
  return s;
}

test('.. and absolute paths stop at the root', async () => {
  const s = await jailed();
  try {
    writeFileSync(join(s.root, 'inside'), 'in');
    for (const p of ['../outside/secret', '/../outside/secret', '../../../../outside/secret', 'a/../../outside/secret']) {
      await assert.rejects(s.client.readFile(p), status(FX.NO_SUCH_FILE), p);
    }
    assert.equal(new TextDecoder().decode(await s.client.readFile('/../../inside')), 'in');
    assert.equal(await s.client.realpath('..'), '/');
    assert.equal(await s.client.realpath('/../..'), '/');
    const names = (await s.client.readdir('/..')).map((e) => e.filename);
    assert.deepEqual(names, ['inside'], 'listing .. of the root lists the root');
    await assert.rejects(s.client.readFile('/etc/passwd'), status(FX.NO_SUCH_FILE));
    await s.client.writeFile('../escaped', 'x');
    assert.equal(existsSync(join(s.dir, 'escaped')), false, 'a write to ../ lands inside');
    assert.equal(existsSync(join(s.root, 'escaped')), true);
  } finally {
    s.close();
  }
});

test('a symbolic link inside the root pointing outside is resolved inside it, never followed out', async () => {
  const s = await jailed();
  try {
    symlinkSync(join(s.dir, 'outside', 'secret'), join(s.root, 'abs'));
    symlinkSync('../outside/secret', join(s.root, 'rel'));
    symlinkSync(join(s.dir, 'outside'), join(s.root, 'absdir'));
    symlinkSync('../outside', join(s.root, 'reldir'));
    for (const p of ['abs', 'rel', 'absdir/secret', 'reldir/secret']) {
      await assert.rejects(s.client.readFile(p), status(FX.NO_SUCH_FILE), `read ${p}`);
      await assert.rejects(s.client.stat(p), status(FX.NO_SUCH_FILE), `stat ${p}`);
      await assert.rejects(s.client.open(p, 'a'), (e: unknown) => e instanceof SFTPStatusError, `append ${p}`);
    }
    await assert.rejects(s.client.readdir('absdir'), status(FX.NO_SUCH_FILE));
    await assert.rejects(s.client.readdir('reldir'), status(FX.NO_SUCH_FILE));
    await assert.rejects(s.client.realpath('reldir'), status(FX.NO_SUCH_FILE));
    // Writing through a dangling link creates the file inside the root, where the link's target lands.
    await assert.rejects(s.client.writeFile('reldir/secret', 'x'), status(FX.NO_SUCH_FILE), 'no <root>/outside yet');
    await s.client.mkdir('outside');
    await s.client.writeFile('reldir/secret', 'overwritten?');
    assert.equal(readFileSync(join(s.dir, 'outside', 'secret'), 'utf8'), SECRET);
    assert.equal(readFileSync(join(s.root, 'outside', 'secret'), 'utf8'), 'overwritten?');
    // The links themselves may be looked at and removed.
    assert.equal(await s.client.readlink('rel'), '../outside/secret');
    await s.client.remove('rel');
    assert.equal(readFileSync(join(s.dir, 'outside', 'secret'), 'utf8'), SECRET);
  } finally {
    s.close();
  }
});

test('links are followed inside the root as under chroot: absolute targets start at the root', async () => {
  const s = await jailed();
  try {
    mkdirSync(join(s.root, 'docs'));
    writeFileSync(join(s.root, 'docs', 'a.txt'), 'A');
    symlinkSync('/docs', join(s.root, 'toDocs'));
    symlinkSync('docs/../docs/./a.txt', join(s.root, 'toA'));
    assert.equal(new TextDecoder().decode(await s.client.readFile('toDocs/a.txt')), 'A');
    assert.equal(new TextDecoder().decode(await s.client.readFile('toA')), 'A');
    assert.equal(await s.client.realpath('toDocs/a.txt'), '/docs/a.txt');
    symlinkSync('loop2', join(s.root, 'loop1'));
    symlinkSync('loop1', join(s.root, 'loop2'));
    await assert.rejects(s.client.readFile('loop1'), status(FX.NO_SUCH_FILE), 'a loop of links ends');
  } finally {
    s.close();
  }
});

test('SYMLINK creates relative links that stay inside; absolute or climbing targets are refused', async () => {
  const s = await jailed();
  try {
    await s.client.mkdir('sub');
    await s.client.writeFile('f', 'F');
    await s.client.symlink('../f', 'sub/up');
    assert.equal(new TextDecoder().decode(await s.client.readFile('sub/up')), 'F');
    for (const [target, link] of [
      ['/etc/passwd', 'l1'],
      [join(s.dir, 'outside', 'secret'), 'l2'],
      ['../outside/secret', 'l3'],
      ['../../f', 'sub/l4'],
      ['sub/../../outside', 'l5'],
    ] as const) {
      await assert.rejects(s.client.symlink(target, link), status(FX.PERMISSION_DENIED), target);
      assert.equal(existsSync(join(s.root, link)), false);
    }
    // A link to . and then a .. through it would lead a program on the host out: the second is refused.
    await s.client.symlink('.', 'here');
    await assert.rejects(s.client.symlink('here/../outside', 'l6'), status(FX.PERMISSION_DENIED));
  } finally {
    s.close();
  }
});

test('the root itself cannot be removed or renamed, and hard links stay inside', async () => {
  const s = await jailed();
  try {
    await assert.rejects(s.client.rmdir('/'), status(FX.PERMISSION_DENIED));
    await assert.rejects(s.client.rmdir('..'), status(FX.PERMISSION_DENIED));
    await assert.rejects(s.client.rename('/', 'x'), status(FX.PERMISSION_DENIED));
    await assert.rejects(s.client.hardlink('../outside/secret', 'stolen'), status(FX.NO_SUCH_FILE));
    assert.equal(existsSync(join(s.root, 'stolen')), false);
    await s.client.writeFile('mine', 'M');
    await s.client.rename('mine', '../../mine2');
    assert.equal(existsSync(join(s.root, 'mine2')), true);
  } finally {
    s.close();
  }
});

test('a directory swapped for a link to the outside between the check and the OPEN is caught after opening', async () => {
  const { renameSync } = await import('node:fs');
  const { RootFilesystem } = await import('./server/root-filesystem.js');
  /** Plays the local attacker: once the path is resolved, `dir` becomes a link to the outside. */
  class Racing extends RootFilesystem {
    override async resolve(path: string, followFinal: boolean) {
      const p = await super.resolve(path, followFinal);
      if (path.startsWith('dir/')) {
        const dir = join(p.real, '..');
        renameSync(dir, `${dir}.old`);
        symlinkSync(join(dir, '..', '..', 'outside'), dir);
      }
      return p;
    }
  }
  const s = await session({ filesystem: (root) => new Racing(root) });
  try {
    mkdirSync(join(s.dir, 'outside'));
    writeFileSync(join(s.dir, 'outside', 'secret'), SECRET);
    mkdirSync(join(s.root, 'dir'));
    writeFileSync(join(s.root, 'dir', 'secret'), 'inside');
    await assert.rejects(s.client.readFile('dir/secret'), status(FX.PERMISSION_DENIED));
    assert.equal(s.server.openHandles, 0);
  } finally {
    s.close();
  }
});

test('a path longer than maxPathLength is refused before it is walked', async () => {
  const s = await session({ fs: { maxPathLength: 100 } });
  try {
    await assert.rejects(s.client.stat('a/'.repeat(60)), status(FX.BAD_MESSAGE));
    await assert.rejects(s.client.stat('a/'.repeat(40)), status(FX.NO_SUCH_FILE), 'under the limit: walked, and missing');
  } finally {
    s.close();
  }
});
