/**
 * The login throttle and the registration limiter on their own: delays, scopes, and that their tables stay
 * bounded and forget.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, LoginThrottle, RegistrationLimiter, resolveLoginLimits, resolveRegistrationLimits } from './throttle.js';

/** Starts a check and ends it as failed at once; returns the refusal instead if there is one. */
function fail(t: LoginThrottle, account: string, address: string, now: number): ReturnType<LoginThrottle['begin']> {
  const refused = t.begin(account, address, now);
  if (refused) return refused;
  t.done(account, address, false, now);
  return undefined;
}

describe('LoginThrottle', () => {
  test('an address gets its free failures, then delays that double up to the maximum', () => {
    const t = new LoginThrottle(resolveLoginLimits({ freeFailures: 3, baseDelay: 1, maxDelay: 10 }));
    let now = 1000;
    for (let i = 0; i < 3; i++) assert.equal(fail(t, 'owner', '198.51.100.7', now), undefined, `free failure ${i + 1}`);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const refused = t.begin('owner', '198.51.100.7', now);
      assert.equal(refused?.scope, 'address');
      waits.push(refused!.retryAfter);
      // Refused attempts cost nothing and change nothing: asking again at once gets the same answer.
      assert.deepEqual(t.begin('owner', '198.51.100.7', now), refused);
      now += refused!.retryAfter;
      assert.equal(fail(t, 'owner', '198.51.100.7', now), undefined, 'checked once the delay is over');
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 10, 10]);
  });

  test('a blocked account refuses addresses that failed before, never one with a clean record', () => {
    const t = new LoginThrottle(resolveLoginLimits({ freeFailures: 3, baseDelay: 1 }));
    const now = 1000;
    // Spread over addresses, each under its own free count: only the account counter passes its limit.
    for (const a of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) assert.equal(fail(t, 'owner', a, now), undefined);
    assert.deepEqual(t.begin('owner', '192.0.2.1', now), { scope: 'account', retryAfter: 1 });
    assert.equal(t.begin('other', '192.0.2.1', now), undefined, 'other accounts are not blocked for that address');
    t.done('other', '192.0.2.1', true, now);
    assert.equal(t.begin('owner', '203.0.113.9', now), undefined, 'the owner, from an address with no failures, is checked');
  });

  test('checks running at once from one address are capped', () => {
    const t = new LoginThrottle(resolveLoginLimits({ maxChecksInFlight: 2 }));
    assert.equal(t.begin('a', '192.0.2.1', 0), undefined);
    assert.equal(t.begin('b', '192.0.2.1', 0), undefined);
    assert.deepEqual(t.begin('c', '192.0.2.1', 0), { scope: 'address', retryAfter: 1 });
    assert.equal(t.begin('c', '192.0.2.2', 0), undefined, 'another address is not affected');
    t.done('a', '192.0.2.1', true, 0);
    assert.equal(t.begin('c', '192.0.2.1', 0), undefined);
    t.done('b', '192.0.2.1', true, 0);
    t.done('c', '192.0.2.1', true, 0);
    t.done('c', '192.0.2.2', true, 0);
    assert.equal(t.tracked.inFlight, 0, 'an address with nothing running is forgotten');
  });

  test('its tables are bounded and forget addresses and accounts that stopped failing', () => {
    const t = new LoginThrottle(resolveLoginLimits({ maxTracked: 100, forgetAfter: 60, maxDelay: 30 }));
    for (let i = 0; i < 5000; i++) fail(t, `nick${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 1000);
    assert.deepEqual(t.tracked, { addresses: 100, accounts: 100, inFlight: 0 });
    fail(t, 'late', '192.0.2.1', 1061);
    assert.deepEqual(t.tracked, { addresses: 1, accounts: 1, inFlight: 0 }, 'everything older than forgetAfter is gone');
    assert.equal(resolveLoginLimits({ forgetAfter: 5, maxDelay: 300 }).forgetAfter, 300, 'a record outlives its longest delay');
  });

  test('IPv6 addresses count per /64; IPv4 and names as they are', () => {
    assert.equal(addressKey('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
    assert.equal(addressKey('2001:0db8:0000:0001:ffff:1:2:3'), '2001:db8:0:1::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('192.0.2.1'), '192.0.2.1');
    assert.equal(addressKey('web'), 'web');
    const t = new LoginThrottle(resolveLoginLimits({ freeFailures: 1 }));
    fail(t, 'owner', '2001:db8::1', 0);
    fail(t, 'owner', '2001:db8::2', 0);
    assert.equal(t.begin('owner', '2001:db8::3', 0)?.scope, 'address', 'one /64 is one address');
  });
});

describe('RegistrationLimiter', () => {
  test('per connection, and per address per window; both bounded', () => {
    const r = new RegistrationLimiter(resolveRegistrationLimits({ perConnection: 2, perAddress: 3, window: 600, maxTracked: 50 }));
    const conn = {};
    assert.equal(r.take('192.0.2.1', conn, 0), undefined);
    assert.equal(r.take('192.0.2.1', conn, 0), undefined);
    assert.deepEqual(r.take('192.0.2.1', conn, 0), { scope: 'connection' });
    assert.equal(r.take('192.0.2.1', {}, 100), undefined);
    assert.deepEqual(r.take('192.0.2.1', {}, 100), { scope: 'address', retryAfter: 500 });
    assert.equal(r.take('192.0.2.2', {}, 100), undefined, 'another address has its own window');
    assert.equal(r.take('192.0.2.1', {}, 600), undefined, 'a new window');
    for (let i = 0; i < 1000; i++) r.take(`10.0.${i >> 8}.${i & 255}`, undefined, 700);
    assert.equal(r.tracked, 50);
  });
});
