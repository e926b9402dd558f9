/**
 * `torsion web` as a new user runs it in a project folder: it logs the URL to open and keeps `.git` and
 * other dotfiles to itself unless `--dotfiles` is given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const main = new URL('../cli/main.ts', import.meta.url).pathname;

function get(port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

/** Runs `torsion web ARGS`, waits for the URL it logs, calls `check` with the port, then stops it. */
async function withWeb(args: string[], check: (port: number, log: () => string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'web', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        const url = /open http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
        if (url) resolve(Number(url[1]));
      });
      child.once('exit', (code) => reject(new Error(`torsion web exited with ${code}:\n${log}`)));
    });
    await check(port, () => log);
  } finally {
    child.kill('SIGKILL');
  }
}

test('torsion web in a project folder: logs the URL to open, hides .git and other dotfiles unless --dotfiles', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-web-dotfiles-'));
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git', 'config'), '[core]\n');
  mkdirSync(join(dir, 'var'));
  writeFileSync(join(dir, 'var', '.words.sqlite'), 'SQLite format 3');
  writeFileSync(join(dir, 'README.md'), '# hello');
  try {
    await withWeb(['--listen', 'tcp:0:interface=127.0.0.1', '--path', dir], async (port, log) => {
      assert.match(log(), new RegExp(`serving ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.equal((await get(port, '/.git/config')).status, 404);
      assert.equal((await get(port, '/var/.words.sqlite')).status, 404);
      const listing = await get(port, '/');
      assert.equal(listing.status, 200);
      assert.ok(listing.body.toString().includes('README.md'));
      assert.ok(!listing.body.toString().includes('.git'));
    });
    await withWeb(['--listen', 'tcp:0:interface=127.0.0.1', '--path', dir, '--dotfiles'], async (port) => {
      const config = await get(port, '/.git/config');
      assert.equal(config.status, 200);
      assert.equal(config.body.toString(), '[core]\n');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
