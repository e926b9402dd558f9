/**
 * The environment's reactor slot on its own: this file loads no reactor module, as a framing used alone
 * (or a page before its reactor loads) would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Clock } from '../testing/clock.js';
import { defaultReactor, installReactor } from './default-reactor.js';
import { TimerClock } from './timer-clock.js';

test('with no reactor installed, a timer clock stands in and is handed out every time', async () => {
  const standIn = defaultReactor();
  assert.ok(standIn instanceof TimerClock);
  assert.equal(defaultReactor(), standIn);
  const fired = await new Promise<string>((resolve) => standIn.callLater(0, resolve, 'ran'));
  assert.equal(fired, 'ran');
});

test('installReactor replaces the stand-in even with keepExisting, and a later install replaces it in turn', () => {
  const page = new Clock();
  installReactor(page, { keepExisting: true });
  assert.equal(defaultReactor(), page);
  const node = new Clock();
  installReactor(node);
  assert.equal(defaultReactor(), node);
  installReactor(new Clock(), { keepExisting: true }); // the page's reactor loading after Node's
  assert.equal(defaultReactor(), node);
});

test("the stand-in's calls do not keep Node's process alive (no reactor runs)", () => {
  const script = "import { defaultReactor } from './src/time/default-reactor.ts'; defaultReactor().callLater(600, () => {});";
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url),
    timeout: 60_000,
    encoding: 'utf8',
  });
  assert.equal(child.signal, null, 'the process was still running at the timeout');
  assert.equal(child.status, 0, child.stderr);
});
