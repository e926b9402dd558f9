/**
 * The errors of a `DelayedCall` that can no longer change (Twisted's `internet/error.py`).
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** `cancel()` on a `DelayedCall` that was already cancelled. */
export class AlreadyCancelled extends TorsionError {
  override readonly code = 'TORSION_ALREADY_CANCELLED';
  override name = 'AlreadyCancelled';
}

/** `cancel()`/`reset()` on a `DelayedCall` that has already run. */
export class AlreadyCalled extends TorsionError {
  override readonly code = 'TORSION_ALREADY_CALLED';
  override name = 'AlreadyCalled';
}
