/**
 * SMTP server: 10 KiB messages accepted per second with 8 concurrent clients, the `torsion mail` command
 * against aiosmtpd (Debian python3-aiosmtpd) in the same run, and each server's CPU per message (user +
 * system time of its process, every thread, from /proc), which hardly depends on how busy the machine is.
 *
 * Both servers do the same with a message before their 250: aiosmtpd's handler (test-support/aiosmtpd-
 * server.py) hands it to Python's `mailbox.Maildir.add`, which writes it to `tmp/`, fsyncs the file and links
 * it into `new/`; Torsion writes it to `tmp/`, fsyncs it, renames it into `new/` and fsyncs `new/` (it also
 * adds a `Received:` header and checks the text for bare CR/LF, which aiosmtpd does not). Both maildirs are
 * on /dev/shm when it exists, so the disk is not what is measured.
 *
 * The same load generator (this process, on its own core) drives both: 8 raw TCP clients, each sending one
 * message after another on its connection (MAIL, RCPT, DATA, text, each waiting for its reply: aiosmtpd
 * offers no PIPELINING). Rounds alternate between the servers (ABBA); each round has fresh connections, a
 * warm-up second, then SECONDS counted. Ratios are medians of the per-round ratios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromSamples, interleaved, LOAD_CORE, pin, SERVER_CORE, type BenchCase } from './harness.js';
import { requirePeer } from '../src/testing/index.js';

const CLIENTS = 8;
const SECONDS = Number(process.env.SMTP_BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const WARMUP = 1;
const MESSAGE = (() => {
  const line = `${'x'.repeat(76)}\r\n`;
  const body = line.repeat(Math.ceil((10 * 1024) / line.length));
  return Buffer.from(`From: bench@example.net\r\nTo: alice@example.org\r\nSubject: bench\r\n\r\n${body}.\r\n`);
})();

interface Server {
  port: number;
  pid: number;
  stop(): void;
}

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within 60 s:\n${text}`)), 60_000);
    child[stream]!.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      const m = pattern.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${text}`)));
  });
}

async function startTorsion(dir: string): Promise<Server> {
  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'mail', '--smtp', 'tcp:0:interface=127.0.0.1', '--pop3', 'none', '--domain', 'example.org', '--maildir', join(dir, 'torsion'), '--auth', 'memory:alice:secret'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const m = await waitForLine(child, 'stderr', /SMTP listening on \S+ port (\d+)/);
  return { port: Number(m[1]), pid: child.pid!, stop: () => child.kill() };
}

async function startAiosmtpd(dir: string): Promise<Server> {
  const python = requirePeer('/usr/bin/python3', 'python3-aiosmtpd');
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const script = fileURLToPath(new URL('../src/mail/test-support/aiosmtpd-server.py', import.meta.url));
  const child = spawn(python, [script, String(port), `maildir:${join(dir, 'aiosmtpd')}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await waitForLine(child, 'stdout', /ready/);
  return { port, pid: child.pid!, stop: () => child.kill() };
}

/** One client sending messages back to back until `until`; counts the 250s after the text. */
function client(port: number, until: () => boolean, accepted: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = '';
    let step = 0;
    const steps: [string | Buffer | null, string][] = [
      [null, '220'],
      ['EHLO bench.example\r\n', '250'],
      ['MAIL FROM:<bench@example.net>\r\n', '250'],
      ['RCPT TO:<alice@example.org>\r\n', '250'],
      ['DATA\r\n', '354'],
      [MESSAGE, '250'],
    ];
    socket.on('data', (d) => {
      buffer += d.toString('latin1');
      for (;;) {
        const m = /^(\d{3}) [^\n]*\n/m.exec(buffer);
        if (m === null) return;
        buffer = buffer.slice(m.index + m[0].length);
        if (m[1] !== steps[step]![1]) return reject(new Error(`expected ${steps[step]![1]}, got ${m[0]}`));
        if (step === steps.length - 1) {
          accepted();
          if (until()) {
            socket.end('QUIT\r\n');
            return resolve();
          }
          step = 2;
        } else step++;
        socket.write(steps[step]![0]!);
      }
    });
    socket.on('error', reject);
  });
}

/** CPU seconds (user + system, every thread) process `pid` has used, from /proc; NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface Round {
  perSecond: number;
  /** Server CPU microseconds per accepted message. */
  cpuMicros: number;
}

/**
 * One round: 8 fresh clients send for WARMUP + SECONDS; only the 250s of the last SECONDS count, and the
 * server's CPU is read at the edges of that window.
 */
async function measure(server: Server): Promise<Round> {
  let count = 0;
  let counting = false;
  let cpuStart = NaN;
  let cpuEnd = NaN;
  let countStart = NaN;
  let countEnd = NaN;
  let counted = 0;
  const end = performance.now() + (WARMUP + SECONDS) * 1000;
  const begin = (): void => {
    counting = true;
    countStart = performance.now();
    cpuStart = cpuSeconds(server.pid);
  };
  // The window closes at its timer or at the first 250 past its end, whichever comes first (a loaded
  // machine runs timers late); its length is what was measured, not what was asked.
  const finish = (): void => {
    if (!counting) return;
    counting = false;
    countEnd = performance.now();
    cpuEnd = cpuSeconds(server.pid);
    counted = count;
  };
  const startTimer = setTimeout(begin, WARMUP * 1000);
  const endTimer = setTimeout(finish, (WARMUP + SECONDS) * 1000);
  const accepted = (): void => {
    if (!counting) return;
    count++;
    if (performance.now() >= end) finish();
  };
  await Promise.all(Array.from({ length: CLIENTS }, () => client(server.port, () => performance.now() >= end, accepted)));
  finish();
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  return { perSecond: counted / ((countEnd - countStart) / 1000), cpuMicros: ((cpuEnd - cpuStart) * 1e6) / counted };
}

export default async function smtpBench(): Promise<BenchCase[]> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'torsion-smtp-bench-'));
  const subjects = ['torsion', 'aiosmtpd'] as const;
  const servers: Partial<Record<(typeof subjects)[number], Server>> = {};
  const cpu: Record<string, number[]> = { torsion: [], aiosmtpd: [] };
  let rates: Record<string, number[]>;
  try {
    servers.torsion = await startTorsion(dir);
    servers.aiosmtpd = await startAiosmtpd(dir);
    // Servers on one core, the load generator (this process) on the other: each server gets the same core.
    for (const s of subjects) pin(servers[s]!.pid, SERVER_CORE);
    pin(process.pid, LOAD_CORE);
    rates = await interleaved(subjects, async (s) => {
      const r = await measure(servers[s]!);
      cpu[s]!.push(r.cpuMicros);
      return r.perSecond;
    }, ROUNDS);
  } finally {
    for (const s of subjects) servers[s]?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const what = `10 KiB messages, ${CLIENTS} clients, maildir + fsync`;
  return [
    { name: `smtp: ${what}: accepted per second`, higherIsBetter: true, goal: '>= 2x aiosmtpd', measurements: subjects.map((s) => fromSamples(s, rates[s]!, 'messages/s')) },
    { name: `smtp: ${what}: server CPU per message`, higherIsBetter: false, measurements: subjects.map((s) => fromSamples(s, cpu[s]!, 'µs')) },
  ];
}
