import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

test('examples/ftp: alice and bob get their own homes, guests read pub; the server stops on SIGTERM', async () => {
  const root = mkdtempSync(join(tmpdir(), 'torsion-ftp-example-'));
  const server = spawn(process.execPath, ['--import', 'tsx', here('./server.ts'), root, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
    const m = /^ftp server on 127\.0\.0\.1:(\d+)$/.exec((await lines.next()).value as string);
    assert.ok(m);
    const client = (user: string, password: string) => spawnSync(process.execPath, ['--import', 'tsx', here('./client.ts'), '127.0.0.1', m[1], user, password], { encoding: 'utf8', timeout: 60_000 });
    const alice = client('alice', 'secret');
    assert.equal(alice.status, 0, alice.stderr);
    assert.deepEqual(alice.stdout.trim().split('\n'), ['file     17 note.txt', 'note.txt says: written by alice']);
    assert.equal(readFileSync(join(root, 'home', 'alice', 'note.txt'), 'utf8'), 'written by alice\n');
    const bob = client('bob', 'hunter2');
    assert.equal(bob.status, 0, bob.stderr);
    assert.equal(readFileSync(join(root, 'home', 'bob', 'note.txt'), 'utf8'), 'written by bob\n');
    const guest = client('anonymous', 'guest@');
    assert.notEqual(guest.status, 0);
    assert.match(guest.stderr, /550 Permission denied/);
    assert.equal((await lines.next()).value, 'alice logged out');
    const exited = new Promise<number | null>((r) => server.on('exit', (code) => r(code)));
    server.kill('SIGTERM');
    let last: string | undefined;
    for (let next = await lines.next(); !next.done; next = await lines.next()) last = next.value;
    assert.equal(last, 'ftp server stopped');
    assert.equal(await exited, 0);
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});
