/**
 * IMAP server on a 10,000-message maildir: `FETCH 1:* (FLAGS ENVELOPE)`, and `SELECT` + `SEARCH SUBJECT`,
 * the `torsion mail --imap` command against Dovecot (Debian dovecot-imapd) in the same run, each on its own
 * copy of the same maildir, with Dovecot's index, on /dev/shm when it exists (so the disk is not what is
 * measured). The same raw client in this process (on its own core; the servers share the other) drives both,
 * in interleaved ABBA rounds after one warm-up each (Dovecot builds its index and cache then, Torsion its UID
 * index and envelope cache). A round runs the command REPEAT times; it reports the time from each command to
 * its tagged OK, and the server's CPU per command (user + system of Torsion's process, or of every process
 * of Dovecot's: master, login, auth and the session's `imap`), which hardly depends on how busy the machine is.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromSamples, interleaved, LOAD_CORE, pin, SERVER_CORE, type BenchCase } from './harness.js';
import { startDovecot, type Dovecot } from '../src/mail/test-support/dovecot.js';

const MESSAGES = Number(process.env.IMAP_BENCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const REPEAT = 3;

/** `pid` and its descendants, from /proc (Dovecot forks a process per session). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // It exited meanwhile.
    }
  }
  const out: number[] = [];
  for (let pending = [pid]; pending.length > 0; ) {
    const p = pending.pop()!;
    out.push(p);
    pending.push(...(children.get(p) ?? []));
  }
  return out;
}

/** CPU seconds (user + system, every thread) the processes `pids` have used, from /proc. */
function cpuSeconds(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      sum += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // It exited meanwhile.
    }
  }
  return sum;
}

function fillMaildir(path: string): void {
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(path, sub), { recursive: true });
  const body = `${'y'.repeat(70)}\n`.repeat(20);
  for (let i = 0; i < MESSAGES; i++) {
    const text = `From: Sender ${i % 97} <s${i % 97}@example.net>\nTo: alice@example.org\nSubject: message number ${i}${i === MESSAGES - 7 ? ' needle' : ''}\nDate: Mon, 01 Jan 2024 10:00:00 +0000\nMessage-ID: <${i}@example.net>\n\n${body}`;
    writeFileSync(join(path, 'cur', `${1_700_000_000 + i}.M${i}P1Q1.bench:2,${i % 3 === 0 ? 'S' : ''}`), text);
  }
}

/** A logged-in raw IMAP session: `run` sends one command and resolves with milliseconds to its tagged OK. */
class Session {
  #socket: net.Socket;
  #tail = '';
  #waiting: { tag: string; resolve: () => void; reject: (e: Error) => void } | null = null;
  #counter = 0;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      // Only the end matters: the tagged answer is the last line.
      this.#tail = (this.#tail + d).slice(-4096);
      const w = this.#waiting;
      if (w === null) return;
      const m = new RegExp(`(^|\\r\\n)${w.tag} (OK|NO|BAD)[^\\r]*\\r\\n$`).exec(this.#tail);
      if (m === null) return;
      this.#waiting = null;
      this.#tail = '';
      if (m[2] === 'OK') w.resolve();
      else w.reject(new Error(`${w.tag} ${m[2]}`));
    });
  }

  static async open(port: number): Promise<Session> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const s = new Session(socket);
    await new Promise((r) => setTimeout(r, 200));
    await s.run('LOGIN alice secret');
    return s;
  }

  run(command: string): Promise<number> {
    const tag = `b${++this.#counter}`;
    const start = performance.now();
    return new Promise<number>((resolve, reject) => {
      this.#waiting = { tag, resolve: () => resolve(performance.now() - start), reject };
      this.#socket.write(`${tag} ${command}\r\n`);
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

async function startTorsion(dir: string): Promise<{ port: number; pid: number; stop(): void }> {
  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'mail', '--imap', 'tcp:0:interface=127.0.0.1', '--smtp', 'none', '--pop3', 'none', '--domain', 'example.org', '--maildir', dir, '--auth', 'memory:alice:secret', '--allow-plaintext-auth'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      const m = /IMAP listening on \S+ port (\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`torsion exited with ${code}:\n${text}`)));
  });
  return { port, pid: child.pid!, stop: () => child.kill() };
}

export default async function imapBench(): Promise<BenchCase[]> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'torsion-imap-bench-'));
  let dovecot: Dovecot | undefined;
  let torsion: { port: number; pid: number; stop(): void } | undefined;
  const sessions: Session[] = [];
  try {
    fillMaildir(join(dir, 'seed'));
    cpSync(join(dir, 'seed'), join(dir, 'torsion', 'alice'), { recursive: true });
    dovecot = await startDovecot({ alice: 'secret' }, (maildir) => {
      rmSync(maildir('alice'), { recursive: true, force: true });
      cpSync(join(dir, 'seed'), maildir('alice'), { recursive: true });
    }, 'imap', [], base);
    torsion = await startTorsion(join(dir, 'torsion'));
    const subjects = ['torsion', 'dovecot'] as const;
    type Subject = (typeof subjects)[number];
    const ports = { torsion: torsion.port, dovecot: dovecot.port };
    const open = { torsion: await Session.open(ports.torsion), dovecot: await Session.open(ports.dovecot) };
    sessions.push(open.torsion, open.dovecot);
    // Logged in, so Dovecot's session process exists: all of both servers go to the server core.
    const pids = { torsion: processTree(torsion.pid), dovecot: processTree(dovecot.program.transport.pid!) };
    for (const s of subjects) for (const pid of pids[s]) pin(pid, SERVER_CORE);
    pin(process.pid, LOAD_CORE);
    const cpu = { searchOnly: { torsion: [] as number[], dovecot: [] as number[] }, select: { torsion: [] as number[], dovecot: [] as number[] }, fetch: { torsion: [] as number[], dovecot: [] as number[] }, search: { torsion: [] as number[], dovecot: [] as number[] } };
    /** Runs `command` REPEAT times after `before`; the mean wall milliseconds, and the mean server CPU milliseconds into `cpuOut`. */
    const repeated = async (s: Subject, before: string | null, command: () => Promise<number>, cpuOut: number[]): Promise<number> => {
      if (before !== null) await open[s].run(before);
      const c0 = cpuSeconds(pids[s]);
      let ms = 0;
      for (let i = 0; i < REPEAT; i++) ms += await command();
      cpuOut.push(((cpuSeconds(pids[s]) - c0) * 1000) / REPEAT);
      return ms / REPEAT;
    };
    const fetchAll = (s: Subject): Promise<number> => open[s].run('FETCH 1:* (FLAGS ENVELOPE)');
    const selectSearch = async (s: Subject): Promise<number> => (await open[s].run('SELECT INBOX')) + (await open[s].run('SEARCH SUBJECT needle'));
    for (const s of subjects) {
      await open[s].run('SELECT INBOX');
      await fetchAll(s);
      await selectSearch(s);
    }
    const searchedAlone = await interleaved(subjects, (s) => repeated(s, 'SELECT INBOX', () => open[s].run('SEARCH SUBJECT needle'), cpu.searchOnly[s]), ROUNDS);
    const selected = await interleaved(subjects, (s) => repeated(s, null, () => open[s].run('SELECT INBOX'), cpu.select[s]), ROUNDS);
    const fetched = await interleaved(subjects, (s) => repeated(s, 'SELECT INBOX', () => fetchAll(s), cpu.fetch[s]), ROUNDS);
    const searched = await interleaved(subjects, (s) => repeated(s, null, () => selectSearch(s), cpu.search[s]), ROUNDS);
    const fetchName = `imap: FETCH 1:* (FLAGS ENVELOPE) on ${MESSAGES} messages (after a SELECT)`;
    const searchName = `imap: SELECT + SEARCH SUBJECT on ${MESSAGES} messages`;
    const selectName = `imap: SELECT alone on ${MESSAGES} messages`;
    const searchAloneName = `imap: SEARCH SUBJECT alone on ${MESSAGES} messages (after a SELECT)`;
    return [
      { name: fetchName, higherIsBetter: false, goal: '>= 0.5x Dovecot', measurements: subjects.map((s) => fromSamples(s, fetched[s], 'ms')) },
      { name: `${fetchName}: server CPU`, higherIsBetter: false, measurements: subjects.map((s) => fromSamples(s, cpu.fetch[s], 'ms')) },
      { name: searchName, higherIsBetter: false, goal: '>= 0.5x Dovecot', measurements: subjects.map((s) => fromSamples(s, searched[s], 'ms')) },
      { name: `${searchName}: server CPU`, higherIsBetter: false, measurements: subjects.map((s) => fromSamples(s, cpu.search[s], 'ms')) },
      { name: searchAloneName, higherIsBetter: false, measurements: subjects.map((s) => fromSamples(s, searchedAlone[s], 'ms')) },
      { name: `${searchAloneName}: server CPU`, higherIsBetter: false, measurements: subjects.map((s) => fromSamples(s, cpu.searchOnly[s], 'ms')) },
      { name: selectName, higherIsBetter: false, measurements: subjects.map((s) => fromSamples(s, selected[s], 'ms')) },
      { name: `${selectName}: server CPU`, higherIsBetter: false, measurements: subjects.map((s) => fromSamples(s, cpu.select[s], 'ms')) },
    ];
  } finally {
    for (const s of sessions) s.close();
    torsion?.stop();
    await dovecot?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
