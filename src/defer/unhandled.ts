/**
 * Reporting of failures that nobody handled: when the Deferred holding one is garbage-collected, and at
 * process exit for those still alive. Also the debugging switch that records where Deferreds were created
 * and first fired.
 * @module
 */
import { Logger } from '../logger/logger.js';
import type { Failure } from './failure.js';

/** Whether Deferreds record where they were created and first fired. */
export let debugging = false;

/**
 * Records creation and first-firing sites on every new Deferred, shown in unhandled-error reports and in
 * `AlreadyCalledError` messages. Costly (a stack trace per Deferred): for debugging only.
 */
export function setDebugging(on: boolean): void {
  debugging = on;
}

/** Whether debugging is on. */
export function getDebugging(): boolean {
  return debugging;
}

/** The frames of the current stack outside Deferred's own code. */
export function callSite(): string {
  const limited = Error as { stackTraceLimit?: number };
  const old = limited.stackTraceLimit;
  limited.stackTraceLimit = 40;
  const stack = new Error().stack ?? '';
  limited.stackTraceLimit = old;
  return stack
    .split('\n')
    .slice(1)
    .filter((line) => !/[/\\]defer[/\\](deferred|unhandled)\.[jt]s/.test(line))
    .slice(0, 12)
    .join('\n');
}

/**
 * What a Deferred keeps beyond its result, made only when needed: the unhandled failure it tracks and,
 * when debugging, where it was created and first fired. The GC registry holds this, never the Deferred.
 */
export interface DeferredInfo {
  /** The failure being tracked, until handled or reported. */
  failure: Failure | undefined;
  /** Where the Deferred was created (debugging only). */
  creator: string | undefined;
  /** Where it was first fired (debugging only). */
  firer: string | undefined;
}

/** Who hears of unhandled failures; by default the `torsion.defer` logger. */
export type UnhandledReporter = (failure: Failure) => void;

const log = new Logger({ namespace: 'torsion.defer' });

function logUnhandled(failure: Failure): void {
  log.failure('Unhandled error in Deferred:', failure);
}

let reporter: UnhandledReporter = logUnhandled;

/** Replaces the function that reports unhandled failures; returns the previous one. */
export function setUnhandledReporter(fn: UnhandledReporter): UnhandledReporter {
  const old = reporter;
  reporter = fn;
  return old;
}

function report(failure: Failure): void {
  try {
    reporter(failure);
  } catch (e) {
    console.error('Unhandled error in Deferred (and the reporter failed):', failure.getTraceback(), e);
  }
}

const live = new Set<DeferredInfo>();
const registry = new FinalizationRegistry<DeferredInfo>((info) => {
  if (live.delete(info) && info.failure) {
    const failure = info.failure;
    info.failure = undefined;
    report(failure);
  }
});

let exitHooked = false;

/** Reports (and forgets) every unhandled failure of a Deferred still alive. Runs at process exit. */
export function reportAllUnhandled(): void {
  for (const info of live) {
    const failure = info.failure;
    info.failure = undefined;
    registry.unregister(info);
    if (failure) report(failure);
  }
  live.clear();
}

/** The text added to a failure's traceback when debugging recorded where its Deferred came from. */
export function debugText(info: DeferredInfo): string | undefined {
  if (info.creator === undefined && info.firer === undefined) return undefined;
  const indent = (prefix: string, text: string | undefined) =>
    (text ?? ' (not recorded)').split('\n').map((line) => `${prefix} ${line.trim()}`).join('\n');
  return `(debug:\n C: Deferred was created:\n${indent(' C:', info.creator)}\n I: First Invoker was:\n${indent(' I:', info.firer)})`;
}

/** Called by a Deferred whose chain ended in a failure: reports it unless it is handled before GC or exit. */
export function trackUnhandled(owner: object, info: DeferredInfo, failure: Failure): void {
  if (!exitHooked) {
    exitHooked = true;
    const proc = (globalThis as { process?: { on?(ev: string, fn: () => void): void } }).process;
    proc?.on?.('exit', reportAllUnhandled);
  }
  const text = debugText(info);
  if (text) failure.debugInfo = text;
  info.failure = failure;
  live.add(info);
  registry.register(owner, info, info);
}

/** Called by a Deferred when its failure is passed to a callback (handled, or passed on). */
export function untrackUnhandled(info: DeferredInfo): void {
  if (info.failure === undefined) return;
  info.failure = undefined;
  live.delete(info);
  registry.unregister(info);
}
