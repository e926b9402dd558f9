// The heartbeat protocol over real TCP, against the server running as a separate program: how to start a
// peer program on a free loopback port, wait until it listens, and see its output when something fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ClientFactory, reactor } from 'torsion/internet';
import { eventually, startPeerProgram, type PeerProgram } from 'torsion/testing';
import { HeartbeatClient } from './heartbeat.js';

let server: PeerProgram;

before(async () => {
  server = await startPeerProgram({
    executable: process.execPath,
    args: (port) => ['--import', 'tsx', fileURLToPath(new URL('./server.ts', import.meta.url)), `tcp:${port}:interface=127.0.0.1`],
    ready: /heartbeat server on 127\.0\.0\.1:\d+/,
    // The server runs as this process does (tsx, and any NODE_OPTIONS such as export conditions).
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '' },
  });
});

after(() => server.stop());

test('a ping over TCP comes back, and QUIT closes the connection', async () => {
  const factory = new ClientFactory();
  let client: HeartbeatClient | undefined;
  factory.buildProtocol = () => (client = new HeartbeatClient(reactor, 60, 120));
  reactor.connectTCP('127.0.0.1', server.port, factory);
  const connected = await eventually(() => (client?.connected ? client : undefined), { message: () => `a connection; the server said:\n${server.output()}` });
  const rtt = await connected.ping();
  assert.ok(rtt >= 0);
  connected.sendLine('QUIT');
  await eventually(() => !connected.connected, { message: 'the server to close the connection' });
});
