import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(file: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', `examples/db/${file}`, ...args], { cwd: root, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} failed: ${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

test('examples/db/accounts.ts commits, rolls back, and leaves the right balances on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-example-db-'));
  try {
    const filename = join(dir, 'bank.sqlite');
    const { stdout } = await run('accounts.ts', filename);
    assert.equal(
      stdout,
      [
        'opened 2 accounts: alice=100 bob=20',
        'alice -> bob 30: committed, alice has 70 left: alice=70 bob=50',
        'bob -> alice 500: rolled back (bob has 50, needs 500)',
        'after the rollback: alice=70 bob=50',
        'duplicate account refused: SQLITE_CONSTRAINT_PRIMARYKEY',
        '',
      ].join('\n'),
    );
    const db = new Database(filename, { readonly: true });
    assert.deepEqual(db.prepare('SELECT owner, balance FROM accounts ORDER BY owner').all(), [
      { owner: 'alice', balance: 70 },
      { owner: 'bob', balance: 50 },
    ]);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
