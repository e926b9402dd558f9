// Bundles a bench's server script into the repository's `.tmp/`, where its packages resolve: a server child
// then runs built JavaScript, as a deployed one would, instead of compiling TypeScript as it starts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** Bundles `entry` (a path) to `.tmp/<folder>/<name>`; returns the output's path. */
export async function bundleServerScript(entry: string, folder: string, name: string): Promise<string> {
  const dir = join(new URL('../../', import.meta.url).pathname, '.tmp', folder);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, name);
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'warning' });
  return outfile;
}
