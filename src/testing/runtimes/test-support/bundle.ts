/**
 * Bundles one of Torsion's `node:test` files into a single ES module that Deno or Bun can run: Torsion's
 * own modules come from the `.ts` sources (the `torsion-source` condition), `node:test` is swapped for
 * mini-test.ts, npm packages stay imports resolved from node_modules at run time.
 *
 * The bundle is written next to the test file, so that paths the test computes from `import.meta.url`
 * (fixtures, child scripts) point where they point under Node.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MINI_TEST = fileURLToPath(new URL('./mini-test.ts', import.meta.url)).replace(/\.js$/, '.ts');

/** A bundle on disk; `remove()` deletes it. */
export interface TestBundle {
  path: string;
  remove(): Promise<void>;
}

/** Builds the bundle for `testFile` (an absolute path to a `*.test.ts`). Needs the `esbuild` package. */
export async function bundleTestFile(testFile: string): Promise<TestBundle> {
  const esbuild = await import('esbuild');
  const { rm } = await import('node:fs/promises');
  const path = join(dirname(testFile), `.${basename(testFile, '.ts')}.${randomBytes(4).toString('hex')}.runtime-bundle.mjs`);
  const entry = [
    `import ${JSON.stringify(testFile)};`,
    `import { runRegistered } from ${JSON.stringify(MINI_TEST)};`,
    'await runRegistered();',
  ].join('\n');
  await esbuild.build({
    stdin: { contents: entry, resolveDir: dirname(testFile), loader: 'ts', sourcefile: 'mini-test-entry.ts' },
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    conditions: ['torsion-source'],
    alias: { 'node:test': MINI_TEST },
    logLevel: 'error',
    plugins: [
      {
        // npm packages load from node_modules when the bundle runs, as they would under Node.
        name: 'packages-stay-imports',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('torsion/') || args.path.startsWith('node:') || args.path === MINI_TEST) return undefined;
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return { path, remove: () => rm(path, { force: true }) };
}
