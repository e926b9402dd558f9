/**
 * The roles the live layer depends on, shared by the server and the page (type-only, no runtime cost).
 * @module
 */

/** A scheduled call that can be cancelled while it is still pending (a reactor's `DelayedCall`). */
export interface LiveTimer {
  /** True until it has run or been cancelled. */
  active(): boolean;
  /** Stops it from running. */
  cancel(): void;
}

/**
 * The time source the live layer needs: a reactor, a test `Clock`, or {@link browserClock} in a page.
 * Durations are in seconds.
 */
export interface LiveClock {
  /** Runs `fn` after `seconds`. */
  callLater(seconds: number, fn: () => void): LiveTimer;
  /** The current time, in seconds. */
  seconds(): number;
}

/** What the page learns about a widget to build it: sent in the page's boot data or with a new child. */
export interface WidgetInfo {
  /** The widget id, unique on its page. */
  id: number;
  /** The browser class name. */
  cls: string;
  /** The parent widget's id, or `null` for the root. */
  parent: number | null;
  /** The initial arguments (JSON). */
  args: unknown[];
  /** True when the class comes from a module served by the page (false for the built-in `Widget`). */
  module: boolean;
}
