/**
 * The limits of the `torsion` command's worker processes (`--workers N`), in one place. Durations in seconds.
 * @module
 */

/** How the primary process supervises its workers. */
export interface WorkerLimits {
  /** Most workers `--workers` accepts (a typo such as `--workers 1000` is refused, not forked). */
  maxWorkers: number;
  /** Delay before replacing a worker that died; doubled for each death in a row. */
  restartDelay: number;
  /** The longest delay between replacements, so a crash loop settles at one fork per this many seconds. */
  maxRestartDelay: number;
  /** A worker alive this long resets the back-off: its death is not part of a crash loop. */
  stableAfter: number;
  /**
   * How long a stopping worker, once it stopped listening, waits for its open connections to finish on their
   * own before its reactor closes them.
   */
  drainTime: number;
  /** How long a draining worker has to close its connections before it is killed (SIGTERM, SIGHUP). */
  gracePeriod: number;
  /** How long a replacement worker has to start listening during a rolling restart (SIGHUP). */
  readyTimeout: number;
}

/** The defaults of {@link WorkerLimits}. */
export const WORKER_LIMITS: Readonly<WorkerLimits> = Object.freeze({
  maxWorkers: 256,
  restartDelay: 0.5,
  maxRestartDelay: 30,
  stableAfter: 10,
  drainTime: 10,
  gracePeriod: 30,
  readyTimeout: 60,
});
