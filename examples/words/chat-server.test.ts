import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { eventually } from 'torsion/testing';

/** A bare IRC connection: send lines, wait for what comes back. */
function rawIRC(port: number) {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (text += d));
  socket.on('error', () => undefined);
  return {
    send: (...lines: string[]) => socket.write(lines.map((l) => `${l}\r\n`).join('')),
    waitFor: (re: RegExp) => eventually(() => re.exec(text)?.[0], { timeout: 60, message: () => `${re} in:\n${text}` }),
    close: () => socket.destroy(),
  };
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

    const page = await fetch(webUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<input[^>]*name="nick"/);

    const irc = rawIRC(ircPort);
    irc.send('NICK visitor', 'USER visitor 0 * :Visitor');
    await irc.waitFor(/ 001 visitor /);
    irc.send('JOIN #lobby');
    await irc.waitFor(/ 353 visitor = #lobby :.*greeter/);
    await irc.waitFor(/:greeter!\S+ NOTICE #lobby :Welcome to #lobby, visitor!/);
    server.kill('SIGTERM');
    await irc.waitFor(/ERROR :Closing Link: \S+ \(Server shutting down\)/);
    assert.equal(await exited, 0);
    irc.close();
  } finally {
    server.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
});
