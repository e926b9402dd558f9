// Builds a bench's helpers into the repository's `.tmp/`: a server script bundled where its packages resolve
// (a server child then runs built JavaScript, as a deployed one would, instead of compiling TypeScript as it
// starts), and the C programs some benches use as load generators or floors.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** Bundles `entry` (a path) to `.tmp/<folder>/<name>`; returns the output's path. */
export async function bundleServerScript(entry: string, folder: string, name: string): Promise<string> {
  const outfile = join(tmpFolder(folder), name);
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'warning' });
  return outfile;
}

/** Compiles the C file `source` (a path) with the system's `cc` to `.tmp/<folder>/<name>`; its path, or undefined without a working `cc`. */
export function buildCProgram(source: string, folder: string, name: string): string | undefined {
  const out = join(tmpFolder(folder), name);
  const built = spawnSync('cc', ['-O2', '-o', out, source], { stdio: 'ignore' });
  return built.status === 0 ? out : undefined;
}

function tmpFolder(folder: string): string {
  const dir = join(new URL('../../', import.meta.url).pathname, '.tmp', folder);
  mkdirSync(dir, { recursive: true });
  return dir;
}
