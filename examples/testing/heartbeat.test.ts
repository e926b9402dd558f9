// The tests docs/testing.md walks through: one protocol tested three ways (StringTransport, Clock,
// in-memory loopback), plus a run of the demo script.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Deferred } from 'torsion/defer';
import { ConnectionDone } from 'torsion/internet';
import {
  Clock,
  StringTransport,
  StringTransportWithDisconnection,
  assertNoResult,
  connectedServerAndClient,
  deferredTest,
  failureResultOf,
  loopbackAsync,
  seededRandom,
  splitEvery,
  splitRandom,
  successResultOf,
} from 'torsion/testing';
import { HeartbeatClient, HeartbeatServer } from './heartbeat.js';

describe('HeartbeatServer over a StringTransport', () => {
  test('answers PING with PONG', () => {
    const server = new HeartbeatServer();
    const transport = new StringTransport();
    server.makeConnection(transport);
    server.dataReceived(Buffer.from('PING 7\r\n'));
    assert.equal(transport.valueString(), 'PONG 7\r\n');
  });

  test('works whatever the chunking', () => {
    const input = Buffer.from('PING 1\r\nPING 22\r\nQUIT\r\n');
    for (let size = 1; size <= input.length; size++) {
      const server = new HeartbeatServer();
      const transport = new StringTransport();
      server.makeConnection(transport);
      for (const chunk of splitEvery(input, size)) server.dataReceived(chunk);
      assert.equal(transport.valueString(), 'PONG 1\r\nPONG 22\r\nBYE\r\n', `chunks of ${size}`);
      assert.equal(transport.disconnecting, true);
    }
  });

  test('answers every ping of a long random conversation, however it is cut (seeded, so a failure replays)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const random = seededRandom(seed);
      const pings = Array.from({ length: 1 + Math.floor(random() * 30) }, () => Math.floor(random() * 1e6));
      const server = new HeartbeatServer();
      const transport = new StringTransport();
      server.makeConnection(transport);
      for (const chunk of splitRandom(random, Buffer.from(pings.map((n) => `PING ${n}\r\n`).join('')), 7)) server.dataReceived(chunk);
      assert.equal(transport.valueString(), pings.map((n) => `PONG ${n}\r\n`).join(''), `seed ${seed}`);
    }
  });
});

describe('HeartbeatClient with a Clock', () => {
  test('pings every interval', () => {
    const clock = new Clock();
    const client = new HeartbeatClient(clock, 10, 100);
    const transport = new StringTransport();
    client.makeConnection(transport);
    clock.advance(9);
    assert.equal(transport.valueString(), '');
    clock.advance(1);
    assert.equal(transport.valueString(), 'PING 1\r\n');
    clock.pump([10, 10]);
    assert.equal(transport.valueString(), 'PING 1\r\nPING 2\r\nPING 3\r\n');
  });

  test('hangs up on a server silent for the timeout', () => {
    const clock = new Clock();
    const client = new HeartbeatClient(clock, 10, 30);
    const transport = new StringTransportWithDisconnection();
    transport.protocol = client;
    client.makeConnection(transport);
    // Step through time: one advance(29) would run the 10 s tick once, late, at t=29 (as Twisted's Clock).
    clock.pump([10, 10, 9]);
    assert.equal(client.connected, true);
    assert.equal(transport.valueString(), 'PING 1\r\nPING 2\r\n');
    clock.advance(1);
    assert.equal(client.connected, false);
    assert.deepEqual(clock.getDelayedCalls(), [], 'no timer left behind');
  });

  test('ping() gives the round-trip time, synchronously checkable', () => {
    const clock = new Clock();
    const client = new HeartbeatClient(clock);
    client.makeConnection(new StringTransport());
    const rtt = client.ping();
    assertNoResult(rtt);
    clock.advance(0.25);
    client.dataReceived(Buffer.from('PONG 1\r\n'));
    assert.equal(successResultOf(rtt), 0.25);
  });

  test('a ping pending when the connection drops fails with the reason', () => {
    const client = new HeartbeatClient(new Clock());
    const transport = new StringTransportWithDisconnection({ protocol: client });
    client.makeConnection(transport);
    const rtt = client.ping();
    transport.loseConnection();
    failureResultOf(rtt, ConnectionDone);
  });
});

describe('client and server over the in-memory loopback', () => {
  test('a conversation, pumped by hand', () => {
    const clock = new Clock();
    const { server, client, pump } = connectedServerAndClient(new HeartbeatServer(), new HeartbeatClient(clock, 10, 30));
    const rtt = client.ping();
    pump.flush();
    assert.equal(successResultOf(rtt), 0);
    server.answering = false;
    clock.advance(10); // a ping goes out, unanswered
    pump.flush();
    clock.advance(20);
    pump.flush();
    assert.equal(client.connected, false);
    assert.equal(server.connected, false, 'the server saw the close too');
  });

  test(
    'a node:test test may return a Deferred (wrapped in deferredTest for TypeScript)',
    deferredTest(() => {
      const client = new HeartbeatClient(new Clock());
      const done = loopbackAsync(new HeartbeatServer(), client);
      const rtt: Deferred<number> = client.ping();
      return rtt.addCallback((seconds) => {
        assert.equal(seconds, 0);
        client.sendLine('QUIT');
        return done;
      });
    }),
  );
});

test('the demo runs two simulated minutes and shows the hang-up', () => {
  const demo = fileURLToPath(new URL('./demo.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', demo], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '', 'no unhandled errors reported');
  assert.match(run.stdout, /t= 10s {2}client <- PONG 1/);
  assert.match(run.stdout, /t= 40s {2}server stops answering/);
  assert.match(run.stdout, /t= 70s {2}client: connection closed \(ConnectionDone\)\n$/);
});
