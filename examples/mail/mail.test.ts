import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const run = (script: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', here(script), ...args], { encoding: 'utf8', timeout: 60_000 });

test('examples/mail: a server for one domain, a message sent to it, read over IMAP, read and deleted over POP3', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-example-mail-'));
  const server = spawn(process.execPath, ['--import', 'tsx', here('./server.ts'), join(dir, 'mail'), 'tcp:0:interface=127.0.0.1', 'tcp:0:interface=127.0.0.1', 'tcp:0:interface=127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => server.on('exit', (code) => r(code)));
  const out = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
  try {
    const first = (await out.next()).value as string;
    const m = /^smtp on (\d+), pop3 on (\d+), imap on (\d+)$/.exec(first);
    assert.ok(m, first);
    const [smtp, pop3, imap] = [m[1]!, m[2]!, m[3]!];
    const sent = run('./send.ts', smtp, 'alice@example.test', 'First');
    assert.match(sent.stdout, /^accepted: alice@example\.test \(250 2\.0\.0 OK: queued as \w+\)$/m, sent.stderr);
    const unknown = run('./send.ts', smtp, 'carol@example.test');
    assert.match(unknown.stdout, /^refused: 550 5\.1\.1 <carol@example\.test>: No such user here/m);
    const relay = run('./send.ts', smtp, 'someone@elsewhere.example');
    assert.match(relay.stdout, /^refused: 550 5\.7\.1 /m);
    const imapRead = run('./imap-read.ts', imap, '--seen');
    assert.match(imapRead.stdout, /^1 messages, 1 unseen\n1: First\n$/, imapRead.stderr);
    assert.match(run('./imap-read.ts', imap).stdout, /^1 messages, 0 unseen\n/);
    const read = run('./read.ts', pop3, '--delete');
    assert.match(read.stdout, /^1 messages\n1: First \(\d+ bytes\)\n$/, read.stderr);
    assert.match(run('./read.ts', pop3).stdout, /^0 messages\n$/);
    server.kill('SIGTERM');
    assert.equal((await out.next()).value, 'mail server stopped');
    assert.equal(await exited, 0);
  } finally {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
