import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Protocol } from 'torsion/internet';
import { Key, KnownHostsFile, SSHClient } from 'torsion/ssh';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
const children: ChildProcess[] = [];

/** Starts an example that prints one line once it listens; fires with that line. */
function startExample(script: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}: ${err}`)));
  });
}

function runExample(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repo, timeout: 60_000 }, (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? -1) : 0, stdout, stderr }));
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-example-ssh-'));
});

after(() => {
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
});

test('examples/ssh/server.ts and client.ts: a new host is refused, then accepted with --accept-new and remembered; exec and SFTP', { timeout: 120_000 }, async () => {
  const root = join(dir, 'root');
  mkdirSync(root);
  mkdirSync(join(dir, 'keys'));
  const key = await Key.generate('ed25519');
  await key.writeFile(join(dir, 'id'));
  writeFileSync(join(dir, 'keys', 'alice'), `${key.publicKey.toString()}\n`);
  const line = await startExample('examples/ssh/server.ts', [root, join(dir, 'keys'), join(dir, 'host_key')]);
  const m = /^listening on (\d+), host key (SHA256:\S+)$/.exec(line);
  assert.ok(m, line);
  const args = ['127.0.0.1', m[1]!, 'alice', join(dir, 'id'), join(dir, 'known_hosts')];
  const refused = await runExample('examples/ssh/client.ts', args);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /UnknownHostKeyError|is unknown: refusing it/);
  const accepted = await runExample('examples/ssh/client.ts', [...args, '--accept-new']);
  assert.deepEqual(accepted.stdout.trim().split('\n'), ['exec: stdout=hello alice stderr=oops exit=3', 'sftp: read back "written over SFTP"', 'sftp: ls notes.txt'], accepted.stderr);
  assert.equal(readFileSync(join(root, 'notes.txt'), 'utf8'), 'written over SFTP\n');
  assert.ok(KnownHostsFile.fromString(readFileSync(join(dir, 'known_hosts'), 'utf8')).entries().some((e) => e.key?.fingerprint() === m[2]));
  const again = await runExample('examples/ssh/client.ts', args);
  assert.equal(again.code, 0, again.stderr);
});

test('examples/ssh/manhole.ts: an authorised key gets a REPL into the application', { timeout: 120_000 }, async () => {
  const key = await Key.generate('ed25519');
  const line = await startExample('examples/ssh/manhole.ts', [key.publicKey.toString()]);
  const m = /^manhole on (\d+) (.+)$/.exec(line);
  assert.ok(m, line);
  const port = Number(m[1]);
  const ssh = await SSHClient.connect({ host: '127.0.0.1', port, username: 'admin', privateKey: key, knownHosts: KnownHostsFile.fromString(`[127.0.0.1]:${port} ${m[2]}\n`) });
  let received = '';
  const closed = new Promise<void>((resolve) => {
    const repl = new (class extends Protocol {
      override dataReceived(data: Uint8Array) {
        received += new TextDecoder().decode(data);
      }
      override connectionLost() {
        resolve();
      }
    })();
    void ssh.openSession({ shell: true }, repl).then(() => repl.transport.write('app.hit()\napp.hit()\n.exit\n'));
  });
  await closed;
  await ssh.close();
  assert.match(received, /\b2\b/);
});
