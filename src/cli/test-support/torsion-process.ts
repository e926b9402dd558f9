/**
 * Running the `torsion` command as a child process, for the tests of the command and of its workers (one
 * file per workers scenario: each starts several cold Node processes, and a file has a time limit in CI).
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** A `torsion` command running as a child process. */
export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `torsion args` (from the sources, through tsx); its log is read with {@link waitForLog}. */
export function torsion(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The matches of `re` in the log (stderr) once it matches `count` times (within 60 s; fails if torsion exits). */
export async function waitForLog(r: Running, re: RegExp, count = 1): Promise<RegExpExecArray[]> {
  const global = new RegExp(re.source, 'g');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const matches = [...r.stderr().matchAll(global)] as RegExpExecArray[];
    if (matches.length >= count) return matches;
    if (Date.now() > deadline) throw new Error(`no ${count} x ${re} in: ${r.stderr()}`);
    const done = await Promise.race([r.exited.then(() => true), new Promise<false>((res) => setTimeout(() => res(false), 50))]);
    if (done) throw new Error(`torsion exited before logging ${re}: ${r.stderr()}`);
  }
}

/** Sends `payload` on a new connection and resolves with as many bytes back (an echo's answer). */
export function roundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.setEncoding('utf8');
    sock.setTimeout(10_000, () => sock.destroy(new Error('round trip timed out')));
    sock.on('connect', () => sock.write(payload));
    sock.on('data', (d: string) => {
      got += d;
      if (got.length >= payload.length) {
        sock.end();
        resolve(got);
      }
    });
    sock.on('error', reject);
  });
}

/** Whether process `pid` is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

