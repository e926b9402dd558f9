import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { failureResultOf, successResultOf } from '../../testing/index.js';
import { Deferred } from '../../defer/index.js';
import { InvalidArguments, PageGone, RemoteError } from './errors.js';
import { expose } from './expose.js';
import { RemoteCalls } from './rpc.js';

class Target {
  static exposed = ['plain'];
  @expose
  add(a: number, b: number): number {
    return a + b;
  }
  @expose
  later(): Deferred<string> {
    return Deferred.succeed('later');
  }
  @expose
  boom(): never {
    throw new TypeError('bad input');
  }
  plain(): string {
    return 'listed in static exposed';
  }
  hidden(): string {
    return 'secret';
  }
  @expose
  huge(): string {
    return 'x'.repeat(100);
  }
}

/** Two RemoteCalls wired back to back; side B holds widget 7. */
function pair(maxMessageSize = 50) {
  const target = new Target();
  const errors: string[] = [];
  const b: RemoteCalls = new RemoteCalls({
    sendJSON: (j) => a.handle(JSON.parse(j)),
    lookup: (id) => (id === 7 ? target : undefined),
    maxMessageSize,
    onLocalError: (f) => errors.push(f.value.name),
  });
  const a = new RemoteCalls({ sendJSON: (j) => b.handle(JSON.parse(j)), lookup: () => undefined, maxMessageSize });
  return { a, b, errors };
}

describe('RemoteCalls', () => {
  test('calls an exposed method and gets its result', () => {
    const { a } = pair();
    assert.equal(successResultOf(a.call(7, 'add', [2, 3])), 5);
    assert.equal(successResultOf(a.call(7, 'later', [])), 'later');
    assert.equal(successResultOf(a.call(7, 'plain', [])), 'listed in static exposed');
  });

  test('errors cross with their type and message', () => {
    const { a, errors } = pair();
    const f = failureResultOf(a.call(7, 'boom', []), RemoteError);
    assert.equal((f.value as RemoteError).type, 'TypeError');
    assert.equal(f.value.message, 'bad input');
    assert.deepEqual(errors, ['TypeError']);
  });

  test('unexposed, unknown and reserved names are NoSuchMethod; unknown widgets NoSuchWidget', () => {
    const { a } = pair();
    for (const name of ['hidden', 'nope', 'constructor', '__proto__', 'toString']) {
      const f = failureResultOf(a.call(7, name, []), RemoteError);
      assert.equal((f.value as RemoteError).type, 'NoSuchMethod', name);
    }
    assert.equal((failureResultOf(a.call(8, 'add', []), RemoteError).value as RemoteError).type, 'NoSuchWidget');
  });

  test('arguments over the limit or not JSON fail locally; results over it fail remotely', () => {
    const { a } = pair();
    failureResultOf(a.call(7, 'add', ['y'.repeat(60)]), InvalidArguments);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    failureResultOf(a.call(7, 'add', [cyclic]), InvalidArguments);
    assert.equal((failureResultOf(a.call(7, 'huge', []), RemoteError).value as RemoteError).type, 'InvalidArguments');
  });

  test('failAll fails pending and later calls', () => {
    const sent: string[] = [];
    const calls = new RemoteCalls({ sendJSON: (j) => sent.push(j), lookup: () => undefined, maxMessageSize: 100 });
    const d = calls.call(1, 'x', []);
    calls.failAll(new PageGone('gone'));
    failureResultOf(d, PageGone);
    failureResultOf(calls.call(1, 'y', []), PageGone);
    assert.equal(sent.length, 1);
  });

  test('malformed payloads are protocol errors', () => {
    const { a } = pair();
    assert.throws(() => a.handle({}), /malformed/);
    assert.throws(() => a.handle(['c', 1, 'x', 'm', []]), /malformed/);
  });
});
