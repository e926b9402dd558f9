import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Failure } from '../defer/failure.js';
import {
  FilteringLogObserver,
  LimitedHistoryLogObserver,
  LogBeginner,
  LogLevelFilterPredicate,
  LogPublisher,
  Logger,
  eventAsJSON,
  eventFromJSON,
  jsonFileLogObserver,
  namespacePredicate,
  parseLogLevel,
  textFileLogObserver,
  type LogEvent,
  type PredicateResult,
} from './index.js';
import { LogFile, eventsFromJSONLogFile } from './file.js';

function ev(namespace: string, level: LogEvent['log_level'], format = 'm'): LogEvent {
  return { log_namespace: namespace, log_level: level, log_format: format, log_time: 0 };
}

describe('filtering', () => {
  test('LogLevelFilterPredicate uses the level of the longest namespace prefix, else the default', () => {
    const p = new LogLevelFilterPredicate('warn');
    p.setLogLevelForNamespace('torsion.web', 'debug');
    p.setLogLevelForNamespace('torsion.web.server', 'error');
    assert.equal(p.logLevelForNamespace('torsion.web.client'), 'debug');
    assert.equal(p.logLevelForNamespace('torsion.web.server.http'), 'error');
    assert.equal(p.logLevelForNamespace('torsion.webby'), 'warn');
    assert.equal(p.logLevelForNamespace(''), 'warn');
    assert.equal(p.check(ev('torsion.web.client', 'debug')), 'maybe');
    assert.equal(p.check(ev('torsion.web.server', 'warn')), 'no');
    assert.equal(p.check(ev('other', 'info')), 'no');
    p.clearLogLevels();
    assert.equal(p.logLevelForNamespace('torsion.web'), 'warn');
  });

  test('FilteringLogObserver passes, drops to the negative observer, and honours yes', () => {
    const passed: string[] = [];
    const dropped: string[] = [];
    const levels = new LogLevelFilterPredicate('info');
    const alwaysAudit = (e: LogEvent): PredicateResult => (e.log_namespace === 'audit' ? 'yes' : 'maybe');
    const f = new FilteringLogObserver(
      (e) => void passed.push(e.log_format),
      [alwaysAudit, levels],
      (e) => void dropped.push(e.log_format),
    );
    const p = new LogPublisher(f);
    new Logger({ namespace: 'app', observer: p }).debug('app debug');
    new Logger({ namespace: 'app', observer: p }).info('app info');
    new Logger({ namespace: 'audit', observer: p }).debug('audit debug');
    assert.deepEqual(passed, ['app info', 'audit debug']);
    assert.deepEqual(dropped, ['app debug']);
  });

  test('namespacePredicate keeps or drops by prefix', () => {
    const keep = namespacePredicate(['torsion.web']);
    assert.equal(keep(ev('torsion.web.server', 'info')), 'maybe');
    assert.equal(keep(ev('torsion.webx', 'info')), 'no');
    const drop = namespacePredicate(['noisy'], { exclude: true });
    assert.equal(drop(ev('noisy.sub', 'info')), 'no');
    assert.equal(drop(ev('quiet', 'info')), 'maybe');
  });

  test('parseLogLevel', () => {
    assert.equal(parseLogLevel('WARNING'), 'warn');
    assert.equal(parseLogLevel('Debug'), 'debug');
    assert.throws(() => parseLogLevel('loud'), RangeError);
  });
});

describe('text and JSON observers', () => {
  test('textFileLogObserver writes classic lines', () => {
    let out = '';
    const o = textFileLogObserver({ write: (t) => (out += t) }, { formatTime: () => 'T' });
    new Logger({ namespace: 'ns', observer: o }).warn('careful {x}', { x: 2 });
    assert.equal(out, 'T [ns#warn] careful 2\n');
  });

  test('JSON lines round-trip fields and failures', () => {
    let out = '';
    const o = jsonFileLogObserver({ write: (t) => (out += t) });
    const log = new Logger({ namespace: 'json', observer: o, source: { toString: () => 'SourceObj' } });
    log.info('a {n}\nwith newline', { n: 1, nested: { k: [1, 2] } });
    log.failure('oops', new Failure(new TypeError('typed')));
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 2, 'one line per event, even with newlines in the text');
    const first = eventFromJSON(lines[0]);
    assert.equal(first.log_namespace, 'json');
    assert.equal(first.n, 1);
    assert.deepEqual(first.nested, { k: [1, 2] });
    assert.equal(first.log_text, 'a 1\nwith newline');
    assert.equal(first.log_source, 'SourceObj');
    const second = eventFromJSON(lines[1]);
    assert.ok(second.log_failure instanceof Failure);
    assert.equal(second.log_failure.value.name, 'TypeError');
    assert.equal(second.log_failure.getErrorMessage(), 'typed');
    assert.match(second.log_failure.getTraceback(), /observers\.test\.ts/);
  });

  test('eventAsJSON survives cycles, bigints, bytes and functions', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const json = eventAsJSON({ ...ev('x', 'info', 'c'), cyclic, big: 10n, bytes: new Uint8Array(3), fn: () => 1 });
    const back = JSON.parse(json);
    assert.equal(back.cyclic, '[object Object]');
    assert.equal(back.big, '10');
    assert.deepEqual(back.bytes, { bytes: 3 });
    assert.equal('fn' in back, false);
  });

  test('LogFile appends JSON lines on disk and eventsFromJSONLogFile reads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-log-'));
    try {
      const path = join(dir, 'app.log.jsonl');
      const file = new LogFile(path);
      const log = new Logger({ namespace: 'disk', observer: jsonFileLogObserver(file) });
      log.info('one {n}', { n: 1 });
      log.error('two');
      file.close();
      file.close();
      assert.throws(() => file.write('x'), /closed/);
      const again = new LogFile(path);
      new Logger({ namespace: 'disk', observer: jsonFileLogObserver(again) }).warn('three');
      again.close();
      const events = eventsFromJSONLogFile(path);
      assert.deepEqual(events.map((e) => e.log_text), ['one 1', 'two', 'three']);
      assert.equal(readFileSync(path, 'utf8').split('\n').length, 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('history and the beginner', () => {
  test('LimitedHistoryLogObserver keeps the last N in order', () => {
    const h = new LimitedHistoryLogObserver(3);
    for (let i = 0; i < 5; i++) h.observe(ev('h', 'info', String(i)));
    assert.deepEqual(h.events.map((e) => e.log_format), ['2', '3', '4']);
    const replayed: string[] = [];
    h.replayTo((e) => void replayed.push(e.log_format));
    assert.deepEqual(replayed, ['2', '3', '4']);
  });

  test('before beginLoggingTo: warn and above printed, all buffered; after: replayed, printing stops', () => {
    let printed = '';
    const publisher = new LogPublisher();
    const beginner = new LogBeginner(publisher, { errorOutput: { write: (t) => (printed += t) } });
    const log = new Logger({ namespace: 'boot', observer: publisher });
    log.info('quiet info');
    log.warn('loud warning');
    assert.doesNotMatch(printed, /quiet info/);
    assert.match(printed, /\[boot#warn\] loud warning/);
    const seen: string[] = [];
    beginner.beginLoggingTo([(e) => void seen.push(e.log_format)]);
    assert.deepEqual(seen, ['quiet info', 'loud warning'], 'the buffered events are replayed');
    printed = '';
    log.error('after begin');
    assert.equal(printed, '');
    assert.deepEqual(seen.at(-1), 'after begin');
    assert.equal(beginner.began, true);
  });

  test('discardBuffer skips the replay; beginning twice warns the new observers', () => {
    const publisher = new LogPublisher();
    const beginner = new LogBeginner(publisher, { errorOutput: { write: () => undefined } });
    new Logger({ namespace: 'boot', observer: publisher }).info('early');
    const first: string[] = [];
    beginner.beginLoggingTo([(e) => void first.push(e.log_format)], { discardBuffer: true });
    assert.deepEqual(first, []);
    const second: LogEvent[] = [];
    beginner.beginLoggingTo([(e) => void second.push(e)]);
    assert.equal(second.length, 1);
    assert.equal(second[0].log_level, 'warn');
    assert.match(second[0].log_format, /more than once/);
  });
});
