/**
 * `Cooperator` and `cooperate`: run many long iterations in small time slices so that none starves the event
 * loop (Twisted's `twisted.internet.task.Cooperator`).
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import type { IDelayedCall } from '../interfaces.js';
import { reactor } from '../reactor.js';
import { isThenable } from '../../defer/thenable.js';
import { TorsionError } from '../../errors/index.js';

/** Base of the reasons a task is no longer running. */
export class SchedulerError extends TorsionError {
  override readonly code: string = 'TORSION_TASK_SCHEDULER';
  override name = 'SchedulerError';
}
/** The task's iterator finished. */
export class TaskDone extends SchedulerError {
  override readonly code = 'TORSION_TASK_DONE';
  override name = 'TaskDone';
}
/** `stop()` was called on the task. */
export class TaskStopped extends SchedulerError {
  override readonly code = 'TORSION_TASK_STOPPED';
  override name = 'TaskStopped';
}
/** The iterator threw, or a Deferred it yielded failed. */
export class TaskFailed extends SchedulerError {
  override readonly code = 'TORSION_TASK_FAILED';
  override name = 'TaskFailed';
}
/** The Cooperator running the task was stopped. */
export class SchedulerStopped extends SchedulerError {
  override readonly code = 'TORSION_TASK_SCHEDULER_STOPPED';
  override name = 'SchedulerStopped';
}
/** `resume()` on a task that is not paused. */
export class NotPaused extends SchedulerError {
  override readonly code = 'TORSION_TASK_NOT_PAUSED';
  override name = 'NotPaused';
}

/** Schedules the Cooperator's next time slice; returns something cancellable. */
export type CooperatorScheduler = (tick: () => void) => Pick<IDelayedCall, 'cancel'>;

/** Options of a {@link Cooperator}. */
export interface CooperatorOptions {
  /**
   * Called at the start of each time slice; returns a predicate that says when the slice is over. Default: a
   * 10 ms wall-clock slice, as Twisted's. Tests pass e.g. `() => { let n = 0; return () => ++n >= 3; }`.
   */
  terminationPredicateFactory?: () => () => boolean;
  /** Runs the next slice later. Default: the reactor's `callLater(0, tick)`. */
  scheduler?: CooperatorScheduler;
  /** False to create it stopped until `start()`. Default true. */
  started?: boolean;
}

type Work = Iterator<unknown> | Iterable<unknown>;

/**
 * One iteration run by a Cooperator: a step (`next()`) per turn. Yielding a Deferred or Promise pauses the
 * task until it settles (a failure fails the task).
 */
export class CooperativeTask {
  readonly #iterator: Iterator<unknown>;
  readonly #cooperator: Cooperator;
  #waiting: Deferred<Iterator<unknown>>[] = [];
  #pauseCount = 0;
  #state: SchedulerError | undefined;
  #result: unknown;

  /** @internal use `cooperator.cooperate(iterator)`. */
  constructor(iterator: Iterator<unknown>, cooperator: Cooperator) {
    this.#iterator = iterator;
    this.#cooperator = cooperator;
    cooperator._addTask(this);
  }

  /** Fires with the iterator when it finishes; fails with `TaskStopped`, `SchedulerStopped` or the iterator's error. */
  whenDone(): Deferred<Iterator<unknown>> {
    const d = new Deferred<Iterator<unknown>>();
    if (this.#state === undefined) this.#waiting.push(d);
    else this.#fire(d);
    return d;
  }

  /** Pauses the task (pauses nest: as many `resume`s are needed). Throws once the task is over. */
  pause(): void {
    this.#checkFinish();
    if (++this.#pauseCount === 1) this.#cooperator._removeTask(this);
  }

  /** Undoes one `pause`. */
  resume(): void {
    if (this.#pauseCount === 0) throw new NotPaused('task is not paused');
    if (--this.#pauseCount === 0 && this.#state === undefined) this.#cooperator._addTask(this);
  }

  /** Stops the task for good: `whenDone` fails with `TaskStopped`. Throws once the task is over. */
  stop(): void {
    this.#checkFinish();
    this.#completeWith(new TaskStopped('task stopped'), new Failure(new TaskStopped('task stopped')));
  }

  /** True until the task finished, failed or was stopped. */
  get running(): boolean {
    return this.#state === undefined;
  }

  /** @internal runs one step. */
  _oneWorkUnit(): void {
    if (this.#state !== undefined || this.#pauseCount > 0) return;
    let step: IteratorResult<unknown>;
    try {
      step = this.#iterator.next();
    } catch (e) {
      this.#completeWith(new TaskFailed('task failed'), new Failure(e));
      return;
    }
    if (step.done) {
      this.#completeWith(new TaskDone('task done'), this.#iterator);
      return;
    }
    const value = step.value;
    if (value instanceof Deferred || isThenable(value)) {
      this.pause();
      const d = value instanceof Deferred ? value : Deferred.fromPromise(value);
      d.addCallbacks(
        () => { if (this.#state === undefined) this.resume(); },
        (f: Failure) => { if (this.#state === undefined) this.#completeWith(new TaskFailed('task failed'), f); },
      );
    }
  }

  /** @internal */
  _completeWith(state: SchedulerError, result: unknown): void {
    this.#completeWith(state, result);
  }

  #completeWith(state: SchedulerError, result: unknown): void {
    this.#state = state;
    this.#result = result;
    if (this.#pauseCount === 0) this.#cooperator._removeTask(this);
    for (const d of this.#waiting.splice(0)) this.#fire(d);
  }

  #fire(d: Deferred<Iterator<unknown>>): void {
    if (this.#result instanceof Failure) d.errback(this.#result);
    else d.callback(this.#result as Iterator<unknown>);
  }

  #checkFinish(): void {
    if (this.#state !== undefined) throw this.#state;
  }
}

/** The default slice: 10 ms of wall-clock time. */
function timeSlice(): () => boolean {
  const end = performance.now() + 10;
  return () => performance.now() >= end;
}

/**
 * Runs tasks round-robin, one step each, until the slice's predicate says stop, then yields to the event loop
 * and goes on in the next slice.
 *
 * @example
 * const coop = new Cooperator();
 * function* work() { for (const row of rows) { process(row); yield; } }
 * await coop.cooperate(work()).whenDone();
 */
export class Cooperator {
  #tasks: CooperativeTask[] = [];
  /** The list being iterated and the position in it: a step may add or remove tasks mid-slice. */
  #cursorList: CooperativeTask[] = [];
  #cursor = 0;
  readonly #predicateFactory: () => () => boolean;
  readonly #scheduler: CooperatorScheduler;
  #delayedCall: Pick<IDelayedCall, 'cancel'> | undefined;
  #stopped = false;
  #started: boolean;
  #mustScheduleOnStart = false;

  /** A Cooperator with its own scheduling; most code shares the global one through {@link cooperate}. */
  constructor(options: CooperatorOptions = {}) {
    this.#predicateFactory = options.terminationPredicateFactory ?? timeSlice;
    this.#scheduler = options.scheduler ?? ((tick) => reactor.callLater(0, tick));
    this.#started = options.started ?? true;
  }

  /** Starts running `iterator` (or an iterable's iterator) and returns its task. */
  cooperate(iterator: Work): CooperativeTask {
    return new CooperativeTask(toIterator(iterator), this);
  }

  /** Like `cooperate`, returning only the Deferred of its completion. */
  coiterate(iterator: Work): Deferred<Iterator<unknown>> {
    return this.cooperate(iterator).whenDone();
  }

  /** Starts (or restarts) a Cooperator created with `started: false` or stopped. */
  start(): void {
    this.#stopped = false;
    this.#started = true;
    if (this.#mustScheduleOnStart) {
      this.#mustScheduleOnStart = false;
      this.#reschedule();
    }
  }

  /** Stops every task (their `whenDone` fail with `SchedulerStopped`); tasks added later fail at once. */
  stop(): void {
    this.#stopped = true;
    const tasks = this.#tasks;
    this.#tasks = [];
    for (const t of tasks) t._completeWith(new SchedulerStopped('cooperator stopped'), new Failure(new SchedulerStopped('cooperator stopped')));
    if (this.#delayedCall) {
      this.#delayedCall.cancel();
      this.#delayedCall = undefined;
    }
  }

  /** True when started and not stopped. */
  get running(): boolean {
    return this.#started && !this.#stopped;
  }

  /** @internal */
  _addTask(task: CooperativeTask): void {
    this.#tasks.push(task);
    if (this.#stopped) task._completeWith(new SchedulerStopped('cooperator stopped'), new Failure(new SchedulerStopped('cooperator stopped')));
    else this.#reschedule();
  }

  /** @internal */
  _removeTask(task: CooperativeTask): void {
    const i = this.#tasks.indexOf(task);
    if (i >= 0) {
      this.#tasks.splice(i, 1);
      if (this.#cursorList === this.#tasks && i < this.#cursor) this.#cursor--;
    }
    if (this.#tasks.length === 0 && this.#delayedCall) {
      this.#delayedCall.cancel();
      this.#delayedCall = undefined;
    }
  }

  #tick(): void {
    this.#delayedCall = undefined;
    const over = this.#predicateFactory();
    slice: while (this.#tasks.length > 0) {
      while (this.#cursor < this.#cursorList.length) {
        this.#cursorList[this.#cursor++]._oneWorkUnit();
        if (over()) break slice;
      }
      this.#cursorList = this.#tasks;
      this.#cursor = 0;
    }
    this.#reschedule();
  }

  #reschedule(): void {
    if (!this.#started) {
      this.#mustScheduleOnStart = true;
      return;
    }
    if (this.#delayedCall === undefined && this.#tasks.length > 0) this.#delayedCall = this.#scheduler(() => this.#tick());
  }
}

function toIterator(work: Work): Iterator<unknown> {
  if (typeof (work as Iterator<unknown>).next === 'function') return work as Iterator<unknown>;
  return (work as Iterable<unknown>)[Symbol.iterator]();
}

let globalCooperator: Cooperator | undefined;

/** The Cooperator that {@link cooperate} and {@link coiterate} use (on the reactor). */
export function getCooperator(): Cooperator {
  return (globalCooperator ??= new Cooperator());
}

/**
 * Runs `iterator` on the global Cooperator, a step per turn, sharing time with every other cooperating task.
 *
 * @example
 * const task = cooperate((function* () { for (let i = 0; i < 1e6; i++) { work(i); yield; } })());
 * task.whenDone().addCallback(() => console.log('done'));
 */
export function cooperate(iterator: Work): CooperativeTask {
  return getCooperator().cooperate(iterator);
}

/** Runs `iterator` on the global Cooperator; the Deferred fires when it finishes. */
export function coiterate(iterator: Work): Deferred<Iterator<unknown>> {
  return getCooperator().coiterate(iterator);
}
