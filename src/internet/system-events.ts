/**
 * Lifecycle triggers (Twisted's `_ThreePhaseEvent`): 'before', 'during' and 'after' phases of 'startup'
 * and 'shutdown'. A 'before' trigger may return a Deferred or Promise; the 'during' phase waits for all of them.
 * @module
 */
import type { SystemEvent, SystemEventPhase } from './interfaces.js';
import { logError } from './log.js';
import { isThenable } from '../defer/thenable.js';

/** The id `addSystemEventTrigger` returns. */
export interface TriggerId {
  readonly event: SystemEvent;
  readonly phase: SystemEventPhase;
  readonly fn: () => unknown;
}

/** The triggers of one event, fired in three phases. */
export class ThreePhaseEvent {
  readonly #triggers: Record<SystemEventPhase, TriggerId[]> = { before: [], during: [], after: [] };
  #firing: SystemEventPhase | null = null;

  constructor(readonly event: SystemEvent) {}

  add(phase: SystemEventPhase, fn: () => unknown): TriggerId {
    if (!(phase in this.#triggers)) throw new TypeError(`unknown trigger phase ${JSON.stringify(phase)}`);
    const id: TriggerId = { event: this.event, phase, fn };
    this.#triggers[phase].push(id);
    return id;
  }

  remove(id: TriggerId): void {
    const list = this.#triggers[id.phase];
    const i = list.indexOf(id);
    if (i < 0) throw new Error(`no such ${id.phase} ${id.event} trigger`);
    list.splice(i, 1);
  }

  /**
   * Runs every phase in turn; resolves once the 'after' triggers have run. Errors are logged, not fatal.
   * `afterDuring` (the reactor closing its ports and connections) is awaited between 'during' and 'after'.
   */
  async fire(afterDuring?: () => Promise<unknown>): Promise<void> {
    const waits: Promise<unknown>[] = [];
    for (const fn of this.#take('before')) {
      const r = this.#call(fn);
      if (isThenable(r)) waits.push(Promise.resolve(r).catch((e) => logError(`'before ${this.event}' trigger failed`, e)));
    }
    await Promise.all(waits);
    for (const fn of this.#take('during')) this.#call(fn);
    if (afterDuring) await afterDuring().catch((e) => logError(`closing at ${this.event} failed`, e));
    for (const fn of this.#take('after')) this.#call(fn);
    this.#firing = null;
  }

  /** True while the event is being fired. */
  get firing(): boolean {
    return this.#firing !== null;
  }

  #take(phase: SystemEventPhase): (() => unknown)[] {
    this.#firing = phase;
    const fns = this.#triggers[phase].map((t) => t.fn);
    this.#triggers[phase] = [];
    return fns;
  }

  #call(fn: () => unknown): unknown {
    try {
      return fn();
    } catch (e) {
      logError(`${this.event} trigger failed`, e);
      return undefined;
    }
  }
}
