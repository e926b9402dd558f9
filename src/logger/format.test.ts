import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../defer/failure.js';
import { formatEvent, formatEventAsClassicLogText, formatTime, type LogEvent } from './index.js';

function ev(format: string, fields: Record<string, unknown> = {}): LogEvent {
  return { log_namespace: 'torsion.test', log_level: 'info', log_format: format, log_time: 0, ...fields };
}

describe('formatEvent', () => {
  test('fills {name} placeholders', () => {
    assert.equal(formatEvent(ev('{a} and {b}', { a: 1, b: 'two' })), '1 and two');
  });

  test('reads dotted paths, and {{ }} are literal braces', () => {
    assert.equal(formatEvent(ev('{req.method} {req.uri} {{json}}', { req: { method: 'GET', uri: '/' } })), 'GET / {json}');
  });

  test('renders objects, arrays, errors and nulls readably', () => {
    assert.equal(formatEvent(ev('{o} {a} {e} {n} {u}', { o: { k: 1 }, a: [1, 2], e: new TypeError('t'), n: null, u: undefined })), '{"k":1} [1,2] TypeError: t null undefined');
  });

  test('uses a custom toString when there is one', () => {
    class Addr {
      toString() {
        return '127.0.0.1:80';
      }
    }
    assert.equal(formatEvent(ev('peer {p}', { p: new Addr() })), 'peer 127.0.0.1:80');
  });

  test('a missing field gives an "Unable to format" message that names it, without throwing', () => {
    const text = formatEvent(ev('hello {who}', { other: 5 }));
    assert.match(text, /^Unable to format event/);
    assert.match(text, /missing field "who"/);
    assert.match(text, /other = 5/);
  });

  test('unmatched braces are reported the same way', () => {
    assert.match(formatEvent(ev('oops {')), /Unable to format event \(unclosed/);
    assert.match(formatEvent(ev('oops }')), /Unable to format event \(single/);
  });

  test('no format gives empty text (or log_text when present)', () => {
    const e = ev('');
    delete (e as Partial<LogEvent>).log_format;
    assert.equal(formatEvent(e), '');
    assert.equal(formatEvent({ ...e, log_text: 'from json' }), 'from json');
  });
});

describe('formatEventAsClassicLogText', () => {
  test('time, [namespace#level], message', () => {
    const line = formatEventAsClassicLogText({ ...ev('hi {x}', { x: 1 }), log_time: 1_700_000_000 });
    assert.equal(line, '2023-11-14T22:13:20.000Z [torsion.test#info] hi 1\n');
  });

  test('adds the failure traceback, indented, one record per event', () => {
    const f = new Failure(new Error('bad thing'));
    const text = formatEventAsClassicLogText({ ...ev('it failed'), log_failure: f })!;
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0], /\] it failed$/);
    assert.equal(lines[1], '\tError: bad thing');
    assert.ok(lines.slice(1).every((l) => l.startsWith('\t')));
  });

  test('null for an event with nothing to say; a custom time format', () => {
    assert.equal(formatEventAsClassicLogText(ev('')), null);
    assert.equal(formatEventAsClassicLogText(ev('x'), { formatTime: () => 'T' }), 'T [torsion.test#info] x\n');
    assert.equal(formatTime(NaN), '-');
  });
});
