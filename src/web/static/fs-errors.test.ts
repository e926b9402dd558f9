/**
 * `File` answers file system errors by what they mean instead of 404 for all: out of descriptors is 503
 * with Retry-After, refused access is 403, a missing file 404, anything else 500. The errors are injected
 * through the `fs` option (tests run as root, where chmod does not stop a read).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogs } from '../../logger/index.js';
import { Site } from '../site.js';
import { File } from './file.js';
import { nodeFileSystem, RETRY_AFTER_EMFILE, statusForFileError, type StaticFileSystem } from './fs.js';

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'torsion-fs-errors-'));
  writeFileSync(join(root, 'a.txt'), 'contents of a');
  mkdirSync(join(root, 'dir'));
  writeFileSync(join(root, 'dir', 'index.html'), 'the index');
});

after(() => rmSync(root, { recursive: true, force: true }));

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: injected`), { code });
}

/** The real disk, except that `op` fails with `code` for paths ending in `suffix`. */
function failing(op: keyof StaticFileSystem, code: string, suffix: string): StaticFileSystem {
  const fs = { ...nodeFileSystem };
  const real = nodeFileSystem[op] as (path: string) => Promise<unknown>;
  (fs as Record<string, unknown>)[op] = (path: string) => (path.endsWith(suffix) ? Promise.reject(errno(code)) : real(path));
  return fs;
}

async function get(fs: StaticFileSystem, path: string) {
  const site = new Site(new File(root, { fs }), { accessLog: false });
  let res!: Awaited<ReturnType<Site['request']>>;
  const events = await captureLogs(async () => {
    res = await site.request('GET', path);
  });
  return { res, events };
}

describe('File and file system errors', () => {
  test('statusForFileError: missing 404, refused 403, out of descriptors 503, the rest 500', () => {
    for (const code of ['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']) assert.equal(statusForFileError(errno(code)), 404, code);
    for (const code of ['EACCES', 'EPERM']) assert.equal(statusForFileError(errno(code)), 403, code);
    for (const code of ['EMFILE', 'ENFILE']) assert.equal(statusForFileError(errno(code)), 503, code);
    for (const code of ['EIO', 'EBADF']) assert.equal(statusForFileError(errno(code)), 500, code);
    assert.equal(statusForFileError(new Error('no code')), 500);
  });

  for (const op of ['stat', 'open'] as const) {
    test(`${op} failing with EMFILE or ENFILE answers 503 with Retry-After, and is logged`, async () => {
      for (const code of ['EMFILE', 'ENFILE']) {
        const { res, events } = await get(failing(op, code, 'a.txt'), '/a.txt');
        assert.equal(res.code, 503, code);
        assert.equal(res.headers['retry-after'], String(RETRY_AFTER_EMFILE));
        assert.equal(res.headers.etag, undefined, 'no validators on an error page');
        assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
        assert.ok(!res.text.includes('contents of a'));
        assert.ok(events.some((e) => e.log_level === 'warn' && String(e.error).includes(code)), code);
      }
    });

    test(`${op} failing with EACCES or EPERM answers 403`, async () => {
      for (const code of ['EACCES', 'EPERM']) {
        const { res } = await get(failing(op, code, 'a.txt'), '/a.txt');
        assert.equal(res.code, 403, code);
        assert.ok(!res.text.includes('contents of a'));
      }
    });

    test(`${op} failing with ENOENT or ENOTDIR still answers 404; EIO answers 500`, async () => {
      for (const code of ['ENOENT', 'ENOTDIR']) assert.equal((await get(failing(op, code, 'a.txt'), '/a.txt')).res.code, 404, code);
      assert.equal((await get(failing(op, 'EIO', 'a.txt'), '/a.txt')).res.code, 500);
    });
  }

  test('an index file that cannot be checked, or a listing that cannot be read, is not a 404 or a listing', async () => {
    const index = await get(failing('stat', 'EMFILE', 'index.html'), '/dir/');
    assert.equal(index.res.code, 503);
    const listing = await get(failing('readdir', 'EACCES', root), '/');
    assert.equal(listing.res.code, 403);
    const busy = await get(failing('readdir', 'EMFILE', root), '/');
    assert.equal(busy.res.code, 503);
  });

  test('HEAD opens nothing, so a failing open does not touch it', async () => {
    const site = new Site(new File(root, { fs: failing('open', 'EMFILE', 'a.txt') }), { accessLog: false });
    const res = await site.request('HEAD', '/a.txt');
    assert.equal(res.code, 200);
    assert.equal(res.headers['content-length'], '13');
  });
});
