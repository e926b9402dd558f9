/**
 * The transport layer against OpenSSH (Debian `openssh-server`, `openssh-client`): Torsion's client against
 * `sshd`, and OpenSSH's `ssh` against Torsion's server, once per key exchange, host key, cipher and MAC.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSHPublicKey } from '../../cred/ssh-keys.js';
import { reactor } from '../../internet/reactor.js';
import { clientFromString, connectProtocol } from '../../internet/index.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { Factory } from '../../internet/protocol.js';
import { eventually, requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';
import { CIPHER_ALGORITHMS, KEX_ALGORITHMS, MAC_ALGORITHMS } from './algorithms.js';
import { SSHClientTransport } from './client.js';
import { SSHServerTransport } from './server.js';
import { testSigningKey, type TestKeyType } from './test-support/host-keys.js';
import { NoneAuthProbe, PublicKeyAuthProbe, RefuseAllAuth } from './test-support/userauth-probe.js';

const HOST_KEYS: Record<string, { file: string; type: TestKeyType }> = {
  'ssh-ed25519': { file: 'ssh_host_ed25519_key', type: 'ed25519' },
  'ecdsa-sha2-nistp256': { file: 'ssh_host_ecdsa_key', type: 'ecdsa-p256' },
  'rsa-sha2-256': { file: 'ssh_host_rsa_key', type: 'rsa' },
  'rsa-sha2-512': { file: 'ssh_host_rsa_key', type: 'rsa' },
};

/** One case per algorithm: the rest stay at a fixed, known-good choice. */
interface Case {
  kex: string;
  hostKey: string;
  cipher: string;
  mac: string;
}
const BASE: Case = { kex: 'curve25519-sha256', hostKey: 'ssh-ed25519', cipher: 'aes128-ctr', mac: 'hmac-sha2-256' };
const CASES: Case[] = [
  ...KEX_ALGORITHMS.map((kex) => ({ ...BASE, kex })),
  ...Object.keys(HOST_KEYS).map((hostKey) => ({ ...BASE, hostKey })),
  ...CIPHER_ALGORITHMS.map((cipher) => ({ ...BASE, cipher })),
  ...MAC_ALGORITHMS.map((mac) => ({ ...BASE, mac })),
].filter((c, i, all) => all.findIndex((o) => JSON.stringify(o) === JSON.stringify(c)) === i);

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stderr }));
  });
}

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-interop-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("Torsion's client against sshd", () => {
  let sshd: PeerProgram | undefined;

  before(async () => {
    const sshdPath = requirePeer('/usr/sbin/sshd', 'openssh-server');
    const keygen = requirePeer('ssh-keygen', 'openssh-client');
    mkdirSync('/run/sshd', { recursive: true });
    for (const [type, file] of [['ed25519', 'ssh_host_ed25519_key'], ['ecdsa', 'ssh_host_ecdsa_key'], ['rsa', 'ssh_host_rsa_key']]) {
      const r = await run(keygen, ['-q', '-t', type!, '-N', '', '-f', join(dir, file!)]);
      assert.equal(r.code, 0, r.stderr);
    }
    mkdirSync(join(dir, 'keys'));
    sshd = await startPeerProgram({
      executable: sshdPath,
      name: 'sshd',
      args: (port) => {
        const config = [
          `Port ${port}`,
          'ListenAddress 127.0.0.1',
          ...['ssh_host_ed25519_key', 'ssh_host_ecdsa_key', 'ssh_host_rsa_key'].map((f) => `HostKey ${join(dir, f)}`),
          `PidFile ${join(dir, 'sshd.pid')}`,
          'UsePAM no',
          'StrictModes no',
          `AuthorizedKeysFile ${join(dir, 'keys')}/%u`,
          'PasswordAuthentication yes',
          'KbdInteractiveAuthentication no',
          'LogLevel DEBUG1',
          `KexAlgorithms ${KEX_ALGORITHMS.join(',')}`,
          `HostKeyAlgorithms ${Object.keys(HOST_KEYS).join(',')}`,
          `Ciphers ${CIPHER_ALGORITHMS.join(',')}`,
          `MACs ${MAC_ALGORITHMS.join(',')}`,
        ];
        writeFileSync(join(dir, 'sshd_config'), config.join('\n') + '\n');
        return ['-D', '-e', '-f', join(dir, 'sshd_config')];
      },
      ready: /Server listening on 127\.0\.0\.1/,
    });
  });

  after(async () => {
    await sshd?.stop();
  });

  test('zlib@openssh.com after publickey authentication, across a re-key', { timeout: 30_000 }, async () => {
    const userKey = testSigningKey('ed25519');
    writeFileSync(join(dir, 'keys', 'root'), `${userKey.publicKey.toString()}\n`);
    const transport = new SSHClientTransport({ algorithms: { compression: ['zlib@openssh.com'] }, verifyHostKey: () => true });
    await connectProtocol(clientFromString(reactor, `tcp:host=127.0.0.1:port=${sshd!.port}`), transport);
    try {
      const probe = new PublicKeyAuthProbe('root', userKey, 'ssh-ed25519');
      await transport.requestService(probe);
      await probe.authenticated;
      assert.deepEqual(transport.compressing, { in: true, out: true });
      const REQUEST_FAILURE = 82;
      probe.ping();
      await eventually(() => probe.replies.length === 1, { timeout: 10 });
      assert.deepEqual(probe.replies, [REQUEST_FAILURE]);
      transport.rekey();
      await eventually(() => transport.keyExchanges === 2, { timeout: 10 });
      probe.ping();
      await eventually(() => probe.replies.length === 2, { timeout: 10 });
      assert.deepEqual(probe.replies, [REQUEST_FAILURE, REQUEST_FAILURE]);
      assert.equal(transport.closeReason, undefined);
    } finally {
      transport.sendDisconnect(11, 'done');
    }
  });

  for (const c of CASES) {
    test(`${c.kex} / ${c.hostKey} / ${c.cipher} / ${c.mac}: SERVICE_ACCEPT, then none is refused with the method list`, { timeout: 30_000 }, async () => {
      const line = readFileSync(join(dir, `${HOST_KEYS[c.hostKey]!.file}.pub`), 'utf8').split(' ');
      const expected = SSHPublicKey.fromBlob(Buffer.from(line[1]!, 'base64'));
      const seen: string[] = [];
      const transport = new SSHClientTransport({
        algorithms: { kex: [c.kex], hostKey: [c.hostKey], cipher: [c.cipher], mac: [c.mac] },
        verifyHostKey: (key, details) => {
          seen.push(details.algorithm);
          return key.equals(expected);
        },
      });
      await connectProtocol(clientFromString(reactor, `tcp:host=127.0.0.1:port=${sshd!.port}`), transport);
      try {
        const probe = new NoneAuthProbe('nobody');
        await transport.requestService(probe);
        const methods = await probe.methods;
        assert.ok(methods.includes('publickey') && methods.includes('password'), methods.join(','));
        assert.deepEqual(seen, [c.hostKey]);
        assert.equal(transport.negotiated?.kex, c.kex);
        assert.equal(transport.negotiated?.cipherClientToServer, c.cipher);
        assert.equal(transport.strictKex, true);
        assert.ok(transport.serverSigAlgs?.includes('rsa-sha2-512'));
      } finally {
        transport.sendDisconnect(11, 'done');
      }
    });
  }
});

describe("OpenSSH's ssh against Torsion's server", () => {
  let port: IListeningPort;
  let portNumber: number;

  before(() => {
    const factory = new Factory();
    factory.buildProtocol = () =>
      new SSHServerTransport({
        hostKeys: [testSigningKey('ed25519'), testSigningKey('ecdsa-p256'), testSigningKey('rsa')],
        services: { 'ssh-userauth': () => new RefuseAllAuth() },
      });
    port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
    portNumber = (port.getHost() as unknown as { port: number }).port;
    const lines = (['ed25519', 'ecdsa-p256', 'rsa'] as const).map((t) => `[127.0.0.1]:${portNumber} ${testSigningKey(t).publicKey.toString()}`);
    writeFileSync(join(dir, 'known_hosts'), lines.join('\n') + '\n');
  });

  after(async () => {
    await port.stopListening();
  });

  for (const c of CASES) {
    test(`${c.kex} / ${c.hostKey} / ${c.cipher} / ${c.mac}: kex completes, auth is denied`, { timeout: 30_000 }, async () => {
      const ssh = requirePeer('ssh', 'openssh-client');
      const { code, stderr } = await run(ssh, [
        '-vv', '-F', '/dev/null',
        '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
        '-o', 'StrictHostKeyChecking=yes',
        '-o', 'BatchMode=yes',
        '-o', 'IdentitiesOnly=yes',
        '-o', `KexAlgorithms=${c.kex}`,
        '-o', `HostKeyAlgorithms=${c.hostKey}`,
        '-o', `Ciphers=${c.cipher}`,
        '-o', `MACs=${c.mac}`,
        '-p', String(portNumber),
        'nobody@127.0.0.1', 'true',
      ]);
      assert.equal(code, 255, stderr);
      assert.match(stderr, new RegExp(`kex: algorithm: ${c.kex.replace(/\./g, '\\.')}\\r?\\n`));
      assert.match(stderr, new RegExp(`kex: host key algorithm: ${c.hostKey}\\r?\\n`));
      const mac = c.cipher.includes('gcm') || c.cipher.includes('chacha') ? '<implicit>' : c.mac;
      assert.ok(stderr.includes(`kex: server->client cipher: ${c.cipher} MAC: ${mac} compression: none`), stderr);
      assert.match(stderr, /Host '\[127\.0\.0\.1\]:\d+' is known and matches/);
      assert.match(stderr, /Permission denied \(publickey,password\)/);
    });
  }
});

describe("OpenSSH's ssh against Torsion's server: compression", () => {
  test('ssh -C negotiates zlib@openssh.com', { timeout: 30_000 }, async () => {
    const ssh = requirePeer('ssh', 'openssh-client');
    const factory = new Factory();
    factory.buildProtocol = () => new SSHServerTransport({ hostKeys: [testSigningKey('ed25519')], services: { 'ssh-userauth': () => new RefuseAllAuth() } });
    const listening = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
    try {
      const p = (listening.getHost() as unknown as { port: number }).port;
      writeFileSync(join(dir, 'known_hosts_c'), `[127.0.0.1]:${p} ${testSigningKey('ed25519').publicKey.toString()}\n`);
      const { code, stderr } = await run(ssh, ['-vv', '-C', '-F', '/dev/null', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts_c')}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', String(p), 'nobody@127.0.0.1', 'true']);
      assert.equal(code, 255, stderr);
      assert.match(stderr, /compression: zlib@openssh\.com/);
      assert.match(stderr, /Permission denied \(publickey,password\)/);
    } finally {
      await listening.stopListening();
    }
  });
});
