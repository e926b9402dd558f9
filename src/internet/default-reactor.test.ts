/**
 * Under Node the Node reactor is the environment's: timeouts, throttles, the IRC client and the pools made
 * without a clock schedule on it, so `reactor.getDelayedCalls()` sees their calls and `reactor.stop()`
 * ends them (with the connections and the pool it closes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deferred } from '../defer/index.js';
import { ConnectionPool } from '../db/index.js';
import { IRCClient } from '../irc/client.js';
import { ThrottlingFactory } from '../protocols/throttling.js';
import { TimeoutFactory } from '../protocols/timeout-factory.js';
import { deferToThreadPool } from '../threads/index.js';
import { t } from '../threads/test-support/helpers.js';
import { defaultReactor } from '../time/default-reactor.js';
import type { IPv4Address } from './address.js';
import { ClientFactory, Factory, Protocol } from './protocol.js';
import { reactor } from './reactor.js';

test('loading the Node reactor makes it the default reactor', () => {
  assert.equal(defaultReactor(), reactor);
  assert.equal(new IRCClient().clock, reactor);
  assert.equal(new ThrottlingFactory(new Factory()).clock, reactor);
});

test("a TimeoutFactory made without a clock: the reactor sees the idle timer, and stop() ends it with the connection", async () => {
  const connected = new Deferred<void>();
  class Server extends Protocol {
    override connectionMade(): void {
      connected.callback(undefined);
    }
  }
  const before = new Set(reactor.getDelayedCalls());
  const running = reactor.run({ installSignalHandlers: false });
  const port = reactor.listenTCP(0, new TimeoutFactory(Factory.forProtocol(Server), { timeoutPeriod: 600 }), { interface: '127.0.0.1' });
  const client = new ClientFactory();
  client.protocol = Protocol;
  reactor.connectTCP('127.0.0.1', (port.getHost() as IPv4Address).port, client);
  await connected;
  const idle = reactor.getDelayedCalls().filter((call) => !before.has(call) && call.getTime() > reactor.seconds() + 500);
  assert.equal(idle.length, 1, 'the idle timeout is on the reactor');
  reactor.stop();
  await running;
  assert.equal(idle[0].active(), false, 'closing the connection at shutdown cancelled it');
});

test("the reactor's thread pool retires idle workers on the reactor's time; shutdown ends the timer", async () => {
  const running = reactor.run({ installSignalHandlers: false });
  const pool = reactor.getThreadPool();
  const before = new Set(reactor.getDelayedCalls());
  assert.equal(await deferToThreadPool(reactor, pool, t('add'), 2, 3), 5);
  const retire = reactor.getDelayedCalls().filter((call) => !before.has(call));
  assert.equal(retire.length, 1, 'the idle worker has a retirement timer on the reactor');
  reactor.stop();
  await running;
  assert.equal(retire[0].active(), false, 'stopping the pool at shutdown cancelled it');
});

test('a ConnectionPool made without a clock closes idle connections on the reactor', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-default-reactor-'));
  try {
    const pool = new ConnectionPool('sqlite', { filename: join(dir, 'a.sqlite'), min: 0, max: 2, idleTimeout: 600 });
    const before = new Set(reactor.getDelayedCalls());
    await pool.runQuery('SELECT 1');
    const retire = reactor.getDelayedCalls().filter((call) => !before.has(call));
    assert.equal(retire.length, 1, 'the idle connection has a retirement timer on the reactor');
    await pool.close();
    assert.equal(retire[0].active(), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
