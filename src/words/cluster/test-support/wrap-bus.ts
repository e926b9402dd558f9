/**
 * A bus that passes every call to another, except those a test replaces (to lose, hold or hang messages).
 * @module
 */
import type { IBus } from '../../../bus/index.js';

/** `inner` with some of its methods replaced. */
export function wrapBus(inner: IBus, overrides: Partial<IBus>): IBus {
  return {
    nodeId: inner.nodeId,
    publish: (c, d) => inner.publish(c, d),
    subscribe: (c, h) => inner.subscribe(c, h),
    announce: (k) => inner.announce(k),
    claim: (k) => inner.claim(k),
    withdraw: (k) => inner.withdraw(k),
    whereIs: (k) => inner.whereIs(k),
    increment: (k, f) => inner.increment(k, f),
    publishNumbered: (c, k, d, f) => inner.publishNumbered(c, k, d, f),
    close: () => inner.close(),
    ...overrides,
  };
}
