/**
 * IMAP server on a 10,000-message maildir: `FETCH 1:* (FLAGS ENVELOPE)`, and `SELECT` + `SEARCH SUBJECT`,
 * the `torsion mail --imap` command against Dovecot (Debian dovecot-imapd) in the same run, each on its own
 * copy of the same maildir (on /dev/shm when it exists, so the disk is not what is measured). The same raw
 * client in this process drives both, in interleaved rounds after one warm-up each (Dovecot builds its
 * index and cache then, Torsion its UID index); a round is the time from the command to its tagged OK.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromSamples, interleaved, type BenchCase } from './harness.js';
import { startDovecot, type Dovecot } from '../src/mail/test-support/dovecot.js';

const MESSAGES = Number(process.env.IMAP_BENCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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

async function startTorsion(dir: string): Promise<{ port: number; stop(): void }> {
  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'mail', '--imap', 'tcp:0:interface=127.0.0.1', '--domain', 'example.org', '--maildir', dir, '--auth', 'memory:alice:secret', '--allow-plaintext-auth'], {
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
  return { port, stop: () => child.kill() };
}

export default async function imapBench(): Promise<BenchCase[]> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'torsion-imap-bench-'));
  let dovecot: Dovecot | undefined;
  let torsion: { port: number; stop(): void } | undefined;
  const sessions: Session[] = [];
  try {
    fillMaildir(join(dir, 'seed'));
    cpSync(join(dir, 'seed'), join(dir, 'torsion', 'alice'), { recursive: true });
    dovecot = await startDovecot({ alice: 'secret' }, (maildir) => {
      rmSync(maildir('alice'), { recursive: true, force: true });
      cpSync(join(dir, 'seed'), maildir('alice'), { recursive: true });
    }, 'imap');
    torsion = await startTorsion(join(dir, 'torsion'));
    const subjects = ['torsion', 'dovecot'] as const;
    const ports = { torsion: torsion.port, dovecot: dovecot.port };
    const open = { torsion: await Session.open(ports.torsion), dovecot: await Session.open(ports.dovecot) };
    sessions.push(open.torsion, open.dovecot);
    const fetchAll = async (s: (typeof subjects)[number]): Promise<number> => {
      await open[s].run('SELECT INBOX');
      return open[s].run('FETCH 1:* (FLAGS ENVELOPE)');
    };
    const selectSearch = async (s: (typeof subjects)[number]): Promise<number> => (await open[s].run('SELECT INBOX')) + (await open[s].run('SEARCH SUBJECT needle'));
    for (const s of subjects) {
      await fetchAll(s);
      await selectSearch(s);
    }
    const fetched = await interleaved(subjects, fetchAll, ROUNDS);
    const searched = await interleaved(subjects, selectSearch, ROUNDS);
    return [
      { name: `imap: FETCH 1:* (FLAGS ENVELOPE) on ${MESSAGES} messages`, higherIsBetter: false, goal: '>= 0.5x Dovecot', measurements: subjects.map((s) => fromSamples(s, fetched[s], 'ms')) },
      { name: `imap: SELECT + SEARCH SUBJECT on ${MESSAGES} messages`, higherIsBetter: false, goal: '>= 0.5x Dovecot', measurements: subjects.map((s) => fromSamples(s, searched[s], 'ms')) },
    ];
  } finally {
    for (const s of sessions) s.close();
    torsion?.stop();
    await dovecot?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
