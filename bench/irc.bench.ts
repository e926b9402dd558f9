/**
 * IRC server: messages per second fanned out in a channel of 1,000 connected clients, and memory per
 * connected client — Torsion's server (in a child process) against ngircd (Debian package ngircd) in the
 * same run. Both servers get the same load generator in this process: 1,000 raw TCP clients that register,
 * join one channel and count lines, plus one sender that sends in rounds of 100 lines and waits for every
 * member to have them all. Flood limits are off on both (ngircd: MaxPenaltyTime = 0 and the sender an
 * operator with +F; Torsion: `flood: false`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchCase, Measurement } from './harness.js';
import { requirePeer } from '../src/testing/index.js';

const CLIENTS = 1000;
const ROUNDS = 10;
const PER_ROUND = 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

interface Server {
  pid: number;
  port: number;
  /** Collects garbage; gives the JavaScript heap in use, where the server can tell. */
  gc(): Promise<number>;
  stop(): void;
  oper?: string;
}

async function startTorsion(): Promise<Server> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', new URL('./support/irc-server.ts', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const lines: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  rl.on('line', (l) => (waiters.length > 0 ? waiters.shift()!(l) : lines.push(l)));
  const next = (): Promise<string> => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((r) => waiters.push(r)));
  const port = Number(await next());
  return {
    pid: child.pid!,
    port,
    gc: async () => {
      child.stdin!.write('gc\n');
      return Number(await next());
    },
    stop: () => child.kill(),
  };
}

async function startNgircd(dir: string): Promise<Server> {
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
  const child = spawn(ngircd, ['-n', '-f', conf], { stdio: ['ignore', 'ignore', 'ignore'] });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) break;
    await sleep(50);
  }
  return { pid: child.pid!, port, gc: async () => NaN, stop: () => child.kill(), oper: 'OPER bench bench' };
}

/** A raw IRC client that counts the lines it gets. */
class Member {
  readonly socket: net.Socket;
  lines = 0;
  text = '';
  watching = true;
  target = Infinity;
  onTarget: (() => void) | undefined;

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
}

async function measure(server: Server): Promise<{ rate: number; perClient: number; heapPerClient: number }> {
  const sender = new Member(server.port, 'sender', '');
  await sender.until(' 376 ');
  if (server.oper) {
    sender.socket.write(`${server.oper}\r\nMODE sender +F\r\n`);
    await sender.until(':+F');
  }
  sender.socket.write('JOIN #bench\r\n');
  await sender.until(' 366 ');
  const heapBefore = await server.gc();
  const before = rssBytes(server.pid);
  const members: Member[] = [];
  // Ten connecting at a time: ngircd listens with a backlog of 10, and a SYN dropped past it costs a
  // second or more of retransmission.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < CLIENTS) {
      const m = new Member(server.port, `m${next++}`, '');
      members.push(m);
      // JOIN only once registered: ngircd answers a JOIN pipelined behind NICK/USER with 451 now and then.
      await m.until(' 376 ');
      m.socket.write('JOIN #bench\r\n');
      await m.until(' 366 ');
      m.watching = false;
      m.text = '';
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  await sleep(500);
  const heapPerClient = ((await server.gc()) - heapBefore) / CLIENTS;
  const perClient = (rssBytes(server.pid) - before) / CLIENTS;

  const round = async (n: number): Promise<void> => {
    const all = Promise.all(members.map((m) => m.expect(n)));
    let lines = '';
    for (let i = 0; i < n; i++) lines += `PRIVMSG #bench :fan-out message number ${i} of the benchmark\r\n`;
    sender.socket.write(lines);
    await all;
  };
  await round(PER_ROUND);
  const start = performance.now();
  for (let r = 0; r < ROUNDS; r++) await round(PER_ROUND);
  const seconds = (performance.now() - start) / 1000;
  for (const m of [...members, sender]) m.socket.destroy();
  return { rate: (ROUNDS * PER_ROUND * CLIENTS) / seconds, perClient, heapPerClient };
}

export default async function ircBench(): Promise<BenchCase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-irc-bench-'));
  const rates: Measurement[] = [];
  const memory: Measurement[] = [];
  let heap = NaN;
  try {
    for (const [subject, start] of [
      ['torsion', startTorsion],
      ['ngircd', () => startNgircd(dir)],
    ] as const) {
      const server = await start();
      try {
        const r = await measure(server);
        rates.push({ subject, value: r.rate, unit: 'deliveries/s' });
        memory.push({ subject, value: r.perClient, unit: 'bytes/client' });
        if (subject === 'torsion') heap = r.heapPerClient;
      } finally {
        server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    { name: `irc fan-out, ${CLIENTS} members in one channel`, higherIsBetter: true, goal: '>= 1x ngircd', measurements: rates },
    { name: 'irc memory (RSS) per connected client', higherIsBetter: false, measurements: memory },
    // RSS also counts the V8 heap's spare room after the join storm; this is what the connections hold.
    { name: 'irc JS heap per connected client', higherIsBetter: false, measurements: [{ subject: 'torsion', value: heap, unit: 'bytes/client' }] },
  ];
}
