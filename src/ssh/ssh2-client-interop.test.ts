/**
 * Interop: the npm package `ssh2` as the client of the real `torsion ssh` command: password and publickey
 * logins (and a wrong password refused), exec with stdout, stderr and exit status, a shell with and without
 * a pseudo-terminal, and SFTP readdir, read and write inside `--root`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Key } from './keys/key.js';
import { startSSHCommand, type SSHCommand } from './test-support/command.js';
import { call, loadSsh2, type Ssh2Client, type Ssh2Module, type Ssh2SFTP, type Ssh2Stream } from './test-support/ssh2.js';

/** Reads a stream to its close: stdout, stderr, and the exit code. */
function collect(stream: Ssh2Stream): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    stream.on('data', (d: Buffer) => (stdout += d.toString()));
    stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    stream.on('close', (code: number | null) => resolve({ stdout, stderr, code }));
  });
}

describe('ssh2 (npm) as a client of torsion ssh', () => {
  let ssh2: Ssh2Module;
  let dir: string;
  let root: string;
  let server: SSHCommand;
  let hostKey: Key;
  let aliceKey: string;

  before(async () => {
    ssh2 = await loadSsh2();
    dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-ssh2c-'));
    root = join(dir, 'root');
    mkdirSync(root);
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(root, 'hello.txt'), 'hello from the root\n');
    const key = await Key.generate('ed25519');
    aliceKey = key.toString('openssh');
    writeFileSync(join(dir, 'keys', 'alice'), `${key.publicKey.toString()}\n`);
    server = await startSSHCommand(['--host-key', join(dir, 'host_key'), '--authorized-keys', join(dir, 'keys'), '--root', root, '--auth', 'memory:dave:secret'], dir);
    hostKey = await Key.fromFile(join(dir, 'host_key'));
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A connected ssh2 client, checking the host key against the one `torsion ssh` made. */
  function connect(auth: Record<string, unknown>): Promise<Ssh2Client> {
    const expected = Buffer.from(hostKey.blob());
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      client.on('ready', () => resolve(client)).on('error', reject);
      client.connect({ host: '127.0.0.1', port: server.port, readyTimeout: 20_000, hostVerifier: (key: Buffer) => expected.equals(key), ...auth });
    });
  }

  test('publickey login, exec: stdout, stderr and the exit status', { timeout: 60_000 }, async () => {
    const client = await connect({ username: 'alice', privateKey: aliceKey });
    try {
      const r = await collect(await call<Ssh2Stream>((cb) => client.exec('echo hi; echo oops >&2; pwd; exit 3', cb)));
      assert.deepEqual(r, { stdout: `hi\n${root}\n`, stderr: 'oops\n', code: 3 });
    } finally {
      client.end();
    }
  });

  test('password login; a wrong password is refused', { timeout: 60_000 }, async () => {
    const client = await connect({ username: 'dave', password: 'secret' });
    try {
      const r = await collect(await call<Ssh2Stream>((cb) => client.exec('echo "$USER"', cb)));
      assert.equal(r.stdout, 'dave\n');
    } finally {
      client.end();
    }
    await assert.rejects(connect({ username: 'dave', password: 'wrong' }), /authentication methods failed/);
  });

  test('shell over pipes, and shell on a pseudo-terminal of the asked size, resized with setWindow', { timeout: 60_000 }, async () => {
    const client = await connect({ username: 'alice', privateKey: aliceKey });
    try {
      const plain = await call<Ssh2Stream>((cb) => client.shell(false, cb));
      const plainDone = collect(plain);
      plain.end('tty; echo "user=$USER"; exit 4\n');
      assert.deepEqual(await plainDone, { stdout: 'not a tty\nuser=alice\n', stderr: '', code: 4 });

      const term = await call<Ssh2Stream>((cb) => client.shell({ term: 'xterm', cols: 90, rows: 20 }, cb));
      let screen = '';
      const termDone = collect(term);
      term.on('data', (d: Buffer) => (screen += d.toString()));
      term.write('echo "T=$(tty) S=$(stty size) E=$TERM"\n');
      await waitFor(() => /T=\/dev\/pts\/\d+ S=20 90 E=xterm/.test(screen));
      term.setWindow!(33, 120, 0, 0);
      await new Promise((r) => setTimeout(r, 200));
      term.write('echo "S2=$(stty size)"; exit 6\n');
      const done = await termDone;
      assert.match(screen, /S2=33 120/);
      assert.equal(done.code, 6);
    } finally {
      client.end();
    }
  });

  test('sftp: readdir, readFile and writeFile inside --root', { timeout: 60_000 }, async () => {
    const client = await connect({ username: 'alice', privateKey: aliceKey });
    try {
      const sftp = await call<Ssh2SFTP>((cb) => client.sftp(cb));
      const listing = await call<Array<{ filename: string; longname: string }>>((cb) => sftp.readdir('.', cb));
      assert.ok(listing.some((e) => e.filename === 'hello.txt' && /hello\.txt$/.test(e.longname)), JSON.stringify(listing));
      assert.equal((await call<Buffer>((cb) => sftp.readFile('hello.txt', cb))).toString(), 'hello from the root\n');
      const big = Buffer.alloc(300_000, 'z');
      await call<undefined>((cb) => sftp.writeFile('written.bin', big, (err) => cb(err, undefined)));
      assert.ok(readFileSync(join(root, 'written.bin')).equals(big));
      await assert.rejects(call<Buffer>((cb) => sftp.readFile('/etc/passwd', cb)));
      sftp.end();
    } finally {
      client.end();
    }
  });
});

async function waitFor(predicate: () => boolean, seconds = 20): Promise<void> {
  for (let waited = 0; !predicate(); waited += 0.05) {
    if (waited > seconds) throw new Error(`not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
