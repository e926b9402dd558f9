import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../../defer/index.js';
import { capturedLogEvents } from '../../logger/index.js';
import type { IReactorCore, SystemEvent, SystemEventPhase } from '../interfaces.js';
import { ExitStatus, react } from './react.js';

/** Just enough of a reactor: run() resolves when stop() is called; 'before shutdown' triggers run on stop. */
class FakeReactor implements IReactorCore {
  running = false;
  stops = 0;
  #beforeShutdown: (() => unknown)[] = [];
  #whenRunning: (() => unknown)[] = [];
  #finished: (() => void) | undefined;

  run(): Promise<void> {
    const done = new Promise<void>((resolve) => { this.#finished = resolve; });
    this.running = true;
    for (const fn of this.#whenRunning.splice(0)) fn();
    return done;
  }
  stop(): void {
    if (!this.running) throw new Error('not running');
    this.stops++;
    for (const fn of this.#beforeShutdown) fn();
    this.running = false;
    this.#finished?.();
  }
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (this.running) fn(...args);
    else this.#whenRunning.push(() => fn(...args));
  }
  addSystemEventTrigger(phase: SystemEventPhase, event: SystemEvent, fn: () => unknown): void {
    if (phase === 'before' && event === 'shutdown') this.#beforeShutdown.push(fn);
  }
  removeSystemEventTrigger(): void {}
}

function exitRecorder(): { exit: (code: number) => void; codes: number[] } {
  const codes: number[] = [];
  return { exit: (code) => { codes.push(code); }, codes };
}

describe('react', () => {
  test('runs main with the reactor and argv, stops the reactor when its Deferred fires, exits 0', async () => {
    const reactor = new FakeReactor();
    const { exit, codes } = exitRecorder();
    let seen: unknown[] = [];
    const d = new Deferred<string>();
    const done = react((r: FakeReactor, a: string, b: number) => {
      seen = [r, a, b];
      return d;
    }, ['x', 2], { reactor, exit });
    assert.deepEqual(seen, [reactor, 'x', 2]);
    await new Promise((r) => setImmediate(r));
    assert.equal(reactor.running, true, 'the reactor runs while main is pending');
    d.callback('ok');
    assert.equal(await done, 0);
    assert.deepEqual(codes, [0]);
    assert.equal(reactor.running, false);
    assert.equal(reactor.stops, 1);
  });

  test('a failed main is logged and exits 1', async () => {
    const reactor = new FakeReactor();
    const { exit, codes } = exitRecorder();
    const logs = capturedLogEvents();
    try {
      await react(async () => { throw new Error('main broke'); }, [], { reactor, exit });
    } finally {
      logs.stop();
    }
    assert.deepEqual(codes, [1]);
    assert.ok(logs.messages().some((m) => m.includes('main function encountered error')), logs.messages().join('\n'));
  });

  test('a synchronous throw of ExitStatus(3) exits 3 without logging an error', async () => {
    const reactor = new FakeReactor();
    const { exit, codes } = exitRecorder();
    const logs = capturedLogEvents();
    try {
      await react(() => { throw new ExitStatus(3); }, [], { reactor, exit });
    } finally {
      logs.stop();
    }
    assert.deepEqual(codes, [3]);
    assert.equal(logs.events.length, 0);
  });

  test('a reactor stopped from elsewhere (SIGTERM) ends react with 0 and is not stopped twice', async () => {
    const reactor = new FakeReactor();
    const { exit, codes } = exitRecorder();
    const pending = new Deferred<void>();
    const done = react(() => pending, [], { reactor, exit });
    await new Promise((r) => setImmediate(r));
    reactor.stop();
    assert.equal(await done, 0);
    pending.callback(undefined);
    assert.equal(reactor.stops, 1);
    assert.deepEqual(codes, [0]);
  });
});
