/**
 * Torsion on Deno and Bun, checked from Node's test runner (`deno.test.ts`, `bun.test.ts`; in
 * `npm run test:all`, after `npm run build`):
 * - the transport conformance suite and the TCP, TLS, UDP, Unix socket, process, HTTP and WebSocket tests,
 *   bundled from the sources and run under the runtime by mini-test.ts, known gaps aside (known-gaps.ts);
 * - examples (defer, templates, threads, SQLite) on the built `dist/`, printing what they print on Node;
 * - the IRC server example (words and IRC) and `torsion web` from `dist/cli/main.js`, served to Node clients.
 * @module
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../eventually.js';
import { KNOWN_GAPS } from './known-gaps.js';
import { runtimeBinary, runtimeCommand, runTestFileUnder, type ForeignRun, type ForeignRuntime } from './run-under.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A test file, or the part of it whose test names contain one of `only`. */
type TestFilePart = string | { file: string; only: string[] };

/** The stream-transport conformance suite (sockets, TLS, pipes, processes), in parts that run side by side. */
export const CONFORMANCE_TEST_FILES: TestFilePart[] = [
  { file: 'src/internet/conformance.test.ts', only: ['TCP over IPv4 >', 'TCP over IPv6 >', 'Unix sockets >'] },
  { file: 'src/internet/conformance.test.ts', only: ['TLS >', 'STARTTLS over TCP >', 'TLSWrapperProtocol over TCP >'] },
  'src/internet/conformance-pipes.test.ts',
];

/** The other transport test files run under each runtime, over real sockets, pipes and processes. */
export const TRANSPORT_TEST_FILES = [
  'src/internet/tcp.test.ts',
  'src/internet/tls.test.ts',
  'src/internet/starttls.test.ts',
  'src/internet/udp.test.ts',
  'src/internet/unix.test.ts',
  'src/internet/process.test.ts',
  'src/internet/process-stream.test.ts',
  'src/internet/zlib.test.ts',
];

/** The HTTP and WebSocket test files run under each runtime. */
export const WEB_TEST_FILES = [
  'src/web/integration.test.ts',
  'src/web/interop.test.ts',
  'src/web/tls.test.ts',
  'src/web/transports.test.ts',
  'src/web/websocket/integration.test.ts',
  'src/web/websocket/interop.test.ts',
];

/** Example scripts that print the same thing on every runtime (`{tmp}` becomes a fresh folder). */
const SAME_OUTPUT_EXAMPLES: string[][] = [
  ['examples/defer/callbacks.ts'],
  ['examples/defer/sequential.ts'],
  ['examples/template/render-stdout.ts', 'stan', '2'],
  ['examples/threads/progress.ts'],
  ['examples/db/accounts.ts', '{tmp}/bank.sqlite'],
];

/** Test files under the runtime at once: each run is mostly waiting on sockets and child processes. */
const PARALLEL_RUNS = 3;

/** Runs `jobs` at most `width` at a time; one promise per job, in order. */
function limited<T>(jobs: (() => Promise<T>)[], width: number): Promise<T>[] {
  let active = 0;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => {
    if (active < width) {
      active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(() => (active++, resolve())));
  };
  const release = (): void => {
    active--;
    waiting.shift()?.();
  };
  return jobs.map((job) => acquire().then(job).finally(release));
}

function run(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) =>
      err ? reject(new Error(`${[cmd, ...args].join(' ')} failed: ${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

/** Starts `script` under `runtime` and waits for the first stdout (or stderr) line matching `ready`. */
async function startServer(runtime: ForeignRuntime, script: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; log: () => string }> {
  const [cmd, argv] = runtimeCommand(runtime, join(ROOT, script), args);
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (log += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (log += s));
  let exited = false;
  child.once('exit', () => (exited = true));
  const match = await eventually(
    () => {
      if (exited) throw new Error(`${script} exited under ${runtime}:\n${log}`);
      return ready.exec(log) ?? undefined;
    },
    { timeout: 60, message: () => `${script} to start under ${runtime}; it printed:\n${log}` },
  );
  return { child, match, log: () => log };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A raw line-based TCP client on 127.0.0.1. */
function lineClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8').on('data', (s: string) => (text += s));
  return {
    send: (...lines: string[]) => socket.write(lines.map((l) => `${l}\r\n`).join('')),
    until: (pattern: RegExp) => eventually(() => pattern.exec(text)?.[0], { timeout: 30, message: () => `${pattern}; got ${text}` }),
    close: () => socket.destroy(),
  };
}

function failures(r: ForeignRun): string {
  return r.results
    .filter((x) => x.status === 'fail')
    .map((x) => `${x.name}\n  ${(x.detail ?? '').split('\n').slice(0, 6).join('\n  ')}`)
    .join('\n');
}

/** Registers a test per file of `files`, run under `runtime` a few at a time from now on. */
function testFilesUnder(runtime: ForeignRuntime, parts: readonly TestFilePart[]): void {
  const runs = limited(
    parts.map((part) => () => {
      const { file, only } = typeof part === 'string' ? { file: part, only: undefined } : part;
      return runTestFileUnder(runtime, join(ROOT, file), { knownGaps: KNOWN_GAPS[runtime], only });
    }),
    PARALLEL_RUNS,
  );
  for (const p of runs) void p.catch(() => {});
  parts.forEach((part, i) => {
    const name = typeof part === 'string' ? part : `${part.file} (${part.only.join(' ')})`;
    test(`${name} passes under ${runtime}`, async (t) => {
      const r = await runs[i]!;
      const passed = r.results.filter((x) => x.status === 'pass').length;
      const skipped = r.results.filter((x) => x.status === 'skip');
      t.diagnostic(`${r.runtime}: ${passed} passed, ${skipped.length} skipped`);
      for (const s of skipped) t.diagnostic(`skipped ${s.name}: ${s.detail}`);
      assert.ok(passed > 0, `no test passed:\n${r.output.slice(-2000)}`);
      assert.equal(failures(r), '', `failed under ${r.runtime}`);
    });
  });
}

/** The stream-transport conformance suite under `runtime`. */
export function foreignConformanceSuite(runtime: ForeignRuntime): void {
  describe(`Torsion's transport conformance on ${runtime}`, () => {
    test(`the ${runtime} binary is installed (npm devDependency "${runtime}")`, () => {
      assert.doesNotThrow(() => runtimeBinary(runtime));
    });
    testFilesUnder(runtime, CONFORMANCE_TEST_FILES);
  });
}

/** The transport tests under `runtime` (TCP, TLS, STARTTLS, UDP, Unix sockets, processes). */
export function foreignTransportSuite(runtime: ForeignRuntime): void {
  describe(`Torsion's transports on ${runtime}`, () => {
    testFilesUnder(runtime, TRANSPORT_TEST_FILES);
  });
}

/** HTTP, WebSockets, examples on dist/, the IRC server example and `torsion web` under `runtime`. */
export function foreignApplicationSuite(runtime: ForeignRuntime): void {
  describe(`Torsion's web, examples and CLI on ${runtime}`, () => {
    const cleanups: (() => void)[] = [];
    after(() => {
      for (const c of cleanups) c();
    });
    testFilesUnder(runtime, WEB_TEST_FILES);

    for (const [script, ...rawArgs] of SAME_OUTPUT_EXAMPLES) {
      test(`${script} prints under ${runtime} (on dist/) what it prints on Node`, async () => {
        const dirs = [mkdtempSync(join(tmpdir(), 'torsion-rt-')), mkdtempSync(join(tmpdir(), 'torsion-rt-'))];
        cleanups.push(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
        const args = (d: string) => rawArgs.map((a) => a.replace('{tmp}', d));
        const [onNode, onRuntime] = await Promise.all([
          run(process.execPath, ['--conditions=torsion-source', '--import', 'tsx', script!, ...args(dirs[0]!)]),
          run(...runtimeCommand(runtime, script!, args(dirs[1]!))),
        ]);
        assert.ok(onNode.stdout.length > 0);
        assert.equal(onRuntime.stdout, onNode.stdout);
      });
    }

    test(`the IRC server example (words over IRC) under ${runtime}: login, a channel message, ERROR on SIGTERM`, async () => {
      const { child, match } = await startServer(runtime, 'examples/irc-server/server.ts', ['tcp:0:interface=127.0.0.1'], /irc server on 127\.0\.0\.1:(\d+)/);
      const clients: ReturnType<typeof lineClient>[] = [];
      try {
        const port = Number(match[1]);
        const admin = lineClient(port);
        const guest = lineClient(port);
        clients.push(admin, guest);
        admin.send('PASS sesame', 'NICK admin', 'USER admin 0 * :The Admin');
        guest.send('NICK guest', 'USER guest 0 * :A Guest');
        await admin.until(/ 376 admin /);
        await guest.until(/ 376 guest /);
        admin.send('JOIN #rt');
        await admin.until(/ 366 admin #rt /);
        guest.send('JOIN #rt');
        await admin.until(/:guest!\S+ JOIN :?#rt/);
        guest.send('PRIVMSG #rt :hello from a Node client');
        await admin.until(/PRIVMSG #rt :hello from a Node client/);
        child.kill('SIGTERM');
        await admin.until(/ERROR :/);
        assert.equal(await exitOf(child), 0);
      } finally {
        clients.forEach((c) => c.close());
        child.kill('SIGKILL');
      }
    });

    test(`torsion web from dist/cli/main.js under ${runtime} serves a page and stops on SIGTERM`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'torsion-rt-web-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const page = `<h1>torsion web on ${runtime}</h1>`;
      writeFileSync(join(dir, 'index.html'), page);
      const { child, match } = await startServer(runtime, 'dist/cli/main.js', ['web', '--listen', 'tcp:0:interface=127.0.0.1', '--path', dir], /listening on tcp:\S+ \(\S*127\.0\.0\.1:(\d+)\)/);
      try {
        const res = await fetch(`http://127.0.0.1:${match[1]}/`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), page);
        child.kill('SIGTERM');
        assert.equal(await exitOf(child), 0);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
}
