/**
 * Options of the web chat, and their defaults in one place (DESIGN principle 7: every limit named once).
 * @module
 */

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
