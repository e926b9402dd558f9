import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../testing/index.js';
import { SourceRateLimiter } from './rate-limit.js';

describe('SourceRateLimiter', () => {
  test('a source gets perSecond queries a second, refilled with time', () => {
    const clock = new Clock();
    const limiter = new SourceRateLimiter(clock, 5, 100);
    const allowed = Array.from({ length: 8 }, () => limiter.allow('192.0.2.1')).filter(Boolean).length;
    assert.equal(allowed, 5);
    assert.equal(limiter.allow('192.0.2.2'), true, 'another source has its own bucket');
    clock.advance(0.4);
    assert.deepEqual([limiter.allow('192.0.2.1'), limiter.allow('192.0.2.1'), limiter.allow('192.0.2.1')], [true, true, false]);
  });

  test('a flood of new (spoofed) source addresses neither grows the table past its bound nor refills a busy source', () => {
    const clock = new Clock();
    const limiter = new SourceRateLimiter(clock, 5, 100);
    const victim = '198.51.100.7';
    for (let i = 0; i < 5; i++) assert.equal(limiter.allow(victim), true);
    for (let i = 0; i < 2000; i++) {
      limiter.allow(`10.0.${i >> 8}.${i & 0xff}`);
      // The victim keeps asking (once per 40 new addresses, under half the table): its empty bucket must stay empty.
      if (i % 40 === 0) assert.equal(limiter.allow(victim), false, `after ${i} new sources`);
      assert.ok(limiter.sources <= 100);
    }
  });

  test('an address not seen for a whole table of newer ones is forgotten (its bucket starts full again)', () => {
    const clock = new Clock();
    const limiter = new SourceRateLimiter(clock, 1, 10);
    assert.equal(limiter.allow('192.0.2.1'), true);
    assert.equal(limiter.allow('192.0.2.1'), false);
    for (let i = 0; i < 10; i++) limiter.allow(`10.0.0.${i}`);
    assert.equal(limiter.allow('192.0.2.1'), true);
  });
});
