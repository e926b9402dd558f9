/**
 * `--workers N`: the primary process forks N workers with `node:cluster`; each runs the plugin's service and
 * listens on the same endpoints (cluster hands every accepted connection to one of them). The primary
 * replaces a worker that dies (with a back-off, so a worker that crashes on start does not spin), drains
 * them all on SIGTERM/SIGINT, and on SIGHUP replaces them one at a time: the new worker is listening before
 * the old one stops, so no connection is refused.
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { UsageError } from '../app/index.js';
import { Logger } from '../logger/index.js';
import type { IDelayedCall, IReactorTime } from '../time/interfaces.js';
import { WorkerNotReadyError, WorkersStateError } from './errors.js';
import { WORKER_LIMITS, type WorkerLimits } from './limits.js';

const log = new Logger({ namespace: 'torsion.workers' });

/** The message a worker sends its primary once its service has started (its endpoints are listening). */
export const READY_MESSAGE = 'torsion:worker-ready';

/** Reads `--workers`: a positive whole number, or `auto` for the number of CPUs. */
export function parseWorkers(value: unknown, limits: Pick<WorkerLimits, 'maxWorkers'> = WORKER_LIMITS): number {
  const text = String(value ?? '1').trim();
  if (text === 'auto') return Math.min(availableParallelism(), limits.maxWorkers);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > limits.maxWorkers) {
    throw new UsageError(`--workers takes a number from 1 to ${limits.maxWorkers} or auto, not ${JSON.stringify(text)}`);
  }
  return n;
}

/** A worker's question after it stopped listening, and the primary's answer (see {@link primaryCaughtUp}). */
export const BARRIER_MESSAGE = 'torsion:worker-stopped-listening';

/** Tells the primary (if there is one) that this worker's service is running. */
export function announceReady(): void {
  if (cluster.isWorker) process.send?.(READY_MESSAGE);
}

/**
 * In a worker that just stopped listening: resolves once the primary has answered a message sent after
 * that, or after `seconds`. The primary hands accepted connections to workers over the IPC channel and
 * learns of a closed server from a message on it; a connection handed over before it learned is still on
 * its way, and a worker that exits before answering leaves it with the primary, unserved and never closed
 * (Node's cluster has no timeout for that). The channel keeps order both ways, so once the answer is here,
 * every connection handed to this worker has arrived and been taken or sent back.
 */
export function primaryCaughtUp(clock: IReactorTime, seconds: number): Promise<void> {
  if (!cluster.isWorker || process.send === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('message', onMessage);
      if (timer.active()) timer.cancel();
      resolve();
    };
    const onMessage = (message: unknown): void => {
      if (message === BARRIER_MESSAGE) done();
    };
    const timer = clock.callLater(seconds, done);
    process.on('message', onMessage);
    process.send!(BARRIER_MESSAGE);
  });
}

/**
 * In a worker: resolves once `resources` holds no open connection, or after `seconds`. Called once the
 * service stopped listening, so requests already accepted finish instead of being cut by the shutdown.
 */
export function drainConnections(clock: IReactorTime, resources: { readonly size: number } | undefined, seconds: number): Promise<void> {
  const deadline = clock.seconds() + seconds;
  return new Promise((resolve) => {
    const check = (): void => {
      if ((resources?.size ?? 0) === 0 || clock.seconds() >= deadline) resolve();
      else clock.callLater(0.05, check);
    };
    check();
  });
}

interface Slot {
  worker: Worker;
  startedAt: number;
  ready: boolean;
}

/** Forks, replaces and drains the worker processes of one `torsion` command. */
export class WorkerSupervisor {
  readonly #slots = new Set<Slot>();
  /** Workers being drained on purpose: their exit is not a death. */
  readonly #retiring = new Set<Worker>();
  readonly #limits: WorkerLimits;
  #failures = 0;
  #pendingRestarts = new Set<IDelayedCall>();
  #state: 'new' | 'running' | 'stopping' = 'new';
  #rolling: Promise<void> | null = null;

  /**
   * @param count how many workers to keep running
   * @param clock schedules the back-off and the grace period
   * @param fork forks one worker (tests may pass their own)
   */
  constructor(
    readonly count: number,
    readonly clock: IReactorTime,
    limits: Partial<WorkerLimits> = {},
    readonly fork: () => Worker = () => cluster.fork(),
  ) {
    this.#limits = { ...WORKER_LIMITS, ...limits };
  }

  /** Whether {@link stop} was called. */
  get stopping(): boolean {
    return this.#state === 'stopping';
  }

  /** The process ids of the workers running now. */
  pids(): number[] {
    return [...this.#slots].map((s) => s.worker.process.pid ?? 0);
  }

  /** Forks the workers; resolves once every one is ready. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new WorkersStateError('the workers were already started');
    this.#state = 'running';
    log.info('starting {count} workers', { count: this.count });
    await Promise.all(Array.from({ length: this.count }, () => this.#spawn()));
  }

  /**
   * Replaces every worker, one at a time: a new one is forked and ready before the old one drains. Fails
   * (leaving the old worker in place) if a replacement does not become ready.
   */
  rollingRestart(): Promise<void> {
    if (this.#state !== 'running') return Promise.reject(new WorkersStateError('the workers are not running'));
    this.#rolling ??= this.#roll().finally(() => {
      this.#rolling = null;
    });
    return this.#rolling;
  }

  /** Drains every worker (each stops listening and closes its connections) and waits for them to exit. */
  async stop(): Promise<void> {
    if (this.#state === 'stopping') return;
    this.#state = 'stopping';
    for (const call of this.#pendingRestarts) call.cancel();
    this.#pendingRestarts.clear();
    log.info('draining {count} workers', { count: this.#slots.size });
    await Promise.all([...this.#slots].map((slot) => this.#drain(slot)));
  }

  async #roll(): Promise<void> {
    log.info('rolling restart of {count} workers', { count: this.#slots.size });
    for (const old of [...this.#slots]) {
      if (this.#state !== 'running') return;
      await this.#spawn();
      await this.#drain(old);
    }
    log.info('rolling restart done');
  }

  /** Forks a worker and resolves once it is ready; rejects if it exits first or takes too long. */
  #spawn(): Promise<Slot> {
    const worker = this.fork();
    const slot: Slot = { worker, startedAt: this.clock.seconds(), ready: false };
    this.#slots.add(slot);
    return new Promise<Slot>((resolve, reject) => {
      const timeout = this.clock.callLater(this.#limits.readyTimeout, () => {
        reject(new WorkerNotReadyError(`worker ${worker.process.pid} was not ready within ${this.#limits.readyTimeout} s`));
        this.#drain(slot).catch(() => undefined);
      });
      worker.on('message', (message: unknown) => {
        if (message === BARRIER_MESSAGE) {
          worker.send(BARRIER_MESSAGE);
          return;
        }
        if (message !== READY_MESSAGE || slot.ready) return;
        slot.ready = true;
        if (timeout.active()) timeout.cancel();
        log.info('worker {pid} ready', { pid: worker.process.pid });
        resolve(slot);
      });
      worker.on('exit', (code: number | null, signal: string | null) => {
        if (timeout.active()) timeout.cancel();
        this.#slots.delete(slot);
        if (!slot.ready) reject(new WorkerNotReadyError(`worker ${worker.process.pid} exited before it was ready (${signal ?? `status ${code}`})`));
        if (this.#retiring.delete(worker) || this.#state !== 'running') return;
        this.#replace(slot, code, signal);
      });
    });
  }

  /** A worker died on its own: fork another after the back-off. */
  #replace(dead: Slot, code: number | null, signal: string | null): void {
    if (this.clock.seconds() - dead.startedAt >= this.#limits.stableAfter) this.#failures = 0;
    const delay = Math.min(this.#limits.restartDelay * 2 ** this.#failures, this.#limits.maxRestartDelay);
    this.#failures++;
    log.warn('worker {pid} died ({how}); replacing it in {delay} s', { pid: dead.worker.process.pid, how: signal ?? `status ${code}`, delay });
    const call = this.clock.callLater(delay, () => {
      this.#pendingRestarts.delete(call);
      if (this.#state !== 'running') return;
      this.#spawn().catch((e: unknown) => log.warn('replacement worker failed: {error}', { error: String(e) }));
    });
    this.#pendingRestarts.add(call);
  }

  /** SIGTERM to one worker (its reactor stops its service), SIGKILL after the grace period. */
  #drain(slot: Slot): Promise<void> {
    const { worker } = slot;
    if (worker.isDead()) return Promise.resolve();
    this.#retiring.add(worker);
    return new Promise<void>((resolve) => {
      const kill = this.clock.callLater(this.#limits.gracePeriod, () => {
        log.warn('worker {pid} still running after {grace} s; killing it', { pid: worker.process.pid, grace: this.#limits.gracePeriod });
        worker.process.kill('SIGKILL');
      });
      worker.once('exit', () => {
        if (kill.active()) kill.cancel();
        resolve();
      });
      worker.process.kill('SIGTERM');
    });
  }
}
