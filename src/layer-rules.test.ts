/**
 * The layer rules of .dependency-cruiser.mjs bite: dependency-cruiser, run with the repository's config over
 * a small tree that breaks each rule once (and keeps each allowed exception once), reports exactly the
 * breaches. `npm run lint:deps` runs the same config over src/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONFIG = fileURLToPath(new URL('../.dependency-cruiser.mjs', import.meta.url));
// The package exports its API (src/main/index.mjs) but not its command: find the command beside it.
const DEPCRUISE = fileURLToPath(new URL('../../bin/dependency-cruise.mjs', import.meta.resolve('dependency-cruiser')));

/** The fixture: path → source. Comments say which rule a file breaks, or which exception it uses. */
const TREE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }),
  // no-folder-cycle: a → b → a, though no module cycle (a/index → b/index → a/util).
  'src/a/index.ts': "import { b } from '../b/index.js';\nexport const a = b + 1;\n",
  'src/a/util.ts': 'export const util = 1;\n',
  'src/b/index.ts': "import { util } from '../a/util.js';\nexport const b = util;\n",
  // Allowed: a known pair of issue 13 (defer ↔ logger) is not reported.
  'src/defer/report.ts': "import { logger } from '../logger/logger.js';\nexport const report = logger;\n",
  'src/defer/failure.ts': 'export const failure = 1;\n',
  'src/logger/logger.ts': "import { failure } from '../defer/failure.js';\nexport const logger = failure;\n",
  // ...but a longer cycle through the pair is: logger → live → defer → logger.
  'src/logger/page.ts': "import { widget } from '../live/widget.js';\nexport const page = widget;\n",
  'src/live/widget.ts': "import { failure } from '../defer/failure.js';\nexport const widget = failure;\n",
  // no-test-code-in-production: a test helper and the test kit, from production code.
  'src/web/server.ts': "import { helper } from './test-support/helper.js';\nimport { Clock } from '../testing/clock.js';\nexport const server = [helper, Clock];\n",
  'src/web/test-support/helper.ts': 'export const helper = 1;\n',
  'src/testing/clock.ts': 'export class Clock {}\n',
  // Allowed: a test imports what it likes.
  'src/web/server.test.ts': "import { helper } from './test-support/helper.js';\nimport { service } from '../app/service.js';\nimport 'node:net';\nexport const t = [helper, service];\n",
  // only-plugins-import-app: resource.ts may not; plugin.ts may.
  'src/web/resource.ts': "import { service } from '../app/service.js';\nexport const resource = service;\n",
  'src/web/plugin.ts': "import { service } from '../app/service.js';\nexport const plugin = service;\n",
  'src/app/service.ts': 'export const service = 1;\n',
  // browser-code-no-node: directly (defer), and through an import (protocols → internet → node:net).
  'src/defer/deferred.ts': "import { EventEmitter } from 'node:events';\nexport const d = EventEmitter;\n",
  'src/protocols/lines.ts': "import { tcp } from '../internet/tcp.js';\nexport const lines = tcp;\n",
  // Allowed: the Node entry of protocols, and internet holding the sockets.
  'src/protocols/file-sender.ts': "import { readFile } from 'node:fs';\nexport const fileSender = readFile;\n",
  'src/internet/tcp.ts': "import { createServer } from 'node:net';\nexport const tcp = createServer;\n",
  // sockets-only-in-internet.
  'src/words/spawn.ts': "import { spawn } from 'node:child_process';\nexport const run = spawn;\n",
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

let dir: string;
let violations: Violation[];
let errStatus: number | null;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'torsion-layer-rules-'));
  for (const [path, source] of Object.entries(TREE)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), source);
  }
  const depcruise = (outputType: string) =>
    spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', outputType], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  const json = depcruise('json');
  assert.equal(json.status, 0, json.stderr);
  violations = (JSON.parse(json.stdout) as { summary: { violations: Violation[] } }).summary.violations;
  // What `npm run lint:deps` relies on: the err report exits with the number of errors.
  errStatus = depcruise('err').status;
});

after(() => rm(dir, { recursive: true, force: true }));

/** The violations of one rule, as `from -> to`. */
function broken(rule: string): string[] {
  return violations
    .filter((v) => v.rule.name === rule)
    .map((v) => `${v.from} -> ${v.to}`)
    .sort();
}

test('no-folder-cycle: two folders depending on each other are reported; a known pair of issue 13 is not, other cycles through it are', () => {
  assert.deepEqual(broken('no-folder-cycle'), ['src/a -> src/b', 'src/b -> src/a', 'src/live -> src/defer', 'src/logger -> src/live']);
});

test('no-test-code-in-production: production code importing a test helper or the test kit is reported; tests are free', () => {
  assert.deepEqual(broken('no-test-code-in-production'), [
    'src/web/server.ts -> src/testing/clock.ts',
    'src/web/server.ts -> src/web/test-support/helper.ts',
  ]);
});

test('only-plugins-import-app: a folder reaches src/app from its plugin.ts only', () => {
  assert.deepEqual(broken('only-plugins-import-app'), ['src/web/resource.ts -> src/app/service.ts']);
});

test('browser-code-no-node: browser code reaching a Node built-in, directly or through an import, is reported', () => {
  assert.deepEqual(broken('browser-code-no-node'), ['src/defer/deferred.ts -> events', 'src/protocols/lines.ts -> net']);
});

test('sockets-only-in-internet: node:child_process outside src/internet is reported', () => {
  assert.deepEqual(broken('sockets-only-in-internet'), ['src/words/spawn.ts -> child_process']);
});

test('nothing else is reported, and the command fails with one error per breach', () => {
  assert.equal(errStatus, violations.length);
  const names = new Set(['no-folder-cycle', 'no-test-code-in-production', 'only-plugins-import-app', 'browser-code-no-node', 'sockets-only-in-internet']);
  assert.deepEqual(violations.filter((v) => !names.has(v.rule.name)), []);
});
