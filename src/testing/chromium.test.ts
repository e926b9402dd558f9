// Without playwright-core installed, torsion/testing/chromium and torsion/live/testing still load, and
// launching Chromium fails with an error naming the package. The child process below cannot resolve
// playwright-core: a loader hook resolves it from a directory where no package is installed, so Node
// itself reports it missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

const HIDE_PLAYWRIGHT = `
export async function resolve(specifier, context, next) {
  if (specifier === 'playwright-core' || specifier.startsWith('playwright-core/')) {
    return next(specifier, { ...context, parentURL: 'file:///torsion-test-no-packages/index.mjs' });
  }
  return next(specifier, context);
}`;

const SCRIPT = `
const { PackageMissingError } = await import('torsion/testing');
const { launchChromium } = await import('torsion/testing/chromium');
const { LiveHarness } = await import('torsion/live/testing');
const results = [];
for (const attempt of [() => launchChromium(), () => LiveHarness.start({})]) {
  try {
    await attempt();
    results.push('started');
  } catch (e) {
    results.push({ missing: e instanceof PackageMissingError, code: e.code, packageName: e.packageName, message: e.message });
  }
}
console.log(JSON.stringify(results));
`;

test('without playwright-core, the Chromium helpers load, and launching fails naming the package; nothing is left running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-no-playwright-'));
  try {
    const hook = join(dir, 'hide-playwright.mjs');
    writeFileSync(join(dir, 'hooks.mjs'), HIDE_PLAYWRIGHT);
    writeFileSync(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL('hooks.mjs', `file://${dir}/`).href)});\n`);
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--conditions=torsion-source', '--import', 'tsx', '--import', hook, '--input-type=module', '-e', SCRIPT],
        { cwd: repo, timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout })),
      );
    });
    const results = JSON.parse(stdout.trim().split('\n').at(-1)!) as { missing: boolean; code: string; packageName: string; message: string }[];
    assert.equal(results.length, 2);
    for (const r of results) {
      assert.equal(r.missing, true, JSON.stringify(r));
      assert.equal(r.code, 'TORSION_PACKAGE_MISSING');
      assert.equal(r.packageName, 'playwright-core');
      assert.match(r.message, /npm install --save-dev playwright-core/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
