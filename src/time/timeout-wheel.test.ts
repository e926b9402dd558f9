import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../testing/clock.js';
import { TimeoutWheel } from './timeout-wheel.js';

function wheelOn(clock: Clock, granularity?: number) {
  const expired: string[] = [];
  const wheel = new TimeoutWheel<string>(clock, (o) => expired.push(`${o}@${clock.seconds()}`), granularity);
  return { wheel, expired };
}

describe('TimeoutWheel', () => {
  test('many deadlines share one delayed call; each expires at its deadline, in order', () => {
    const clock = new Clock();
    const { wheel, expired } = wheelOn(clock);
    for (let i = 0; i < 1000; i++) wheel.add(`o${i}`, 10 + (i % 5));
    assert.equal(clock.getDelayedCalls().length, 1, 'one call on the clock, whatever the number of owners');
    clock.advance(9.999);
    assert.equal(expired.length, 0, 'never early');
    clock.advance(0.001);
    assert.equal(expired.length, 200);
    assert.ok(expired.every((e) => e.endsWith('@10')));
    clock.pump([1, 1, 1, 1]);
    assert.equal(expired.length, 1000);
    assert.deepEqual(clock.getDelayedCalls(), [], 'nothing filed, nothing scheduled');
  });

  test('a deadline inside a tick is met at the end of that tick at the latest, never before', () => {
    const clock = new Clock();
    const { wheel, expired } = wheelOn(clock);
    wheel.add('a', 2.25);
    clock.advance(2.2);
    assert.deepEqual(expired, []);
    clock.advance(0.8);
    assert.deepEqual(expired, ['a@3']);
  });

  test('remove and move take an owner out of its tick; the call follows the earliest left', () => {
    const clock = new Clock();
    const { wheel, expired } = wheelOn(clock);
    wheel.add('gone', 5);
    wheel.add('later', 20);
    wheel.add('moved', 6);
    wheel.remove('gone', 5);
    wheel.move('moved', 6, 30);
    assert.equal(wheel.size, 2);
    assert.equal(clock.getDelayedCalls()[0].getTime(), 20, 're-armed for the earliest deadline left');
    clock.advance(19);
    assert.deepEqual(expired, []);
    clock.advance(1);
    assert.deepEqual(expired, ['later@20']);
    wheel.remove('moved', 30);
    assert.deepEqual(clock.getDelayedCalls(), [], 'the last removal cancels the call');
    clock.advance(10);
    assert.deepEqual(expired, ['later@20']);
  });

  test('an owner may file again from its expiry, even into the tick that is running', () => {
    const clock = new Clock();
    const expired: number[] = [];
    const wheel: TimeoutWheel<string> = new TimeoutWheel(clock, (o) => {
      expired.push(clock.seconds());
      if (expired.length < 3) wheel.add(o, clock.seconds() + 0.5);
    }, 0.25);
    wheel.add('x', 1);
    clock.pump([1, 0.25, 0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(expired, [1, 1.5, 2]);
    assert.deepEqual(clock.getDelayedCalls(), []);
  });

  test('an owner whose expiry throws does not strand the others', () => {
    const clock = new Clock();
    const seen: string[] = [];
    const wheel = new TimeoutWheel<string>(clock, (o) => {
      seen.push(o);
      if (o === 'bad') throw new Error('boom');
    });
    wheel.add('bad', 1);
    wheel.add('good', 1);
    assert.throws(() => clock.advance(1), /boom/);
    assert.deepEqual(seen.sort(), ['bad', 'good']);
  });

  test('a granularity that is not positive is refused', () => {
    assert.throws(() => new TimeoutWheel(new Clock(), () => undefined, 0), RangeError);
  });
});
