import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Protocol } from '../../internet/index.js';
import type { IReactorProcess, IReactorTCP } from '../../internet/interfaces.js';
import { MemoryReactor, failureResultOf, successResultOf } from '../../testing/index.js';
import { FakeSession, connectionWorld, fakeUser } from '../test-support/connection-world.js';
import { ConchUser } from './avatar.js';
import { ClientConchUser } from './client-avatar.js';
import { SSHChannel } from './channel.js';
import { SSHConnectionClient } from './client.js';
import { ChannelOpenError, ForwardingRefusedError, RequestFailedError } from './errors.js';
import { ForwardAllowList, ForwardingChannel } from './forwarding.js';
import type { IConchUser } from './interfaces.js';
import { MSG_CHANNEL_WINDOW_ADJUST, OPEN_ADMINISTRATIVELY_PROHIBITED, hostPort, parseBoundPort, parseTCPIPOpenData, ptyRequest, tcpipOpenData } from './messages.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

/** The memory reactor where a ConchUser wants TCP and processes (no process is spawned here). */
const asReactor = (reactor: MemoryReactor) => reactor as unknown as IReactorTCP & IReactorProcess;

class Recorder extends SSHChannel {
  readonly received: Uint8Array[] = [];
  override dataReceived(data: Uint8Array): void {
    this.received.push(data);
  }
}

function directOpen(port: number, host = '127.0.0.1'): Uint8Array {
  return tcpipOpenData({ target: { host, port }, origin: { host: '10.0.0.9', port: 40000 } });
}

describe('ForwardAllowList', () => {
  test('host:port entries, * for any port, [v6]:port; nothing by default', () => {
    const allow = new ForwardAllowList(['127.0.0.1:8080', 'DB.internal:*', '[::1]:22']);
    assert.equal(allow.permits('127.0.0.1', 8080), true);
    assert.equal(allow.permits('127.0.0.1', 8081), false);
    assert.equal(allow.permits('db.internal', 5432), true);
    assert.equal(allow.permits('::1', 22), true);
    assert.equal(allow.permits('localhost', 8080), false);
    assert.equal(new ForwardAllowList().permits('127.0.0.1', 8080), false);
    assert.throws(() => new ForwardAllowList(['nonsense']), ForwardingRefusedError);
  });
});

describe('direct-tcpip (local forwarding) on the server', () => {
  test('refused by default, without any connection attempt', () => {
    const reactor = new MemoryReactor();
    const world = connectionWorld({ avatar: new ConchUser('alice', { reactor: asReactor(reactor) }) });
    const f = failureResultOf(world.clientConnection.openChannel(new ForwardingChannel('direct-tcpip'), directOpen(8080)), ChannelOpenError);
    assert.equal((f.value as ChannelOpenError).reason, OPEN_ADMINISTRATIVELY_PROHIBITED);
    assert.equal(reactor.tcpClients.length, 0);
  });

  test('allowed by the allow-list: connects, confirms once connected, carries data both ways; other targets refused', () => {
    const reactor = new MemoryReactor();
    const world = connectionWorld({ avatar: new ConchUser('alice', { reactor: asReactor(reactor), forwardAllow: ['127.0.0.1:8080'] }) });
    failureResultOf(world.clientConnection.openChannel(new ForwardingChannel('direct-tcpip'), directOpen(22)), ChannelOpenError);
    const channel = new Recorder();
    channel.name = 'direct-tcpip';
    const opened = world.clientConnection.openChannel(channel, directOpen(8080));
    assert.equal(reactor.tcpClients.length, 1);
    assert.deepEqual([reactor.tcpClients[0].host, reactor.tcpClients[0].port], ['127.0.0.1', 8080]);
    assert.equal(opened.called, false);
    const { protocol, transport } = reactor.tcpClients[0].connector.succeed();
    successResultOf(opened);
    channel.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(transport.valueString(), 'GET / HTTP/1.0\r\n\r\n');
    protocol.dataReceived(bytes('HTTP/1.0 200 OK\r\n'));
    assert.equal(channel.received.map(text).join(''), 'HTTP/1.0 200 OK\r\n');
    channel.loseConnection();
    assert.equal(transport.disconnecting, true);
  });

  test('a failed connection refuses the open with CONNECT_FAILED', () => {
    const reactor = new MemoryReactor();
    const world = connectionWorld({ avatar: new ConchUser('alice', { reactor: asReactor(reactor), forwardAllow: ['127.0.0.1:*'] }) });
    const opened = world.clientConnection.openChannel(new ForwardingChannel('direct-tcpip'), directOpen(9));
    reactor.tcpClients[0].connector.fail();
    assert.equal((failureResultOf(opened, ChannelOpenError).value as ChannelOpenError).reason, 2);
  });
});

describe('tcpip-forward (remote forwarding) on the server', () => {
  test('refused by default: nothing listens', () => {
    const reactor = new MemoryReactor();
    const world = connectionWorld({ avatar: new ConchUser('alice', { reactor: asReactor(reactor) }) });
    failureResultOf(world.clientConnection.sendGlobalRequest('tcpip-forward', hostPort({ host: '127.0.0.1', port: 0 }), true), RequestFailedError);
    assert.equal(reactor.tcpServers.length, 0);
  });

  test('localhost binds the IPv4 loopback, as OpenSSH asks by default; another host name is refused', () => {
    const reactor = new MemoryReactor();
    const world = connectionWorld({ avatar: new ConchUser('alice', { reactor: asReactor(reactor), forwardAllow: ['localhost:*', 'example.org:*'] }) });
    successResultOf(world.clientConnection.sendGlobalRequest('tcpip-forward', hostPort({ host: 'localhost', port: 0 }), true));
    assert.equal(reactor.tcpServers[0].interface, '127.0.0.1');
    failureResultOf(world.clientConnection.sendGlobalRequest('tcpip-forward', hostPort({ host: 'example.org', port: 0 }), true), RequestFailedError);
    assert.equal(reactor.tcpServers.length, 1);
  });

  test('allowed: listens, answers the bound port, opens forwarded-tcpip to the client per connection, stops at the end', () => {
    const reactor = new MemoryReactor();
    const opens: Uint8Array[] = [];
    const clientAvatar: IConchUser = {
      username: '',
      lookupChannel: (type, data) => {
        assert.equal(type, 'forwarded-tcpip');
        opens.push(data);
        return new Recorder();
      },
      gotGlobalRequest: () => false,
    };
    const world = connectionWorld({ avatar: new ConchUser('alice', { reactor: asReactor(reactor), forwardAllow: ['127.0.0.1:*'] }), clientAvatar });
    const reply = successResultOf(world.clientConnection.sendGlobalRequest('tcpip-forward', hostPort({ host: '127.0.0.1', port: 0 }), true));
    const record = reactor.tcpServers[0];
    assert.equal(record.interface, '127.0.0.1');
    const port = parseBoundPort(reply);
    assert.equal(port, (record.listeningPort.getHost() as unknown as { port: number }).port);
    const visitor = new (class extends Protocol {
      received = '';
      override connectionMade() {
        this.transport.write('hello through -R');
      }
      override dataReceived(data: Uint8Array) {
        this.received += text(data);
      }
    })();
    const { pump } = record.listeningPort.connect(visitor);
    pump.flush();
    assert.equal(opens.length, 1);
    assert.deepEqual(parseTCPIPOpenData(opens[0]).target, { host: '127.0.0.1', port });
    const clientChannel = [...world.clientConnection.channels.values()][0] as Recorder;
    assert.equal(clientChannel.received.map(text).join(''), 'hello through -R');
    clientChannel.write('answer');
    pump.flush();
    assert.equal(visitor.received, 'answer');
    world.client.sendDisconnect(11, 'bye');
    assert.equal(record.listeningPort.listening, false);
  });
});

describe('remote forwarding on the client', () => {
  test('forwardRemotePort: the server listens, each connection reaches the registered local target; others are refused', () => {
    const serverReactor = new MemoryReactor();
    const clientReactor = new MemoryReactor();
    const world = connectionWorld({
      avatar: new ConchUser('alice', { reactor: asReactor(serverReactor), forwardAllow: ['127.0.0.1:*'] }),
      clientAvatar: new ClientConchUser(asReactor(clientReactor)),
    });
    const client = new SSHConnectionClient(world.clientConnection, asReactor(clientReactor));
    const port = successResultOf(client.forwardRemotePort({ host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 3000 }));
    assert.equal(port, (serverReactor.tcpServers[0].listeningPort.getHost() as unknown as { port: number }).port);
    const visitor = new (class extends Protocol {
      received = '';
      override connectionMade() {
        this.transport.write('knock');
      }
      override dataReceived(data: Uint8Array) {
        this.received += text(data);
      }
    })();
    const { pump } = serverReactor.tcpServers[0].listeningPort.connect(visitor);
    pump.flush();
    assert.deepEqual([clientReactor.tcpClients[0].host, clientReactor.tcpClients[0].port], ['127.0.0.1', 3000]);
    const { protocol, transport } = clientReactor.tcpClients[0].connector.succeed();
    pump.flush();
    assert.equal(transport.valueString(), 'knock');
    protocol.dataReceived(bytes('who is there'));
    pump.flush();
    assert.equal(visitor.received, 'who is there');
    const unasked = new ForwardingChannel('forwarded-tcpip');
    const refused = world.serverConnection.openChannel(unasked, tcpipOpenData({ target: { host: '127.0.0.1', port: 22 }, origin: { host: '1.2.3.4', port: 5 } }));
    assert.equal((failureResultOf(refused, ChannelOpenError).value as ChannelOpenError).reason, OPEN_ADMINISTRATIVELY_PROHIBITED);
    assert.equal(clientReactor.tcpClients.length, 1);
  });
});

describe('local forwarding on the client', () => {
  test('each accepted connection opens a direct-tcpip channel to the target', () => {
    const reactor = new MemoryReactor();
    const targets: Uint8Array[] = [];
    const serverChannel = new Recorder();
    const world = connectionWorld({
      avatar: {
        username: 'alice',
        lookupChannel: (_type, data) => {
          targets.push(data);
          return serverChannel;
        },
        gotGlobalRequest: () => false,
      },
    });
    const client = new SSHConnectionClient(world.clientConnection, asReactor(reactor));
    client.forwardLocalPort(0, { host: 'db.internal', port: 5432 });
    const local = new (class extends Protocol {
      override connectionMade() {
        this.transport.write('query');
      }
    })();
    const { pump } = reactor.tcpServers[0].listeningPort.connect(local);
    pump.flush();
    assert.equal(reactor.tcpServers[0].interface, '127.0.0.1');
    assert.deepEqual(parseTCPIPOpenData(targets[0]).target, { host: 'db.internal', port: 5432 });
    assert.equal(serverChannel.received.map(text).join(''), 'query');
  });
});

describe('subsystems', () => {
  class Echo extends Protocol {
    override dataReceived(data: Uint8Array) {
      this.transport.write(data);
    }
  }

  test('a subsystem runs its protocol over the channel; an unknown one is refused', () => {
    const world = connectionWorld({ avatar: fakeUser(new FakeSession(() => undefined), { subsystems: { echo: () => new Echo() } }) });
    const client = new SSHConnectionClient(world.clientConnection);
    const local = new (class extends Protocol {
      received = '';
      override connectionMade() {
        this.transport.write('ping');
      }
      override dataReceived(data: Uint8Array) {
        this.received += text(data);
      }
    })();
    successResultOf(client.openSubsystem('echo', local));
    assert.equal(local.received, 'ping');
    failureResultOf(client.openSubsystem('sftp', new Echo()), RequestFailedError);
  });
});

describe('memory stays bounded when the peer pushes', () => {
  test('input to a session before anything runs stops at the first window', () => {
    const world = connectionWorld({ avatar: fakeUser(new FakeSession(() => undefined)), serverLimits: { windowSize: 10_000 } });
    const channel = new SSHChannel();
    world.clientConnection.openChannel(channel);
    channel.write(new Uint8Array(100_000));
    assert.equal(channel.getWriteBufferSize(), 90_000);
    assert.equal(world.wire.filter((e) => e.from === 'server' && e.payload[0] === MSG_CHANNEL_WINDOW_ADJUST).length, 0);
  });

  test('a subsystem peer that sends without reading the answers stops getting window', () => {
    class Echo extends Protocol {
      override dataReceived(data: Uint8Array) {
        this.transport.write(data);
      }
    }
    const world = connectionWorld({
      avatar: fakeUser(new FakeSession(() => undefined), { subsystems: { echo: () => new Echo() } }),
      serverLimits: { windowSize: 32_768, channelWriteHighWater: 65_536 },
      clientLimits: { windowSize: 32_768 },
    });
    const local = new (class extends Protocol {})();
    successResultOf(new SSHConnectionClient(world.clientConnection).openSubsystem('echo', local));
    const clientChannel = [...world.clientConnection.channels.values()][0];
    clientChannel.pauseProducing();
    for (let i = 0; i < 100; i++) local.transport.write(new Uint8Array(10_000));
    const serverChannel = [...world.serverConnection.channels.values()][0];
    assert.ok(serverChannel.getWriteBufferSize() <= 65_536 + 32_768, `${serverChannel.getWriteBufferSize()} bytes held`);
    assert.ok(clientChannel.getWriteBufferSize() > 800_000);
    clientChannel.resumeProducing();
    assert.equal(serverChannel.getWriteBufferSize() + clientChannel.getWriteBufferSize(), 0);
  });
});

describe('the default session runs /bin/sh -c through spawnProcess', () => {
  test('exec: output, stderr and exit status', async () => {
    const world = connectionWorld({ avatar: new ConchUser('alice') });
    const result = await new SSHConnectionClient(world.clientConnection).exec('echo hi; echo oops >&2; exit 3');
    assert.equal(text(result.stdout), 'hi\n');
    assert.equal(text(result.stderr), 'oops\n');
    assert.equal(result.exitStatus, 3);
  });

  test('exec: stdin reaches the command; the environment is the session one', async () => {
    const world = connectionWorld({ avatar: new ConchUser('alice') });
    const result = await new SSHConnectionClient(world.clientConnection).exec('cat; echo " $USER"', { stdin: 'from stdin' });
    assert.equal(text(result.stdout), 'from stdin alice\n');
  });

  test('pty-req is refused: there is no pseudo-terminal', () => {
    const world = connectionWorld({ avatar: new ConchUser('alice') });
    const channel = new SSHChannel();
    world.clientConnection.openChannel(channel);
    const pty = channel.sendRequest('pty-req', ptyRequest({ term: 'xterm', columns: 80, rows: 24, widthPixels: 0, heightPixels: 0, modes: new Uint8Array([0]) }), true);
    failureResultOf(pty, RequestFailedError);
  });
});
