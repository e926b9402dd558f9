import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../testing/index.js';
import { SSHMalformedMessageError } from '../service-wire.js';
import { FakeSession, connectionWorld, fakeUser } from '../test-support/connection-world.js';
import { mutate } from '../test-support/mutate.js';
import { SSHChannel } from './channel.js';
import * as m from './messages.js';

const pty = m.ptyRequest({ term: 'xterm', columns: 80, rows: 24, widthPixels: 640, heightPixels: 480, modes: new Uint8Array([1, 0, 0, 0, 3, 0]) });
const tcpip = m.tcpipOpenData({ target: { host: '127.0.0.1', port: 80 }, origin: { host: '10.0.0.1', port: 4000 } });
const messages = [
  m.globalRequest('tcpip-forward', true, m.hostPort({ host: '127.0.0.1', port: 0 })),
  m.requestSuccess(m.boundPort(2222)),
  m.requestFailure(),
  m.channelOpen('session', 0, 2097152, 32768),
  m.channelOpen('direct-tcpip', 1, 2097152, 32768, tcpip),
  m.channelOpenConfirmation(0, 0, 2097152, 32768),
  m.channelOpenFailure(0, 1, 'no'),
  m.channelWindowAdjust(0, 1000),
  m.channelData(0, new Uint8Array(10)),
  m.channelExtendedData(0, 1, new Uint8Array(10)),
  m.channelEOF(0),
  m.channelClose(0),
  m.channelRequest(0, 'pty-req', true, pty),
  m.channelRequest(0, 'env', true, m.env('LANG', 'C')),
  m.channelRequest(0, 'exec', true, m.stringData('true')),
  m.channelRequest(0, 'subsystem', true, m.stringData('sftp')),
  m.channelRequest(0, 'window-change', false, m.windowChange({ columns: 1, rows: 1, widthPixels: 1, heightPixels: 1 })),
  m.channelRequest(0, 'signal', false, m.stringData('INT')),
  m.channelRequest(0, 'exit-status', false, m.exitStatus(1)),
  m.channelRequest(0, 'exit-signal', false, m.exitSignal({ signal: 'TERM', coreDumped: false, message: '' })),
  m.channelSuccess(0),
  m.channelFailure(0),
];

/** The message parser, then the parser of the request- or channel-specific data it carries. */
function parseAll(payload: Uint8Array): void {
  const message = m.parseConnectionMessage(payload);
  const parsers: Record<string, (data: Uint8Array) => unknown> = {
    'pty-req': m.parsePtyRequest,
    env: (d) => m.parseEnv(d, 1024),
    exec: (d) => m.parseStringData(d, 1024),
    subsystem: (d) => m.parseStringData(d, 64),
    signal: (d) => m.parseStringData(d, 32),
    'window-change': m.parseWindowChange,
    'exit-status': m.parseExitStatus,
    'exit-signal': m.parseExitSignal,
    'tcpip-forward': m.parseHostPort,
  };
  if (message.type === 'request' || message.type === 'global-request') parsers[message.name]?.(message.data);
  if (message.type === 'open' && message.channelType === 'direct-tcpip') m.parseTCPIPOpenData(message.data);
  if (message.type === 'request-success' && message.data.length > 0) m.parseBoundPort(message.data);
}

describe('connection parsers under fuzzing', () => {
  test('mutated messages either parse or throw SSHMalformedMessageError, nothing else', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const random = seededRandom(seed);
      const payload = mutate(random, messages[Math.floor(random() * messages.length)]);
      try {
        parseAll(payload);
      } catch (e) {
        assert.ok(e instanceof SSHMalformedMessageError, `seed ${seed}: ${(e as Error).stack}`);
      }
    }
  });

  test('the valid messages parse', () => {
    for (const payload of messages) parseAll(payload);
    assert.deepEqual(m.parseTCPIPOpenData(tcpip).target, { host: '127.0.0.1', port: 80 });
    assert.equal(m.parsePtyRequest(pty).term, 'xterm');
  });
});

describe('connection service under fuzzing', () => {
  test('a server with an open session answers or disconnects, never throws', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const random = seededRandom(seed);
      const world = connectionWorld({ avatar: fakeUser(new FakeSession(() => undefined)) });
      const channel = new SSHChannel();
      world.clientConnection.openChannel(channel);
      for (let i = 0; i < 10 && world.server.disconnected === undefined; i++) {
        world.client.sendPacket(mutate(random, messages[Math.floor(random() * messages.length)]));
      }
      assert.ok(world.serverConnection.channels.size <= world.serverConnection.limits.maxChannels);
    }
  });
});
