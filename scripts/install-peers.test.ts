// Runs install-peers.sh against stand-in dpkg/apt-get programs, so the failure path is exercised without
// touching the machine's packages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = new URL('./install-peers.sh', import.meta.url).pathname;

function stubs(aptInstall: string): { dir: string; calls: string } {
  const dir = mkdtempSync(join(tmpdir(), 'install-peers-'));
  const calls = join(dir, 'calls.log');
  const stub = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >> ${calls}\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  stub('id', 'echo 0');
  stub('dpkg-query', 'exit 1');
  stub('dpkg', 'exit 0');
  stub('apt-get', `case "$1" in install) ${aptInstall} ;; *) exit 0 ;; esac`);
  return { dir, calls };
}

function run(dir: string) {
  return spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
}

test('a failed apt-get install shows apt\'s own error, after dpkg --configure -a', () => {
  const { dir, calls } = stubs('echo "E: dpkg was interrupted; the real cause: broken-pkg postinst"; exit 100');
  try {
    const r = run(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the real cause: broken-pkg postinst/);
    const order = readFileSync(calls, 'utf8').split('\n').filter((l) => /^(dpkg|apt-get) /.test(l));
    assert.deepEqual(order.map((l) => l.split(' ').slice(0, 2).join(' ')), ['dpkg --configure', 'apt-get update', 'apt-get install']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a successful install stays quiet about apt and exits 0', () => {
  const { dir } = stubs('echo "Setting up chatter"; exit 0');
  try {
    const r = run(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /Setting up chatter/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
