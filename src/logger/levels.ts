/**
 * Log levels, from least to most severe (Twisted's `twisted.logger.LogLevel`).
 * @module
 */

/** How severe an event is. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'critical';

/** The levels by name, for code that prefers `LogLevel.warn` to `'warn'`. */
export const LogLevel = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  critical: 'critical',
} as const satisfies Record<LogLevel, LogLevel>;

/** Every level, least severe first. */
export const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'critical'];

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, critical: 4 };

/** Orders two levels: negative when `a` is less severe than `b`, 0 when equal. */
export function compareLogLevels(a: LogLevel, b: LogLevel): number {
  return rank[a] - rank[b];
}

/** True when `level` is `threshold` or more severe. */
export function levelAtLeast(level: LogLevel, threshold: LogLevel): boolean {
  return rank[level] >= rank[threshold];
}

/** Parses a level name (case-insensitive; `warning` and `fatal` are accepted as Python spells them). */
export function parseLogLevel(name: string): LogLevel {
  const n = name.toLowerCase();
  if (n === 'warning') return 'warn';
  if (n === 'fatal') return 'critical';
  if (n in rank) return n as LogLevel;
  throw new RangeError(`unknown log level ${JSON.stringify(name)} (expected one of ${logLevels.join(', ')})`);
}
