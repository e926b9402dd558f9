/**
 * User authentication and the connection layer over real loopback TCP and the real transport: Torsion's
 * client against Torsion's server, OpenSSH's `ssh` (and `sshpass`) against Torsion's server, and Torsion's
 * client against `sshd`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySSHKeyDB, InMemoryUsernamePasswordDatabase, Portal, SSHPublicKey, SSHPublicKeyChecker } from '../../cred/index.js';
import { Factory, Protocol, clientFromString, connectProtocol, reactor } from '../../internet/index.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { eventually, requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';
import { sshClientServices } from '../client-services.js';
import { SSHClientTransport } from '../transport/client.js';
import { SSHServerTransport } from '../transport/server.js';
import { testSigningKey } from '../transport/test-support/host-keys.js';
import { SSHUserAuthServer } from '../userauth/server.js';
import { ConchRealm } from './avatar.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function run(cmd: string, args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

let dir: string;
let server: IListeningPort;
let port: number;
let echo: IListeningPort;
let echoPort: number;
const userKey = testSigningKey('ed25519');
/** OpenSSH reads PKCS#8 PEM for ECDSA keys (not for Ed25519), so `ssh -i` gets this one. */
const opensshKey = testSigningKey('ecdsa-p256');

/** Answers the first chunk it gets, then hangs up: the far end of forwarding tests. */
class OneShotEcho extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(`echo: ${text(data)}`);
    this.transport.loseConnection();
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-services-'));
  echo = reactor.listenTCP(0, Factory.forProtocol(OneShotEcho), { interface: '127.0.0.1' });
  echoPort = (echo.getHost() as unknown as { port: number }).port;
  const portal = new Portal(new ConchRealm({ path: dir, forwardAllow: [`127.0.0.1:${echoPort}`, 'localhost:*'] }), [
    new InMemoryUsernamePasswordDatabase({ alice: 'secret' }),
    new SSHPublicKeyChecker(new InMemorySSHKeyDB({ alice: [userKey.publicKey.toString(), opensshKey.publicKey.toString()] })),
  ]);
  const factory = new Factory();
  factory.buildProtocol = () =>
    new SSHServerTransport({ hostKeys: [testSigningKey('ed25519')], services: { 'ssh-userauth': () => new SSHUserAuthServer({ portal, limits: { failureDelay: 0.1 } }) } });
  server = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  port = (server.getHost() as unknown as { port: number }).port;
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${testSigningKey('ed25519').publicKey.toString()}\n`);
});

after(async () => {
  await server.stopListening();
  await echo.stopListening();
  rmSync(dir, { recursive: true, force: true });
});

async function torsionClient(options: { port: number; username: string; password?: string; keys?: ReturnType<typeof testSigningKey>[]; hostKey: SSHPublicKey }) {
  const transport = new SSHClientTransport({ verifyHostKey: (key) => key.equals(options.hostKey) });
  await connectProtocol(clientFromString(reactor, `tcp:host=127.0.0.1:port=${options.port}`), transport);
  const { userauth, ready } = sshClientServices({ username: options.username, password: options.password, keys: options.keys, reactor });
  void transport.requestService(userauth);
  return { transport, client: await ready };
}

describe("Torsion's client against Torsion's server over loopback TCP", () => {
  for (const how of ['key', 'password'] as const) {
    test(`exec with a ${how}`, { timeout: 30_000 }, async () => {
      const { client } = await torsionClient({
        port,
        username: 'alice',
        ...(how === 'key' ? { keys: [userKey] } : { password: 'secret' }),
        hostKey: testSigningKey('ed25519').publicKey,
      });
      try {
        const result = await client.exec('echo hi; echo oops >&2; exit 3');
        assert.equal(text(result.stdout), 'hi\n');
        assert.equal(text(result.stderr), 'oops\n');
        assert.equal(result.exitStatus, 3);
        const big = await client.exec('head -c 3000000 /dev/zero');
        assert.equal(big.stdout.length, 3_000_000);
      } finally {
        client.close();
      }
    });
  }
});

describe("OpenSSH's ssh against Torsion's server", () => {
  const sshArgs = () => ['-F', '/dev/null', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-p', String(port)];

  test('exec with a key: output, stderr, exit status, stdin', { timeout: 30_000 }, async () => {
    const ssh = requirePeer('ssh', 'openssh-client');
    const keyFile = join(dir, 'id_ecdsa');
    writeFileSync(keyFile, opensshKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    const base = [...sshArgs(), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile, 'alice@127.0.0.1'];
    const r = await run(ssh, [...base, 'echo hi; echo oops >&2; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    assert.match(r.stderr, /oops/);
    const cat = await run(ssh, [...base, 'tr a-z A-Z'], 'through stdin\n');
    assert.equal(cat.stdout, 'THROUGH STDIN\n', cat.stderr);
  });

  for (const method of ['password', 'keyboard-interactive'] as const) {
    test(`exec with sshpass, ${method}`, { timeout: 30_000 }, async () => {
      const sshpass = requirePeer('sshpass', 'sshpass');
      requirePeer('ssh', 'openssh-client');
      const args = [...sshArgs(), '-o', 'PubkeyAuthentication=no', '-o', `PreferredAuthentications=${method}`, 'alice@127.0.0.1', 'echo "$USER"'];
      const good = await run(sshpass, ['-p', 'secret', 'ssh', ...args]);
      assert.equal(good.code, 0, good.stderr);
      assert.equal(good.stdout, 'alice\n');
      const bad = await run(sshpass, ['-p', 'wrong', 'ssh', '-o', 'NumberOfPasswordPrompts=1', ...args]);
      assert.notEqual(bad.code, 0);
      assert.equal(bad.stdout, '');
    });
  }

  test('ssh -W (a direct-tcpip channel) reaches an allowed destination; another is refused', { timeout: 30_000 }, async () => {
    const ssh = requirePeer('ssh', 'openssh-client');
    const keyFile = join(dir, 'id_ecdsa_w');
    writeFileSync(keyFile, opensshKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    const base = [...sshArgs(), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile];
    const allowed = await run(ssh, [...base, '-W', `127.0.0.1:${echoPort}`, 'alice@127.0.0.1'], 'ping\n');
    assert.equal(allowed.stdout, 'echo: ping\n', allowed.stderr);
    const refused = await run(ssh, [...base, '-W', `127.0.0.1:${port}`, 'alice@127.0.0.1'], 'ping\n');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /administratively prohibited/);
  });

  test('a shell without a terminal reads its commands from stdin', { timeout: 30_000 }, async () => {
    const ssh = requirePeer('ssh', 'openssh-client');
    const keyFile = join(dir, 'id_ecdsa_s');
    writeFileSync(keyFile, opensshKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    const r = await run(ssh, [...sshArgs(), '-T', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile, 'alice@127.0.0.1'], 'echo shell-ok\nexit 4\n');
    assert.equal(r.stdout, 'shell-ok\n', r.stderr);
    assert.equal(r.code, 4);
  });

  test('ssh -R: the server listens for the client and each connection reaches the client side', { timeout: 30_000 }, async () => {
    const ssh = requirePeer('ssh', 'openssh-client');
    const keyFile = join(dir, 'id_ecdsa_r');
    writeFileSync(keyFile, opensshKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    const child = spawn(ssh, [...sshArgs(), '-N', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ExitOnForwardFailure=yes', '-i', keyFile, '-R', `0:127.0.0.1:${echoPort}`, 'alice@127.0.0.1']);
    try {
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      await eventually(() => /Allocated port \d+/.test(stderr), { timeout: 15 }).catch((e: Error) => {
        throw new Error(`${e.message}; ssh said: ${stderr}`);
      });
      const allocated = Number(/Allocated port (\d+)/.exec(stderr)![1]);
      const visitor = new (class extends Protocol {
        received = '';
        override connectionMade() {
          this.transport.write('via -R');
        }
        override dataReceived(data: Uint8Array) {
          this.received += text(data);
        }
      })();
      await connectProtocol(clientFromString(reactor, `tcp:host=127.0.0.1:port=${allocated}`), visitor);
      await eventually(() => visitor.received === 'echo: via -R', { timeout: 15 });
    } finally {
      child.kill();
    }
  });

  test('a wrong key is refused', { timeout: 30_000 }, async () => {
    const ssh = requirePeer('ssh', 'openssh-client');
    const keyFile = join(dir, 'id_other');
    writeFileSync(keyFile, testSigningKey('ecdsa-p384').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    const r = await run(ssh, [...sshArgs(), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile, 'alice@127.0.0.1', 'true']);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Permission denied/);
  });
});

describe("Torsion's client against sshd", () => {
  let sshd: PeerProgram | undefined;
  let hostKey: SSHPublicKey;

  before(async () => {
    const sshdPath = requirePeer('/usr/sbin/sshd', 'openssh-server');
    const keygen = requirePeer('ssh-keygen', 'openssh-client');
    mkdirSync('/run/sshd', { recursive: true });
    const sshdDir = join(dir, 'sshd');
    mkdirSync(join(sshdDir, 'keys'), { recursive: true });
    const made = await run(keygen, ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshdDir, 'host_key')]);
    assert.equal(made.code, 0, made.stderr);
    hostKey = SSHPublicKey.fromBlob(Buffer.from(readFileSync(join(sshdDir, 'host_key.pub'), 'utf8').split(' ')[1]!, 'base64'));
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

  test('exec with a key: output, stderr, exit status, a large output through the windows', { timeout: 30_000 }, async () => {
    const { client } = await torsionClient({ port: sshd!.port, username: 'root', keys: [userKey], hostKey });
    try {
      const result = await client.exec('echo hi; echo oops >&2; exit 3');
      assert.equal(text(result.stdout), 'hi\n');
      assert.equal(text(result.stderr), 'oops\n');
      assert.equal(result.exitStatus, 3);
      const big = await client.exec('head -c 2000000 /dev/zero');
      assert.equal(big.stdout.length, 2_000_000);
      const echoed = await client.exec('cat', { stdin: 'x'.repeat(1_000_000) });
      assert.equal(echoed.stdout.length, 1_000_000);
      await client.ping();
    } finally {
      client.close();
    }
  });
});
