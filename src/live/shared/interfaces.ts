/**
 * The roles the live layer depends on, shared by the server and the page (type-only, no runtime cost).
 * @module
 */

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
