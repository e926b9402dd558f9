import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred, type Failure } from '../../defer/index.js';
import { Clock } from '../../testing/clock.js';
import { Cooperator, NotPaused, SchedulerStopped, TaskFailed, TaskStopped, cooperate } from './cooperator.js';

/** A Cooperator on a fake clock whose slices last `steps` steps. */
function fakeCooperator(steps: number, started = true): { coop: Cooperator; clock: Clock } {
  const clock = new Clock();
  const coop = new Cooperator({
    scheduler: (tick) => clock.callLater(0.01, tick),
    terminationPredicateFactory: () => {
      let n = 0;
      return () => ++n >= steps;
    },
    started,
  });
  return { coop, clock };
}

function* counter(log: string[], name: string, n: number): Generator<unknown> {
  for (let i = 0; i < n; i++) {
    log.push(`${name}${i}`);
    yield;
  }
}

describe('Cooperator', () => {
  test('runs tasks round-robin in slices and fires whenDone with the iterator', () => {
    const { coop, clock } = fakeCooperator(3);
    const log: string[] = [];
    const it = counter(log, 'a', 3);
    let doneWith: unknown;
    coop.cooperate(it).whenDone().addCallback((r) => { doneWith = r; });
    coop.cooperate(counter(log, 'b', 2));
    assert.deepEqual(log, [], 'nothing runs before the first slice');
    clock.advance(0.01);
    assert.deepEqual(log, ['a0', 'b0', 'a1']);
    clock.advance(0.01);
    assert.deepEqual(log, ['a0', 'b0', 'a1', 'b1', 'a2']);
    assert.equal(doneWith, undefined, 'the generator has not returned yet');
    clock.advance(0.01);
    assert.equal(doneWith, it);
    clock.advance(0.01);
    assert.equal(clock.getDelayedCalls().length, 0, 'no slices scheduled once idle');
  });

  test('pause and resume a task; resume without pause throws NotPaused', () => {
    const { coop, clock } = fakeCooperator(10);
    const log: string[] = [];
    const task = coop.cooperate(counter(log, 'x', 100));
    clock.advance(0.01);
    assert.equal(log.length, 10);
    task.pause();
    task.pause();
    clock.advance(0.01);
    task.resume();
    clock.advance(0.01);
    assert.equal(log.length, 10, 'still paused after one of two resumes');
    task.resume();
    clock.advance(0.01);
    assert.equal(log.length, 20);
    assert.throws(() => task.resume(), NotPaused);
  });

  test('stop ends a task: whenDone fails with TaskStopped and stop again throws', () => {
    const { coop, clock } = fakeCooperator(5);
    const log: string[] = [];
    const task = coop.cooperate(counter(log, 's', 100));
    clock.advance(0.01);
    let failure: Failure | undefined;
    task.whenDone().addErrback((f) => { failure = f; });
    task.stop();
    assert.ok(failure?.check(TaskStopped));
    assert.throws(() => task.stop(), TaskStopped);
    clock.advance(0.01);
    assert.equal(log.length, 5);
    let late: Failure | undefined;
    task.whenDone().addErrback((f) => { late = f; });
    assert.ok(late?.check(TaskStopped), 'whenDone after the end fires at once');
  });

  test('yielding a Deferred pauses that task only, until it fires', () => {
    const { coop, clock } = fakeCooperator(4);
    const log: string[] = [];
    const gate = new Deferred<void>();
    coop.cooperate((function* () {
      log.push('w0');
      yield gate;
      log.push('w1');
    })());
    coop.cooperate(counter(log, 'o', 5));
    clock.advance(0.01);
    clock.advance(0.01);
    assert.deepEqual(log, ['w0', 'o0', 'o1', 'o2', 'o3', 'o4']);
    gate.callback(undefined);
    clock.advance(0.01);
    assert.deepEqual(log.slice(-1), ['w1']);
  });

  test('an iterator that throws, or a yielded Deferred that fails, fails the task', () => {
    const { coop, clock } = fakeCooperator(10);
    const failures: Failure[] = [];
    coop.cooperate((function* () { yield; throw new Error('thrown'); })()).whenDone().addErrback((f) => { failures.push(f); });
    coop.cooperate((function* () { yield Deferred.fail(new Error('failed')); })()).whenDone().addErrback((f) => { failures.push(f); });
    clock.advance(0.01);
    assert.deepEqual(failures.map((f) => f.value.message).sort(), ['failed', 'thrown']);
    assert.equal(new TaskFailed('x').name, 'TaskFailed');
  });

  test('a Cooperator created stopped runs nothing until start(); stop() fails tasks with SchedulerStopped', () => {
    const { coop, clock } = fakeCooperator(2, false);
    const log: string[] = [];
    let failure: Failure | undefined;
    coop.cooperate(counter(log, 'z', 10)).whenDone().addErrback((f) => { failure = f; });
    clock.advance(1);
    assert.deepEqual(log, []);
    assert.equal(coop.running, false);
    coop.start();
    clock.advance(0.01);
    assert.deepEqual(log, ['z0', 'z1']);
    coop.stop();
    assert.ok(failure?.check(SchedulerStopped));
    let late: Failure | undefined;
    coop.cooperate(counter(log, 'q', 1)).whenDone().addErrback((f) => { late = f; });
    assert.ok(late?.check(SchedulerStopped));
  });

  test('coiterate takes iterables; the global cooperate runs on the reactor', async () => {
    const { coop, clock } = fakeCooperator(100);
    const seen: number[] = [];
    const d = coop.coiterate((function* () { for (const x of [1, 2, 3]) { seen.push(x); yield; } })());
    clock.advance(0.01);
    await d;
    assert.deepEqual(seen, [1, 2, 3]);
    let sum = 0;
    const task = cooperate((function* () { for (const x of [1, 2, 3, 4]) { sum += x; yield; } })());
    assert.equal(sum, 0, 'the first step waits for the reactor');
    await task.whenDone();
    assert.equal(sum, 10);
  });
});
