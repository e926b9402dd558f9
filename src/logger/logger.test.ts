import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../defer/failure.js';
import { LogPublisher, Logger, captureLogs, capturedLogEvents, formatEvent, globalLogPublisher, type LogEvent } from './index.js';

class BoomError extends Error {
  override name = 'BoomError';
}

function collector(): { events: LogEvent[]; observer: (e: LogEvent) => void } {
  const events: LogEvent[] = [];
  return { events, observer: (e) => void events.push(e) };
}

describe('Logger', () => {
  test('emits structured events with namespace, level, format, time and fields', () => {
    const { events, observer } = collector();
    const log = new Logger({ namespace: 'torsion.test', observer });
    const before = Date.now() / 1000;
    log.info('connection from {peer}', { peer: '10.0.0.1', port: 4000 });
    assert.equal(events.length, 1);
    const e = events[0];
    assert.equal(e.log_namespace, 'torsion.test');
    assert.equal(e.log_level, 'info');
    assert.equal(e.log_format, 'connection from {peer}');
    assert.equal(e.peer, '10.0.0.1');
    assert.equal(e.port, 4000);
    assert.ok(e.log_time >= before - 1 && e.log_time <= Date.now() / 1000 + 1, 'log_time is in seconds');
    assert.equal(formatEvent(e), 'connection from 10.0.0.1');
  });

  test('has one method per level', () => {
    const { events, observer } = collector();
    const log = new Logger({ namespace: 'x', observer });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.critical('c');
    assert.deepEqual(
      events.map((e) => e.log_level),
      ['debug', 'info', 'warn', 'error', 'critical'],
    );
  });

  test('failure logs the Failure with its traceback, at critical by default', () => {
    const { events, observer } = collector();
    const log = new Logger({ namespace: 'x', observer });
    const f = new Failure(new BoomError('bad'));
    log.failure('request {uri} failed', f, { uri: '/a' });
    log.failure('plain error', new BoomError('wrapped'), undefined, 'error');
    assert.equal(events[0].log_failure, f);
    assert.equal(events[0].log_level, 'critical');
    assert.equal(formatEvent(events[0]), 'request /a failed');
    assert.ok(events[1].log_failure instanceof Failure);
    assert.equal(events[1].log_failure.getErrorMessage(), 'wrapped');
    assert.equal(events[1].log_level, 'error');
  });

  test('the log_ keys cannot be overridden by fields, source is recorded', () => {
    const { events, observer } = collector();
    const source = { name: 'proto' };
    new Logger({ namespace: 'ns', source, observer }).warn('m', { log_namespace: 'forged', log_level: 'debug' });
    assert.equal(events[0].log_namespace, 'ns');
    assert.equal(events[0].log_level, 'warn');
    assert.equal(events[0].log_source, source);
  });

  test('child loggers extend the namespace', () => {
    const { events, observer } = collector();
    new Logger({ namespace: 'torsion.web', observer }).child('server').info('x');
    assert.equal(events[0].log_namespace, 'torsion.web.server');
  });

  test('defaults to the global publisher', () => {
    const events = captureLogs(() => new Logger({ namespace: 'glob' }).info('to the global publisher'));
    assert.equal(events.length, 1);
    assert.equal(events[0].log_namespace, 'glob');
  });
});

describe('LogPublisher', () => {
  test('delivers to every observer in order; add twice is once; remove stops delivery', () => {
    const order: string[] = [];
    const a = () => void order.push('a');
    const b = { observe: () => void order.push('b') };
    const p = new LogPublisher(a);
    p.addObserver(b);
    p.addObserver(a);
    const log = new Logger({ namespace: 'p', observer: p });
    log.info('one');
    assert.deepEqual(order, ['a', 'b']);
    p.removeObserver(a);
    log.info('two');
    assert.deepEqual(order, ['a', 'b', 'b']);
    p.removeObserver(a);
    assert.equal(p.observers.length, 1);
  });

  test('a throwing observer does not stop the others and is reported once', () => {
    const { events, observer } = collector();
    let calls = 0;
    const broken = function brokenObserver() {
      calls++;
      throw new BoomError('observer broke');
    };
    const p = new LogPublisher(broken, observer);
    const log = new Logger({ namespace: 'app', observer: p });
    log.info('first');
    log.info('second');
    assert.equal(calls, 2, 'the broken observer stays attached');
    const mine = events.filter((e) => e.log_namespace === 'app');
    assert.deepEqual(mine.map(formatEvent), ['first', 'second']);
    const reports = events.filter((e) => e.log_namespace === 'torsion.logger');
    assert.equal(reports.length, 1);
    assert.match(formatEvent(reports[0]), /brokenObserver/);
    assert.ok(reports[0].log_failure?.check(BoomError));
  });

  test('a throwing lone observer is reported on console.error once', () => {
    const p = new LogPublisher(() => {
      throw new BoomError('alone');
    });
    const original = console.error;
    const printed: string[] = [];
    console.error = (...args: unknown[]) => void printed.push(args.join(' '));
    try {
      p.observe({ log_namespace: 'a', log_level: 'info', log_format: 'x', log_time: 0 });
      p.observe({ log_namespace: 'a', log_level: 'info', log_format: 'y', log_time: 0 });
    } finally {
      console.error = original;
    }
    assert.equal(printed.length, 1);
    assert.match(printed[0], /BoomError: alone/);
  });

  test('publishers nest', () => {
    const { events, observer } = collector();
    const inner = new LogPublisher(observer);
    const outer = new LogPublisher(inner);
    new Logger({ namespace: 'n', observer: outer }).info('nested');
    assert.equal(events.length, 1);
  });
});

describe('capturing', () => {
  test('captureLogs returns the events logged while fn ran, and only those', () => {
    const log = new Logger({ namespace: 'cap' });
    log.info('before');
    const events = captureLogs(() => {
      log.warn('during {n}', { n: 1 });
    });
    log.info('after');
    assert.deepEqual(events.map(formatEvent), ['during 1']);
  });

  test('captureLogs waits for a returned Promise', async () => {
    const log = new Logger({ namespace: 'cap' });
    const events = await captureLogs(async () => {
      await new Promise((r) => setImmediate(r));
      log.error('late');
    });
    assert.deepEqual(events.map(formatEvent), ['late']);
  });

  test('captureLogs rethrows and stops capturing', () => {
    const before = globalLogPublisher.observers.length;
    assert.throws(() => captureLogs(() => {
      throw new BoomError('x');
    }), BoomError);
    assert.equal(globalLogPublisher.observers.length, before);
  });

  test('capturedLogEvents captures until stop, and gives formatted messages', () => {
    const cap = capturedLogEvents();
    const log = new Logger({ namespace: 'cap' });
    log.info('a {x}', { x: 1 });
    cap.stop();
    log.info('b');
    cap.stop();
    assert.deepEqual(cap.messages(), ['a 1']);
    assert.equal(cap.events[0].x, 1);
  });
});
