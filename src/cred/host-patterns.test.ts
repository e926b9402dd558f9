/**
 * `globMatch`, the `*`/`?` matcher of `from=` patterns and known_hosts host patterns: OpenSSH's semantics,
 * and no exponential backtracking on a pattern of many stars (a regular expression of `.*` groups took
 * seconds for five stars and hung for forty).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch } from './host-patterns.js';

test('globMatch: * matches any run, ? one character, case ignored, the whole text only', () => {
  const cases: [string, string, boolean][] = [
    ['host.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['HOST1.test', 'host?.test', true],
    ['host12.test', 'host?.test', false],
    ['abc', '*', true],
    ['', '*', true],
    ['', '?', false],
    ['a.b', 'a.b', true],
    ['axb', 'a.b', false],
    ['[h]:2222', '[h]:22*', true],
    ['aXbXc', 'a*b*c', true],
    ['abcabd', '*abd', true],
    ['abcab', '*abd', false],
  ];
  for (const [text, pattern, expected] of cases) assert.equal(globMatch(text, pattern), expected, `${text} ~ ${pattern}`);
});

test('globMatch: forty stars against two hundred characters answers at once', () => {
  const started = performance.now();
  assert.equal(globMatch('a'.repeat(200), `${'*a'.repeat(40)}b`), false);
  assert.equal(globMatch(`${'a'.repeat(200)}b`, `${'*a'.repeat(40)}b`), true);
  assert.ok(performance.now() - started < 5000, 'not frozen');
});
