import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { importGraph } from './test-support/import-graph.js';
import * as testing from './index.js';
import { DelayedCall } from '../internet/index.js';

test('torsion/testing exports the names DESIGN.md promises, and the reactor shares its DelayedCall', () => {
  for (const name of ['Clock', 'StringTransport', 'StringTransportWithDisconnection', 'MemoryReactor', 'connectedServerAndClient', 'IOPump', 'loopbackAsync']) {
    assert.equal(typeof (testing as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(testing.DelayedCall, DelayedCall);
  assert.ok(new testing.Clock().callLater(1, () => {}) instanceof DelayedCall);
});

test('torsion/testing exports the kit for protocol tests: feeders, seeded randomness, eventually, peer launchers', () => {
  for (const name of ['splitEvery', 'splitRandom', 'latin1', 'latin1Bytes', 'seededRandom', 'randomBytes', 'eventually', 'startPeerProgram', 'freeLoopbackPort', 'requirePeer']) {
    assert.equal(typeof (testing as Record<string, unknown>)[name], 'function', name);
  }
});

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

function importersOf(graph: Map<string, { path: string; kind: string }[]>, specifier: string, kind = 'import-statement'): string[] {
  return [...graph].filter(([, imports]) => imports.some((i) => i.path === specifier && i.kind === kind)).map(([file]) => file);
}

test('importing torsion/testing loads no test runner; the conformance suite, which needs node:test, has its own subpath', async () => {
  assert.deepEqual(importersOf(await importGraph(here('./index.ts')), 'node:test'), []);
  assert.deepEqual(importersOf(await importGraph(here('./conformance/index.ts')), 'node:test'), ['src/testing/conformance/capability-suite.ts', 'src/testing/conformance/stream-transport-suite.ts']);
});

test('torsion/testing/chromium and torsion/live/testing do not import playwright-core (an optional peer) when loaded', async () => {
  for (const entry of ['./chromium.ts', '../live/testing/index.ts']) {
    const graph = await importGraph(here(entry));
    assert.deepEqual(importersOf(graph, 'playwright-core'), [], entry);
    assert.deepEqual(importersOf(graph, 'esbuild'), [], entry);
  }
});
