import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

test('examples/words: IRC and the web chat on one service; the greeter bot welcomes a joiner; SIGTERM says goodbye', { timeout: 120_000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), 'torsion-example-words-'));
  const script = fileURLToPath(new URL('./chat-server.ts', import.meta.url));
  const server = spawn(process.execPath, ['--import', 'tsx', script, 'tcp:0:interface=127.0.0.1', 'tcp:0:interface=127.0.0.1', data], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  try {
    const out = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
    const ircLine = (await out.next()).value as string;
    const webLine = (await out.next()).value as string;
    const ircPort = Number(/:(\d+)$/.exec(ircLine)![1]);
    const webUrl = /(http:\S+)/.exec(webLine)![1]!;

    const page = await get(webUrl);
    assert.equal(page.status, 200);
    assert.match(page.body, /<input[^>]*name="nick"/);

    const sock = net.connect(ircPort, '127.0.0.1');
    let text = '';
    sock.setEncoding('utf8').on('data', (d: string) => (text += d));
    const waitFor = async (re: RegExp): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (!re.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${re} in ${text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    sock.write('NICK visitor\r\nUSER visitor 0 * :Visitor\r\n');
    await waitFor(/ 001 visitor /);
    sock.write('JOIN #lobby\r\n');
    await waitFor(/ 353 visitor = #lobby :.*greeter/);
    await waitFor(/:greeter!\S+ NOTICE #lobby :Welcome to #lobby, visitor!/);
    server.kill('SIGTERM');
    await waitFor(/ERROR :Closing Link: \S+ \(Server shutting down\)/);
    assert.equal(await exited, 0);
  } finally {
    server.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
});
