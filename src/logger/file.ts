/**
 * `torsion/logger/file`: log files on disk. The one part of the logger that imports `node:fs`; importing
 * it opens nothing, a file is opened when a {@link LogFile} is made.
 * @module
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { LogEvent, LogOutput } from './interfaces.js';
import { eventFromJSON } from './json.js';

/**
 * A file opened for appending, written synchronously so that nothing logged before a crash or
 * `process.exit` is lost.
 *
 * @example
 * const file = new LogFile('var/torsion.log.jsonl');
 * globalLogBeginner.beginLoggingTo([jsonFileLogObserver(file)]);
 */
export class LogFile implements LogOutput {
  #fd: number | undefined;

  /** Opens (creating if needed) `path` for appending; `mode` applies when the file is created. */
  constructor(readonly path: string, mode = 0o644) {
    this.#fd = openSync(path, 'a', mode);
  }

  /** Appends `text`. Writing after `close()` throws. */
  write(text: string): void {
    if (this.#fd === undefined) throw new Error(`log file ${this.path} is closed`);
    writeSync(this.#fd, text);
  }

  /** Closes the file; closing twice does nothing. */
  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Reads every event of a JSON-lines log file (as written by `jsonFileLogObserver`); blank lines are skipped. */
export function eventsFromJSONLogFile(path: string): LogEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(eventFromJSON);
}
