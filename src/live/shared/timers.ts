/**
 * Cancelling the live layer's timers, which may already have run.
 * @module
 */
import type { IDelayedCall } from '../../time/interfaces.js';

/** Cancels `timer` if it is still pending (a reactor's `cancel` throws on a call that already ran). */
export function cancelTimer(timer: IDelayedCall | null | undefined): void {
  if (timer?.active()) timer.cancel();
}
