/**
 * Runs Torsion's `node:test` files under Deno or Bun (installed from npm as dev dependencies) and reads
 * back what each test did, for a Node test to assert on: see mini-test.ts and bundle.ts.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleTestFile } from './bundle.js';
import { KNOWN_GAPS_ENV, ONLY_ENV, RESULTS_MARKER, type FileResults } from './mini-test.js';

/** The runtimes besides Node that Torsion is tested on. */
export type ForeignRuntime = 'deno' | 'bun';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The runtime's binary from node_modules/.bin; throws naming the npm package when it is not installed. */
export function runtimeBinary(runtime: ForeignRuntime): string {
  const bin = `${ROOT}node_modules/.bin/${runtime}`;
  if (!existsSync(bin)) {
    throw new Error(`${runtime} is not installed: ${bin} is missing (npm install --save-dev ${runtime}; it is a devDependency of Torsion)`);
  }
  return bin;
}

/**
 * The command line that runs `script` under `runtime` with every permission. Deno resolves a `.js`
 * import to its `.ts` file (as tsx and Bun do) only when asked, so TypeScript scripts get that flag.
 */
export function runtimeCommand(runtime: ForeignRuntime, script: string, args: string[] = []): [string, string[]] {
  const bin = runtimeBinary(runtime);
  if (runtime === 'bun') return [bin, [script, ...args]];
  return [bin, ['run', '-A', ...(/\.tsx?$/.test(script) ? ['--unstable-sloppy-imports'] : []), script, ...args]];
}

/** What a run of one test file gave. */
export interface ForeignRun extends FileResults {
  file: string;
  /** Everything the run printed besides the results line, for failure messages. */
  output: string;
}

/**
 * Bundles `testFile` (absolute), runs it under `runtime` and returns its results. Rejects when the run
 * prints no results line within `timeout` seconds (a crash or a hang), with its output.
 */
export async function runTestFileUnder(
  runtime: ForeignRuntime,
  testFile: string,
  options: { knownGaps?: readonly (readonly [string, string])[]; only?: readonly string[]; timeout?: number } = {},
): Promise<ForeignRun> {
  const { knownGaps = [], only, timeout = 100 } = options;
  runtimeBinary(runtime);
  const bundle = await bundleTestFile(testFile);
  try {
    const [cmd, args] = runtimeCommand(runtime, bundle.path);
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', [KNOWN_GAPS_ENV]: JSON.stringify(knownGaps), ...(only ? { [ONLY_ENV]: JSON.stringify(only) } : {}) } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const code = await new Promise<number | string | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('timeout');
      }, timeout * 1000);
      child.on('close', (c, signal) => {
        clearTimeout(timer);
        resolve(c ?? signal);
      });
    });
    const at = out.lastIndexOf(RESULTS_MARKER);
    if (at < 0) throw new Error(`${runtime} ran ${testFile} without results (exit ${code}):\n${out.slice(-4000)}`);
    const line = out.slice(at + RESULTS_MARKER.length).split('\n', 1)[0];
    return { ...(JSON.parse(line) as FileResults), file: testFile, output: out.slice(0, at) };
  } finally {
    await bundle.remove();
  }
}
