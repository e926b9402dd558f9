/**
 * NNTP server: `OVER` across a group of 100,000 articles (NNTP_BENCH_ARTICLES to change it), in overview
 * lines per second — `torsion news`'s server on its default SQLite store (in a child process) against INN2
 * (innd handing the reader to nnrpd after MODE READER, Debian package inn2) in the same run. Both are
 * filled with the same articles (Torsion's store in one batch, INN by a streaming TAKETHIS feed) and read
 * by the same raw-socket client, which sends `GROUP` then times `OVER 1-N` to its terminating dot; best of
 * three. INN runs with `nnrpdcheckart: false` (see below).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchCase } from './harness.js';
import { DbNewsStorage, parseArticle } from '../src/nntp/index.js';
import { startInn } from '../src/nntp/test-support/inn.js';

const ARTICLES = Number(process.env.NNTP_BENCH_ARTICLES ?? 100_000);
const GROUP = 'bench.group';
const ROUNDS = 3;

function articleText(i: number): string {
  return [
    'Path: bench.example.org!not-for-mail',
    `From: poster${i % 97}@example.org`,
    `Newsgroups: ${GROUP}`,
    `Subject: Benchmark article number ${i} about overview speed`,
    `Message-ID: <bench${i}@example.org>`,
    'Date: Sat, 05 Dec 2026 08:00:00 +0000',
    i > 1 ? `References: <bench${i - 1}@example.org>` : 'X-First: yes',
    '',
    `Body of article ${i}.`,
    'A second line.',
    '',
  ].join('\r\n');
}

/** A line-reading socket: `send` writes, `until` resolves once a received line passes the test. */
async function rawClient(port: number): Promise<{ send(s: string): void; until(test: (line: string) => boolean): Promise<number>; close(): void }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffer = '';
  let lines = 0;
  let waiter: { test: (line: string) => boolean; resolve: (n: number) => void } | undefined;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl - (buffer[nl - 1] === '\r' ? 1 : 0));
      buffer = buffer.slice(nl + 1);
      lines++;
      if (waiter && waiter.test(line)) {
        const w = waiter;
        waiter = undefined;
        w.resolve(lines);
        lines = 0;
      }
    }
  });
  return {
    send: (s) => socket.write(s, 'latin1'),
    until: (test) => new Promise((resolve) => (waiter = { test, resolve })),
    close: () => socket.destroy(),
  };
}

/** Overview lines per second of `OVER 1-N` on a server at `port`, best of {@link ROUNDS}. */
async function measureOver(port: number, modeReader: boolean): Promise<number> {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const c = await rawClient(port);
    const greeted = c.until(() => true);
    await greeted;
    if (modeReader) {
      const ready = c.until(() => true);
      c.send('MODE READER\r\n');
      await ready;
    }
    const selected = c.until((l) => /^211 /.test(l));
    c.send(`GROUP ${GROUP}\r\n`);
    await selected;
    const start = performance.now();
    const done = c.until((l) => l === '.');
    c.send(`OVER 1-${ARTICLES}\r\n`);
    const lines = await done;
    const seconds = (performance.now() - start) / 1000;
    if (lines - 2 !== ARTICLES) throw new Error(`OVER gave ${lines - 2} lines, expected ${ARTICLES}`);
    best = Math.max(best, ARTICLES / seconds);
    c.close();
  }
  return best;
}

async function torsion(dir: string): Promise<number> {
  const filename = join(dir, 'news.sqlite');
  const store = new DbNewsStorage({ filename });
  await store.createGroup(GROUP);
  const limits = { maxHeaderCount: 100, maxHeaderBytes: 65536 };
  for (let i = 1; i <= ARTICLES; i += 5000) {
    const batch = [];
    for (let j = i; j < Math.min(i + 5000, ARTICLES + 1); j++) {
      const text = articleText(j);
      batch.push({ article: parseArticle(text, limits), text, arrived: j });
    }
    await store.storeArticles(batch);
  }
  await store.close();
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./support/nntp-server.ts', import.meta.url).pathname, filename], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = Number((await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value);
    return await measureOver(port, false);
  } finally {
    child.kill();
  }
}

async function inn(): Promise<number> {
  // nnrpd's default checks that each article's file exists before giving its overview line; Torsion's
  // store has no such second look, so it is off here to compare the overview paths alone.
  const server = await startInn([GROUP], { nnrpdcheckart: 'false' });
  try {
    const feed = await rawClient(server.port);
    await feed.until(() => true);
    let modeLine = '';
    const streaming = feed.until((l) => ((modeLine = l), true));
    feed.send('MODE STREAM\r\n');
    await streaming;
    if (!modeLine.startsWith('203')) throw new Error(`INN refused streaming: ${modeLine}`);
    for (let i = 1; i <= ARTICLES; i += 1000) {
      const last = Math.min(i + 999, ARTICLES);
      let answered = 0;
      const batchDone = feed.until(() => ++answered === last - i + 1);
      let out = '';
      for (let j = i; j <= last; j++) out += `TAKETHIS <bench${j}@example.org>\r\n${articleText(j).replace(/^\./gm, '..')}.\r\n`;
      feed.send(out);
      await batchDone;
    }
    feed.close();
    // innd writes overview as it files; wait until the reader side sees every article.
    for (let tries = 0; ; tries++) {
      const c = await rawClient(server.port);
      await c.until(() => true);
      const r = c.until(() => true);
      c.send('MODE READER\r\n');
      await r;
      let count = 0;
      const g = c.until((l) => {
        count = Number(l.split(' ')[1]);
        return true;
      });
      c.send(`GROUP ${GROUP}\r\n`);
      await g;
      c.close();
      if (count >= ARTICLES) break;
      if (tries > 600) throw new Error(`INN holds ${count} of ${ARTICLES} articles`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return await measureOver(server.port, true);
  } finally {
    await server.stop();
  }
}

export default async function nntpBench(): Promise<BenchCase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-nntp-bench-'));
  try {
    const ours = await torsion(dir);
    const theirs = await inn();
    return [
      {
        name: `NNTP OVER across ${ARTICLES.toLocaleString('en')} articles`,
        higherIsBetter: true,
        goal: '>= 1x INN2',
        measurements: [
          { subject: 'torsion', value: ours, unit: 'lines/s' },
          { subject: 'inn2', value: theirs, unit: 'lines/s' },
        ],
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
