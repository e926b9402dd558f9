/**
 * What `torsion/ftp` loads: the protocol, cred and the internet layer, never the application layer (only
 * `plugin.ts` imports it, and the subpath does not export the plugin), the chat service or the database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { importGraph } from '../testing/test-support/import-graph.js';

test('torsion/ftp loads no app, words, db or threads module, and no test support', async () => {
  const files = [...(await importGraph(fileURLToPath(new URL('./index.ts', import.meta.url)))).keys()];
  assert.ok(files.includes('src/ftp/server/factory.ts') && files.includes('src/ftp/client/client.ts'));
  assert.deepEqual(
    files.filter((f) => /^src\/(app|words|db|threads)\//.test(f) || f.includes('test-support') || f === 'src/ftp/plugin.ts'),
    [],
  );
});
