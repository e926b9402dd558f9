import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

test('examples/websocket: the client is greeted, gets its messages echoed and closes cleanly', async () => {
  const server = spawn(process.execPath, ['--import', 'tsx', here('./server.ts'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
    const first = (await lines.next()).value as string;
    const m = /^websocket echo server on 127\.0\.0\.1:(\d+)$/.exec(first);
    assert.ok(m, first);
    const client = spawnSync(process.execPath, ['--import', 'tsx', here('./client.ts'), `ws://127.0.0.1:${m[1]}/echo`, 'one', 'two €'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(client.status, 0, client.stderr);
    assert.deepEqual(client.stdout.trim().split('\n'), ['greeting: hello from Torsion (subprotocol: echo)', 'echo: one', 'echo: two €', 'closed: 1000 (clean)']);
    const exited = new Promise<number | null>((r) => server.on('exit', (code) => r(code)));
    server.kill('SIGTERM');
    assert.equal((await lines.next()).value, 'websocket echo server stopped');
    assert.equal(await exited, 0);
  } finally {
    server.kill();
  }
});
