import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../testing/clock.js';
import { TokenBucket } from './flood.js';
import { harness, signedOn } from './test-support/harness.js';

describe('keepalive and dead-server timeout', () => {
  test('silence for heartbeatInterval sends PING; an answer keeps the connection', () => {
    const h = signedOn({ heartbeatInterval: 120, serverTimeout: 60 });
    h.clock.advance(119);
    assert.deepEqual(h.sent(), []);
    h.clock.advance(1);
    assert.deepEqual(h.sent(), ['PING torsion-120']);
    h.clock.advance(30);
    h.feed(':srv PONG srv :torsion-120');
    h.clock.advance(60);
    assert.equal(h.transport.disconnecting, false);
    h.clock.advance(60);
    assert.deepEqual(h.sent(), ['PING torsion-270']);
  });

  test('traffic from the server postpones the PING', () => {
    const h = signedOn({ heartbeatInterval: 120, serverTimeout: 60 });
    h.clock.advance(100);
    h.feed(':al!a@h PRIVMSG #c :hi');
    h.clock.advance(100);
    assert.deepEqual(h.sent(), []);
    h.clock.advance(20);
    assert.deepEqual(h.sent(), ['PING torsion-220']);
  });

  test('no answer within serverTimeout: serverTimedOut aborts the connection', () => {
    const h = signedOn({ heartbeatInterval: 120, serverTimeout: 60 });
    h.clock.advance(120);
    h.clock.advance(59);
    assert.equal(h.transport.disconnecting, false);
    h.clock.advance(1);
    assert.equal(h.transport.aborted, true);
  });

  test('the timeout also covers a server that goes silent during registration', () => {
    const h = harness(undefined, { heartbeatInterval: 30, serverTimeout: 10 });
    h.clock.advance(30);
    assert.equal(h.transport.aborted, false);
    h.clock.advance(10);
    assert.equal(h.transport.aborted, true);
  });

  test('heartbeatInterval 0 disables it; connectionLost cancels it', () => {
    const off = signedOn({ heartbeatInterval: 0 });
    assert.equal(off.clock.getDelayedCalls().length, 0);
    const on = signedOn();
    assert.equal(on.clock.getDelayedCalls().length, 1);
    on.client.connectionLost(new (class extends Error {})() as never);
    assert.equal(on.clock.getDelayedCalls().length, 0);
  });
});

describe('outgoing flood protection', () => {
  test('TokenBucket: burst, then rate per second, in order', () => {
    const clock = new Clock();
    const out: number[] = [];
    const bucket = new TokenBucket<number>(clock, 3, 2, (n) => out.push(n));
    for (let i = 0; i < 10; i++) bucket.push(i);
    assert.deepEqual(out, [0, 1, 2]);
    assert.equal(bucket.queued, 7);
    clock.advance(0.5);
    assert.deepEqual(out, [0, 1, 2, 3]);
    clock.advance(1);
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5]);
    clock.advance(10);
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8], 'a long wait refills only up to the burst');
    clock.advance(0.5);
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    clock.advance(10);
    for (let i = 10; i < 13; i++) bucket.push(i);
    assert.equal(out.length, 13, 'the burst refills while idle');
    bucket.push(13);
    bucket.clear();
    clock.advance(10);
    assert.equal(out.length, 13);
  });

  test('the client paces its lines but answers PING ahead of the queue', () => {
    const h = signedOn({ floodBurst: 2, floodRate: 1 });
    h.clock.advance(10);
    for (let i = 0; i < 5; i++) h.client.msg('#c', `line ${i}`);
    assert.deepEqual(h.sent(), ['PRIVMSG #c :line 0', 'PRIVMSG #c :line 1']);
    assert.equal(h.client.queuedLines, 3);
    h.feed('PING :srv');
    assert.deepEqual(h.sent(), ['PONG srv']);
    h.clock.advance(1);
    assert.deepEqual(h.sent(), ['PRIVMSG #c :line 2']);
    h.clock.advance(2);
    assert.deepEqual(h.sent(), ['PRIVMSG #c :line 3', 'PRIVMSG #c :line 4']);
  });

  test('a bad message throws at the call, not later from the queue', () => {
    const h = signedOn({ floodBurst: 1, floodRate: 1 });
    h.clock.advance(10);
    h.sent();
    h.client.msg('#c', 'fills the burst');
    assert.throws(() => h.client.sendCommand('PRIVMSG', '#c', 'a\r\nQUIT'));
    h.clock.advance(5);
    assert.deepEqual(h.sent(), ['PRIVMSG #c :fills the burst']);
  });
});
