#!/usr/bin/env node
// Runs every *.test.ts (or the ones under the paths given) with Node's own test runner.
// Node 20's runner has no glob for .ts files, so the list is built here.
//   --quick   the quick loop (`npm test`): the in-memory unit tests. It leaves out the examples (each runs
//             as its own process), tests that drive a peer program nobody here wrote (a browser, ngircd,
//             PostgreSQL, OpenSSL, curl...), and tests that do real I/O (see realIO below).
//             `npm run test:all` runs them all.
// `torsion/...` imports (the examples use them) resolve to src/ through the `torsion-source` export
// condition, so nothing needs building first; it goes in NODE_OPTIONS so that the programs the tests
// start (`node --import tsx examples/...`) resolve the same way.
// The quick loop runs the tests from JavaScript that esbuild writes next to node_modules first (the same
// per-file transform tsx applies, done once): registering tsx in every test process cost more than the
// tests. A test that finds files from its own location (import.meta.url) still runs from source.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { compileForQuickLoop } from './quick-build.mjs';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const args = argv.filter((a) => a !== '--quick');
const roots = args.length > 0 ? args : quick ? ['src', 'scripts', 'apps'] : ['src', 'examples', 'scripts', 'apps'];

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

// Not an in-memory unit test: it starts a process or a thread, listens or connects on a real socket, runs
// TLS handshakes through OpenSSL, keeps a database on disk, or runs the toolchain (the packaging checks).
const realIO = new RegExp(
  [
    String.raw`\b(spawn|spawnSync|execFile|execFileSync|execSync|fork|spawnProcess|startPeerProgram)\(`,
    String.raw`\b(listenTCP|listenSSL|listenUNIX|listenUDP|listenMulticast|connectTCP|connectSSL|connectUNIX)\(`,
    String.raw`\b(createServer|createConnection|deferToThread|deferToThreadPool)\(`,
    String.raw`\bnew (Worker|WorkerThread|ThreadPool|ConnectionPool|NodeReactor|WordsApplication)\b`,
    String.raw`from '(node:)?(child_process|net|tls|dgram|worker_threads)'`,
    String.raw`\bselfSignedCertificate\(|from '(better-sqlite3|eslint|typescript)'`,
    // SSH helpers that start `torsion ssh`, a terminal (node-pty) or an ssh2 server.
    String.raw`\b(startSSHCommand|loadNodePty|loadSsh2)\(`,
    // The runs under Deno and Bun (src/testing/runtimes): each starts the runtime on test files and examples.
    String.raw`\bforeign\w+Suite\(`,
  ].join('|'),
);

/** The names of the test-support helpers that start a peer or do real I/O: a test importing one does too. */
function ioHelpers(dir, out = new Set()) {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) {
      if (name.name !== 'node_modules') ioHelpers(path, out);
    } else if (/[/\\]test-support$/.test(dir) && /\.ts$/.test(name.name) && !name.name.endsWith('.test.ts')) {
      const text = readFileSync(path, 'utf8');
      if (needsPeer.test(text) || realIO.test(text)) out.add(name.name.replace(/\.ts$/, '.js'));
    }
  }
  return out;
}

let files = roots.flatMap((r) => collect(join(root, r), [])).map((f) => relative(root, f)).sort();
if (quick) {
  const all = files.length;
  const helpers = ioHelpers(join(root, 'src'));
  const importsHelper = (text) => [...text.matchAll(/test-support\/([\w.-]+\.js)'/g)].some((m) => helpers.has(m[1]));
  files = files.filter((f) => {
    const text = readFileSync(join(root, f), 'utf8');
    return !needsPeer.test(text) && !realIO.test(text) && !importsHelper(text);
  });
  console.log(`test: quick loop, ${files.length} of ${all} test files (those driving peer programs or doing real I/O run in npm run test:all)`);
}
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=torsion-source`.trim() };
const runTests = (preload, list) =>
  spawnSync(process.execPath, [...preload, '--test', '--test-concurrency=2', '--test-timeout=120000', ...list], { cwd: root, stdio: 'inherit', env }).status ?? 1;

const readsOwnLocation = /\bimport\.meta\.(url|dirname|filename)\b|\bprocess\.cwd\(\)/;
const fromSource = quick ? files.filter((f) => readsOwnLocation.test(readFileSync(join(root, f), 'utf8'))) : files;
let status = 0;
if (fromSource.length < files.length) {
  const outDir = await compileForQuickLoop(root, ['src', 'scripts', 'apps']);
  const compiled = files.filter((f) => !fromSource.includes(f)).map((f) => relative(root, join(outDir, f.replace(/\.tsx?$/, '.js'))));
  status = runTests(['--enable-source-maps'], compiled);
}
if (fromSource.length > 0) status = runTests(['--import', 'tsx'], fromSource) || status;
process.exit(status);
