/**
 * The server-side roles of `torsion/live` (type-only).
 * @module
 */

/**
 * One transport connection from a page, whatever carries it (a WebSocket, or a long-polling exchange):
 * it sends frames of text and can be closed. The live layer puts a reliable session on top.
 */
export interface FrameSocket {
  /** Sends one frame (a JSON text, see `frames.ts`). */
  sendFrame(frame: string): void;
  /** Ends this transport connection (the page itself lives on for its grace period). */
  close(reason: string): void;
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

/** The data a page's runtime boots from, embedded in the document as JSON. */
export interface BootData {
  /** The page id the HELLO names. */
  page: string;
  /** The URL prefix of the live endpoints (`.../_live/`). */
  base: string;
  /** Transports to try, in order. */
  transports: ('websocket' | 'polling')[];
  heartbeatInterval: number;
  heartbeatTimeout: number;
  /** Seconds the server keeps the page after its connection drops; the page gives up after as long. */
  gracePeriod: number;
  maxMessageSize: number;
  /** The widgets on the page, parents before children. */
  widgets: WidgetInfo[];
}
