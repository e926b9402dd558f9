import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('examples/ssh/keys.ts: generates, saves, loads, fingerprints; the files are ones OpenSSH reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-example-keys-'));
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', 'examples/ssh/keys.ts', dir], { cwd: root, timeout: 60_000 }, (err, out, stderr) =>
        err ? reject(new Error(`keys.ts failed: ${err.message}\n${stderr}`)) : resolve(out),
      );
    });
    const lines = stdout.trim().split('\n');
    assert.match(lines[0], /^256 SHA256:[A-Za-z0-9+/]{43} example@torsion \(Ed25519\)$/);
    assert.deepEqual(lines.slice(1), ['same key: true', 'signature verifies: true', 'known host: true', 'impostor refused: TORSION_SSH_HOST_KEY_MISMATCH']);
    // The fingerprint is the one ssh-keygen prints for the saved public key, when it is installed.
    const keygen = spawnSync('ssh-keygen', ['-lf', join(dir, 'id_ed25519.pub')], { encoding: 'utf8' });
    if (keygen.status === 0) assert.equal(keygen.stdout.trim(), lines[0].replace(' (Ed25519)', ' (ED25519)'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
