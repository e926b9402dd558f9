import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred, Failure } from '../defer/index.js';
import { Clock } from '../testing/clock.js';
import { IPv4Address } from './address.js';
import { ConnectionLost, ConnectionRefusedError } from './error.js';
import type { IConnector, IListeningPort } from './interfaces.js';
import { Factory, Protocol } from './protocol.js';
import { reactor } from './reactor.js';
import { ReconnectingClientFactory } from './reconnect.js';

/** A connector that only counts what it is asked to do; the test plays the network. */
class FakeConnector implements IConnector {
  attempts = 0;
  stops = 0;
  connect(): void { this.attempts++; }
  stopConnecting(): void { this.stops++; }
  disconnect(): void {}
  getDestination(): IPv4Address { return new IPv4Address('TCP', '127.0.0.1', 7); }
}

function setup(): { f: ReconnectingClientFactory; clock: Clock; c: FakeConnector; times: number[] } {
  const clock = new Clock();
  const f = new ReconnectingClientFactory();
  f.clock = clock;
  f.jitter = 0;
  f.initialDelay = f.delay = 1;
  f.factor = 2;
  const c = new FakeConnector();
  const times: number[] = [];
  const connect = c.connect.bind(c);
  c.connect = () => { times.push(clock.seconds()); connect(); };
  return { f, clock, c, times };
}

const refused = () => new Failure(new ConnectionRefusedError('refused'));

describe('ReconnectingClientFactory', () => {
  test('retries failed connections with growing delays, capped at maxDelay', () => {
    const { f, clock, c, times } = setup();
    f.maxDelay = 10;
    for (let i = 0; i < 5; i++) {
      f.clientConnectionFailed(c, refused());
      const pending = clock.getDelayedCalls();
      assert.equal(pending.length, 1);
      clock.advance(pending[0].getTime() - clock.seconds());
    }
    assert.equal(c.attempts, 5);
    // Delays 2, 4, 8, 10, 10: each attempt time is the previous plus the delay.
    assert.deepEqual(times, [2, 6, 14, 24, 34]);
    assert.equal(f.retries, 5);
  });

  test('a lost connection is retried too, and resetDelay starts the back-off over', () => {
    const { f, clock, c } = setup();
    f.clientConnectionFailed(c, refused());
    clock.advance(2);
    f.clientConnectionFailed(c, refused());
    clock.advance(4);
    assert.equal(f.delay, 4);
    f.resetDelay();
    assert.equal(f.delay, 1);
    assert.equal(f.retries, 0);
    f.clientConnectionLost(c, new Failure(new ConnectionLost()));
    assert.equal(clock.getDelayedCalls()[0].getTime() - clock.seconds(), 2);
  });

  test('gives up after maxRetries', () => {
    const { f, clock, c } = setup();
    f.maxRetries = 2;
    for (let i = 0; i < 4; i++) {
      f.clientConnectionFailed(c, refused());
      clock.advance(100);
    }
    assert.equal(c.attempts, 2);
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  test('stopTrying cancels the pending retry, stops the connector, and ignores later losses', () => {
    const { f, clock, c } = setup();
    f.clientConnectionFailed(c, refused());
    f.stopTrying();
    assert.equal(clock.getDelayedCalls().length, 0);
    assert.equal(c.stops, 1);
    f.clientConnectionLost(c, new Failure(new ConnectionLost()));
    clock.advance(1000);
    assert.equal(c.attempts, 0);
    assert.equal(f.continueTrying, false);
    f.resetDelay();
    assert.equal(f.continueTrying, true);
  });

  test('jitter spreads the delay with a normal distribution around it', () => {
    const { f, clock, c } = setup();
    f.jitter = 0.1;
    f.random = () => 0.5;
    f.clientConnectionFailed(c, refused());
    // u = v = 0.5: the variate is mean - sigma * sqrt(2 ln 2).
    const expected = 2 - 0.2 * Math.sqrt(2 * Math.LN2);
    assert.ok(Math.abs(clock.getDelayedCalls()[0].getTime() - expected) < 1e-9);
    assert.throws(() => new ReconnectingClientFactory().retry(), /no connector/);
  });

  test('over real TCP: refused attempts are retried until a server appears, then resetDelay on connect', async () => {
    const probe = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: '127.0.0.1' });
    const portNumber = (probe.getHost() as IPv4Address).port;
    await probe.stopListening();
    const connected = new Deferred<void>();
    const failures: string[] = [];
    let server: IListeningPort | undefined;
    class Client extends Protocol {
      override connectionMade(): void {
        f.resetDelay();
        connected.callback(undefined);
      }
    }
    class Retrying extends ReconnectingClientFactory {
      override clientConnectionFailed(connector: IConnector, reason: Failure): void {
        failures.push(reason.value.name);
        // After the second refusal, start the server the next retry will find.
        if (failures.length === 2) server = reactor.listenTCP(portNumber, Factory.forProtocol(Protocol), { interface: '127.0.0.1' });
        super.clientConnectionFailed(connector, reason);
      }
    }
    const f = new Retrying();
    f.protocol = Client;
    f.initialDelay = f.delay = 0.005;
    f.jitter = 0;
    const connector = reactor.connectTCP('127.0.0.1', portNumber, f);
    await connected;
    assert.deepEqual(failures, ['ConnectionRefusedError', 'ConnectionRefusedError']);
    assert.equal(f.retries, 0);
    assert.equal(f.delay, 0.005);
    f.stopTrying();
    connector.disconnect();
    await server!.stopListening();
  });
});
