/**
 * `torsion review` as a user runs it: the one command serves the board, a tile, the export, and stops on
 * SIGTERM; the labels it stored are there when it starts again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionPool } from 'torsion/db';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;

async function run(data: string, check: (base: string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'review', '--listen', 'tcp:0:interface=127.0.0.1', '--data', data, '--tiles', '9', '--seed', '5'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  try {
    const base = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        const m = /open (http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`torsion review exited with ${code}:\n${log}`)));
    });
    await check(base);
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, `torsion review stops cleanly on SIGTERM:\n${log}`);
  }
}

test('torsion review serves the board, its tiles and the export, and keeps labels across restarts', { timeout: 110_000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), 'torsion-review-cli-'));
  try {
    await run(data, async (base) => {
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /input name="reviewer"/);
      const tile = await fetch(`${base}/tiles/8.png`);
      assert.equal(tile.status, 200);
      assert.equal(tile.headers.get('content-type'), 'image/png');
      assert.match(tile.headers.get('cache-control') ?? '', /max-age/);
      const etag = tile.headers.get('etag')!;
      assert.equal((await fetch(`${base}/tiles/8.png`, { headers: { 'if-none-match': etag } })).status, 304);
      const part = await fetch(`${base}/tiles/8.png`, { headers: { range: 'bytes=0-7' } });
      assert.equal(part.status, 206);
      assert.deepEqual([...new Uint8Array(await part.arrayBuffer())], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.equal((await fetch(`${base}/tiles/9.png`)).status, 404, 'no tile beyond the slide');
      assert.equal(await (await fetch(`${base}/export.csv`)).text(), 'tile,reviewer,label,time,prediction\r\n');
    });
    // A label stored by an earlier run (written straight into its database) is exported by the next one.
    const pool = new ConnectionPool('sqlite', { filename: join(data, 'labels-5-9.sqlite'), min: 1, max: 1 });
    await pool.runOperation('INSERT INTO labels (tile, reviewer, label, time) VALUES (?, ?, ?, ?)', [4, 'dana', 'stroma', '2026-12-05T10:00:00.000Z']);
    await pool.close();
    await run(data, async (base) => {
      const csv = await (await fetch(`${base}/export.csv`)).text();
      assert.match(csv, /^tile,reviewer,label,time,prediction\r\n4,dana,stroma,2026-12-05T10:00:00\.000Z,(tumor|stroma|normal)?\r\n$/);
    });
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});
