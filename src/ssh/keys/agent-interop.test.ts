/**
 * The agent client against OpenSSH's `ssh-agent` (Debian's openssh-client) on a Unix socket, connected
 * through the reactor: keys `ssh-add` loaded are listed and sign (RSA with both rsa-sha2 flags), each
 * signature checked with `SSHPublicKey.verify`; a key added by this client shows in `ssh-add -L`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';
import { SSHAgentClient } from './agent.js';
import { AgentFailureError } from './errors.js';
import { Key } from './key.js';
import { KINDS, testKey } from './test-support.js';

let dir: string;
let socket: string;
let sshAdd: string;
let agentProcess: PeerProgram | undefined;
let agent: SSHAgentClient;

before(async () => {
  const sshAgent = requirePeer('ssh-agent', 'openssh-client');
  sshAdd = requirePeer('ssh-add', 'openssh-client');
  dir = mkdtempSync(join(tmpdir(), 'torsion-agent-interop-'));
  socket = join(dir, 'agent.sock');
  agentProcess = await startPeerProgram({ executable: sshAgent, name: 'ssh-agent', args: () => ['-D', '-a', socket], ready: /SSH_AUTH_SOCK=/ });
  for (const { name } of KINDS) {
    const path = join(dir, name);
    await (await testKey(name)).writeFile(path);
    addWithSshAdd(path);
  }
  agent = await SSHAgentClient.connect({ path: socket });
});

after(async () => {
  if (agent?.connected) agent.close();
  await agentProcess?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sshAddRun(args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync(sshAdd, args, { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', SSH_AUTH_SOCK: socket } });
  return { status: r.status, stdout: r.stdout };
}

function addWithSshAdd(path: string): void {
  const r = sshAddRun(['-q', path]);
  assert.equal(r.status, 0, `ssh-add ${path}`);
}

describe('ssh-agent interop', () => {
  test('the keys ssh-add loaded are listed, with their comments', async () => {
    const keys = await agent.requestIdentities();
    for (const { name } of KINDS) {
      const mine = await testKey(name);
      const listed = keys.find((k) => k.publicKey.equals(mine.publicKey));
      assert.ok(listed, name);
      assert.equal(listed.comment, `${name}@test`);
    }
  });

  test('every key signs through the agent with every algorithm, verified with SSHPublicKey.verify', async () => {
    const data = new TextEncoder().encode('a session id and a userauth request');
    for (const key of await agent.requestIdentities()) {
      for (const algorithm of key.publicKey.signatureAlgorithms()) {
        const signature = await key.sign(algorithm, data);
        assert.equal(key.publicKey.verify(algorithm, signature, data), true, `${key.comment} ${algorithm}`);
        assert.equal(key.publicKey.verify(algorithm, signature, new TextEncoder().encode('other')), false);
      }
    }
  });

  test('addIdentity gives the agent a key ssh-add -L then lists; removeIdentity takes it away; an unknown key is refused', async () => {
    const key = await Key.generate('ed25519', { comment: 'added@torsion' });
    await agent.addIdentity(key);
    assert.match(sshAddRun(['-L']).stdout, new RegExp(`${key.public().toString('public', { comment: '' }).trim().split(' ')[1].replace(/[+/]/g, '\\$&')} added@torsion`));
    const data = new Uint8Array([1, 2, 3]);
    assert.ok(key.verify('ssh-ed25519', await agent.signData(key, 'ssh-ed25519', data), data));
    await agent.removeIdentity(key);
    await assert.rejects(agent.signData(key, 'ssh-ed25519', data).asPromise(), AgentFailureError);
    assert.doesNotMatch(sshAddRun(['-L']).stdout, /added@torsion/);
  });
});
