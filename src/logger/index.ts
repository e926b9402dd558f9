/**
 * `torsion/logger`: structured logging, as Twisted's `twisted.logger`. Browser-safe; the file sink that
 * needs `node:fs` lives in `torsion/logger/file`.
 * @module
 */
export type { LogEvent, LogFields, LogObserver, LogObserverFunction, ILogObserver, LogOutput, PredicateResult, LogFilterPredicate } from './interfaces.js';
export { LogLevel, logLevels, compareLogLevels, levelAtLeast, parseLogLevel } from './levels.js';
export { Logger, type LoggerOptions } from './logger.js';
export { LogPublisher } from './publisher.js';
export { globalLogPublisher, globalLogBeginner, LogBeginner, type LogBeginnerOptions, type BeginLoggingOptions } from './global.js';
export { formatEvent, formatEventAsClassicLogText, formatTime, formatValue, type ClassicFormatOptions } from './format.js';
export { FilteringLogObserver, LogLevelFilterPredicate, namespacePredicate, namespaceMatches } from './filter.js';
export { FileLogObserver, textFileLogObserver, jsonFileLogObserver, LimitedHistoryLogObserver, type EventFormatter } from './observers.js';
export { eventAsJSON, eventFromJSON, type SerializedFailure } from './json.js';
export { captureLogs, capturedLogEvents, type LogCapture, type CaptureOptions } from './capture.js';
