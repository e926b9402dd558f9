import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AlreadyCalled, AlreadyCancelled } from '../error.js';
import { captureLogs } from '../../logger/index.js';
import type { BrowserTimers } from './interfaces.js';
import { BrowserReactor, browserReactor } from './reactor.js';

/** Timers a test drives by hand: `advance(ms)` runs what falls due, in order. */
class FakeTimers implements BrowserTimers {
  nowMs = 0;
  #next = 1;
  pending = new Map<number, { at: number; fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): number {
    const id = this.#next++;
    this.pending.set(id, { at: this.nowMs + ms, fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  now(): number {
    return this.nowMs;
  }
  advance(ms: number): void {
    const until = this.nowMs + ms;
    while (true) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.nowMs = due[1].at;
      due[1].fn();
    }
    this.nowMs = until;
  }
}

describe('BrowserReactor', () => {
  test('seconds() reads the page clock in seconds', () => {
    const timers = new FakeTimers();
    timers.nowMs = 2500;
    assert.equal(new BrowserReactor(timers).seconds(), 2.5);
  });

  test('callLater runs with its arguments once due, in time order', () => {
    const timers = new FakeTimers();
    const reactor = new BrowserReactor(timers);
    const ran: string[] = [];
    reactor.callLater(2, (x: string) => ran.push(x), 'b');
    const a = reactor.callLater(1, (x: string) => ran.push(x), 'a');
    assert.equal(a.getTime(), 1);
    assert.equal(reactor.getDelayedCalls().length, 2);
    timers.advance(999);
    assert.deepEqual(ran, []);
    timers.advance(1);
    assert.deepEqual(ran, ['a']);
    assert.equal(a.active(), false);
    timers.advance(1000);
    assert.deepEqual(ran, ['a', 'b']);
    assert.equal(reactor.getDelayedCalls().length, 0);
  });

  test('cancel, reset and delay behave as the Node reactor’s DelayedCall', () => {
    const timers = new FakeTimers();
    const reactor = new BrowserReactor(timers);
    let ran = 0;
    const call = reactor.callLater(1, () => ran++);
    timers.advance(500);
    call.reset(1); // due at 1.5 now
    timers.advance(900);
    assert.equal(ran, 0);
    call.delay(1); // due at 2.5
    timers.advance(500);
    assert.equal(ran, 0);
    timers.advance(600);
    assert.equal(ran, 1);
    assert.throws(() => call.cancel(), AlreadyCalled);
    const other = reactor.callLater(1, () => ran++);
    other.cancel();
    assert.equal(timers.pending.size, 0, 'the page timer was cleared');
    assert.throws(() => other.cancel(), AlreadyCancelled);
    timers.advance(5000);
    assert.equal(ran, 1);
  });

  test('a delay longer than setTimeout takes is armed in steps, not fired at once', () => {
    const timers = new FakeTimers();
    const reactor = new BrowserReactor(timers);
    let ran = false;
    reactor.callLater(30 * 86400, () => (ran = true)); // 30 days > 2^31 ms
    const [first] = [...timers.pending.values()];
    assert.equal(first!.ms, 2 ** 31 - 1);
    timers.advance(2 ** 31 - 1);
    assert.equal(ran, false);
    timers.advance(30 * 86400 * 1000 - (2 ** 31 - 1));
    assert.equal(ran, true);
  });

  test('a failing call is logged and does not stop the others', () => {
    const timers = new FakeTimers();
    const reactor = new BrowserReactor(timers);
    let after = false;
    reactor.callLater(1, () => {
      throw new Error('boom');
    });
    reactor.callLater(1, () => (after = true));
    const events = captureLogs(() => timers.advance(1000));
    assert.equal(after, true);
    assert.ok(events.some((e) => String(e.log_format).includes('failed') && String(e.log_failure?.getErrorMessage()).includes('boom')));
  });

  test('rejects negative delays', () => {
    assert.throws(() => new BrowserReactor(new FakeTimers()).callLater(-1, () => {}), RangeError);
  });

  test('callWhenRunning runs at once: the page loop is always running', () => {
    const reactor = new BrowserReactor(new FakeTimers());
    assert.equal(reactor.running, true);
    const got: number[] = [];
    reactor.callWhenRunning((a: number, b: number) => got.push(a + b), 1, 2);
    assert.deepEqual(got, [3]);
    const events = captureLogs(() =>
      reactor.callWhenRunning(() => {
        throw new Error('startup failed');
      }),
    );
    assert.equal(events.length, 1);
  });

  test('the shared reactor runs on real timers', async () => {
    const reactor = browserReactor();
    assert.equal(browserReactor(), reactor);
    const fired = await new Promise<number>((resolve) => reactor.callLater(0.001, (x: number) => resolve(x), 7));
    assert.equal(fired, 7);
  });
});
