/**
 * X11 forwarding on the server, in memory: off by default; when on, `x11-req` gets a display on 127.0.0.1
 * at the first free port from 6000+offset, `DISPLAY` and an Xauthority file with the client's cookie, and
 * each X connection is carried to the client in an `x11` channel; a single-connection request stops
 * listening after one; the end of the session removes everything.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Protocol } from '../../internet/index.js';
import type { IProtocolFactory, IReactorProcess, IReactorTCP } from '../../internet/interfaces.js';
import { MemoryReactor, failureResultOf, successResultOf } from '../../testing/index.js';
import { SSHMalformedMessageError } from '../service-wire.js';
import { FakeSession, connectionWorld, exited, fakeUser } from '../test-support/connection-world.js';
import { SSHChannel } from './channel.js';
import { ForwardingRefusedError, RequestFailedError } from './errors.js';
import type { IConchUser } from './interfaces.js';
import { stringData } from './messages.js';
import { parseX11Request, x11Request, xauthorityEntry, type X11Request } from './x11-forwarding.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const asReactor = (reactor: MemoryReactor) => reactor as unknown as IReactorTCP & IReactorProcess;
const COOKIE = '00112233445566778899aabbccddeeff';
const request = (singleConnection = false): X11Request => ({ singleConnection, authProtocol: 'MIT-MAGIC-COOKIE-1', authCookie: COOKIE, screen: 0 });

class Recorder extends SSHChannel {
  received = '';
  override dataReceived(data: Uint8Array): void {
    this.received += text(data);
  }
}

/** The SSH client's side: accepts `x11` channels, as `ssh -X` does, and records them. */
function x11Client(): IConchUser & { opened: Array<{ data: Uint8Array; channel: Recorder }> } {
  const opened: Array<{ data: Uint8Array; channel: Recorder }> = [];
  return {
    username: '',
    opened,
    lookupChannel: (type, data) => {
      assert.equal(type, 'x11');
      const channel = new Recorder();
      opened.push({ data, channel });
      return channel;
    },
    gotGlobalRequest: () => false,
  };
}

/** Opens a session channel on the client side and sends x11-req then exec. */
async function session(world: ReturnType<typeof connectionWorld>, x11: X11Request) {
  const channel = new Recorder();
  await world.clientConnection.openChannel(channel);
  const answer = channel.sendRequest('x11-req', x11Request(x11), true);
  const exec = channel.sendRequest('exec', stringData('xterm'), true);
  return { channel, answer, exec };
}

describe('x11-req', () => {
  test('parsing: the fields, a cookie that is not hexadecimal bytes refused, a short message malformed', () => {
    assert.deepEqual(parseX11Request(x11Request(request(true))), request(true));
    assert.throws(() => parseX11Request(x11Request({ ...request(), authCookie: 'xyz' })), ForwardingRefusedError);
    assert.throws(() => parseX11Request(x11Request({ ...request(), authCookie: 'abc' })), ForwardingRefusedError);
    assert.throws(() => parseX11Request(x11Request(request()).subarray(0, 10)), SSHMalformedMessageError);
  });

  test('off by default: refused, no display, no DISPLAY', async () => {
    const reactor = new MemoryReactor();
    const fake = new FakeSession(() => undefined);
    const world = connectionWorld({ avatar: fakeUser(fake, { reactor: asReactor(reactor) }), clientAvatar: x11Client() });
    const { answer } = await session(world, request());
    failureResultOf(answer, RequestFailedError);
    assert.equal(reactor.tcpServers.length, 0);
    assert.deepEqual(fake.env, []);
  });

  test('on: a display on 127.0.0.1 past the taken ones, DISPLAY and XAUTHORITY, X connections carried both ways, all gone at the end', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'torsion-x11-test-'));
    try {
      const memory = new MemoryReactor();
      // Displays 10 and 11 are taken.
      const reactor = Object.assign(Object.create(memory) as MemoryReactor, {
        listenTCP: (port: number, factory: IProtocolFactory, options?: { interface?: string }) => {
          if (port < 6012) throw new Error('EADDRINUSE');
          return memory.listenTCP(port, factory, options);
        },
      });
      let finish: (() => void) | undefined;
      const fake = new FakeSession((protocol) => (finish = () => protocol.processEnded(exited(0))));
      const client = x11Client();
      const world = connectionWorld({ avatar: fakeUser(fake, { reactor: asReactor(reactor), x11Forwarding: true, x11Directory: parent }), clientAvatar: client });
      const { answer, exec } = await session(world, request());
      successResultOf(answer);
      successResultOf(exec);
      const env = Object.fromEntries(fake.env);
      assert.equal(env.DISPLAY, 'localhost:12.0');
      const server = memory.tcpServers[0];
      assert.deepEqual([server.port, server.interface], [6012, '127.0.0.1']);
      assert.deepEqual(readFileSync(env.XAUTHORITY!), Buffer.from(xauthorityEntry(12, 'MIT-MAGIC-COOKIE-1', Buffer.from(COOKIE, 'hex'))));
      assert.equal(statSync(env.XAUTHORITY!).mode & 0o777, 0o600);
      assert.equal(statSync(dirname(env.XAUTHORITY!)).mode & 0o777, 0o700);

      const xclient = new (class extends Protocol {
        received = '';
        override connectionMade() {
          this.transport.write('setup');
        }
        override dataReceived(data: Uint8Array) {
          this.received += text(data);
        }
      })();
      const { pump } = server.listeningPort.connect(xclient);
      pump.flush();
      assert.equal(client.opened.length, 1);
      assert.equal(client.opened[0].channel.received, 'setup');
      client.opened[0].channel.write('reply');
      pump.flush();
      assert.equal(xclient.received, 'reply');
      // Not a single-connection request: the display stays.
      assert.equal(server.listeningPort.listening, true);

      finish!();
      await new Promise((r) => setImmediate(r));
      assert.equal(server.listeningPort.listening, false);
      assert.equal(existsSync(dirname(env.XAUTHORITY!)), false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('a single-connection request stops listening after the first X connection', async () => {
    const reactor = new MemoryReactor();
    const fake = new FakeSession(() => undefined);
    const client = x11Client();
    const world = connectionWorld({ avatar: fakeUser(fake, { reactor: asReactor(reactor), x11Forwarding: true }), clientAvatar: client });
    const { answer } = await session(world, request(true));
    successResultOf(answer);
    const server = reactor.tcpServers[0];
    server.listeningPort.connect(new Protocol()).pump.flush();
    assert.equal(client.opened.length, 1);
    assert.equal(server.listeningPort.listening, false);
    const xauthority = Object.fromEntries(fake.env).XAUTHORITY!;
    assert.equal(existsSync(xauthority), true);
    world.clientConnection.loseConnection();
    assert.equal(existsSync(dirname(xauthority)), false);
  });
});
