import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectedServerAndClient, eventually } from 'torsion/testing';
import { Protocol } from 'torsion/internet';
import { ChatFactory } from './server.js';

/** A raw TCP client that collects lines. */
function chatClient(port: number) {
  const sock = net.connect(port, '127.0.0.1');
  const lines: string[] = [];
  let buf = '';
  sock.on('data', (d) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  return {
    lines,
    send: (l: string) => sock.write(`${l}\n`),
    waitFor: (line: string) => eventually(() => lines.includes(line), { message: () => `${JSON.stringify(line)}; got ${JSON.stringify(lines)}` }),
    close: () => sock.destroy(),
  };
}

test('examples/chat: two chatters over TCP see each other join, talk and leave', async () => {
  const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./server.ts', import.meta.url)), 'tcp:0:interface=127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const first = (await createInterface({ input: server.stdout })[Symbol.asyncIterator]().next()).value as string;
    const port = Number(/:(\d+)$/.exec(first)![1]);
    const alice = chatClient(port);
    const bob = chatClient(port);
    await alice.waitFor('welcome! what is your nick?');
    alice.send('alice');
    await alice.waitFor('hello alice, 1 here');
    bob.send('alice');
    await bob.waitFor('that nick is taken or invalid; try another');
    bob.send('bob');
    await alice.waitFor('* bob joined');
    bob.send('hi alice');
    await alice.waitFor('<bob> hi alice');
    alice.send('/quit');
    await alice.waitFor('bye');
    await bob.waitFor('* alice left');
    assert.ok(!bob.lines.includes('<bob> hi alice'), 'a chatter does not hear its own lines');
    bob.close();
  } finally {
    server.kill();
  }
});

test('examples/chat: the same protocol over the in-memory loopback, lines split across writes', () => {
  const factory = new ChatFactory();
  class Client extends Protocol {
    got = '';
    override dataReceived(d: Uint8Array): void {
      this.got += Buffer.from(d).toString();
    }
  }
  const chatter = factory.buildProtocol({ type: 'TCP' } as never)!;
  const { client, pump } = connectedServerAndClient(chatter, new Client());
  client.transport.write('car');
  client.transport.write('ol\n');
  pump.flush();
  assert.equal(client.got, 'welcome! what is your nick?\nhello carol, 1 here\n');
  assert.equal(factory.chatters.get('carol'), chatter);
});
