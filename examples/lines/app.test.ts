import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/lines/chat-command.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

test('examples/lines/chat-command.ts: --help lists the chat plugin beside the built-in ones', { timeout: 60_000 }, async () => {
  const r = run(['--help']);
  assert.equal(await r.exited, 0);
  assert.match(r.out(), /chat\s+A line-based chat server/);
  assert.match(r.out(), /echo\s+An echo server/);
});

test('examples/lines/chat-command.ts chat: serves chat on the --listen endpoint and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const r = run(['chat', '--listen', 'tcp:0:interface=127.0.0.1']);
  try {
    let port = 0;
    while (port === 0) {
      const m = /listening on \S+ \(TCP:127\.0\.0\.1:(\d+)\)/.exec(r.err());
      if (m) port = Number(m[1]);
      else if (await Promise.race([r.exited.then(() => true), new Promise<false>((res) => setTimeout(() => res(false), 50))])) throw new Error(r.err());
    }
    const greeting = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.setEncoding('utf8');
      sock.once('data', (d: string) => {
        sock.destroy();
        resolve(d);
      });
      sock.on('error', reject);
    });
    assert.equal(greeting, 'Welcome! What is your name?\r\n');
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 0, r.err());
    assert.match(r.err(), /stopped listening on tcp:0:interface=127\.0\.0\.1/);
  } finally {
    r.child.kill('SIGKILL');
  }
});
