/**
 * Filtering (Twisted's `FilteringLogObserver`, `LogLevelFilterPredicate`): let events through by level,
 * per namespace, or by any predicate.
 * @module
 */
import type { ILogObserver, LogEvent, LogFilterPredicate, LogObserver, PredicateResult } from './interfaces.js';
import { levelAtLeast, type LogLevel } from './levels.js';
import { deliver } from './publisher.js';

function test(predicate: LogFilterPredicate, event: LogEvent): PredicateResult {
  return typeof predicate === 'function' ? predicate(event) : predicate.check(event);
}

/**
 * Passes events to `observer` when the predicates allow it. Each predicate answers `yes` (pass it now),
 * `no` (drop it; it goes to `negativeObserver` if given) or `maybe` (ask the next one); an event every
 * predicate is unsure of passes.
 *
 * @example
 * const levels = new LogLevelFilterPredicate('info');
 * levels.setLogLevelForNamespace('torsion.web', 'debug');
 * globalLogBeginner.beginLoggingTo([new FilteringLogObserver(textFileLogObserver(process.stdout), [levels])]);
 */
export class FilteringLogObserver implements ILogObserver {
  constructor(
    readonly observer: LogObserver,
    readonly predicates: readonly LogFilterPredicate[],
    readonly negativeObserver?: LogObserver,
  ) {}

  /** Passes `event` on if the predicates allow it. */
  observe(event: LogEvent): void {
    for (const predicate of this.predicates) {
      const answer = test(predicate, event);
      if (answer === 'yes') break;
      if (answer === 'no') {
        if (this.negativeObserver) deliver(this.negativeObserver, event);
        return;
      }
    }
    deliver(this.observer, event);
  }
}

/**
 * Drops events below a minimum level, which can be set per namespace: the level set for the longest
 * dotted prefix of the event's namespace applies (`torsion.web` covers `torsion.web.server`), else the default.
 */
export class LogLevelFilterPredicate {
  readonly #levels = new Map<string, LogLevel>();

  /** @param defaultLogLevel the minimum level for namespaces with no level of their own. */
  constructor(public defaultLogLevel: LogLevel = 'info') {}

  /** Sets the minimum level for `namespace` and everything under it. */
  setLogLevelForNamespace(namespace: string, level: LogLevel): void {
    this.#levels.set(namespace, level);
  }

  /** The minimum level that applies to `namespace`. */
  logLevelForNamespace(namespace: string): LogLevel {
    let ns = namespace;
    while (ns) {
      const level = this.#levels.get(ns);
      if (level !== undefined) return level;
      const dot = ns.lastIndexOf('.');
      ns = dot === -1 ? '' : ns.slice(0, dot);
    }
    return this.defaultLogLevel;
  }

  /** Forgets every per-namespace level. */
  clearLogLevels(): void {
    this.#levels.clear();
  }

  /** `no` for an event below its namespace's level, `maybe` otherwise (later predicates may still drop it). */
  check(event: LogEvent): PredicateResult {
    return levelAtLeast(event.log_level, this.logLevelForNamespace(event.log_namespace ?? '')) ? 'maybe' : 'no';
  }
}

/** True when `namespace` is `prefix` or below it (`torsion.web` matches `torsion.web.server`, not `torsion.webx`). */
export function namespaceMatches(namespace: string, prefix: string): boolean {
  return namespace === prefix || (namespace.startsWith(prefix) && namespace[prefix.length] === '.') || prefix === '';
}

/**
 * A predicate that keeps only events whose namespace is under one of `prefixes` (or, with
 * `{ exclude: true }`, drops those and keeps the rest).
 */
export function namespacePredicate(prefixes: readonly string[], options: { exclude?: boolean } = {}): (event: LogEvent) => PredicateResult {
  return (event) => {
    const hit = prefixes.some((p) => namespaceMatches(event.log_namespace ?? '', p));
    return hit !== (options.exclude ?? false) ? 'maybe' : 'no';
  };
}
