import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Protocol } from '../../internet/index.js';
import type { IReactorProcess, IReactorTCP } from '../../internet/interfaces.js';
import { MemoryReactor, failureResultOf, successResultOf } from '../../testing/index.js';
import { FakeSession, connectionWorld, exited, fakeUser } from '../test-support/connection-world.js';
import { AGENT_CHANNEL, AGENT_FORWARDING_REQUEST } from './agent-forwarding.js';
import { ClientConchUser } from './client-avatar.js';
import { SSHConnectionClient } from './client.js';
import { ChannelOpenError } from './errors.js';
import { ForwardingChannel } from './forwarding.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);
const asReactor = (reactor: MemoryReactor) => reactor as unknown as IReactorTCP & IReactorProcess;

/** A program on the server talking to the forwarded agent socket. */
class AgentUser extends Protocol {
  received = '';
  override connectionMade(): void {
    this.transport.write('request-identities');
  }
  override dataReceived(data: Uint8Array): void {
    this.received += text(data);
  }
}

function sentRequests(world: ReturnType<typeof connectionWorld>): string[] {
  // MSG_CHANNEL_REQUEST: byte 98, uint32 recipient, string name.
  return world.wire
    .filter((e) => e.from === 'client' && e.payload[0] === 98)
    .map((e) => {
      const length = new DataView(e.payload.buffer, e.payload.byteOffset).getUint32(5);
      return text(e.payload.subarray(9, 9 + length));
    });
}

describe('agent forwarding', () => {
  test('off by default: the command runs without SSH_AUTH_SOCK and nothing listens', () => {
    const serverReactor = new MemoryReactor();
    const session = new FakeSession((protocol) => protocol.processEnded(exited(0)));
    const world = connectionWorld({
      avatar: fakeUser(session, { reactor: asReactor(serverReactor) }),
      clientAvatar: new ClientConchUser(asReactor(new MemoryReactor()), { agentPath: '/tmp/agent.sock' }),
    });
    successResultOf(new SSHConnectionClient(world.clientConnection).exec('ssh-add -l'));
    assert.deepEqual(sentRequests(world), [AGENT_FORWARDING_REQUEST, 'exec']);
    assert.deepEqual(session.commands, ['ssh-add -l']);
    assert.deepEqual(session.env, []);
    assert.equal(serverReactor.unixServers.length, 0);
  });

  test('on: a 0600 socket in a private directory, SSH_AUTH_SOCK, each connection carried to the client\'s agent, removed at the end', () => {
    const parent = mkdtempSync(join(tmpdir(), 'torsion-agent-test-'));
    try {
      const serverReactor = new MemoryReactor();
      const clientReactor = new MemoryReactor();
      let finish: (() => void) | undefined;
      const session = new FakeSession((protocol) => (finish = () => protocol.processEnded(exited(0))));
      const world = connectionWorld({
        avatar: fakeUser(session, { reactor: asReactor(serverReactor), agentForwarding: true, agentSocketDirectory: parent }),
        clientAvatar: new ClientConchUser(asReactor(clientReactor), { agentPath: '/run/user/agent.sock' }),
      });
      const result = new SSHConnectionClient(world.clientConnection).exec('ssh-add -l');
      const [name, path] = session.env[0] ?? [];
      assert.equal(name, 'SSH_AUTH_SOCK');
      const server = serverReactor.unixServers[0];
      assert.equal(server.path, path);
      assert.equal(server.mode, 0o600);
      assert.equal(dirname(path!).startsWith(join(parent, 'torsion-ssh-agent-')), true);
      assert.equal(statSync(dirname(path!)).mode & 0o777, 0o700);

      const program = new AgentUser();
      const { pump } = server.listeningPort.connect(program);
      pump.flush();
      assert.deepEqual(
        clientReactor.unixClients.map((c) => c.path),
        ['/run/user/agent.sock'],
      );
      const { protocol: agentSide, transport: toAgent } = clientReactor.unixClients[0].connector.succeed();
      pump.flush();
      assert.equal(toAgent.valueString(), 'request-identities');
      agentSide.dataReceived(bytes('identities-answer'));
      pump.flush();
      assert.equal(program.received, 'identities-answer');

      finish!();
      successResultOf(result);
      assert.equal(existsSync(dirname(path!)), false);
      assert.equal(server.listeningPort.listening, false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('a client that forwards no agent refuses auth-agent@openssh.com channels', () => {
    const world = connectionWorld({ clientAvatar: new ClientConchUser(asReactor(new MemoryReactor())) });
    failureResultOf(world.serverConnection.openChannel(new ForwardingChannel(AGENT_CHANNEL)), ChannelOpenError);
  });
});
