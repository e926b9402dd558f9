/**
 * One error base: every error class of the library extends `TorsionError` (checked on the sources), and
 * every error class a public subpath exports carries its own stable `TORSION_...` code (checked on the
 * classes themselves, imported through the package's exports).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TorsionError } from './index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

/** Tests and their helpers, which may define errors of their own. */
const TEST_CODE = /\.test\.tsx?$|(^|\/)test-support(\/|\.tsx?$)/;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts') && !TEST_CODE.test(relative(SRC, path))) out.push(path);
  }
  return out;
}

/** A class (named or not) whose `extends` clause names one of JavaScript's own error classes. */
const BUILTIN_BASE = /\bclass\b(?:\s+\w+)?(?:\s*<[^>{]*>)?\s+extends\s+(?:globalThis\.)?(Error|RangeError|TypeError|SyntaxError|ReferenceError|EvalError|URIError|AggregateError)\s*[{(<]/g;

test('no error class outside src/errors extends a built-in error: each one is on TorsionError', () => {
  const offenders: string[] = [];
  for (const file of sources(SRC)) {
    const path = relative(ROOT, file);
    if (path === join('src', 'errors', 'index.ts')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(BUILTIN_BASE)) {
      const line = text.slice(0, m.index).split('\n').length;
      offenders.push(`${path}:${line}: extends ${m[1]}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the source scan sees a class on a built-in error, named, generic or anonymous', () => {
  const samples = ['class A extends Error {}', 'export class B<T> extends TypeError {', 'const C = class extends globalThis.RangeError {};'];
  assert.deepEqual(samples.map((s) => [...s.matchAll(BUILTIN_BASE)].length), [1, 1, 1]);
  assert.equal([...'class D extends TorsionError {}'.matchAll(BUILTIN_BASE)].length, 0);
});

/** The source file of every public subpath, browser variants included (the `torsion-source` condition). */
function publicEntries(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    for (const [condition, target] of Object.entries(v)) {
      if (condition === 'torsion-source' && typeof target === 'string') found.add(target);
      else walk(target);
    }
  };
  walk(pkg.exports);
  return [...found].sort();
}

type ErrorClass = new (...args: unknown[]) => Error;

/** An argument that survives whatever a constructor does with it: property reads, calls, templates. */
const anything: unknown = new Proxy(function anything() {}, {
  get: (_target, key) => (key === Symbol.toPrimitive ? () => 'x' : key === Symbol.iterator ? [][Symbol.iterator] : anything),
  apply: () => anything,
  construct: () => anything as object,
});

/** An instance of `cls`, built with no arguments or, if its constructor needs them, with stand-ins. */
function instance(cls: ErrorClass): Error | undefined {
  for (const args of [[], ['x'], [anything, anything, anything, anything]]) {
    try {
      return Reflect.construct(cls, args) as Error;
    } catch {
      // try the next shape of arguments
    }
  }
  return undefined;
}

test('every error class of every public subpath has a TORSION_ code of its own', async () => {
  const classes = new Map<ErrorClass, string>();
  for (const entry of publicEntries()) {
    const module = (await import(pathToFileURL(join(ROOT, entry)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (typeof value === 'function' && value.prototype instanceof Error && !classes.has(value as ErrorClass)) {
        classes.set(value as ErrorClass, `${name} (${entry})`);
      }
    }
  }
  assert.ok(classes.size > 50, `only ${classes.size} error classes found: are the subpaths imported?`);
  const problems: string[] = [];
  const byCode = new Map<string, string>();
  for (const [cls, where] of classes) {
    if (cls !== TorsionError && !(cls.prototype instanceof TorsionError)) problems.push(`${where}: not a TorsionError`);
    const e = instance(cls);
    if (e === undefined) {
      problems.push(`${where}: could not be constructed to read its code`);
      continue;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^TORSION_[A-Z0-9_]+$/.test(code)) {
      problems.push(`${where}: code ${String(code)}`);
      continue;
    }
    const other = byCode.get(code);
    if (other !== undefined) problems.push(`${where}: code ${code} is also ${other}'s`);
    else byCode.set(code, where);
  }
  assert.deepEqual(problems, []);
});
