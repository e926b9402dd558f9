/**
 * The environment's reactor, what every timeout, throttle, client and pool schedules on when it is given
 * no clock (Twisted's `installReactor`). The environment's reactor module installs itself when it is
 * loaded: `torsion/internet` the Node reactor (the Node entries of `torsion/protocols`, `torsion/irc` and
 * the rest load it), the page's reactor of `torsion/live/client` in a browser. Browser-safe: code that runs
 * in both places defaults to {@link defaultReactor} without importing Node.
 * @module
 */
import type { IReactorTime } from './interfaces.js';
import { TimerClock, platformTimers } from './timer-clock.js';

let installed: IReactorTime | undefined;
/** True while `installed` is the stand-in made by {@link defaultReactor}, not a reactor someone installed. */
let standIn = false;

/** How {@link installReactor} treats a reactor already installed. */
export interface InstallReactorOptions {
  /**
   * Keep a reactor installed before (true for the page's reactor, so that under Node, where tests load
   * browser code too, the Node reactor stays the default). A stand-in is always replaced.
   */
  keepExisting?: boolean;
}

/**
 * Makes `reactor` the one code schedules on when it is given no clock. Calls already scheduled on the
 * previous default stay there.
 *
 * @example
 * installReactor(myReactor); // before creating protocols, clients and pools that should use it
 */
export function installReactor(reactor: IReactorTime, options: InstallReactorOptions = {}): void {
  if (options.keepExisting && installed !== undefined && !standIn) return;
  installed = reactor;
  standIn = false;
}

/**
 * The environment's reactor: the Node reactor once `torsion/internet` is loaded, the page's reactor in a
 * browser. Where neither has been loaded (a framing used on its own), a {@link TimerClock} on the platform's
 * timers stands in; as no reactor runs, its calls do not keep Node's process alive.
 */
export function defaultReactor(): IReactorTime {
  if (installed === undefined) {
    installed = new TimerClock(platformTimers(false));
    standIn = true;
  }
  return installed;
}
