import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Deferred, type Failure } from '../../defer/index.js';
import { Clock } from '../../testing/clock.js';
import { deferLater } from './defer-later.js';

describe('deferLater', () => {
  test('fires with the function result after the delay, passing arguments', () => {
    const clock = new Clock();
    let result: unknown;
    deferLater(clock, 3, (a: number, b: number) => a + b, 2, 5).addCallback((r) => { result = r; });
    clock.advance(2.9);
    assert.equal(result, undefined);
    clock.advance(0.1);
    assert.equal(result, 7);
  });

  test('without a function it fires with undefined', () => {
    const clock = new Clock();
    let fired = false;
    deferLater(clock, 1).addCallback(() => { fired = true; });
    clock.advance(1);
    assert.equal(fired, true);
  });

  test('a throw becomes a failure; a returned Deferred is waited for', () => {
    const clock = new Clock();
    let failure: Failure | undefined;
    deferLater(clock, 1, () => { throw new Error('bad'); }).addErrback((f) => { failure = f; });
    const inner = new Deferred<string>();
    let value: string | undefined;
    deferLater(clock, 1, () => inner).addCallback((v) => { value = v; });
    clock.advance(1);
    assert.equal(failure?.value.message, 'bad');
    assert.equal(value, undefined);
    inner.callback('inner');
    assert.equal(value, 'inner');
  });

  test('cancelling fails with CancelledError and the call never runs', () => {
    const clock = new Clock();
    let ran = false;
    const d = deferLater(clock, 5, () => { ran = true; });
    let failure: Failure | undefined;
    d.addErrback((f) => { failure = f; });
    d.cancel();
    assert.ok(failure?.check(CancelledError));
    assert.equal(clock.getDelayedCalls().length, 0);
    clock.advance(10);
    assert.equal(ran, false);
  });
});
