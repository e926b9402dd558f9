/**
 * The roles of the browser loop. Type-only: this file emits no code.
 * @module
 */
import type { IReactorTime } from '../interfaces.js';
import type { Timers } from '../../time/timer-clock.js';

/** The timers a {@link BrowserReactor} runs on: the page's by default, fakes in tests. */
export type BrowserTimers = Timers;

/** What code written for Torsion's reactor needs from the page's loop: time, and `callWhenRunning`. */
export interface IBrowserReactor extends IReactorTime {
  /** Always true: a page's event loop is running before any script does. */
  readonly running: boolean;
  /** Runs `fn(...args)` at once (the page's loop is already running), logging what it throws. */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void;
}

/** A browser `MessageEvent` as far as the transport reads it. */
export interface WebSocketMessageLike {
  readonly data: ArrayBuffer | ArrayBufferView | string | Blob;
}

/** A browser `CloseEvent` as far as the transport reads it. */
export interface WebSocketCloseLike {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/**
 * The part of the browser's `WebSocket` the stream transport uses. The page's own `WebSocket` fits it;
 * tests pass a fake.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  readonly url: string;
  readonly protocol: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: WebSocketMessageLike) => void) | null;
  onclose: ((event: WebSocketCloseLike) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array | ArrayBuffer | string): void;
  close(code?: number, reason?: string): void;
}

/** `new WebSocket(url, protocols)`: the page's constructor, or a fake. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;
