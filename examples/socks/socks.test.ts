import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/** Runs a script without blocking this process, which serves the HTTP side. */
function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('examples/socks: fetch.ts goes through proxy.ts to a local server; without --allow it is refused', { timeout: 60_000 }, async () => {
  const http = createServer((_req, res) => res.end('hello from behind the proxy'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const httpPort = String((http.address() as { port: number }).port);
  const start = async (allow: string[]) => {
    const proxy = spawn(process.execPath, ['--import', 'tsx', here('./proxy.ts'), 'tcp:0:interface=127.0.0.1', ...allow], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = (await createInterface({ input: proxy.stdout })[Symbol.asyncIterator]().next()).value as string;
    const m = /^socks proxy on 127\.0\.0\.1:(\d+)$/.exec(first);
    assert.ok(m, first);
    return { proxy, port: m[1]! };
  };
  const open = await start(['127.0.0.0/8']);
  const strict = await start([]);
  try {
    const ok = await run([here('./fetch.ts'), open.port, '127.0.0.1', httpPort]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'hello from behind the proxy');
    const refused = await run([here('./fetch.ts'), strict.port, '127.0.0.1', httpPort]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /notAllowed/);
  } finally {
    open.proxy.kill('SIGTERM');
    strict.proxy.kill('SIGTERM');
    http.close();
  }
});
