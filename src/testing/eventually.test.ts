import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventuallyTimeoutError, eventually } from './index.js';

test('eventually resolves with the first truthy value, checking again until then', async () => {
  let checks = 0;
  const value = await eventually(() => (++checks >= 3 ? { checks } : undefined));
  assert.deepEqual(value, { checks: 3 });
});

test('eventually awaits an async predicate', async () => {
  let n = 0;
  assert.equal(await eventually(async () => ++n === 2), true);
});

test('eventually gives up after `timeout` seconds with EventuallyTimeoutError naming what it waited for', async () => {
  let checks = 0;
  const err = await eventually(() => void checks++, { timeout: 0.05, interval: 0.01, message: 'the moon' }).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof EventuallyTimeoutError);
  assert.equal(err.code, 'TORSION_EVENTUALLY_TIMEOUT');
  assert.match(err.message, /timed out after 0\.05 s waiting for the moon/);
  assert.ok(checks >= 2, `checked ${checks} times`);
});

test('a message function is called only when eventually gives up, so it can quote a log', async () => {
  let calls = 0;
  const log = ['started'];
  await eventually(() => true, { message: () => `${++calls}` });
  assert.equal(calls, 0);
  await assert.rejects(
    eventually(() => false, { timeout: 0.02, message: () => `the peer; it said: ${log.join(', ')}` }),
    /waiting for the peer; it said: started/,
  );
});

test('step runs between checks instead of sleeping', async () => {
  let pumped = 0;
  await eventually(() => pumped >= 5, { step: () => void pumped++ });
  assert.equal(pumped, 5);
});

test('a predicate that throws fails at once, not at the timeout', async () => {
  const started = performance.now();
  await assert.rejects(
    eventually(
      () => {
        throw new TypeError('broken check');
      },
      { timeout: 30 },
    ),
    TypeError,
  );
  assert.ok(performance.now() - started < 5000);
});
