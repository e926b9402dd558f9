import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, utimesSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs script with no type declarations
import { isStale } from './build-if-stale.mjs';

test('a build is stale when missing or older than a source, current otherwise', () => {
  const root = mkdtempSync(join(tmpdir(), 'build-if-stale-'));
  try {
    mkdirSync(join(root, 'src', 'web'), { recursive: true });
    writeFileSync(join(root, 'src', 'web', 'site.ts'), '');
    writeFileSync(join(root, 'package.json'), '{}');
    assert.equal(isStale(root), true, 'no dist yet');
    mkdirSync(join(root, 'dist'));
    const info = join(root, 'dist', '.tsbuildinfo');
    writeFileSync(info, '');
    const past = new Date(Date.now() - 60_000);
    for (const p of ['src', 'src/web', 'src/web/site.ts', 'package.json']) utimesSync(join(root, p), past, past);
    assert.equal(isStale(root), false, 'nothing changed since the build');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'src', 'web', 'site.ts'), later, later);
    assert.equal(isStale(root), true, 'a source edited after the build');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
