import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../testing/index.js';
import { SharedMessage } from './frames.js';
import { msg, readFrame } from '../test-support/frames.js';
import { AckScheduler } from './acks.js';
import { ReliableSession, type SessionLink } from './session.js';

const ACK_DELAY = 1;

/** `count` sessions on one scheduler (a server's pages), each with what it wrote and when it last got a message. */
function pages(clock: Clock, count: number, acks: AckScheduler | undefined) {
  return Array.from({ length: count }, () => {
    const wire: string[] = [];
    const link: SessionLink = { sendFrame: (f) => wire.push(f), sendSharedFrame: (m) => wire.push(m.frame) };
    const session = new ReliableSession({ clock, deliver: () => undefined, ackDelay: ACK_DELAY, heartbeatInterval: 0, ...(acks ? { acks } : {}) });
    session.attach(link, 0);
    return { session, wire, frames: () => wire.splice(0).map(readFrame) };
  });
}

describe('AckScheduler', () => {
  test('1,000 pages answering a broadcast: one delayed call on the clock, and every ACK within ackDelay of its answer', () => {
    const clock = new Clock();
    const acks = new AckScheduler(clock, ACK_DELAY / 2);
    const all = pages(clock, 1000, acks);
    const answeredAt: number[] = [];
    for (const p of all) p.session.sendShared(new SharedMessage('"tick"'));
    // The answers come spread over 0.3 s, as they do from real pages.
    for (let i = 0; i < all.length; i++) {
      if (i % 100 === 0) clock.advance(0.03);
      all[i]!.session.receive(msg(1, 1, 'answer'));
      answeredAt[i] = clock.seconds();
    }
    assert.equal(acks.size, 1000);
    assert.equal(clock.getDelayedCalls().length, 1, 'one call for all the ACKs owed, not one a page');
    const ackedAt: number[] = [];
    for (let step = 0; step < 30; step++) {
      clock.advance(0.05);
      for (let i = 0; i < all.length; i++) {
        const frames = all[i]!.frames().filter((f) => f[0] !== 4);
        if (frames.length === 0) continue;
        assert.deepEqual(frames, [[2, 1]], 'a bare ACK of the answer');
        assert.equal(ackedAt[i], undefined, 'one ACK per page');
        ackedAt[i] = clock.seconds();
      }
    }
    for (let i = 0; i < all.length; i++) {
      const waited = ackedAt[i]! - answeredAt[i]!;
      assert.ok(waited <= ACK_DELAY + 0.05 + 1e-9, `page ${i} waited ${waited} s for its ACK`); // + one step of the test
    }
    assert.equal(acks.size, 0);
    assert.deepEqual(clock.getDelayedCalls(), [], 'nothing left scheduled');
  });

  test('an ACK never goes out later than ackDelay, and no earlier than its early margin before', () => {
    const clock = new Clock();
    const acks = new AckScheduler(clock, 0.25);
    const [a, b] = pages(clock, 2, acks);
    a!.session.receive(msg(1, 0, 'x'));
    clock.advance(0.6);
    b!.session.receive(msg(1, 0, 'y')); // due at 1.6: later than 1 + 0.25, so not sent with a's
    clock.advance(0.4 - 1e-6);
    assert.deepEqual(a!.frames(), []);
    clock.advance(1e-6);
    assert.deepEqual(a!.frames(), [[2, 1]]);
    assert.deepEqual(b!.frames(), []);
    assert.equal(clock.getDelayedCalls().length, 1);
    assert.ok(Math.abs(clock.getDelayedCalls()[0]!.getTime() - 1.6) < 1e-9, 're-armed for the next deadline');
    clock.advance(0.6);
    assert.deepEqual(b!.frames(), [[2, 1]]);
  });

  test('an ACK carried by a message, or a detached session, leaves the scheduler; the timer goes with the last', () => {
    const clock = new Clock();
    const acks = new AckScheduler(clock, 0.5);
    const [a, b] = pages(clock, 2, acks);
    a!.session.receive(msg(1, 0, 'x'));
    b!.session.receive(msg(1, 0, 'y'));
    assert.equal(acks.size, 2);
    a!.session.send('reply'); // carries the acknowledgement
    assert.deepEqual(a!.frames(), [[1, 1, 1, 'reply']]);
    b!.session.detach();
    assert.equal(acks.size, 0);
    assert.deepEqual(clock.getDelayedCalls(), []);
    clock.advance(5);
    assert.deepEqual(a!.frames(), []);
    assert.deepEqual(b!.frames(), []);
  });

  for (const closer of [0, 4]) {
    test(`a page whose ACK drops another page (page ${closer} of 5) makes no other page miss its turn`, () => {
      const clock = new Clock();
      const acks = new AckScheduler(clock, 0.5);
      const all = pages(clock, 5, acks);
      const victim = 2;
      const wire: string[] = [];
      all[closer]!.session.attach({ sendFrame: (f) => (wire.push(f), all[victim]!.session.detach()) }, 0);
      for (const p of all) p.session.receive(msg(1, 0, 'x'));
      clock.advance(ACK_DELAY);
      assert.deepEqual(wire.map(readFrame), [[2, 1]]);
      for (let i = 0; i < all.length; i++) if (i !== closer && i !== victim) assert.deepEqual(all[i]!.frames(), [[2, 1]], `page ${i}`);
      assert.ok(all[victim]!.frames().length <= 1);
      assert.equal(acks.size, 0);
      assert.deepEqual(clock.getDelayedCalls(), []);
    });
  }
});
