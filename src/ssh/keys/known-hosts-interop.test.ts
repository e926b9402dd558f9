/**
 * `known_hosts` interop with OpenSSH: what `ssh-keyscan` prints for a real `sshd` (plain and `-H` hashed)
 * parses here and matches the host keys (which were generated and written by `Key`, and which sshd loaded);
 * a file written here and hashed by `ssh-keygen -H` still matches; `ssh-keygen -F` finds the entries
 * written here, plain, hashed and with a port.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';
import { Key } from './key.js';
import { KnownHostsFile } from './known-hosts.js';
import { testKey } from './test-support.js';

let dir: string;
let sshKeygen: string;
let sshKeyscan: string;
let sshd: PeerProgram | undefined;
const hostKeys: Key[] = [];

before(async () => {
  sshKeygen = requirePeer('ssh-keygen', 'openssh-client');
  sshKeyscan = requirePeer('ssh-keyscan', 'openssh-client');
  const sshdPath = requirePeer('/usr/sbin/sshd', 'openssh-server');
  dir = mkdtempSync(join(tmpdir(), 'torsion-known-hosts-interop-'));
  mkdirSync('/run/sshd', { recursive: true });
  for (const [kind, bits] of [['ed25519', undefined], ['ecdsa', 384], ['rsa', 2048]] as const) {
    const key = await Key.generate(kind, { bits, comment: `host-${kind}` }).asPromise();
    await key.writeFile(join(dir, `host_${kind}`));
    hostKeys.push(key);
  }
  sshd = await startPeerProgram({
    executable: sshdPath,
    name: 'sshd',
    args: (port) => {
      const config = [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        ...['ed25519', 'ecdsa', 'rsa'].map((k) => `HostKey ${join(dir, `host_${k}`)}`),
        `PidFile ${join(dir, 'sshd.pid')}`,
        'UsePAM no',
        'StrictModes no',
        `AuthorizedKeysFile ${join(dir, 'authorized', '%u')}`,
      ].join('\n');
      writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
      return ['-D', '-e', '-f', join(dir, 'sshd_config')];
    },
  });
});

after(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(command: string, args: string[]): { stdout: string; status: number | null } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout, status: r.status };
}

describe('known_hosts interop', () => {
  for (const hashed of [false, true]) {
    test(`ssh-keyscan${hashed ? ' -H' : ''} output for a real sshd parses and matches its host keys`, () => {
      const port = sshd!.port;
      const out = run(sshKeyscan, [...(hashed ? ['-H'] : []), '-T', '20', '-p', String(port), '-t', 'ed25519,ecdsa,rsa', '127.0.0.1']);
      const known = KnownHostsFile.fromString(out.stdout);
      assert.equal(known.entries().length, 3, out.stdout);
      assert.ok(known.entries().every((e) => e.error === undefined && e.hashed === hashed));
      for (const key of hostKeys) assert.equal(known.hasHostKey('127.0.0.1', port, key), true, key.sshType());
      assert.equal(known.hasHostKey('127.0.0.1', 22, hostKeys[0]), false);
      assert.equal(known.toString(), out.stdout);
    });
  }

  test('a file written here, hashed by ssh-keygen -H, still matches; ssh-keygen -F finds what was written here', async () => {
    const path = join(dir, 'known_hosts');
    writeFileSync(path, '# written by hand\n');
    const known = await KnownHostsFile.fromPath(path);
    const [ed, ecdsa, rsa] = [await testKey('ed25519'), await testKey('ecdsa-256'), await testKey('rsa-2048')];
    known.addHostKey('plain.example', 22, ed);
    known.addHostKey('ported.example', 2222, ecdsa);
    known.addHostKey('hashed.example', 2200, rsa, { hash: true });
    await known.save();
    assert.match(readFileSync(path, 'utf8'), /^# written by hand\n/);

    for (const [name, key] of [['plain.example', ed], ['[ported.example]:2222', ecdsa], ['[hashed.example]:2200', rsa]] as const) {
      const found = run(sshKeygen, ['-F', name, '-f', path]);
      assert.equal(found.status, 0, `ssh-keygen -F ${name}`);
      assert.match(found.stdout, new RegExp(`found: line \\d+`));
      assert.ok(found.stdout.includes(key.public().toString('public', { comment: '' }).trim().split(' ')[1]), name);
    }
    assert.notEqual(run(sshKeygen, ['-F', 'other.example', '-f', path]).status, 0);

    assert.equal(run(sshKeygen, ['-H', '-f', path]).status, 0);
    const rehashed = await KnownHostsFile.fromPath(path);
    assert.ok(rehashed.entries().every((e) => e.hashed));
    assert.equal(rehashed.hasHostKey('plain.example', 22, ed), true);
    assert.equal(rehashed.hasHostKey('ported.example', 2222, ecdsa), true);
    assert.equal(rehashed.hasHostKey('hashed.example', 2200, rsa), true);
    assert.equal(rehashed.hasHostKey('ported.example', 22, ecdsa), false);
  });
});
