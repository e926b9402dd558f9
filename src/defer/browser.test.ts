import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

test('torsion/defer bundles for the browser with no Node imports, and runs in a bare JavaScript context', async () => {
  const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
  const nodeImports: string[] = [];
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: 'torsionDefer',
    logLevel: 'silent',
    plugins: [
      {
        name: 'no-node',
        setup(b) {
          b.onResolve({ filter: /^(node:|fs$|path$|os$|net$|child_process$)/ }, (args) => {
            nodeImports.push(`${args.path} (from ${args.importer})`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  assert.deepEqual(nodeImports, []);
  const code = result.outputFiles[0].text;
  const printed: string[] = [];
  // No process, no require, no Buffer: only what a browser page has (console, timers aside).
  const context: Record<string, unknown> = { console: { error: (...a: unknown[]) => printed.push(a.join(' ')) } };
  runInNewContext(`${code}\nglobalThis.torsionDefer = torsionDefer;`, context);
  const lib = context.torsionDefer as typeof import('./index.js');
  const d = lib.succeed(20).addCallback((n: number) => n + 1).addCallback((n: number) => n * 2);
  assert.equal(d.result, 42);
  const gathered = lib.gatherResults([lib.succeed(1), lib.succeed(2)]);
  assert.deepEqual(Array.from(gathered.result as number[]), [1, 2]); // an array of the other realm
  lib.fail(new Error('reported in the page'));
  lib.reportAllUnhandled();
  assert.equal(printed.length, 1, 'with no process.stderr, the default report goes to console.error');
  assert.match(printed[0], /Unhandled error in Deferred:[\s\S]*reported in the page/);
});
