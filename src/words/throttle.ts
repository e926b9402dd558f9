/**
 * The words service's defences against password guessing and account-registration floods, shared by every
 * front door: {@link LoginThrottle} (failed password checks per address and per account, with growing
 * delays) and {@link RegistrationLimiter} (accounts per connection and per address per window). Their
 * tables are bounded and forget old entries, so an attacker cannot grow them without end either.
 * @module
 */
import { WORDS_LIMITS } from './limits.js';

/** Limits on password guessing (`WordsServiceOptions.login`). Durations are in seconds. */
export interface LoginThrottleOptions {
  /** Failed password checks an address, or an account, may have back to back; then each attempt waits a delay (3). */
  freeFailures?: number;
  /** The first delay, in seconds; each further failure doubles it (1). */
  baseDelay?: number;
  /** The longest delay, in seconds (300). */
  maxDelay?: number;
  /** Seconds after its last failure that an address or account is forgotten (900; never less than `maxDelay`). */
  forgetAfter?: number;
  /** Addresses, and accounts, remembered at once; past it the least recently failing is forgotten (10,000). */
  maxTracked?: number;
  /** Failed SASL attempts one IRC connection may make: the last one closes it with `ERROR` (3). */
  maxFailuresPerConnection?: number;
  /**
   * Password checks one address may have running at once (2): failures are only known once a check ends,
   * so without this a client could start many guesses before its first failure counts.
   */
  maxChecksInFlight?: number;
}

/** Limits on account registration (`WordsServiceOptions.registration`). */
export interface RegistrationLimitOptions {
  /** Accounts one connection (an IRC connection, a web page) may try to register (2). */
  perConnection?: number;
  /** Accounts one address may try to register per `window` (10). */
  perAddress?: number;
  /** The window of `perAddress`, in seconds (3600). */
  window?: number;
  /** Addresses remembered at once; past it the oldest window is forgotten (10,000). */
  maxTracked?: number;
}

/** Resolves the login limits with their defaults. */
export function resolveLoginLimits(o: LoginThrottleOptions = {}): Required<LoginThrottleOptions> {
  const d = WORDS_LIMITS.login;
  const maxDelay = o.maxDelay ?? d.maxDelay;
  return {
    freeFailures: o.freeFailures ?? d.freeFailures,
    baseDelay: o.baseDelay ?? d.baseDelay,
    maxDelay,
    forgetAfter: Math.max(o.forgetAfter ?? d.forgetAfter, maxDelay),
    maxTracked: o.maxTracked ?? d.maxTracked,
    maxFailuresPerConnection: o.maxFailuresPerConnection ?? d.maxFailuresPerConnection,
    maxChecksInFlight: o.maxChecksInFlight ?? d.maxChecksInFlight,
  };
}

/** Resolves the registration limits with their defaults. */
export function resolveRegistrationLimits(o: RegistrationLimitOptions = {}): Required<RegistrationLimitOptions> {
  const d = WORDS_LIMITS.registration;
  return { perConnection: o.perConnection ?? d.perConnection, perAddress: o.perAddress ?? d.perAddress, window: o.window ?? d.window, maxTracked: o.maxTracked ?? d.maxTracked };
}

/**
 * The key an address is counted under: the host itself, except that IPv6 addresses count per /64, the
 * block one subscriber usually gets (else one machine could rotate through 2^64 "addresses").
 */
export function addressKey(host: string): string {
  const bare = host.replace(/%.*$/, '');
  const halves = bare.split('::');
  if (!bare.includes(':') || halves.length > 2) return host;
  const left = halves[0] === '' ? [] : halves[0].split(':');
  const right = halves.length < 2 || halves[1] === '' ? [] : halves[1].split(':');
  const missing = 8 - left.length - right.length;
  if ((halves.length === 2 ? missing < 1 : missing !== 0) || ![...left, ...right].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return host;
  const groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * A map of records that each expire at `expires` (seconds), kept in expiry order: a record whose expiry
 * moves later is moved to the end ({@link touch}), so forgetting the expired ones only ever looks at the
 * front, and at `max` records the one that would expire first is dropped.
 */
class ExpiringRecords<V extends { expires: number }> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}

  get size(): number {
    return this.#map.size;
  }

  get(key: string, now: number): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined && v.expires <= now) {
      this.#map.delete(key);
      return undefined;
    }
    return v;
  }

  /** Adds a record for a key that has none. */
  add(key: string, value: V, now: number): void {
    for (const [k, v] of this.#map) {
      if (v.expires > now) break;
      this.#map.delete(k);
    }
    if (this.#map.size >= this.max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }

  /** Moves a record whose expiry was pushed back to the end. */
  touch(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
  }
}

interface FailureRecord {
  failures: number;
  /** No check is made for this address (or, for an account, from an address with failures) before this time. */
  blockedUntil: number;
  expires: number;
}

/** Why a password check is refused without being made. */
export interface LoginRefusal {
  /** Whose failures caused it: the address trying, or the account tried from addresses that failed before. */
  scope: 'address' | 'account';
  /** Seconds until a check may be made again. */
  retryAfter: number;
}

/**
 * Counts failed password checks per address and per account. From the `freeFailures`-th on, each failure
 * blocks for a delay that doubles up to `maxDelay`: an address that is blocked gets no check at all, and an
 * account that is blocked gets none from addresses that have failed recently. An address with no recent
 * failure (the owner's, typically) is always checked, so guessing from elsewhere never locks the owner out;
 * refused attempts cost no password hash and do not count.
 */
export class LoginThrottle {
  readonly #addresses: ExpiringRecords<FailureRecord>;
  readonly #accounts: ExpiringRecords<FailureRecord>;
  /** Checks running per address key; a key leaves when its count drops to zero. */
  readonly #inFlight = new Map<string, number>();

  constructor(readonly limits: Required<LoginThrottleOptions>) {
    this.#addresses = new ExpiringRecords(limits.maxTracked);
    this.#accounts = new ExpiringRecords(limits.maxTracked);
  }

  /** Addresses and accounts remembered now, and addresses with checks running (for tests and metrics). */
  get tracked(): { addresses: number; accounts: number; inFlight: number } {
    return { addresses: this.#addresses.size, accounts: this.#accounts.size, inFlight: this.#inFlight.size };
  }

  /**
   * Why a check of `account` from `address` may not start at `now` (seconds), or undefined if it may: then
   * the caller has started it and calls {@link done} when it ends.
   */
  begin(account: string, address: string, now: number): LoginRefusal | undefined {
    const key = addressKey(address);
    const a = this.#addresses.get(key, now);
    if (a !== undefined && a.blockedUntil > now) return { scope: 'address', retryAfter: a.blockedUntil - now };
    const acc = this.#accounts.get(account, now);
    if (a !== undefined && acc !== undefined && acc.blockedUntil > now) return { scope: 'account', retryAfter: acc.blockedUntil - now };
    const running = this.#inFlight.get(key) ?? 0;
    if (running >= this.limits.maxChecksInFlight) return { scope: 'address', retryAfter: 1 };
    this.#inFlight.set(key, running + 1);
    return undefined;
  }

  /** A check {@link begin} allowed has ended: `ok` false counts a failure at `now` (seconds). */
  done(account: string, address: string, ok: boolean, now: number): void {
    const key = addressKey(address);
    const running = (this.#inFlight.get(key) ?? 1) - 1;
    if (running > 0) this.#inFlight.set(key, running);
    else this.#inFlight.delete(key);
    if (!ok) this.failed(account, address, now);
  }

  /** Records a failed check of `account` from `address` at `now` (seconds). */
  failed(account: string, address: string, now: number): void {
    this.#fail(this.#addresses, addressKey(address), now);
    this.#fail(this.#accounts, account, now);
  }

  #fail(records: ExpiringRecords<FailureRecord>, key: string, now: number): void {
    const { freeFailures, baseDelay, maxDelay, forgetAfter } = this.limits;
    let r = records.get(key, now);
    if (r === undefined) {
      r = { failures: 0, blockedUntil: 0, expires: 0 };
      records.add(key, r, now);
    } else {
      records.touch(key, r);
    }
    r.failures++;
    r.expires = now + forgetAfter;
    const over = r.failures - freeFailures;
    if (over >= 0) r.blockedUntil = now + Math.min(maxDelay, baseDelay * 2 ** Math.min(over, 30));
  }
}

interface WindowRecord {
  count: number;
  expires: number;
}

/** Counts account registrations per connection and per address per window. */
export class RegistrationLimiter {
  readonly #addresses: ExpiringRecords<WindowRecord>;
  readonly #connections = new WeakMap<object, number>();

  constructor(readonly limits: Required<RegistrationLimitOptions>) {
    this.#addresses = new ExpiringRecords(limits.maxTracked);
  }

  /** Addresses remembered now (for tests and metrics). */
  get tracked(): number {
    return this.#addresses.size;
  }

  /**
   * Counts one registration from `address` (and `connection`, if given) at `now` (seconds). Returns
   * undefined if allowed, else which limit refused it and, for the address, the seconds until it frees up.
   */
  take(address: string, connection: object | undefined, now: number): { scope: 'connection' | 'address'; retryAfter?: number } | undefined {
    const { perConnection, perAddress, window } = this.limits;
    const used = connection === undefined ? 0 : (this.#connections.get(connection) ?? 0);
    if (used >= perConnection) return { scope: 'connection' };
    const key = addressKey(address);
    let r = this.#addresses.get(key, now);
    if (r !== undefined && r.count >= perAddress) return { scope: 'address', retryAfter: r.expires - now };
    if (r === undefined) {
      r = { count: 0, expires: now + window };
      this.#addresses.add(key, r, now);
    }
    r.count++;
    if (connection !== undefined) this.#connections.set(connection, used + 1);
    return undefined;
  }
}
