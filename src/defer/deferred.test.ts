import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlreadyCalledError, Deferred, Failure, fail, getDebugging, setDebugging, succeed } from './index.js';

class BoomError extends Error {
  override name = 'BoomError';
}

describe('firing', () => {
  test('callback fires once; a second callback or errback raises AlreadyCalledError', () => {
    const d = new Deferred<number>();
    d.callback(1);
    assert.throws(() => d.callback(2), AlreadyCalledError);
    assert.throws(() => d.errback(new Error('late')), AlreadyCalledError);
    assert.equal(d.result, 1);
  });

  test('errback then callback raises AlreadyCalledError too', () => {
    const d = new Deferred<number>();
    d.errback(new BoomError('x'));
    assert.throws(() => d.callback(1), AlreadyCalledError);
    d.addErrback(() => undefined);
  });

  test('called is false until fired', () => {
    const d = new Deferred<string>();
    assert.equal(d.called, false);
    d.callback('x');
    assert.equal(d.called, true);
  });

  test('callback refuses a Deferred or a Promise as result', () => {
    assert.throws(() => new Deferred<unknown>().callback(new Deferred()), TypeError);
    assert.throws(() => new Deferred<unknown>().callback(Promise.resolve(1)), TypeError);
  });

  test('errback wraps a non-Failure in a Failure and keeps a Failure as is', () => {
    const err = new BoomError('b');
    let got: Failure | undefined;
    fail(err).addErrback((f) => {
      got = f;
    });
    assert.ok(got instanceof Failure);
    assert.equal(got.value, err);
    const f = new Failure(err);
    let same: Failure | undefined;
    fail(f).addErrback((g) => {
      same = g;
    });
    assert.equal(same, f);
  });
});

describe('chaining', () => {
  test("each callback's return value is the next one's input", () => {
    const seen: unknown[] = [];
    const d = new Deferred<number>();
    d.addCallback((n) => {
      seen.push(n);
      return n + 1;
    })
      .addCallback((n) => {
        seen.push(n);
        return String(n * 10);
      })
      .addCallback((s) => {
        seen.push(s);
      });
    assert.deepEqual(seen, []);
    d.callback(1);
    assert.deepEqual(seen, [1, 2, '20']);
    assert.equal(d.result, undefined);
  });

  test('a thrown error switches to the errback path, skipping callbacks', () => {
    const calls: string[] = [];
    const d = succeed(1)
      .addCallback(() => {
        throw new BoomError('thrown');
      })
      .addCallback(() => {
        calls.push('skipped callback');
      })
      .addErrback((f) => {
        calls.push(`errback ${f.getErrorMessage()}`);
        return 'recovered';
      });
    assert.deepEqual(calls, ['errback thrown']);
    assert.equal(d.result, 'recovered');
  });

  test('a returned Failure switches to the errback path', () => {
    let msg = '';
    succeed(1)
      .addCallback(() => new Failure(new BoomError('returned')))
      .addErrback((f) => {
        msg = f.getErrorMessage();
      });
    assert.equal(msg, 'returned');
  });

  test('an errback that returns a value switches back to callbacks', () => {
    const d = fail<number>(new BoomError('x'))
      .addCallback((n) => n + 1000)
      .addErrback(() => 5)
      .addCallback((n) => n * 2);
    assert.equal(d.result, 10);
  });

  test('an errback that throws keeps the errback path', () => {
    const msgs: string[] = [];
    fail(new BoomError('first'))
      .addErrback(() => {
        throw new BoomError('second');
      })
      .addCallback(() => msgs.push('no'))
      .addErrback((f) => {
        msgs.push(f.getErrorMessage());
      });
    assert.deepEqual(msgs, ['second']);
  });

  test('addCallbacks runs exactly one of the pair', () => {
    const calls: string[] = [];
    succeed(1).addCallbacks(
      () => calls.push('cb1'),
      () => calls.push('eb1'),
    );
    fail(new BoomError()).addCallbacks(
      () => calls.push('cb2'),
      () => calls.push('eb2'),
    );
    assert.deepEqual(calls, ['cb1', 'eb2']);
  });

  test('addCallbacks with an errback that returns a Failure passes it on', () => {
    const f1 = new Failure(new BoomError('one'));
    let got: Failure | undefined;
    fail(f1)
      .addCallbacks(null, (f) => f)
      .addErrback((f) => {
        got = f;
      });
    assert.equal(got, f1);
  });

  test('addBoth sees successes and failures', () => {
    const seen: unknown[] = [];
    succeed('ok').addBoth((r) => seen.push(r));
    fail(new BoomError('bad')).addBoth((r) => {
      seen.push(r instanceof Failure ? r.getErrorMessage() : r);
    });
    assert.deepEqual(seen, ['ok', 'bad']);
  });

  test('extra arguments are passed after the result', () => {
    const seen: unknown[] = [];
    succeed(1).addCallback((r, a: string, b: number) => seen.push([r, a, b]), 'x', 2);
    fail(new BoomError('e')).addErrback((f, tag: string) => {
      seen.push([f.getErrorMessage(), tag]);
    }, 'tag');
    succeed(3).addBoth((r, z: string) => seen.push([r, z]), 'z');
    succeed(4).addCallbacks((r, a: string) => seen.push([r, a]), null, ['ca'], ['ea']);
    fail(new BoomError('f')).addCallbacks(null, (f, a: string) => {
      seen.push([f.getErrorMessage(), a]);
    }, ['ca'], ['ea']);
    assert.deepEqual(seen, [
      [1, 'x', 2],
      ['e', 'tag'],
      [3, 'z'],
      [4, 'ca'],
      ['f', 'ea'],
    ]);
  });

  test('callbacks added before firing queue and run in order on fire', () => {
    const order: number[] = [];
    const d = new Deferred<void>();
    for (let i = 0; i < 5; i++) d.addCallback(() => void order.push(i));
    assert.deepEqual(order, []);
    d.callback();
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  test('a callback added during a callback runs after the current queue, in order', () => {
    const order: string[] = [];
    const d = new Deferred<void>();
    d.addCallback(() => {
      order.push('a');
      d.addCallback(() => void order.push('c'));
    });
    d.addCallback(() => void order.push('b'));
    d.callback();
    assert.deepEqual(order, ['a', 'b', 'c']);
  });

  test('a callback added inside the fast path is not lost', () => {
    const order: string[] = [];
    const d = succeed(0);
    d.addCallback(() => {
      order.push('outer');
      d.addCallback(() => void order.push('inner'));
      return 1;
    });
    assert.deepEqual(order, ['outer', 'inner']);
  });

  test('runs callbacks synchronously: no microtask hop', () => {
    let ran = false;
    const d = new Deferred<number>();
    d.addCallback(() => {
      ran = true;
    });
    d.callback(1);
    assert.equal(ran, true);
    let alsoRan = false;
    succeed(2).addCallback(() => {
      alsoRan = true;
    });
    assert.equal(alsoRan, true);
  });

  test('a callback returning the Deferred it was added to fails the chain with a TypeError', () => {
    const d = new Deferred<unknown>();
    let err: unknown;
    d.addCallback(() => d).addErrback((f) => {
      err = f.value;
    });
    d.callback(1);
    assert.ok(err instanceof TypeError);
  });
});

describe('nested Deferreds', () => {
  test('a callback returning an unfired Deferred pauses the outer chain until it fires', () => {
    const inner = new Deferred<string>();
    const seen: string[] = [];
    const outer = succeed(1)
      .addCallback(() => inner)
      .addCallback((s) => {
        seen.push(s);
        return s.toUpperCase();
      });
    assert.deepEqual(seen, []);
    assert.equal(outer.paused, true);
    assert.equal(outer.result, inner);
    inner.callback('inner');
    assert.deepEqual(seen, ['inner']);
    assert.equal(outer.result, 'INNER');
    assert.equal(outer.paused, false);
    assert.equal(inner.result, undefined, 'the inner result is handed over, not shared');
  });

  test('an already-fired inner Deferred continues at once with its result', () => {
    const outer = succeed(1).addCallback(() => succeed(41)).addCallback((n) => n + 1);
    assert.equal(outer.result, 42);
  });

  test('an inner failure continues the outer chain on the errback path', () => {
    const inner = new Deferred<number>();
    let msg = '';
    succeed(0)
      .addCallback(() => inner)
      .addErrback((f) => {
        msg = f.getErrorMessage();
      });
    inner.errback(new BoomError('inner failed'));
    assert.equal(msg, 'inner failed');
  });

  test('callbacks added to the outer while it waits run after the inner result arrives', () => {
    const inner = new Deferred<number>();
    const outer = new Deferred<number>();
    outer.callback(0);
    outer.addCallback(() => inner);
    const seen: number[] = [];
    outer.addCallback((n) => void seen.push(n));
    assert.deepEqual(seen, []);
    inner.callback(7);
    assert.deepEqual(seen, [7]);
  });

  test('a paused inner Deferred keeps the outer waiting until unpaused', () => {
    const inner = succeed(3);
    inner.pause();
    const outer = succeed(0).addCallback(() => inner);
    assert.equal(outer.paused, true);
    inner.unpause();
    assert.equal(outer.result, 3);
  });

  test('a callback returning a Promise makes the chain wait for it', async () => {
    const d = succeed(1).addCallback(async (n) => n + 1).addCallback((n) => n * 10);
    assert.equal(d.called, true);
    assert.notEqual(d.result, 20);
    assert.equal(await d, 20);
  });

  test('a rejected Promise from a callback switches to errbacks', async () => {
    const d = succeed(1).addCallback(() => Promise.reject(new BoomError('rejected')));
    await assert.rejects(async () => {
      await d;
    }, BoomError);
  });
});

describe('pause and unpause', () => {
  test('pause holds callbacks until unpause', () => {
    const seen: number[] = [];
    const d = new Deferred<number>();
    d.pause();
    d.addCallback((n) => void seen.push(n));
    d.callback(1);
    assert.deepEqual(seen, []);
    assert.equal(d.paused, true);
    d.unpause();
    assert.deepEqual(seen, [1]);
  });

  test('pauses nest: callbacks run only after as many unpauses', () => {
    const seen: number[] = [];
    const d = succeed(1);
    d.pause();
    d.pause();
    d.addCallback((n) => void seen.push(n));
    d.unpause();
    assert.deepEqual(seen, []);
    d.unpause();
    assert.deepEqual(seen, [1]);
  });

  test('a callback that pauses its own Deferred holds later additions, not the queued rest (as Twisted)', () => {
    const seen: string[] = [];
    const d = new Deferred<void>();
    d.addCallback(() => {
      seen.push('a');
      d.pause();
    });
    d.addCallback(() => void seen.push('b'));
    d.callback();
    assert.deepEqual(seen, ['a', 'b']);
    d.addCallback(() => void seen.push('c'));
    assert.deepEqual(seen, ['a', 'b']);
    d.unpause();
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  test('the same holds when the pausing callback ran on an already-fired Deferred', () => {
    const seen: string[] = [];
    const d = succeed(0);
    d.addCallback(() => {
      seen.push('a');
      d.pause();
      d.addCallback(() => void seen.push('b'));
    });
    assert.deepEqual(seen, ['a', 'b']);
    d.addCallback(() => void seen.push('c'));
    assert.deepEqual(seen, ['a', 'b']);
    d.unpause();
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  test('an extra unpause is ignored', () => {
    const d = new Deferred<number>();
    d.unpause();
    d.pause();
    d.callback(1);
    const seen: number[] = [];
    d.addCallback((n) => void seen.push(n));
    assert.deepEqual(seen, []);
    d.unpause();
    assert.deepEqual(seen, [1]);
  });
});

describe('chainDeferred', () => {
  test("hands the result to the chained Deferred; the original goes on with undefined", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    a.chainDeferred(b);
    const seen: unknown[] = [];
    a.addCallback((r) => void seen.push(['a', r]));
    b.addCallback((r) => void seen.push(['b', r]));
    a.callback(5);
    assert.deepEqual(seen, [
      ['b', 5],
      ['a', undefined],
    ]);
  });

  test('a failure goes to the chained Deferred and is handled there', () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    a.chainDeferred(b);
    let msg = '';
    b.addErrback((f) => {
      msg = f.getErrorMessage();
    });
    a.errback(new BoomError('chained'));
    assert.equal(msg, 'chained');
    assert.equal(a.result, undefined);
  });
});

describe('addFinally', () => {
  test('runs on success and failure and passes the result on', () => {
    const calls: string[] = [];
    const ok = succeed(1).addFinally(() => calls.push('ok'));
    const bad = fail(new BoomError('x')).addFinally(() => calls.push('bad'));
    assert.equal(ok.result, 1);
    assert.ok(bad.result instanceof Failure);
    bad.addErrback(() => undefined);
    assert.deepEqual(calls, ['ok', 'bad']);
  });

  test('waits for a Deferred it returns', () => {
    const cleanup = new Deferred<void>();
    const d = succeed('v').addFinally(() => cleanup);
    assert.equal(d.paused, true);
    cleanup.callback();
    assert.equal(d.result, 'v');
  });
});

describe('setDebugging', () => {
  test('records where a Deferred was created and first fired, shown by AlreadyCalledError and debugInfo', () => {
    setDebugging(true);
    try {
      assert.equal(getDebugging(), true);
      const d = (function createdHere() {
        return new Deferred<number>();
      })();
      (function firedHere() {
        d.callback(1);
      })();
      assert.throws(() => d.callback(2), (e: Error) => e instanceof AlreadyCalledError && /first fired at:[\s\S]*firedHere/.test(e.message));
      assert.match(d.debugInfo() ?? '', /created at:[\s\S]*createdHere[\s\S]*first fired at:[\s\S]*firedHere/);
    } finally {
      setDebugging(false);
    }
    const plain = new Deferred<number>();
    plain.callback(1);
    assert.equal(plain.debugInfo(), undefined);
    assert.throws(() => plain.callback(2), (e: Error) => !/first fired/.test(e.message));
  });
});

describe('typing', () => {
  test('Deferred is covariant: a Deferred<number> is a Deferred<unknown>', () => {
    const specific = succeed(1);
    const general: Deferred<unknown> = specific;
    const list: Deferred<unknown>[] = [specific, succeed('s')];
    assert.equal(general.result, 1);
    assert.equal(list.length, 2);
  });
});

describe('toString', () => {
  test('describes the state', () => {
    assert.equal(String(new Deferred()), '<Deferred waiting>');
    assert.equal(String(succeed(1)), '<Deferred fired>');
    const inner = new Deferred();
    assert.equal(String(succeed(1).addCallback(() => inner)), '<Deferred waiting on <Deferred waiting>>');
    const f = fail(new BoomError('m'));
    assert.match(String(f), /failed: \[Failure instance: BoomError: m\]/);
    f.addErrback(() => undefined);
  });
});
