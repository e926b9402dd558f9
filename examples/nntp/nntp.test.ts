import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

test('examples/nntp: the reader posts to the server and reads the group back; the server stops on SIGTERM', async () => {
  const server = spawn(process.execPath, ['--import', 'tsx', here('./server.ts'), 'tcp:0:interface=127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
  const first = (await lines.next()).value as string;
  const m = /^news server on 127\.0\.0\.1:(\d+)$/.exec(first);
  assert.ok(m, first);
  const reader = spawnSync(process.execPath, ['--import', 'tsx', here('./reader.ts'), `tcp:127.0.0.1:${m[1]}`, 'local.test'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(reader.status, 0, reader.stderr);
  const out = reader.stdout.trim().split('\n');
  assert.match(out[0]!, /^server: 200 /);
  assert.match(out[1]!, /^posted: <[^>]+@example\.org> Article received OK$/);
  assert.equal(out[2], 'local.test: 1 articles, 1-1');
  assert.equal(out[3], '  1 Hello from Torsion (reader@example.org, 2 lines)');
  assert.deepEqual(out.slice(5), ['  | .a line starting with a dot', '  | and another']);
  const exited = new Promise<number | null>((r) => server.on('exit', (code) => r(code)));
  server.kill('SIGTERM');
  assert.equal((await lines.next()).value, 'news server stopped');
  assert.equal(await exited, 0);
});
