// Compiles the TypeScript of the given folders to JavaScript once, for the quick loop (scripts/test.mjs).
// esbuild applies the same per-file transform tsx does, so the tests behave the same; the output sits in
// node_modules/.cache so that bare imports still find node_modules, and it gets a package.json of its own
// whose `torsion-source` exports point at the compiled files, so `torsion/...` imports resolve inside it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const typescript = /\.tsx?$/;

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

/** Writes the compiled copy of `folders` (relative to `root`) and returns its directory. */
export async function compileForQuickLoop(root, folders) {
  const outDir = join(root, 'node_modules/.cache/torsion-quick');
  rmSync(outDir, { recursive: true, force: true });
  const files = folders.flatMap((folder) => walk(join(root, folder), []));
  const sources = files.filter((f) => typescript.test(f) && !f.endsWith('.d.ts'));
  await build({
    entryPoints: sources,
    outdir: outDir,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'error',
  });
  // Fixtures, and sources that code compiles for the browser, are read next to the module that names them.
  for (const file of files) {
    const copy = join(outDir, relative(root, file));
    mkdirSync(dirname(copy), { recursive: true });
    copyFileSync(file, copy);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === 'object' && typeof target['torsion-source'] === 'string') {
      target['torsion-source'] = target['torsion-source'].replace(typescript, '.js');
    }
  }
  writeFileSync(join(outDir, 'package.json'), JSON.stringify(pkg));
  return outDir;
}
