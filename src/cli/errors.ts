/**
 * The errors of the `torsion` command's worker processes.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** A replacement worker exited or did not become ready in time during a rolling restart. */
export class WorkerNotReadyError extends TorsionError {
  override readonly code = 'TORSION_WORKERS_NOT_READY';
  override name = 'WorkerNotReadyError';
}

/** The supervisor was asked to start twice, or to restart after it stopped. */
export class WorkersStateError extends TorsionError {
  override readonly code = 'TORSION_WORKERS_STATE';
  override name = 'WorkersStateError';
}
