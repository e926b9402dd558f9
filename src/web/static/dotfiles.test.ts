/**
 * `File` and dotfiles: `torsion web --path .` in a project folder served `/.git/config` and the chat's
 * database under `/var`; names starting with a dot are now hidden and refused unless asked for.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Site } from '../site.js';
import { File } from './file.js';

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'torsion-dotfiles-'));
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git', 'config'), '[remote "origin"] url = https://token@example.org/repo');
  writeFileSync(join(root, '.env'), 'PASSWORD=hunter2');
  mkdirSync(join(root, 'var'));
  mkdirSync(join(root, 'var', '.cache'));
  writeFileSync(join(root, 'var', '.cache', 'words.sqlite'), 'SQLite format 3');
  writeFileSync(join(root, 'index.txt'), 'public');
  mkdirSync(join(root, '.well-known'));
  writeFileSync(join(root, '.well-known', 'security.txt'), 'Contact: mailto:security@example.org');
  symlinkSync(join(root, '.env'), join(root, 'env-link'));
  symlinkSync(join(root, '.git'), join(root, 'git-link'));
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('File and dotfiles', () => {
  test('by default a dotfile, a dot-folder and anything under one answer 404, also through symlinks or encoded', async () => {
    const site = new Site(new File(root), { accessLog: false });
    for (const p of ['/.env', '/.git/config', '/.git/', '/.git', '/var/.cache/words.sqlite', '/%2egit/config', '/%2Eenv', '/env-link', '/git-link/config']) {
      const res = await site.request('GET', p);
      assert.equal(res.code, 404, p);
      assert.ok(!res.text.includes('hunter2') && !res.text.includes('token@') && !res.text.includes('SQLite'), p);
    }
    assert.equal((await site.request('GET', '/index.txt')).text, 'public');
  });

  test('listings leave dotfiles out; .well-known stays listed and served', async () => {
    const site = new Site(new File(root), { accessLog: false });
    const listing = await site.request('GET', '/');
    assert.equal(listing.code, 200);
    assert.ok(listing.text.includes('index.txt'));
    assert.ok(!listing.text.includes('.env') && !listing.text.includes('.git'), listing.text);
    assert.ok(listing.text.includes('href=".well-known/"'));
    assert.ok(!(await site.request('GET', '/var/')).text.includes('.cache'));
    const wk = await site.request('GET', '/.well-known/security.txt');
    assert.equal(wk.code, 200);
    assert.match(wk.text, /^Contact:/);
  });

  test('dotfiles: true lists and serves them', async () => {
    const site = new Site(new File(root, { dotfiles: true }), { accessLog: false });
    assert.equal((await site.request('GET', '/.env')).text, 'PASSWORD=hunter2');
    assert.equal((await site.request('GET', '/git-link/config')).code, 200);
    assert.equal((await site.request('GET', '/var/.cache/words.sqlite')).code, 200);
    assert.ok((await site.request('GET', '/')).text.includes('href=".env"'));
  });
});
