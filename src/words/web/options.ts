/**
 * Options of the web chat, and their defaults in one place (DESIGN principle 7: every limit named once).
 * @module
 */
import type { LiveLimits } from '../../live/index.js';

/**
 * The chat page's own defaults for its live page's limits, where a chat needs less than the live layer's
 * defaults; `createWebChat`'s `limits` override them, and the live layer's defaults fill in the rest.
 *
 * - `maxPendingCalls` (500, the live default is 1,000): every line and membership change in the user's
 *   rooms is one call into the page, so a page leaving 500 unanswered is not keeping up (it stopped reading,
 *   or its link cannot carry its rooms); the chat then disconnects it and its user leaves the rooms, so a
 *   stalled page costs at most about this many held events (measured under 1 MB of heap with 200-character PART
 *   reasons), never a backlog that grows with the rooms' traffic.
 */
export const CHAT_LIVE_LIMITS: Readonly<Partial<LiveLimits>> = Object.freeze({ maxPendingCalls: 500 });

/** Options of the web chat (`createWebChat`, `WebChatSession`). */
export interface WebChatOptions {
  /** Rooms a user joins on login (`['#lobby']` by default). */
  autoJoin?: readonly string[];
  /** Lines of history shown on joining a room (100 by default). */
  scrollback?: number;
  /** Longest line a page may send, in characters (1000 by default). */
  maxMessageLength?: number;
  /** Longest piece of a line sent as one message, in UTF-8 bytes; longer lines are split (400 by default, so a relayed IRC line stays within 512 bytes). */
  maxLineBytes?: number;
  /** Shortest password accepted when registering a nick from the web (6 by default). */
  minPasswordLength?: number;
  /** Lines (and commands) a page may send: a burst, then `rate` per second (10 and 2 by default). */
  flood?: { burst?: number; rate?: number };
  /** The page title ('Torsion chat' by default). */
  title?: string;
  /** Seconds the server keeps a page (and its user online) after its connection drops (30 by default). */
  gracePeriod?: number;
}

/** Options with every default filled in. */
export interface ResolvedWebChatOptions {
  autoJoin: readonly string[];
  scrollback: number;
  maxMessageLength: number;
  maxLineBytes: number;
  minPasswordLength: number;
  flood: { burst: number; rate: number };
  title: string;
  gracePeriod: number;
}

/** Fills in the defaults. */
export function resolveWebChatOptions(options: WebChatOptions): ResolvedWebChatOptions {
  return {
    autoJoin: options.autoJoin ?? ['#lobby'],
    scrollback: options.scrollback ?? 100,
    maxMessageLength: options.maxMessageLength ?? 1000,
    maxLineBytes: options.maxLineBytes ?? 400,
    minPasswordLength: options.minPasswordLength ?? 6,
    flood: { burst: 10, rate: 2, ...options.flood },
    title: options.title ?? 'Torsion chat',
    gracePeriod: options.gracePeriod ?? 30,
  };
}
