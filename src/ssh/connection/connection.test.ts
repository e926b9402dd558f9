import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../../defer/index.js';
import { failureResultOf, successResultOf } from '../../testing/index.js';
import { DISCONNECT } from '../service-wire.js';
import { FakeSession, connectionWorld, exited, fakeUser } from '../test-support/connection-world.js';
import { SSHChannel } from './channel.js';
import { SSHConnectionClient } from './client.js';
import { ChannelOpenError, RequestFailedError } from './errors.js';
import type { IConchUser } from './interfaces.js';
import {
  MSG_CHANNEL_DATA,
  MSG_CHANNEL_WINDOW_ADJUST,
  MSG_REQUEST_FAILURE,
  MSG_REQUEST_SUCCESS,
  OPEN_RESOURCE_SHORTAGE,
  OPEN_UNKNOWN_CHANNEL_TYPE,
  channelData,
  env,
  parseConnectionMessage,
  ptyRequest,
  stringData,
} from './messages.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

/** An avatar answering channels with `make` and global requests with `answer`. */
function avatar(make: (type: string) => SSHChannel, answer: IConchUser['gotGlobalRequest'] = () => false): IConchUser {
  return { username: 'alice', lookupChannel: (type) => make(type), gotGlobalRequest: answer };
}

describe('exec end to end through a fake avatar', () => {
  test('stdout, stderr and the exit status come back; the channel is freed on both sides', () => {
    const session = new FakeSession((protocol, command) => {
      protocol.outReceived(bytes(`ran ${command}\n`));
      protocol.errReceived(bytes('oops\n'));
      protocol.processEnded(exited(3));
    });
    const world = connectionWorld({ avatar: fakeUser(session) });
    const result = successResultOf(new SSHConnectionClient(world.clientConnection).exec('echo hi; exit 3'));
    assert.equal(text(result.stdout), 'ran echo hi; exit 3\n');
    assert.equal(text(result.stderr), 'oops\n');
    assert.equal(result.exitStatus, 3);
    assert.deepEqual(session.commands, ['echo hi; exit 3']);
    assert.equal(world.serverConnection.channels.size, 0);
    assert.equal(world.clientConnection.channels.size, 0);
    assert.equal(session.closedCalls, 1);
  });

  test('stdin reaches the command, then EOF closes it', () => {
    const session = new FakeSession((protocol, _command, process) => {
      process.onStdinClosed = () => {
        protocol.outReceived(bytes(process.stdin.map(text).join('').toUpperCase()));
        protocol.processEnded(exited(0));
      };
    });
    const world = connectionWorld({ avatar: fakeUser(session) });
    const result = successResultOf(new SSHConnectionClient(world.clientConnection).exec('tr a-z A-Z', { stdin: 'shout' }));
    assert.equal(text(result.stdout), 'SHOUT');
    assert.equal(result.exitStatus, 0);
  });

  test('a command killed by a signal gives exit-signal', () => {
    const session = new FakeSession((protocol) => protocol.processEnded(exited('SIGTERM')));
    const world = connectionWorld({ avatar: fakeUser(session) });
    const result = successResultOf(new SSHConnectionClient(world.clientConnection).exec('sleep 100'));
    assert.equal(result.exitSignal, 'TERM');
    assert.equal(result.exitStatus, 255);
  });

  test('pty-req, env, window-change and signal reach the session; env outside acceptEnv and a second exec are refused', () => {
    const session = new FakeSession(() => undefined);
    const world = connectionWorld({ avatar: fakeUser(session) });
    const channel = new SSHChannel();
    world.clientConnection.openChannel(channel);
    const answers = [
      channel.sendRequest('pty-req', ptyRequest({ term: 'xterm', columns: 80, rows: 24, widthPixels: 0, heightPixels: 0, modes: new Uint8Array([0]) }), true),
      channel.sendRequest('env', env('LANG', 'C.UTF-8'), true),
      channel.sendRequest('env', env('LD_PRELOAD', '/tmp/evil.so'), true),
      channel.sendRequest('exec', stringData('first'), true),
      channel.sendRequest('exec', stringData('second'), true),
      channel.sendRequest('window-change', new Uint8Array(16).fill(1), true),
      channel.sendRequest('signal', stringData('INT'), true),
      channel.sendRequest('x11-req', new Uint8Array(), true),
    ];
    const ok = answers.map((d) => {
      let result: boolean | undefined;
      d.addCallbacks(
        () => {
          result = true;
        },
        (f) => {
          f.trap(RequestFailedError);
          result = false;
        },
      );
      return result;
    });
    assert.deepEqual(ok, [true, true, false, true, false, true, true, false]);
    assert.equal(session.pty?.term, 'xterm');
    assert.deepEqual(session.env, [['LANG', 'C.UTF-8']]);
    assert.deepEqual(session.commands, ['first']);
    assert.equal(session.sizes.length, 1);
    assert.deepEqual(session.signalsReceived, ['INT']);
  });
});

describe('flow control', () => {
  test('a large write is cut by the window and the maximum packet, and resumes on each WINDOW_ADJUST', () => {
    const total = 100_000;
    const session = new FakeSession((protocol) => {
      protocol.outReceived(new Uint8Array(total).fill(0x61));
      protocol.processEnded(exited(0));
    });
    const world = connectionWorld({ avatar: fakeUser(session), clientLimits: { windowSize: 10_000, maxPacketSize: 4096 } });
    const result = successResultOf(new SSHConnectionClient(world.clientConnection).exec('yes'));
    assert.equal(result.stdout.length, total);
    let window = 10_000;
    let adjusts = 0;
    let sent = 0;
    for (const { from, payload } of world.wire) {
      const message = parseConnectionMessage(payload);
      if (from === 'client' && message.type === 'window-adjust') {
        window += message.bytes;
        adjusts++;
      }
      if (from === 'server' && message.type === 'data') {
        assert.ok(message.data.length <= 4096, `a packet of ${message.data.length} bytes`);
        window -= message.data.length;
        sent += message.data.length;
        assert.ok(window >= 0, 'the server sent past the window');
      }
    }
    assert.equal(sent, total);
    assert.ok(adjusts >= 10);
  });

  test('data waits while the reader is paused; a registered producer is paused, then resumed when the window opens', () => {
    let serverChannel!: SSHChannel;
    const world = connectionWorld({
      avatar: avatar(() => (serverChannel = new SSHChannel())),
      clientLimits: { windowSize: 10_000, maxPacketSize: 4096 },
    });
    const received: Uint8Array[] = [];
    const clientChannel = new (class extends SSHChannel {
      override dataReceived(data: Uint8Array) {
        received.push(data);
      }
    })();
    world.clientConnection.openChannel(clientChannel);
    clientChannel.pauseProducing();
    const producer = { paused: 0, resumed: 0, pauseProducing: () => producer.paused++, resumeProducing: () => producer.resumed++, stopProducing: () => undefined };
    serverChannel.registerProducer(producer, true);
    serverChannel.write(new Uint8Array(200_000));
    const sentBytes = () => received.reduce((n, d) => n + d.length, 0);
    assert.equal(sentBytes(), 10_000);
    assert.equal(serverChannel.getWriteBufferSize(), 190_000);
    assert.equal(producer.paused, 1);
    assert.equal(producer.resumed, 0);
    clientChannel.resumeProducing();
    assert.equal(sentBytes(), 200_000);
    assert.equal(serverChannel.getWriteBufferSize(), 0);
    assert.equal(producer.resumed, 1);
    assert.ok(world.wire.filter((e) => e.payload[0] === MSG_CHANNEL_WINDOW_ADJUST).length > 0);
  });

  for (const [what, size] of [
    ['more data than the window', 3000],
    ['a packet over the maximum packet', 1500],
  ] as const) {
    test(`a peer sending ${what} is disconnected`, () => {
      let serverChannel!: SSHChannel;
      const world = connectionWorld({ avatar: avatar(() => (serverChannel = new SSHChannel({ localWindow: 2000, localMaxPacket: 1024 }))) });
      const clientChannel = new SSHChannel();
      world.clientConnection.openChannel(clientChannel);
      assert.equal(serverChannel.localWindowLeft, 2000);
      world.client.sendPacket(channelData(clientChannel.remoteId, new Uint8Array(size)));
      assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.PROTOCOL_ERROR);
    });
  }

  test('a WINDOW_ADJUST past 2^32-1 is a protocol error', () => {
    const world = connectionWorld({ avatar: avatar(() => new SSHChannel()) });
    const channel = new SSHChannel();
    world.clientConnection.openChannel(channel);
    world.client.sendPacket(Uint8Array.from([MSG_CHANNEL_WINDOW_ADJUST, 0, 0, 0, channel.remoteId, 0xff, 0xff, 0xff, 0xff]));
    assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.PROTOCOL_ERROR);
  });
});

describe('channels and global requests', () => {
  test('the channel limit refuses one channel too many with RESOURCE_SHORTAGE', () => {
    const world = connectionWorld({ avatar: avatar(() => new SSHChannel()), serverLimits: { maxChannels: 2 } });
    const opens = [0, 1, 2].map(() => world.clientConnection.openChannel(new SSHChannel()));
    successResultOf(opens[0]);
    successResultOf(opens[1]);
    const f = failureResultOf(opens[2], ChannelOpenError);
    assert.equal((f.value as ChannelOpenError).reason, OPEN_RESOURCE_SHORTAGE);
    assert.equal(world.serverConnection.channels.size, 2);
  });

  test('an unknown channel type is refused by a ConchUser', () => {
    const world = connectionWorld({ avatar: fakeUser(new FakeSession(() => undefined)) });
    const channel = new SSHChannel();
    channel.name = 'x11';
    const f = failureResultOf(world.clientConnection.openChannel(channel), ChannelOpenError);
    assert.equal((f.value as ChannelOpenError).reason, OPEN_UNKNOWN_CHANNEL_TYPE);
  });

  test('global requests are answered in the order they came, even when answers come out of order', () => {
    const pending = new Map<string, Deferred<boolean>>();
    const world = connectionWorld({
      avatar: avatar(
        () => new SSHChannel(),
        (name) => {
          const d = new Deferred<boolean>();
          pending.set(name, d);
          return d;
        },
      ),
    });
    const first = world.clientConnection.sendGlobalRequest('first', new Uint8Array(), true);
    const second = world.clientConnection.sendGlobalRequest('second', new Uint8Array(), true);
    pending.get('second')!.callback(true);
    assert.equal(world.wire.filter((e) => e.from === 'server').length, 0);
    pending.get('first')!.callback(false);
    assert.deepEqual(
      world.wire.filter((e) => e.from === 'server').map((e) => e.payload[0]),
      [MSG_REQUEST_FAILURE, MSG_REQUEST_SUCCESS],
    );
    failureResultOf(first, RequestFailedError);
    successResultOf(second);
  });

  test('keepalive@openssh.com is answered (with failure, as OpenSSH does) and ping fires', () => {
    const world = connectionWorld({ avatar: fakeUser(new FakeSession(() => undefined)) });
    successResultOf(new SSHConnectionClient(world.clientConnection).ping());
  });

  test('keepaliveCountMax unanswered keepalives drop the connection', () => {
    const world = connectionWorld({ clientLimits: { keepaliveInterval: 10, keepaliveCountMax: 3 } });
    world.server.hold = true;
    for (let i = 0; i < 3; i++) world.clock.advance(10);
    assert.equal(world.client.disconnected?.reasonCode, undefined);
    world.clock.advance(10);
    assert.equal(world.client.disconnected?.reasonCode, DISCONNECT.BY_APPLICATION);
  });

  test('answered keepalives keep the connection', () => {
    const world = connectionWorld({ clientLimits: { keepaliveInterval: 10, keepaliveCountMax: 1 } });
    for (let i = 0; i < 10; i++) world.clock.advance(10);
    assert.equal(world.client.disconnected, undefined);
  });

  test('a reply with no request waiting is a protocol error', () => {
    const world = connectionWorld();
    world.client.sendPacket(Uint8Array.of(MSG_REQUEST_SUCCESS));
    assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.PROTOCOL_ERROR);
  });

  test('data for a channel that is not open is a protocol error', () => {
    const world = connectionWorld();
    world.client.sendPacket(channelData(7, bytes('x')));
    assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.PROTOCOL_ERROR);
    assert.equal(world.wire.filter((e) => e.payload[0] === MSG_CHANNEL_DATA).length, 1);
  });

  test('a close from either side runs closed() once on each side and frees the channel', () => {
    for (const closer of ['client', 'server'] as const) {
      const counts = { client: 0, server: 0 };
      const counting = (side: 'client' | 'server') =>
        new (class extends SSHChannel {
          override closed() {
            counts[side]++;
          }
        })();
      let serverChannel!: SSHChannel;
      const world = connectionWorld({ avatar: avatar(() => (serverChannel = counting('server'))) });
      const clientChannel = counting('client');
      world.clientConnection.openChannel(clientChannel);
      (closer === 'client' ? clientChannel : serverChannel).loseConnection();
      assert.deepEqual(counts, { client: 1, server: 1 }, closer);
      assert.equal(world.serverConnection.channels.size + world.clientConnection.channels.size, 0, closer);
    }
  });

  test('the end of the connection closes every channel and fails what waits', () => {
    const closed: number[] = [];
    const world = connectionWorld({
      avatar: avatar(
        () =>
          new (class extends SSHChannel {
            override closed() {
              closed.push(this.id);
            }
          })(),
        () => new Deferred<boolean>(),
      ),
    });
    world.clientConnection.openChannel(new SSHChannel());
    world.clientConnection.openChannel(new SSHChannel());
    const waiting = world.clientConnection.sendGlobalRequest('never', new Uint8Array(), true);
    world.client.sendDisconnect(DISCONNECT.BY_APPLICATION, 'bye');
    assert.deepEqual(closed.sort(), [0, 1]);
    failureResultOf(waiting);
  });
});
