/**
 * JSON-lines log files: every event as one line of JSON, fields kept as data, read back as events.
 * Run: node -C torsion-source --import tsx examples/logger/json-file.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, LogPublisher, formatEvent, jsonFileLogObserver } from 'torsion/logger';
import { LogFile, eventsFromJSONLogFile } from 'torsion/logger/file';

const dir = mkdtempSync(join(tmpdir(), 'torsion-example-'));
try {
  const file = new LogFile(join(dir, 'events.jsonl'));
  // A private publisher keeps this example apart from the global one; an application would pass the
  // observer to globalLogBeginner.beginLoggingTo instead.
  const publisher = new LogPublisher(jsonFileLogObserver(file));
  const log = new Logger({ namespace: 'shop.orders', observer: publisher });

  log.info('order {id} placed by {customer}', { id: 1017, customer: 'ada', total: { amount: 42.5, currency: 'EUR' } });
  log.warn('order {id} paid late', { id: 1017, days: 3 });
  file.close();

  for (const event of eventsFromJSONLogFile(file.path)) {
    console.log(`${event.log_level}: ${formatEvent(event)} ${JSON.stringify(event.total ?? event.days)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
