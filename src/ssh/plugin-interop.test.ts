/**
 * Interop: OpenSSH's `ssh`, `sftp`, `scp` and `sshpass` against the real `torsion ssh` command: the host
 * key made on first run, key and password logins, SFTP and both scp modes in `--root`, forwarding only for
 * keys that allow it and only to `--forward-allow`, a key's `command=`, the manhole as a key login's shell.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Factory, Protocol, reactor } from '../internet/index.js';
import type { IListeningPort } from '../internet/interfaces.js';
import { requirePeer } from '../testing/index.js';
import { Key } from './keys/key.js';
import { startSSHCommand, type SSHCommand } from './test-support/command.js';

const ssh = requirePeer('ssh', 'openssh-client');

function run(cmd: string, args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }));
    child.stdin?.end(stdin);
  });
}

/** Answers the first chunk, then hangs up: the far end of forwarding. */
class OneShotEcho extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(`echo: ${new TextDecoder().decode(data)}`);
    this.transport.loseConnection();
  }
}

describe('torsion ssh with OpenSSH clients', () => {
  let dir: string;
  let root: string;
  let server: SSHCommand;
  let echo: IListeningPort;
  let echoPort: number;
  const keyFile: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-cli-'));
    root = join(dir, 'root');
    mkdirSync(root);
    mkdirSync(join(dir, 'keys'));
    echo = reactor.listenTCP(0, Factory.forProtocol(OneShotEcho), { interface: '127.0.0.1' });
    echoPort = (echo.getHost() as unknown as { port: number }).port;
    // alice: a plain key (forwarding allowed); bob: `restrict`; carol: `no-port-forwarding` and a forced
    // command; erin: only from an address the tests never use.
    const options: Record<string, string> = { alice: '', bob: 'restrict ', carol: 'no-port-forwarding,command="echo forced:$SSH_ORIGINAL_COMMAND" ', erin: 'from="192.0.2.1" ' };
    for (const [user, prefix] of Object.entries(options)) {
      const key = await Key.generate('ed25519');
      keyFile[user] = join(dir, `id_${user}`);
      await key.writeFile(keyFile[user], 'openssh');
      writeFileSync(join(dir, 'keys', user), `${prefix}${key.publicKey.toString()}\n`);
    }
    server = await startSSHCommand(
      ['--host-key', join(dir, 'host_key'), '--authorized-keys', join(dir, 'keys'), '--root', root, '--auth', 'memory:dave:secret', '--forward-allow', `127.0.0.1:${echoPort}`, '--manhole'],
      dir,
    );
    const hostKey = await Key.fromFile(join(dir, 'host_key'));
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${server.port} ${hostKey.publicKey.toString()}\n`);
  });

  after(async () => {
    await server?.stop();
    await echo?.stopListening();
    rmSync(dir, { recursive: true, force: true });
  });

  const common = () => ['-F', '/dev/null', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes'];
  const asUser = (user: string) => [...common(), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile[user]!];
  const sshArgs = (user: string) => [...asUser(user), '-p', String(server.port), `${user}@127.0.0.1`];

  test('the host key was made on first run, mode 0600, and its fingerprint logged as OpenSSH prints it', async () => {
    const path = join(dir, 'host_key');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const keygen = requirePeer('ssh-keygen', 'openssh-client');
    const printed = await run(keygen, ['-l', '-f', path]);
    const fingerprint = printed.stdout.split(' ')[1]!;
    assert.match(fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.ok(server.log().includes(fingerprint), server.log());
  });

  test('ssh exec with a key: output, stderr, exit status, working directory --root', { timeout: 30_000 }, async () => {
    const r = await run(ssh, [...sshArgs('alice'), 'echo hi; echo oops >&2; pwd; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, `hi\n${root}\n`);
    assert.match(r.stderr, /oops/);
  });

  test('sshpass: a password login from --auth; a wrong one is refused', { timeout: 30_000 }, async () => {
    const sshpass = requirePeer('sshpass', 'sshpass');
    const args = [...common(), '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1', '-p', String(server.port), 'dave@127.0.0.1', 'echo "$USER"'];
    const good = await run(sshpass, ['-p', 'secret', ssh, ...args]);
    assert.equal(good.stdout, 'dave\n', good.stderr);
    const bad = await run(sshpass, ['-p', 'wrong', ssh, ...args]);
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stdout, '');
  });

  test('sftp -b: put, get, ls, rename, rm, mkdir, rmdir, all inside --root', { timeout: 60_000 }, async () => {
    const sftp = requirePeer('sftp', 'openssh-client');
    const local = join(dir, 'local.txt');
    writeFileSync(local, 'sftp payload\n');
    const batch = join(dir, 'batch');
    writeFileSync(batch, [`put ${local} up.txt`, 'mkdir sub', 'rename up.txt sub/moved.txt', 'ls sub', `get sub/moved.txt ${join(dir, 'back.txt')}`, 'mkdir gone', 'rmdir gone', 'rm sub/moved.txt', 'rmdir sub'].join('\n') + '\n');
    const r = await run(sftp, [...asUser('alice'), '-P', String(server.port), '-b', batch, 'alice@127.0.0.1']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /moved\.txt/);
    assert.equal(readFileSync(join(dir, 'back.txt'), 'utf8'), 'sftp payload\n');
    assert.equal(existsSync(join(root, 'sub')), false);
    assert.equal(existsSync(join(root, 'gone')), false);
  });

  for (const mode of [[], ['-O']] as const) {
    test(`scp ${mode.length === 0 ? '(SFTP-based)' : '-O (legacy)'}: upload and download`, { timeout: 60_000 }, async () => {
      const scp = requirePeer('scp', 'openssh-client');
      const name = mode.length === 0 ? 'scp-sftp' : 'scp-legacy';
      writeFileSync(join(dir, `${name}.txt`), `${name} payload\n`);
      const up = await run(scp, [...mode, ...asUser('alice'), '-P', String(server.port), join(dir, `${name}.txt`), `alice@127.0.0.1:${name}.up`]);
      assert.equal(up.code, 0, up.stderr);
      assert.equal(readFileSync(join(root, `${name}.up`), 'utf8'), `${name} payload\n`);
      const down = await run(scp, [...mode, ...asUser('alice'), '-P', String(server.port), `alice@127.0.0.1:${name}.up`, join(dir, `${name}.down`)]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(readFileSync(join(dir, `${name}.down`), 'utf8'), `${name} payload\n`);
    });
  }

  test('forwarding (a direct-tcpip channel, as -L opens): allowed for a plain key to --forward-allow only', { timeout: 60_000 }, async () => {
    const allowed = await run(ssh, [...asUser('alice'), '-p', String(server.port), '-W', `127.0.0.1:${echoPort}`, 'alice@127.0.0.1'], 'ping\n');
    assert.equal(allowed.stdout, 'echo: ping\n', allowed.stderr);
    const elsewhere = await run(ssh, [...asUser('alice'), '-p', String(server.port), '-W', `127.0.0.1:${server.port}`, 'alice@127.0.0.1'], 'ping\n');
    assert.match(elsewhere.stderr, /administratively prohibited/);
    for (const user of ['bob', 'carol']) {
      const refused = await run(ssh, [...asUser(user), '-p', String(server.port), '-W', `127.0.0.1:${echoPort}`, `${user}@127.0.0.1`], 'ping\n');
      assert.equal(refused.stdout, '', user);
      assert.match(refused.stderr, /administratively prohibited/, user);
    }
  });

  test("ssh -L: a local listener through the server reaches the allowed destination", { timeout: 60_000 }, async () => {
    const localPort = await freePort();
    const child = execFile(ssh, [...asUser('alice'), '-N', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${localPort}:127.0.0.1:${echoPort}`, '-p', String(server.port), 'alice@127.0.0.1']);
    try {
      let answer = '';
      for (let i = 0; i < 100 && answer === ''; i++) {
        answer = await new Promise<string>((resolve) => {
          const nc = execFile(process.execPath, ['-e', `const s=require('net').connect(${localPort},'127.0.0.1',()=>s.write('via -L'));let b='';s.on('data',d=>b+=d);s.on('close',()=>process.stdout.write(b));s.on('error',()=>{})`], { timeout: 5_000 }, (_e, out) => resolve(out));
          nc.stdin?.end();
        });
        if (answer === '') await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(answer, 'echo: via -L');
    } finally {
      child.kill();
    }
  });

  test('--manhole: a key login gets the REPL as its shell; a password login gets /bin/sh', { timeout: 30_000 }, async () => {
    const repl = await run(ssh, ['-T', ...sshArgs('alice')], 'typeof app.startService\n6 * 7\n.exit\n');
    assert.match(repl.stdout, /'function'/, repl.stderr);
    assert.match(repl.stdout, /\b42\b/);
    const sshpass = requirePeer('sshpass', 'sshpass');
    const shell = await run(sshpass, ['-p', 'secret', ssh, '-T', ...common(), '-o', 'PubkeyAuthentication=no', '-p', String(server.port), 'dave@127.0.0.1'], 'echo "shell $USER"\n');
    assert.equal(shell.stdout, 'shell dave\n', shell.stderr);
  });

  test('a key with from= is refused from another address', { timeout: 30_000 }, async () => {
    const r = await run(ssh, [...sshArgs('erin'), 'true']);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Permission denied/);
    const restricted = await run(ssh, [...asUser('bob'), '-p', String(server.port), 'bob@127.0.0.1', 'echo restricted-but-in']);
    assert.equal(restricted.stdout, 'restricted-but-in\n', restricted.stderr);
  });

  test('a key with command= runs that command whatever was asked, and gets no SFTP', { timeout: 30_000 }, async () => {
    const r = await run(ssh, [...sshArgs('carol'), 'echo asked']);
    assert.equal(r.stdout, 'forced:echo asked\n', r.stderr);
  });
});

/** A port nothing listens on now (closed again at once). */
async function freePort(): Promise<number> {
  const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: '127.0.0.1' });
  const n = (port.getHost() as unknown as { port: number }).port;
  await port.stopListening();
  return n;
}
