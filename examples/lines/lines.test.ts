import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Clock, StringTransport } from 'torsion/testing';
import { IPv4Address } from 'torsion/internet';
import { ChatFactory, type ChatProtocol } from './chat.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const addr = new IPv4Address('TCP', '127.0.0.1', 5000);

function join(chat: ChatFactory, name: string): { p: ChatProtocol; t: StringTransport } {
  const t = new StringTransport();
  const p = chat.buildProtocol(addr);
  p.makeConnection(t);
  p.dataReceived(new TextEncoder().encode(`${name}\r\n`));
  t.clear();
  return { p, t };
}

describe('examples/lines/chat.ts over StringTransport', () => {
  test('relays lines to the others, announces joins, and /quit leaves', () => {
    const chat = new ChatFactory(new Clock());
    const alice = join(chat, 'alice');
    const bob = join(chat, 'bob');
    assert.equal(alice.t.valueString(), '* bob joined\r\n');
    alice.p.dataReceived(new TextEncoder().encode('hi b'));
    alice.p.dataReceived(new TextEncoder().encode('ob\r\n'));
    assert.equal(bob.t.valueString(), '<alice> hi bob\r\n');
    bob.p.dataReceived(new TextEncoder().encode('/quit\r\n'));
    assert.equal(bob.t.disconnecting, true);
  });

  test('drops a client that stays idle, and one that sends an over-long line', () => {
    const clock = new Clock();
    const chat = new ChatFactory(clock, 60);
    const idle = join(chat, 'idle');
    clock.advance(59);
    assert.equal(idle.t.disconnecting, false);
    clock.advance(1);
    assert.match(idle.t.valueString(), /Idle too long/);
    assert.equal(idle.t.disconnecting, true);
    const loud = join(chat, 'loud');
    loud.p.dataReceived(new Uint8Array(2000).fill(65));
    assert.match(loud.t.valueString(), /Line too long/);
    assert.equal(loud.t.disconnecting, true);
  });
});

/** Reads lines from a socket as they come. */
function lineReader(sock: net.Socket): () => Promise<string> {
  let buf = '';
  const waiting: ((l: string) => void)[] = [];
  const ready: string[] = [];
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const w = waiting.shift();
      if (w) w(line);
      else ready.push(line);
    }
  });
  return () => (ready.length > 0 ? Promise.resolve(ready.shift()!) : new Promise((r) => waiting.push(r)));
}

test('examples/lines/chat-server.ts runs, relays between two TCP clients, and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/lines/chat-server.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /chat server on port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
  });
  const a = net.connect(port, '127.0.0.1');
  const b = net.connect(port, '127.0.0.1');
  try {
    const readA = lineReader(a);
    const readB = lineReader(b);
    assert.match(await readA(), /Welcome/);
    assert.match(await readB(), /Welcome/);
    a.write('ann\r\n');
    assert.match(await readA(), /Hello ann, 0 other/);
    b.write('ben\r\n');
    assert.match(await readB(), /Hello ben, 1 other/);
    assert.equal(await readA(), '* ben joined');
    b.write('hello ann\r\n');
    assert.equal(await readA(), '<ben> hello ann');
  } finally {
    a.destroy();
    b.destroy();
  }
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(out, /chat server stopped/);
});
