/**
 * A {@link LiveClock} on the platform's timers, for pages and Node clients that have no reactor at hand.
 * @module
 */
import type { LiveClock, LiveTimer } from './interfaces.js';

/** The host's `setTimeout`/`performance.now` as a {@link LiveClock}. */
export const browserClock: LiveClock = {
  callLater(seconds: number, fn: () => void): LiveTimer {
    let pending = true;
    const handle = setTimeout(() => {
      pending = false;
      fn();
    }, Math.max(0, seconds * 1000));
    return {
      active: () => pending,
      cancel: () => {
        pending = false;
        clearTimeout(handle);
      },
    };
  },
  seconds: () => performance.now() / 1000,
};

/** Cancels `timer` if it is still pending (a reactor's `cancel` throws on a call that already ran). */
export function cancelTimer(timer: LiveTimer | null | undefined): void {
  if (timer?.active()) timer.cancel();
}
