/**
 * What the package ships and how it is used: the exports map names real modules, the build emits no
 * test-only module, the examples import only what the package exports, and optional peers stay optional.
 *
 * Test-only code is named for it: it lives in a `test-support/` folder, or in a module named
 * `test-support.ts` when one file is enough (tests themselves are `*.test.ts`). tsconfig.build.json
 * excludes those names; the check below also catches a test helper that is not named so, because nothing
 * the package exports reaches it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';

const repo = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  exports: Record<string, Record<string, string | Record<string, string>>>;
  bin: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** The naming scheme of test-only modules. */
const TEST_ONLY = /(^|\/)test-support(\/|\.ts$)|\.test\.tsx?$/;

/**
 * `./dist/x/y.js` (or `.d.ts`) as the source it is built from, `./src/x/y.ts`; the applications
 * (`./dist/apps/...`, built by tsconfig.apps.json) come from `./apps/...`.
 */
function sourceOf(distPath: string): string {
  const m = /^\.\/dist\/(.+)\.(?:js|d\.ts)$/.exec(distPath);
  assert.ok(m, `${distPath} is not in dist/`);
  return m[1]!.startsWith('apps/') ? `./${m[1]}.ts` : `./src/${m[1]}.ts`;
}

/** Every module the package can be entered by: each exports target (from source) and each bin. */
function entryPoints(): string[] {
  const out: string[] = [];
  const visit = (target: string | Record<string, unknown>): void => {
    if (typeof target === 'string') out.push(resolve(repo, target.startsWith('./dist/') ? sourceOf(target) : target));
    else for (const t of Object.values(target)) visit(t as string | Record<string, unknown>);
  };
  for (const entry of Object.values(pkg.exports)) visit(entry);
  for (const bin of Object.values(pkg.bin)) out.push(resolve(repo, sourceOf(bin)));
  return [...new Set(out)].filter((f) => !f.endsWith('.d.ts'));
}

describe('package.json exports', () => {
  test('every subpath names one module: its source for running from the repository, and what dist/ ships', () => {
    for (const [subpath, entry] of Object.entries(pkg.exports)) {
      const keys = Object.keys(entry);
      // Node, TypeScript and esbuild take the first condition they know: the source one comes before `types`
      // (so the repository typechecks against src/), and a browser build before both.
      assert.deepEqual(keys.filter((k) => k !== 'browser'), ['torsion-source', 'types', 'default'], subpath);
      if (keys.includes('browser')) assert.equal(keys[0], 'browser', subpath);
      const variants = [entry, ...(typeof entry.browser === 'object' ? [entry.browser] : [])] as Record<string, string>[];
      for (const v of variants) {
        assert.equal(v['torsion-source'], sourceOf(v.default!), `${subpath}: the source and the built module differ`);
        assert.ok(existsSync(join(repo, v['torsion-source']!)), `${subpath}: ${v['torsion-source']} does not exist`);
      }
      if (entry.types !== undefined) assert.equal(sourceOf(entry.types as string), sourceOf(entry.default as string), subpath);
    }
  });

  test('playwright-core, which torsion/live/testing drives, is an optional peer (and a devDependency for the tests here)', () => {
    assert.ok(pkg.peerDependencies?.['playwright-core'], 'peerDependencies');
    assert.equal(pkg.peerDependenciesMeta?.['playwright-core']?.optional, true);
    assert.ok(pkg.devDependencies['playwright-core'], 'devDependencies');
  });
});

describe('the build', () => {
  const config = ts.getParsedCommandLineOfConfigFile(join(repo, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  })!;
  const src = join(repo, 'src') + sep;
  // What `tsc -p tsconfig.build.json` emits: the files it includes and every source file they import.
  const emitted = ts
    .createProgram(config.fileNames, config.options)
    .getSourceFiles()
    .filter((f) => !f.isDeclarationFile && f.fileName.startsWith(src))
    .map((f) => resolve(f.fileName));

  /** The modules `file` imports or loads by path (`new URL('./x.js', import.meta.url)`). */
  function importsOf(file: string): { specifier: string; resolved: string | undefined }[] {
    const text = readFileSync(file, 'utf8');
    const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((i) => i.fileName);
    for (const m of text.matchAll(/new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g)) specifiers.push(m[1]!);
    return specifiers.map((specifier) => {
      let resolved = ts.resolveModuleName(specifier, file, config.options, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved === undefined && specifier.startsWith('.')) {
        const guess = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
        if (existsSync(guess)) resolved = guess;
      }
      return { specifier, resolved: resolved && resolve(resolved) };
    });
  }

  test('emits no module named as test-only', () => {
    assert.deepEqual(
      emitted.map((f) => relative(repo, f)).filter((f) => TEST_ONLY.test(f)),
      [],
    );
  });

  test('emits only modules that the package exports reach: a test helper not named as one shows up here', () => {
    // Widget modules (`*.client.ts`) are compiled for the page by path, found at run time next to their element.
    const roots = [...entryPoints(), ...emitted.filter((f) => f.endsWith('.client.ts'))];
    const reached = new Set<string>();
    const stack = [...roots];
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      for (const { resolved } of importsOf(file)) if (resolved?.startsWith(src) && !resolved.endsWith('.d.ts')) stack.push(resolved);
    }
    assert.deepEqual(
      emitted.filter((f) => !reached.has(f)).map((f) => relative(repo, f)),
      [],
    );
  });

  test('only the conformance suite, on its own subpath, loads node:test', () => {
    const runners = emitted.filter((f) => importsOf(f).some((i) => i.specifier === 'node:test')).map((f) => relative(repo, f));
    assert.ok(runners.length > 0, 'the conformance suite itself uses node:test');
    assert.deepEqual(runners.filter((f) => !f.startsWith('src/testing/conformance/')), []);
  });
});

describe('the examples', () => {
  function files(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
    });
  }

  test('import only torsion/... subpaths the package exports, other packages, and files of their own folder', () => {
    const wrong: string[] = [];
    for (const file of files(join(repo, 'examples'))) {
      const folder = dirname(file) + sep;
      for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
        const where = `${relative(repo, file)}: ${specifier}`;
        if (specifier.startsWith('.')) {
          if (!resolve(dirname(file), specifier).startsWith(folder)) wrong.push(where);
        } else if (specifier === 'torsion' || specifier.startsWith('torsion/')) {
          if (!(`.${specifier.slice('torsion'.length)}` in pkg.exports)) wrong.push(where);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('the linter rejects an example that reaches into src/', async () => {
    const [result] = await new ESLint({ cwd: repo }).lintText("import { reactor } from '../../src/internet/index.js';\nvoid reactor;\n", {
      filePath: join(repo, 'examples/echo/new-example.ts'),
    });
    assert.deepEqual(
      result!.messages.map((m) => m.ruleId),
      ['no-restricted-imports'],
    );
  });
});
