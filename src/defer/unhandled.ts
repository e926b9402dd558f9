/**
 * Reporting of failures that nobody handled: when the Deferred holding one is garbage-collected,
 * and at process exit for those still alive. Also the debugging switch.
 * @module
 */
import type { Failure } from './failure.js';

/** Whether Deferreds record where they were created and first fired. */
export let debugging = false;

/** Records creation and first-firing sites on every new Deferred (costly: for debugging only). */
export function setDebugging(on: boolean): void {
  debugging = on;
}

/** Whether debugging is on. */
export function getDebugging(): boolean {
  return debugging;
}

function site(): string {
  const stack = new Error().stack ?? '';
  // Drop the "Error" line and the frames inside this module and Deferred's own methods.
  return stack.split('\n').slice(4).join('\n');
}
export const creationSite = site;
export const firingSite = site;

/** Who hears of unhandled failures: (failure, where) — the logger wires itself in here. */
export type UnhandledReporter = (failure: Failure) => void;

let reporter: UnhandledReporter = (failure) => {
  console.error(`Unhandled error in Deferred:\n${failure.getTraceback()}`);
};

/** Replaces the function that reports unhandled failures; returns the previous one. */
export function setUnhandledReporter(fn: UnhandledReporter): UnhandledReporter {
  const old = reporter;
  reporter = fn;
  return old;
}

/** An entry for a Deferred whose chain ended in a failure. */
export interface UnhandledToken {
  failure: Failure;
}

const live = new Set<UnhandledToken>();
const registry = new FinalizationRegistry<UnhandledToken>((token) => {
  if (live.delete(token)) reporter(token.failure);
});

let exitHooked = false;
function hookExit(): void {
  exitHooked = true;
  const proc = (globalThis as { process?: { on?(ev: string, fn: () => void): void } }).process;
  proc?.on?.('exit', reportAllUnhandled);
}

/** Reports (and forgets) every unhandled failure of a Deferred still alive. Runs at process exit. */
export function reportAllUnhandled(): void {
  for (const token of live) reporter(token.failure);
  live.clear();
}

/** Called by Deferred when its chain ends in a failure. */
export function trackUnhandled(owner: object, failure: Failure): UnhandledToken {
  if (!exitHooked) hookExit();
  const token: UnhandledToken = { failure };
  live.add(token);
  registry.register(owner, token, token);
  return token;
}

/** Called by Deferred when a callback is added after a failure, or the failure is passed on. */
export function untrackUnhandled(token: UnhandledToken): void {
  live.delete(token);
  registry.unregister(token);
}
