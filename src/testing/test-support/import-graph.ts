/**
 * What importing a module loads at run time, as esbuild's metafile lists it: every module the bundle of the
 * entry holds, with what each imports (bare packages left out, type-only imports erased).
 * @module
 */
import { build } from 'esbuild';

/** The loaded modules (paths relative to the repository) of `entry` (an absolute path), with their imports. */
export async function importGraph(entry: string): Promise<Map<string, { path: string; kind: string }[]>> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return new Map(Object.entries(out.metafile.inputs).map(([file, input]) => [file, input.imports.map(({ path, kind }) => ({ path, kind }))]));
}
