/**
 * The part of `node:test` Torsion's tests use (`describe`, `test`/`it`, the four hooks, `t.after`,
 * `t.skip`, `t.diagnostic`, the `skip`/`todo`/`timeout` options), small enough to run under Deno and Bun,
 * where Node's runner is not there (Bun's `node:test` refuses to run outside `bun test`, and Deno's
 * registers with `deno test`, whose sanitizers judge Node-style code by Deno's rules).
 *
 * `bundleTestFile` (bundle.ts) swaps `node:test` for this module; `runRegistered` runs what a test file
 * registered, one test at a time in the order given, and prints one line, `RESULTS_MARKER` followed by
 * a JSON `FileResults`, for the Node-side test to read.
 * @module
 */

/** One test's outcome. */
export interface TestResult {
  /** The names of the enclosing `describe`s and the test's, joined by ` > `. */
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** The failure's message and stack, or the skip reason. */
  detail?: string;
  ms: number;
}

/** What one run of a test file printed after `RESULTS_MARKER`. */
export interface FileResults {
  runtime: string;
  results: TestResult[];
}

/** Prefixes the results line, so the test's own output around it does not matter. */
export const RESULTS_MARKER = 'TORSION-MINI-TEST-RESULTS ';

/**
 * A test that names no timeout fails after this many seconds, as Node's `--test-timeout` would
 * (`TORSION_MINI_TEST_TIMEOUT` in the environment changes it, for finding which test hangs).
 */
export const DEFAULT_TEST_TIMEOUT = Number(process.env.TORSION_MINI_TEST_TIMEOUT) || 60;

/**
 * Tests known not to pass on this runtime, as `[part of the test's full name, why]` pairs in JSON, from
 * `KNOWN_GAPS_ENV`: they are reported as skipped with the reason instead of run.
 */
export const KNOWN_GAPS_ENV = 'TORSION_MINI_TEST_KNOWN_GAPS';
const knownGaps: [string, string][] = JSON.parse(process.env[KNOWN_GAPS_ENV] ?? '[]') as [string, string][];

/** When set (a JSON list), only tests whose full name contains one of its strings run; the rest are left out. */
export const ONLY_ENV = 'TORSION_MINI_TEST_ONLY';
const only: string[] | undefined = process.env[ONLY_ENV] ? (JSON.parse(process.env[ONLY_ENV]) as string[]) : undefined;

type Fn = (t: MiniTestContext) => unknown;
type Hook = () => unknown;
interface Options {
  skip?: boolean | string;
  todo?: boolean | string;
  timeout?: number;
}

interface Suite {
  name: string;
  parent?: Suite;
  children: (Suite | Case)[];
  before: Hook[];
  after: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
  skip?: string;
  /** A describe body that returned a promise: its tests are registered once it settles. */
  pending?: Promise<unknown>;
}

interface Case {
  name: string;
  fn?: Fn;
  options: Options;
}

const root: Suite = { name: '', children: [], before: [], after: [], beforeEach: [], afterEach: [] };
let current = root;

/** The `t` a test function receives. */
export class MiniTestContext {
  readonly #cleanups: Hook[] = [];
  skipped: string | undefined;
  constructor(readonly name: string) {}
  /** Runs `fn` after the test, last registered first. */
  after(fn: Hook): void {
    this.#cleanups.unshift(fn);
  }
  /** Marks the test skipped (the function still returns normally). */
  skip(reason = 'skipped'): void {
    this.skipped = reason;
  }
  todo(reason = 'todo'): void {
    this.skipped = reason;
  }
  diagnostic(message: string): void {
    console.log(`# ${this.name}: ${message}`);
  }
  /** Runs the cleanups; the first failure is thrown after all have run. */
  async cleanup(): Promise<void> {
    let first: unknown;
    for (const fn of this.#cleanups) {
      try {
        await fn();
      } catch (e) {
        first ??= e;
      }
    }
    if (first !== undefined) throw first;
  }
}

function parse(a: unknown, b: unknown): { options: Options; fn?: Fn } {
  if (typeof a === 'function') return { options: {}, fn: a as Fn };
  return { options: (a as Options | undefined) ?? {}, fn: b as Fn | undefined };
}

function reasonOf(v: boolean | string | undefined, word: string): string | undefined {
  if (v === undefined || v === false) return undefined;
  return v === true ? word : v;
}

/** `node:test`'s `test(name, [options], fn)`. */
export function test(name: string, a?: unknown, b?: unknown): void {
  const { options, fn } = parse(a, b);
  current.children.push({ name, fn, options });
}
test.skip = (name: string, a?: unknown, b?: unknown): void => test(name, { ...parse(a, b).options, skip: true }, parse(a, b).fn);
test.todo = (name: string, a?: unknown, b?: unknown): void => test(name, { ...parse(a, b).options, todo: true }, parse(a, b).fn);
export const it = test;

/** `node:test`'s `describe(name, [options], fn)`: the body runs now and registers the suite's tests. */
export function describe(name: string, a?: unknown, b?: unknown): void {
  const { options, fn } = parse(a, b);
  const suite: Suite = {
    name,
    parent: current,
    children: [],
    before: [],
    after: [],
    beforeEach: [],
    afterEach: [],
    skip: reasonOf(options.skip, 'skipped') ?? reasonOf(options.todo, 'todo'),
  };
  current.children.push(suite);
  const outer = current;
  current = suite;
  try {
    const r = (fn as (() => unknown) | undefined)?.();
    if (r instanceof Promise) suite.pending = r;
  } finally {
    current = outer;
  }
}
describe.skip = (name: string, a?: unknown, b?: unknown): void => describe(name, { skip: true }, parse(a, b).fn);
export const suite = describe;

export function before(fn: Hook): void {
  current.before.push(fn);
}
export function after(fn: Hook): void {
  current.after.push(fn);
}
export function beforeEach(fn: Hook): void {
  current.beforeEach.push(fn);
}
export function afterEach(fn: Hook): void {
  current.afterEach.push(fn);
}

function failureText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

function withTimeout<T>(p: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

function chain(s: Suite | undefined): Suite[] {
  const out: Suite[] = [];
  for (let x = s; x; x = x.parent) out.unshift(x);
  return out;
}

async function runCase(c: Case, s: Suite, prefix: string, results: TestResult[]): Promise<void> {
  const name = prefix + c.name;
  if (only && !only.some((part) => name.includes(part))) return;
  const gap = knownGaps.find(([part]) => name.includes(part));
  const skip = reasonOf(c.options.skip, 'skipped') ?? reasonOf(c.options.todo, 'todo') ?? (gap && `known gap: ${gap[1]}`);
  if (skip !== undefined || !c.fn) {
    results.push({ name, status: 'skip', detail: skip ?? 'no function', ms: 0 });
    return;
  }
  const started = performance.now();
  const t = new MiniTestContext(name);
  let failure: unknown;
  try {
    for (const h of chain(s).flatMap((x) => x.beforeEach)) await h();
    await withTimeout(Promise.resolve().then(() => c.fn!(t)), c.options.timeout !== undefined ? c.options.timeout / 1000 : DEFAULT_TEST_TIMEOUT, `test "${name}"`);
  } catch (e) {
    failure = e;
  }
  try {
    await t.cleanup();
    for (const h of chain(s).reverse().flatMap((x) => x.afterEach)) await h();
  } catch (e) {
    failure ??= e;
  }
  const ms = Math.round(performance.now() - started);
  if (failure !== undefined) results.push({ name, status: 'fail', detail: failureText(failure), ms });
  else if (t.skipped !== undefined) results.push({ name, status: 'skip', detail: t.skipped, ms });
  else results.push({ name, status: 'pass', ms });
}

async function runSuite(s: Suite, prefix: string, results: TestResult[]): Promise<void> {
  if (s.pending) await s.pending;
  const names = (x: Suite | Case, p: string): string => p + x.name;
  if (s.skip !== undefined) {
    const all = (x: Suite, p: string): void => {
      for (const c of x.children) {
        if ('children' in c) all(c, `${p}${c.name} > `);
        else results.push({ name: names(c, p), status: 'skip', detail: s.skip, ms: 0 });
      }
    };
    all(s, prefix);
    return;
  }
  try {
    for (const h of s.before) await h();
  } catch (e) {
    results.push({ name: `${prefix}(before)`, status: 'fail', detail: failureText(e), ms: 0 });
    return;
  }
  for (const c of s.children) {
    if ('children' in c) await runSuite(c, `${prefix}${c.name} > `, results);
    else await runCase(c, s, prefix, results);
  }
  for (const h of s.after) {
    try {
      await h();
    } catch (e) {
      results.push({ name: `${prefix}(after)`, status: 'fail', detail: failureText(e), ms: 0 });
    }
  }
}

function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.version}`;
}

/**
 * Runs every test registered so far, prints the results line and ends the process (code 0 whatever the
 * outcome: the results say what failed; a crash or a hang is the reader's sign that something else broke).
 */
export async function runRegistered(): Promise<void> {
  const results: TestResult[] = [];
  // An error nobody awaited fails the test that is running, as Node's runner reports it.
  const stray = (e: unknown): void => {
    results.push({ name: '(uncaught)', status: 'fail', detail: failureText(e), ms: 0 });
  };
  process.on('uncaughtException', stray);
  process.on('unhandledRejection', stray);
  await runSuite(root, '', results);
  const out: FileResults = { runtime: runtimeName(), results };
  process.stdout.write(`\n${RESULTS_MARKER}${JSON.stringify(out)}\n`, () => process.exit(0));
}
