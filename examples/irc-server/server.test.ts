import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { eventually } from 'torsion/testing';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/** A bare IRC connection that keeps what it received. */
function client(port: number, ...lines: string[]) {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d) => (text += d));
  socket.write(lines.map((l) => `${l}\r\n`).join(''));
  return {
    send: (line: string) => socket.write(`${line}\r\n`),
    received: () => text,
    until: (pattern: RegExp) => eventually(() => pattern.exec(text)?.[0], { timeout: 60, message: () => `${pattern}; got ${text}` }),
    close: () => socket.destroy(),
  };
}

test('examples/irc-server: PASS login, a channel conversation, and ERROR for everyone on SIGTERM', async () => {
  const server = spawn(process.execPath, ['--import', 'tsx', here('./server.ts'), 'tcp:0:interface=127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => server.on('exit', (code) => r(code)));
  const out = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
  const clients: ReturnType<typeof client>[] = [];
  try {
    const first = (await out.next()).value as string;
    const m = /^irc server on 127\.0\.0\.1:(\d+)$/.exec(first);
    assert.ok(m, first);
    const port = Number(m[1]);

    const admin = client(port, 'PASS sesame', 'NICK admin', 'USER admin 0 * :The Admin');
    const guest = client(port, 'NICK guest', 'USER guest 0 * :A Guest');
    clients.push(admin, guest);
    await admin.until(/ 376 admin /);
    await guest.until(/ 376 guest /);
    const impostor = client(port, 'NICK Admin', 'USER x 0 * :x');
    clients.push(impostor);
    await impostor.until(/ 433 \* Admin :Nickname is already in use/);

    admin.send('JOIN #example');
    await admin.until(/ 366 admin #example /);
    guest.send('JOIN #example');
    await admin.until(/:guest!guest@127\.0\.0\.1 JOIN :?#example/);
    guest.send('PRIVMSG #example :hello, admin');
    await admin.until(/:guest!guest@127\.0\.0\.1 PRIVMSG #example :hello, admin/);
    admin.send('WHOIS admin');
    await admin.until(/ 330 admin admin admin :is logged in as/);

    server.kill('SIGTERM');
    await admin.until(/ERROR :Closing Link: 127\.0\.0\.1 \(Server shutting down\)/);
    await guest.until(/ERROR :Closing Link/);
    await impostor.until(/ERROR :Closing Link: 127\.0\.0\.1 \(Server shutting down\)/);
    assert.equal((await out.next()).value, 'irc server stopped');
    assert.equal(await exited, 0);
  } finally {
    server.kill('SIGKILL');
    for (const c of clients) c.close();
  }
});
