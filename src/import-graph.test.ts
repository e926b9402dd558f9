/**
 * What a subpath loads: importing `torsion/irc` (the protocol alone) loads no chat service, database or
 * thread code, and importing `torsion/internet` loads no thread code. esbuild bundles each entry and its
 * metafile lists every module the bundle holds — the modules an `import` of the entry evaluates (type-only
 * imports are erased, as at run time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { importGraph } from './testing/test-support/import-graph.js';

/** The source files (relative to the repository) that importing `entry` loads. */
async function loadedBy(entry: string): Promise<string[]> {
  return [...(await importGraph(fileURLToPath(new URL(entry, import.meta.url)))).keys()];
}

const under = (files: string[], ...folders: string[]) => files.filter((f) => folders.some((d) => f.startsWith(`src/${d}/`)));

test('torsion/irc is the protocol alone: it loads no words, db or threads module', async () => {
  const files = await loadedBy('./irc/index.ts');
  assert.ok(files.includes('src/irc/client.ts'), 'the graph holds the client');
  assert.deepEqual(under(files, 'words', 'db', 'threads'), []);
});

test('torsion/words/irc, the IRC front door, loads the service and the IRC protocol', async () => {
  const files = await loadedBy('./words/irc/index.ts');
  assert.ok(files.includes('src/words/service.ts'));
  assert.ok(files.includes('src/irc/receiver.ts'));
});

test('torsion/internet loads no threads module', async () => {
  const files = await loadedBy('./internet/index.ts');
  assert.ok(files.includes('src/internet/reactor.ts'), 'the graph holds the reactor');
  assert.deepEqual(under(files, 'threads'), []);
});
