import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Failure, FirstError, TimeoutError, toError } from './index.js';

class ParentError extends Error {
  override name = 'ParentError';
}
class ChildError extends ParentError {
  override name = 'ChildError';
}
class OtherError extends Error {
  override name = 'OtherError';
}

describe('Failure', () => {
  test('value is the error', () => {
    const e = new ChildError('c');
    assert.equal(new Failure(e).value, e);
  });

  test('wraps non-Errors, keeping the original as cause', () => {
    const f = new Failure('a string');
    assert.ok(f.value instanceof Error);
    assert.equal(f.getErrorMessage(), 'a string');
    assert.equal((f.value as { cause?: unknown }).cause, 'a string');
    const g = new Failure(42);
    assert.match(g.getErrorMessage(), /42/);
  });

  test('a Failure made from a Failure shares its error', () => {
    const f = new Failure(new OtherError('x'));
    assert.equal(new Failure(f).value, f.value);
    assert.equal(toError(f), f.value);
  });

  test('check returns the first matching class (subclasses match) or null', () => {
    const f = new Failure(new ChildError('c'));
    assert.equal(f.check(OtherError, ParentError), ParentError);
    assert.equal(f.check(ChildError), ChildError);
    assert.equal(f.check(OtherError), null);
    assert.equal(f.check(), null);
  });

  test('trap returns the match, or throws the Failure itself when nothing matches', () => {
    const f = new Failure(new ChildError('c'));
    assert.equal(f.trap(OtherError, ChildError), ChildError);
    try {
      f.trap(OtherError);
      assert.fail('trap should have thrown');
    } catch (e) {
      assert.equal(e, f);
    }
  });

  test('getErrorMessage is the message; getBriefTraceback and toString add the type', () => {
    const f = new Failure(new OtherError('went wrong'));
    assert.equal(f.getErrorMessage(), 'went wrong');
    assert.equal(f.getBriefTraceback(), 'OtherError: went wrong');
    assert.equal(String(f), '[Failure instance: OtherError: went wrong]');
    assert.equal(f.type, OtherError);
  });

  test('getTraceback has the stack, the cause chain and debug info', () => {
    const cause = new OtherError('root cause');
    const f = new Failure(new ChildError('outer', { cause }));
    const tb = f.getTraceback();
    assert.match(tb, /ChildError: outer/);
    assert.match(tb, /failure\.test\.ts/);
    assert.match(tb, /Caused by: OtherError: root cause/);
    f.debugInfo = '(debug: here)';
    assert.match(f.getTraceback(), /\(debug: here\)$/);
  });

  test('raiseException throws the error', () => {
    const e = new OtherError('x');
    assert.throws(() => new Failure(e).raiseException(), (thrown) => thrown === e);
  });

  test('error classes carry names and details', () => {
    assert.equal(new CancelledError().name, 'CancelledError');
    const t = new TimeoutError(5);
    assert.equal(t.seconds, 5);
    assert.match(t.message, /5 seconds/);
    const sub = new Failure(new OtherError('inner'));
    const first = new FirstError(sub, 3);
    assert.equal(first.index, 3);
    assert.equal(first.subFailure, sub);
    assert.match(first.message, /#3.*OtherError: inner/);
  });
});
