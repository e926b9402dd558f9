/**
 * The browser code's compiler: the prebuilt runtime is served without esbuild; widget modules need esbuild,
 * an optional peer, and its absence is an error naming the package.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EsbuildNotInstalledError, loadEsbuild } from './esbuild.js';
import { bundleRuntime, createModuleCompiler } from './modules.js';

const WIDGET = new URL('./test-support/badge.client.ts', import.meta.url);
const notFound = (): Error => Object.assign(new Error("Cannot find package 'esbuild'"), { code: 'ERR_MODULE_NOT_FOUND' });

/** A loader standing for an install without esbuild, counting how often it was asked. */
function missingEsbuild() {
  const calls = { count: 0 };
  const load = () => {
    calls.count++;
    return loadEsbuild(() => Promise.reject(notFound()));
  };
  return { calls, load };
}

describe('loadEsbuild', () => {
  test('a missing esbuild package is an EsbuildNotInstalledError naming the package', async () => {
    const missing = notFound();
    const e = await loadEsbuild(() => Promise.reject(missing)).then(
      () => assert.fail('expected a failure'),
      (err: unknown) => err as EsbuildNotInstalledError,
    );
    assert.ok(e instanceof EsbuildNotInstalledError);
    assert.equal(e.code, 'TORSION_LIVE_ESBUILD_NOT_INSTALLED');
    assert.equal(e.packageName, 'esbuild');
    assert.match(e.message, /npm install esbuild/);
    assert.equal(e.cause, missing);
  });

  test('other import failures (a broken install) pass through unchanged', async () => {
    const broken = new Error('The package "@esbuild/linux-x64" could not be found');
    await assert.rejects(loadEsbuild(() => Promise.reject(broken)), (e) => e === broken);
  });

  test('esbuild is found as named exports or as a default export', async () => {
    const build = async () => ({ outputFiles: [] });
    assert.equal((await loadEsbuild(async () => ({ build }))).build, build);
    assert.equal((await loadEsbuild(async () => ({ default: { build } }))).build, build);
  });
});

describe('createModuleCompiler', () => {
  let dir: string;
  let bundle: URL;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'torsion-live-runtime-'));
    bundle = pathToFileURL(join(dir, 'client-runtime.js'));
    // What `npm run build` does (scripts/build-live-runtime.mjs), with the esbuild of the dev install.
    await writeFile(bundle, await bundleRuntime());
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the build bundles the runtime into one self-contained ES module', async () => {
    const code = await bundleRuntime();
    assert.match(code, /export\s*\{[^}]*\bconnect\b/);
    assert.match(code, /export\s*\{[^}]*\bWidget\b/);
    assert.doesNotMatch(code, /^\s*import\s/m, 'no imports left for the browser to resolve');
  });

  test('with the prebuilt runtime and no esbuild installed, the runtime is served and esbuild never loaded', async () => {
    const { calls, load } = missingEsbuild();
    const compiler = createModuleCompiler({ runtimeBundle: bundle, loadEsbuild: load });
    const served = await compiler.compileRuntime();
    assert.equal(served, await bundleRuntime());
    assert.equal(calls.count, 0);
  });

  test('without esbuild, compiling a widget module fails with the error naming the package, and is retried later', async () => {
    const { calls, load } = missingEsbuild();
    const compiler = createModuleCompiler({ runtimeBundle: bundle, loadEsbuild: load });
    await assert.rejects(compiler.compileWidgetModule(WIDGET), (e) => e instanceof EsbuildNotInstalledError && /"esbuild"/.test(e.message));
    await assert.rejects(compiler.compileWidgetModule(WIDGET), EsbuildNotInstalledError);
    assert.equal(calls.count, 2, 'a failure is not cached: installing esbuild later needs no restart');
  });

  test('without a prebuilt runtime (running from the sources) the runtime needs esbuild too', async () => {
    const { load } = missingEsbuild();
    const compiler = createModuleCompiler({ runtimeBundle: pathToFileURL(join(dir, 'absent.js')), loadEsbuild: load });
    await assert.rejects(compiler.compileRuntime(), EsbuildNotInstalledError);
  });

  test('with esbuild, widget modules import the runtime by its bare specifier instead of bundling it', async () => {
    const compiler = createModuleCompiler({ runtimeBundle: bundle });
    const module = await compiler.compileWidgetModule(WIDGET);
    assert.match(module, /from\s*"torsion\/live\/client"/);
    assert.ok(!module.includes('class Widget'));
    assert.equal(await compiler.compileWidgetModule(WIDGET.href), module);
  });
});
