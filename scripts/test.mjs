#!/usr/bin/env node
// Runs every *.test.ts (or the ones under the paths given) with Node's own test runner.
// Node 20's runner has no glob for .ts files, so the list is built here.
//   --quick   the quick loop (`npm test`): leaves out the examples (each runs as its own process) and tests
//             that drive a peer program nobody here wrote (a browser, ngircd, PostgreSQL, OpenSSL, curl...);
//             `npm run test:all` runs them too.
// `torsion/...` imports (the examples use them) resolve to src/ through the `torsion-source` export
// condition, so nothing needs building first; it goes in NODE_OPTIONS so that the programs the tests
// start (`node --import tsx examples/...`) resolve the same way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const args = argv.filter((a) => a !== '--quick');
const roots = args.length > 0 ? args : quick ? ['src', 'scripts'] : ['src', 'examples', 'scripts'];

// A test needs a peer when it asks for one by name (requirePeer) or starts one through a launcher that does.
const needsPeer = /\brequirePeer\(|\blaunchChromium\(|test-support\/(ngircd|pg-fixture|postgres-server|pg-setup)\.js/;

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    if (/\.test\.tsx?$/.test(path)) out.push(path);
    return out;
  }
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist') continue;
    collect(join(path, name), out);
  }
  return out;
}

let files = roots.flatMap((r) => collect(join(root, r), [])).map((f) => relative(root, f)).sort();
if (quick) {
  const all = files.length;
  files = files.filter((f) => !needsPeer.test(readFileSync(join(root, f), 'utf8')));
  console.log(`test: quick loop, ${files.length} of ${all} test files (those driving peer programs run in npm run test:all)`);
}
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=torsion-source`.trim() } },
);
process.exit(result.status ?? 1);
