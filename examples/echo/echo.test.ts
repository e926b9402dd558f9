import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

test('examples/echo: the client gets its lines back from the server, which stops cleanly on SIGTERM', async () => {
  const server = spawn(process.execPath, ['--import', 'tsx', here('./server.ts'), 'tcp:0:interface=127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
  const first = (await lines.next()).value as string;
  const m = /^echo server on 127\.0\.0\.1:(\d+)$/.exec(first);
  assert.ok(m, first);
  const client = spawnSync(process.execPath, ['--import', 'tsx', here('./client.ts'), `tcp:127.0.0.1:${m[1]}`, 'one', 'two', 'three'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(client.status, 0, client.stderr);
  assert.deepEqual(client.stdout.trim().split('\n'), ['echo: one', 'echo: two', 'echo: three']);
  const exited = new Promise<number | null>((r) => server.on('exit', (code) => r(code)));
  server.kill('SIGTERM');
  assert.equal((await lines.next()).value, 'echo server stopped');
  assert.equal(await exited, 0);
});
