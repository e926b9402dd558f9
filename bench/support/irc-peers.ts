/**
 * The two IRC servers irc.bench.ts compares, and the raw client it loads them with. Torsion's server runs as
 * a user would run it: built JavaScript under plain `node` (esbuild bundles bench/support/irc-server.ts once
 * per run), not through `tsx`, whose kept function names add a property table to every closure.
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bundleServerScript } from './bundle.js';
import { requirePeer } from '../../src/testing/index.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The CPU time (user + system) process `pid` has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The resident set of process `pid`, in bytes. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * The private (anonymous) memory of process `pid`, in bytes: its RSS less the pages mapped from files. A
 * Node process's RSS grows by some megabytes of the `node` binary's own code the first time hot JavaScript
 * is optimized (TurboFan's pages, shared with every other Node process and reclaimable by the kernel): a
 * fixed cost of the process, not of its clients.
 */
export function privateBytes(pid: number): number {
  const m = /^Anonymous:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export interface IRCBenchServer {
  pid: number;
  port: number;
  /** Collects garbage; gives the JavaScript heap in use, where the server can tell. */
  gc(): Promise<number>;
  stop(): void;
  oper?: string;
}

/** `prlimit` arguments giving a child `fds` descriptors (C10K needs more than the usual 1,024). */
function withFds(command: string, args: string[], fds: number | undefined): [string, string[]] {
  return fds === undefined ? [command, args] : ['prlimit', [`--nofile=${fds}:${fds}`, command, ...args]];
}

/** Bundles Torsion's server script (built JavaScript, see bundle.ts); returns its path. */
export function buildTorsionServer(): Promise<string> {
  return bundleServerScript(new URL('./irc-server.ts', import.meta.url).pathname, 'bench-irc', 'irc-server.mjs');
}

export async function startTorsion(script: string, fds?: number): Promise<IRCBenchServer> {
  const [cmd, args] = withFds(process.execPath, ['--expose-gc', script], fds);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout! });
  const lines: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  rl.on('line', (l) => (waiters.length > 0 ? waiters.shift()!(l) : lines.push(l)));
  const next = (): Promise<string> => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((r) => waiters.push(r)));
  const port = Number(await next());
  return {
    // prlimit execs the command, so the child's pid is the server's.
    pid: child.pid!,
    port,
    gc: async () => {
      child.stdin!.write('gc\n');
      return Number(await next());
    },
    stop: () => child.kill(),
  };
}

export async function startNgircd(dir: string, fds?: number): Promise<IRCBenchServer> {
  const ngircd = requirePeer('/usr/sbin/ngircd', 'ngircd');
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const conf = join(dir, 'ngircd.conf');
  // ngircd's defaults would refuse this load: 5 connections per IP, 10 channels, a 2-minute ping, and a
  // penalty of about a second per registration; MaxPenaltyTime = 0 turns its flood penalties off, as
  // flood: false does for Torsion.
  writeFileSync(
    conf,
    [
      '[Global]',
      'Name = irc.bench.ngircd',
      'Info = bench',
      'Listen = 127.0.0.1',
      `Ports = ${port}`,
      `PidFile = ${join(dir, 'ngircd.pid')}`,
      'MotdPhrase = bench',
      '[Limits]',
      'MaxConnections = 0',
      'MaxConnectionsIP = 0',
      'MaxJoins = 0',
      'MaxPenaltyTime = 0',
      'MaxNickLength = 30',
      'PingTimeout = 600',
      'PongTimeout = 600',
      '[Options]',
      'DNS = no',
      'Ident = no',
      'PAM = no',
      '[Operator]',
      'Name = bench',
      'Password = bench',
      '',
    ].join('\n'),
  );
  const [cmd, args] = withFds(ngircd, ['-n', '-f', conf], fds);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) break;
    await sleep(50);
  }
  // SIGKILL: after a C10K run ngircd spends minutes on the departures' QUITs before it acts on SIGTERM.
  return { pid: child.pid!, port, gc: async () => NaN, stop: () => child.kill('SIGKILL'), oper: 'OPER bench bench' };
}

/** A raw IRC client that counts the lines it gets. */
export class Member {
  readonly socket: net.Socket;
  lines = 0;
  text = '';
  watching = true;
  target = Infinity;
  onTarget: (() => void) | undefined;
  /** A text to wait for (latency samples), and who waits for it. */
  marker: string | undefined;
  onMarker: (() => void) | undefined;

  constructor(port: number, nick: string, commands: string) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('error', () => undefined);
    this.socket.on('data', (d: Buffer) => {
      let n = 0;
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) n++;
      this.lines += n;
      if (this.watching) {
        this.text += d.toString('latin1');
        if (this.text.includes('PING ')) this.socket.write(`PONG :${/PING :?(\S+)/.exec(this.text)?.[1] ?? 'x'}\r\n`);
      }
      if (this.lines >= this.target && this.onTarget) {
        const f = this.onTarget;
        this.onTarget = undefined;
        f();
      }
      if (this.marker !== undefined && d.includes(this.marker)) {
        const f = this.onMarker!;
        this.marker = this.onMarker = undefined;
        f();
      }
    });
    this.socket.write(`NICK ${nick}\r\nUSER ${nick} 0 * :bench\r\n${commands}`);
  }

  async until(pattern: string, seconds = 60): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!this.text.includes(pattern)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(pattern)}`);
      await sleep(5);
    }
  }

  /** Resolves once `count` more lines have arrived. */
  expect(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.target = this.lines + count;
      if (this.lines >= this.target) resolve();
      else this.onTarget = resolve;
    });
  }

  /** Resolves when `marker` arrives. */
  await(marker: string): Promise<void> {
    return new Promise((resolve) => {
      this.marker = marker;
      this.onMarker = resolve;
    });
  }
}

/**
 * Connects `count` members named `${prefix}${i}`, each registered and in channel `channel(i)`. Ten connect at a
 * time: ngircd listens with a backlog of 10, and a SYN dropped past it costs a second or more of retransmission.
 */
export async function joinMembers(port: number, count: number, prefix: string, channel: (i: number) => string): Promise<Member[]> {
  const members: Member[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const m = new Member(port, `${prefix}${i}`, '');
      members[i] = m;
      // JOIN only once registered: ngircd answers a JOIN pipelined behind NICK/USER with 451 now and then.
      await m.until(' 376 ');
      m.socket.write(`JOIN ${channel(i)}\r\n`);
      await m.until(' 366 ');
      m.watching = false;
      m.text = '';
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  return members;
}
