/**
 * Every limit an FTP peer can push against, with its default, in one place. Durations are in seconds.
 * @module
 */

/** The server's limits. */
export interface FTPServerLimits {
  /** The longest command line accepted, in bytes without CRLF; longer gets `500` and the connection closed. */
  maxLineLength: number;
  /** Seconds a logged-in or not control connection may stay silent (outside transfers) before `421` and close. */
  idleTimeout: number;
  /**
   * Seconds a data connection may take to open (after `PASV`/`EPSV`/`PORT`) and may stall in a transfer
   * before it is dropped with `425`/`426`.
   */
  dataTimeout: number;
  /** Wrong passwords on one control connection before `421` and close. */
  maxFailedLogins: number;
  /** Control connections open at once from one address; more get `421` at once. */
  maxConnectionsPerAddress: number;
  /** Control connections open at once in all; more get `421` at once. */
  maxConnections: number;
  /** Seconds every refused login waits before its `530` (slows password guessing). */
  loginFailureDelay: number;
  /** The most entries one `LIST`/`NLST`/`MLSD` sends (a folder with more is cut there). */
  maxListingEntries: number;
}

/** The client's limits. */
export interface FTPClientLimits {
  /** The longest reply line accepted, in bytes without CRLF; longer fails every pending command. */
  maxLineLength: number;
  /** The most lines one (multi-line) reply may have. */
  maxReplyLines: number;
  /** The most bytes a listing (`LIST`, `NLST`, `MLSD`) read into memory may have. */
  maxListingBytes: number;
  /** Seconds to wait for a reply, or for a data connection to open, before failing the command. */
  replyTimeout: number;
  /** Seconds a data connection may stall in a transfer before it is dropped. */
  dataTimeout: number;
}

/** The server's defaults. */
export const DEFAULT_FTP_SERVER_LIMITS: Readonly<FTPServerLimits> = Object.freeze({
  maxLineLength: 2048,
  idleTimeout: 300,
  dataTimeout: 60,
  maxFailedLogins: 3,
  maxConnectionsPerAddress: 10,
  maxConnections: 200,
  loginFailureDelay: 1,
  maxListingEntries: 100_000,
});

/** The client's defaults. */
export const DEFAULT_FTP_CLIENT_LIMITS: Readonly<FTPClientLimits> = Object.freeze({
  maxLineLength: 8192,
  maxReplyLines: 1000,
  maxListingBytes: 64 * 1024 * 1024,
  replyTimeout: 60,
  dataTimeout: 60,
});

/**
 * How the server sends a file (`RETR`), the same for every download: not limits a peer chooses, but what one
 * download holds and how long it may keep the event loop from the other connections.
 */
export interface FTPSendLimits {
  /** Bytes read from the file, and written to the data connection, at a time. */
  readonly chunk: number;
  /** Bytes one download sends in one turn of the event loop before it lets the other connections run. */
  readonly burst: number;
  /**
   * Seconds one blocking read may take before the rest of that download reads on the thread pool instead.
   * A read from the page cache takes well under a millisecond; a slower one waits for the disk.
   */
  readonly blockingReadLimit: number;
  /** Idle send buffers (of `chunk` bytes) kept for the next downloads; more are made while needed, then freed. */
  readonly keptBuffers: number;
}

/** The defaults of {@link FTPSendLimits}. */
export const DEFAULT_FTP_SEND_LIMITS: Readonly<FTPSendLimits> = Object.freeze({
  chunk: 1024 * 1024,
  burst: 4 * 1024 * 1024,
  blockingReadLimit: 0.05,
  keptBuffers: 8,
});

function check<T extends object>(limits: T): Readonly<T> {
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw new RangeError(`FTP limit ${name} must be a number >= 0, not ${String(value)}`);
  }
  return Object.freeze(limits);
}

/** The server defaults with `overrides` applied, checked (`RangeError` for a negative or non-number). */
export function resolveServerLimits(overrides: Partial<FTPServerLimits> = {}): Readonly<FTPServerLimits> {
  return check({ ...DEFAULT_FTP_SERVER_LIMITS, ...overrides });
}

/** The client defaults with `overrides` applied, checked. */
export function resolveClientLimits(overrides: Partial<FTPClientLimits> = {}): Readonly<FTPClientLimits> {
  return check({ ...DEFAULT_FTP_CLIENT_LIMITS, ...overrides });
}
