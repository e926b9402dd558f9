/**
 * The server-side roles of `torsion/live` (type-only).
 * @module
 */
import type { SharedMessage } from './shared/frames.js';
import type { WidgetInfo } from './shared/interfaces.js';

export type { WidgetInfo };

/**
 * One transport connection from a page, whatever carries it (a WebSocket, or a long-polling exchange):
 * it sends frames of text and can be closed. The live layer puts a reliable session on top.
 */
export interface FrameSocket {
  /** Sends one frame (a JSON text, see `frames.ts`). */
  sendFrame(frame: string): void;
  /**
   * Sends a broadcast's NEXT frame, the same for every page it goes to. Only a transport that delivers every
   * frame of a connection, in order, has it (a WebSocket, which writes the same bytes to every page).
   */
  sendSharedFrame?(message: SharedMessage): void;
  /**
   * Ends this transport connection (the page itself lives on for its grace period). `abort` drops it at once,
   * without waiting for frames already sent to be read: for a peer that is not reading or is misbehaving.
   */
  close(reason: string, abort?: boolean): void;
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
