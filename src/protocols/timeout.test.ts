import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../testing/clock.js';
import { StringTransport } from '../testing/string-transport.js';
import { Failure } from '../defer/index.js';
import { ConnectionDone } from '../internet/error.js';
import { IdleTimeout, TimeoutMixin } from './timeout.js';
import { TimeoutFactory } from './timeout-factory.js';
import { Factory, Protocol } from '../internet/protocol.js';
import { IPv4Address } from '../internet/address.js';
import { LineReceiver } from './line-receiver.js';
import { latin1Bytes } from '../testing/index.js';

class Idle extends TimeoutMixin(LineReceiver) {
  timedOut = 0;
  override connectionMade(): void {
    this.setTimeout(10);
  }
  override lineReceived(): void {
    this.resetTimeout();
  }
  override timeoutConnection(): void {
    this.timedOut++;
    super.timeoutConnection();
  }
}

describe('TimeoutMixin', () => {
  test('times out after the period of silence and drops the connection by default', () => {
    const clock = new Clock();
    const transport = new StringTransport();
    const p = new Idle();
    p.clock = clock;
    p.makeConnection(transport);
    clock.advance(9.9);
    assert.equal(p.timedOut, 0);
    clock.advance(0.1);
    assert.equal(p.timedOut, 1);
    assert.equal(transport.disconnecting, true);
    assert.equal(p.timeOut, null);
  });

  test('activity resets the timer', () => {
    const clock = new Clock();
    const p = new Idle();
    p.clock = clock;
    p.makeConnection(new StringTransport());
    for (let i = 0; i < 5; i++) {
      clock.advance(8);
      p.dataReceived(latin1Bytes('ping\r\n'));
    }
    assert.equal(p.timedOut, 0);
    clock.advance(10);
    assert.equal(p.timedOut, 1);
  });

  test('setTimeout(null) turns it off and returns the previous period; losing the connection cancels it', () => {
    const clock = new Clock();
    const p = new Idle();
    p.clock = clock;
    p.makeConnection(new StringTransport());
    assert.equal(p.setTimeout(null), 10);
    clock.advance(100);
    assert.equal(p.timedOut, 0);
    p.setTimeout(5);
    assert.equal(clock.getDelayedCalls().length, 1);
    p.connectionLost(new Failure(new ConnectionDone()));
    assert.equal(clock.getDelayedCalls().length, 0);
    clock.advance(100);
    assert.equal(p.timedOut, 0);
  });
});

describe('IdleTimeout', () => {
  test('fires once, can be re-armed, and changing the period restarts it', () => {
    const clock = new Clock();
    let fired = 0;
    const idle = new IdleTimeout(() => fired++, clock);
    idle.setTimeout(3);
    clock.advance(2);
    idle.setTimeout(5);
    clock.advance(4);
    assert.equal(fired, 0);
    clock.advance(1);
    assert.equal(fired, 1);
    assert.equal(idle.pending, false);
    idle.resetTimeout();
    clock.advance(10);
    assert.equal(fired, 1, 'resetTimeout does not re-arm a fired timeout');
    idle.setTimeout(1);
    clock.advance(1);
    assert.equal(fired, 2);
  });
});

describe('TimeoutFactory', () => {
  test('drops a connection after the period without reads or writes; traffic either way resets it', () => {
    const clock = new Clock();
    const inner = new (class extends Factory {
      override buildProtocol() {
        return new Protocol();
      }
    })();
    const tf = new TimeoutFactory(inner, { timeoutPeriod: 10, clock });
    const transport = new StringTransport();
    const p = tf.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 1))!;
    p.makeConnection(transport);
    clock.advance(9);
    p.dataReceived(latin1Bytes('x'));
    clock.advance(9);
    (p.wrappedProtocol as Protocol).transport.write('y');
    clock.advance(9);
    assert.equal(transport.disconnecting, false);
    clock.advance(1);
    assert.equal(transport.disconnecting, true);
    p.connectionLost(new Failure(new ConnectionDone()));
    assert.equal(clock.getDelayedCalls().length, 0);
  });
});
