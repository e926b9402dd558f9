/**
 * `react`: the entry point of a script (Twisted's `twisted.internet.task.react`).
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { Logger } from '../../logger/index.js';
import type { IReactorCore } from '../interfaces.js';
import { reactor as defaultReactor } from '../reactor.js';
import { isThenable } from '../../defer/thenable.js';
import { TorsionError } from '../../errors/index.js';

const log = new Logger({ namespace: 'torsion.internet.task' });

/** Options of {@link react}. */
export interface ReactOptions<R extends IReactorCore> {
  /** The reactor to run (default: the global one). */
  reactor?: R;
  /** Ends the process with the status (default `process.exit`); tests pass a recorder. */
  exit?: (code: number) => void;
}

/** Thrown (or failed with) from `main` to end the script with a particular exit status, as Python's `SystemExit`. */
export class ExitStatus extends TorsionError {
  override readonly code: string = 'TORSION_TASK_EXIT_STATUS';
  override name = 'ExitStatus';
  /** @param status the exit status `react` ends the process with */
  constructor(readonly status: number) {
    super(`exit status ${status}`);
  }
}

/**
 * Runs `main(reactor, ...argv)`, runs the reactor until the Deferred or Promise `main` returns settles, then
 * stops the reactor and exits: status 0 on success, the status of an {@link ExitStatus} failure, 1 for any
 * other failure (logged with its traceback). If the reactor is stopped some other way first (SIGTERM), the
 * exit waits for shutdown and uses `main`'s result once it has one, else 0. Resolves with the status after
 * calling `exit`.
 *
 * @example
 * react(async (reactor) => {
 *   const body = await fetchSomething(reactor);
 *   console.log(body);
 * });
 */
export async function react<R extends IReactorCore = IReactorCore, A extends unknown[] = []>(
  main: (reactor: R, ...argv: A) => unknown,
  argv: A = [] as unknown as A,
  options: ReactOptions<R> = {},
): Promise<number> {
  const r = options.reactor ?? (defaultReactor as unknown as R);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let code = 0;
  let stopping = false;
  r.addSystemEventTrigger('before', 'shutdown', () => {
    stopping = true;
  });
  const stop = (result: unknown, stopReactor: boolean): void => {
    if (stopReactor && r.running) r.stop();
    if (result instanceof Failure) {
      if (result.value instanceof ExitStatus) {
        code = result.value.status;
      } else {
        log.failure('main function encountered error', result, {}, 'error');
        code = 1;
      }
    }
  };
  let finished: Deferred<unknown>;
  try {
    const out = main(r, ...argv);
    finished = out instanceof Deferred ? out : isThenable(out) ? Deferred.fromPromise(out) : Deferred.succeed(out);
  } catch (e) {
    finished = Deferred.fail(e);
  }
  finished.addBoth((result) => {
    if (stopping) stop(result, false);
    else r.callWhenRunning(stop, result, true);
    return undefined;
  });
  await r.run();
  exit(code);
  return code;
}

