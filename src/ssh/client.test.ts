/**
 * `SSHClient.connect` and `SSHCommandClientEndpoint` over loopback TCP: against Torsion's own server
 * (always) and against `sshd` (when installed): exec, SFTP, the known-hosts verdicts, the endpoint.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySSHKeyDB, InMemoryUsernamePasswordDatabase, Portal, SSHPublicKeyChecker } from '../cred/index.js';
import { Factory, Protocol, reactor } from '../internet/index.js';
import type { IListeningPort } from '../internet/interfaces.js';
import type { Failure } from '../defer/index.js';
import { eventually, requirePeer, startPeerProgram, type PeerProgram } from '../testing/index.js';
import { SSHClient } from './client.js';
import { SSHCommandClientEndpoint } from './command-endpoint.js';
import { ConchRealm } from './connection/avatar.js';
import { HostKeyMismatchError, UnknownHostKeyError } from './keys/errors.js';
import { Key } from './keys/key.js';
import { KnownHostsFile } from './keys/known-hosts.js';
import { RootFilesystem } from './sftp/server/root-filesystem.js';
import { SFTPServer } from './sftp/server/server.js';
import { SSHServerTransport } from './transport/server.js';
import { SSHUserAuthServer } from './userauth/server.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000, ...(env === undefined ? {} : { env }) }, (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stderr }));
  });
}

let dir: string;
let root: string;
let server: IListeningPort;
let port: number;
let hostKey: Key;
let otherHostKey: Key;
let userKey: Key;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-client-'));
  root = join(dir, 'root');
  mkdirSync(root);
  hostKey = await Key.generate('ed25519');
  otherHostKey = await Key.generate('ed25519');
  userKey = await Key.generate('ed25519');
  const portal = new Portal(new ConchRealm({ path: root, subsystems: { sftp: () => new SFTPServer(new RootFilesystem(root)) } }), [
    new InMemoryUsernamePasswordDatabase({ alice: 'secret' }),
    new SSHPublicKeyChecker(new InMemorySSHKeyDB({ alice: [userKey.publicKey.toString()] })),
  ]);
  const factory = new Factory();
  factory.buildProtocol = () => new SSHServerTransport({ hostKeys: [hostKey], services: { 'ssh-userauth': () => new SSHUserAuthServer({ portal, limits: { failureDelay: 0.1 } }) } });
  server = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  port = (server.getHost() as unknown as { port: number }).port;
});

after(async () => {
  await server.stopListening();
  rmSync(dir, { recursive: true, force: true });
});

const knownHostsWith = (key: Key) => KnownHostsFile.fromString(`[127.0.0.1]:${port} ${key.publicKey.toString()}\n`);

/** Collects a command's output; `done` fires when its channel closed. */
class Collector extends Protocol {
  received = '';
  #resolve: () => void = () => undefined;
  readonly done = new Promise<void>((resolve) => (this.#resolve = resolve));
  override dataReceived(data: Uint8Array): void {
    this.received += text(data);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#resolve();
  }
}

describe("SSHClient against Torsion's server", () => {
  test('exec with a private key given as text: stdout, stderr, exit status', { timeout: 30_000 }, async () => {
    const ssh = await SSHClient.connect({ host: '127.0.0.1', port, username: 'alice', privateKey: userKey.toString('openssh'), knownHosts: knownHostsWith(hostKey) });
    try {
      const { stdout, stderr, exitStatus } = await ssh.exec('echo hi; echo oops >&2; exit 3');
      assert.equal(text(stdout), 'hi\n');
      assert.equal(text(stderr), 'oops\n');
      assert.equal(exitStatus, 3);
    } finally {
      await ssh.close();
    }
  });

  test('sftp with a password: writeFile, readFile, readdir, inside the root', { timeout: 30_000 }, async () => {
    const ssh = await SSHClient.connect({ host: '127.0.0.1', port, username: 'alice', password: 'secret', knownHosts: knownHostsWith(hostKey) });
    try {
      const sftp = await ssh.sftp();
      const bytes = new Uint8Array(200_000).map((_, i) => i % 253);
      await sftp.writeFile('notes.bin', bytes);
      assert.deepEqual(await sftp.readFile('notes.bin'), bytes);
      assert.deepEqual(new Uint8Array(readFileSync(join(root, 'notes.bin'))), bytes);
      const entries = await sftp.readdir('.');
      const entry = entries.find((e) => e.filename === 'notes.bin');
      assert.equal(entry?.attrs.size, 200_000);
      assert.match(entry.longname, /notes\.bin/);
    } finally {
      await ssh.close();
    }
  });

  test('an unknown host key is refused by default, with UnknownHostKeyError; nothing is written', { timeout: 30_000 }, async () => {
    const path = join(dir, 'known_hosts_unknown');
    await assert.rejects(SSHClient.connect({ host: '127.0.0.1', port, username: 'alice', password: 'secret', knownHosts: path }), UnknownHostKeyError);
    assert.throws(() => readFileSync(path), /ENOENT/);
  });

  test('a changed host key is refused with HostKeyMismatchError, even with acceptNewHostKeys', { timeout: 30_000 }, async () => {
    const path = join(dir, 'known_hosts_changed');
    const before = `[127.0.0.1]:${port} ${otherHostKey.publicKey.toString()}\n`;
    writeFileSync(path, before);
    await assert.rejects(SSHClient.connect({ host: '127.0.0.1', port, username: 'alice', password: 'secret', knownHosts: path, acceptNewHostKeys: true }), HostKeyMismatchError);
    assert.equal(readFileSync(path, 'utf8'), before);
  });

  test('acceptNewHostKeys trusts and remembers an unknown key; the next connection needs no flag', { timeout: 30_000 }, async () => {
    const path = join(dir, 'known_hosts_new');
    const first = await SSHClient.connect({ host: '127.0.0.1', port, username: 'alice', password: 'secret', knownHosts: path, acceptNewHostKeys: true });
    await first.close();
    assert.equal(readFileSync(path, 'utf8'), `[127.0.0.1]:${port} ${hostKey.publicKey.toString()}\n`);
    const second = await SSHClient.connect({ host: '127.0.0.1', port, username: 'alice', password: 'secret', knownHosts: path });
    assert.equal(text((await second.exec('echo again')).stdout), 'again\n');
    await second.close();
  });

  test('a wrong password fails the connect', { timeout: 30_000 }, async () => {
    await assert.rejects(SSHClient.connect({ host: '127.0.0.1', port, username: 'alice', password: 'wrong', knownHosts: knownHostsWith(hostKey) }), /auth/i);
  });

  test('SSHCommandClientEndpoint: the protocol is wired to the command stdin and stdout', { timeout: 30_000 }, async () => {
    const endpoint = SSHCommandClientEndpoint.newConnection(reactor, 'tr a-z A-Z', 'alice', '127.0.0.1', { port, keys: [userKey], knownHosts: knownHostsWith(hostKey) });
    const protocol = (await endpoint.connect(Factory.forProtocol(Collector))) as Collector;
    protocol.transport.write('through the endpoint\n');
    (protocol.transport as unknown as { loseWriteConnection(): void }).loseWriteConnection();
    await protocol.done;
    assert.equal(protocol.received, 'THROUGH THE ENDPOINT\n');
  });
});

describe('SSHClient against sshd', () => {
  let sshd: PeerProgram | undefined;
  let sshdHostKey: string;

  before(async () => {
    const sshdPath = requirePeer('/usr/sbin/sshd', 'openssh-server');
    const keygen = requirePeer('ssh-keygen', 'openssh-client');
    mkdirSync('/run/sshd', { recursive: true });
    const sshdDir = join(dir, 'sshd');
    mkdirSync(join(sshdDir, 'keys'), { recursive: true });
    const made = await run(keygen, ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshdDir, 'host_key')]);
    assert.equal(made.code, 0, made.stderr);
    sshdHostKey = readFileSync(join(sshdDir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(join(sshdDir, 'keys', 'root'), `${userKey.publicKey.toString()}\n`);
    sshd = await startPeerProgram({
      executable: sshdPath,
      name: 'sshd',
      args: (p) => {
        const config = [
          `Port ${p}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${join(sshdDir, 'host_key')}`,
          `PidFile ${join(sshdDir, 'sshd.pid')}`,
          'UsePAM no',
          'StrictModes no',
          `AuthorizedKeysFile ${join(sshdDir, 'keys')}/%u`,
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'Subsystem sftp internal-sftp',
        ];
        writeFileSync(join(sshdDir, 'sshd_config'), config.join('\n') + '\n');
        return ['-D', '-e', '-f', join(sshdDir, 'sshd_config')];
      },
      ready: /Server listening on 127\.0\.0\.1/,
    });
  });

  after(async () => {
    await sshd?.stop();
  });

  const knownHosts = () => KnownHostsFile.fromString(`[127.0.0.1]:${sshd!.port} ${sshdHostKey}\n`);

  test('exec and sftp', { timeout: 30_000 }, async () => {
    const ssh = await SSHClient.connect({ host: '127.0.0.1', port: sshd!.port, username: 'root', privateKey: userKey, knownHosts: knownHosts() });
    try {
      const result = await ssh.exec('echo hi; echo oops >&2; exit 3');
      assert.deepEqual([text(result.stdout), text(result.stderr), result.exitStatus], ['hi\n', 'oops\n', 3]);
      const sftp = await ssh.sftp();
      const path = join(dir, 'via-sshd.txt');
      await sftp.writeFile(path, 'written by SSHClient');
      assert.equal(readFileSync(path, 'utf8'), 'written by SSHClient');
      assert.equal(text(await sftp.readFile(path)), 'written by SSHClient');
      assert.ok((await sftp.readdir(dir)).some((e) => e.filename === 'via-sshd.txt'));
    } finally {
      await ssh.close();
    }
  });

  test("sshd's unknown key is refused, a changed one too", { timeout: 30_000 }, async () => {
    await assert.rejects(SSHClient.connect({ host: '127.0.0.1', port: sshd!.port, username: 'root', privateKey: userKey, knownHosts: KnownHostsFile.fromString('') }), UnknownHostKeyError);
    const wrong = KnownHostsFile.fromString(`[127.0.0.1]:${sshd!.port} ${otherHostKey.publicKey.toString()}\n`);
    await assert.rejects(SSHClient.connect({ host: '127.0.0.1', port: sshd!.port, username: 'root', privateKey: userKey, knownHosts: wrong }), HostKeyMismatchError);
  });

  test('forwardAgent: a command on sshd lists the keys of the local agent through SSH_AUTH_SOCK; without it, no socket', { timeout: 30_000 }, async () => {
    const agentSocket = join(dir, 'agent.sock');
    const agent = spawn(requirePeer('ssh-agent', 'openssh-client'), ['-D', '-a', agentSocket], { stdio: 'ignore' });
    try {
      const agentEnv = { PATH: '/usr/bin:/bin', SSH_AUTH_SOCK: agentSocket };
      await eventually(async () => (await run(requirePeer('ssh-add', 'openssh-client'), ['-l'], agentEnv)).code === 1, { timeout: 10 });
      const agentKey = await Key.generate('ed25519');
      await agentKey.writeFile(join(dir, 'id_in_agent'), 'openssh');
      const added = await run(requirePeer('ssh-add', 'openssh-client'), [join(dir, 'id_in_agent')], agentEnv);
      assert.equal(added.code, 0, added.stderr);
      const forwarding = await SSHClient.connect({ host: '127.0.0.1', port: sshd!.port, username: 'root', privateKey: userKey, knownHosts: knownHosts(), forwardAgent: agentSocket });
      try {
        const listed = await forwarding.exec('ssh-add -l');
        assert.equal(listed.exitStatus, 0, text(listed.stderr));
        assert.ok(text(listed.stdout).includes(agentKey.fingerprint()), text(listed.stdout));
      } finally {
        await forwarding.close();
      }
      const plain = await SSHClient.connect({ host: '127.0.0.1', port: sshd!.port, username: 'root', privateKey: userKey, knownHosts: knownHosts() });
      try {
        assert.equal(text((await plain.exec('echo "[${SSH_AUTH_SOCK:-none}]"')).stdout), '[none]\n');
      } finally {
        await plain.close();
      }
    } finally {
      agent.kill();
    }
  });

  test('SSHCommandClientEndpoint runs the command on sshd', { timeout: 30_000 }, async () => {
    const endpoint = SSHCommandClientEndpoint.newConnection(reactor, 'echo from-sshd', 'root', '127.0.0.1', { port: sshd!.port, keys: [userKey], knownHosts: knownHosts() });
    const protocol = (await endpoint.connect(Factory.forProtocol(Collector))) as Collector;
    await protocol.done;
    assert.equal(protocol.received, 'from-sshd\n');
  });
});
