#!/usr/bin/env node
// `npm start` and `npm install` (the prepare script) run this: it builds only when a source or build setting is newer than the last build
// (dist/.tsbuildinfo, written by the incremental build), so a start with nothing changed skips tsc.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const inputs = ['src', 'apps', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.apps.json'];

function newestMtime(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes only its folder's time
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Whether the build under `root` is missing or older than any of its inputs. */
export function isStale(root) {
  let built;
  try {
    built = statSync(join(root, 'dist', '.tsbuildinfo')).mtimeMs;
  } catch {
    return true;
  }
  return inputs.some((p) => newestMtime(join(root, p)) > built);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (!isStale(root)) {
    console.log('build: dist/ is up to date');
  } else {
    const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
}
