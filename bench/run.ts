/**
 * `npm run bench [--force] [name...]`: runs every bench/*.bench.ts (or those whose file name starts with a
 * given name) and prints one table with Torsion's ratio against each alternative measured in the same run,
 * then rewrites those files' sections of bench/RESULTS.md.
 *
 * Quiet mode: the run is refused while the machine's 1-minute load average is above 1 (other work would
 * decide the numbers), unless `--force` is given; a forced run is marked as noisy in RESULTS.md. Benches pin
 * servers and load generators to separate cores (harness `pin`, `onLoadCore`) and repeat their cases in
 * interleaved rounds (harness `interleaved`); a ratio is then the median of the per-round ratios, with
 * their spread (lowest to highest).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { BenchCase, BenchFn, Measurement } from './harness.js';
import { median, pin } from './harness.js';

const dir = new URL('.', import.meta.url);
const args = process.argv.slice(2);
const force = args.includes('--force');
const wanted = args.filter((a) => !a.startsWith('--'));
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.ts'));
/** A name picks its own file (`web` is web.bench.ts, not websocket too), else every file it starts. */
function picked(w: string): string[] {
  const exact = all.filter((f) => f === w || f === `${w}.bench.ts`);
  return exact.length > 0 ? exact : all.filter((f) => f.startsWith(w));
}
const files = (wanted.length === 0 ? all : [...new Set(wanted.flatMap(picked))]).sort();

/** Every core of the machine (not `availableParallelism`, which a bench's pinning of this process narrows). */
const cores = cpus().length;
const load = loadavg()[0];
if (load > 1 && !force) {
  console.error(`bench: the 1-minute load average is ${load.toFixed(2)} (> 1): numbers now would measure the other work on this machine. Rerun when it is quiet, or with --force (then marked noisy).`);
  process.exit(2);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n >= 100 ? n.toFixed(0) : n.toFixed(2);
}

/** Torsion's advantage over `m` (> 1: Torsion ahead), per round when both have rounds. */
function ratios(c: BenchCase, ours: Measurement, m: Measurement): number[] {
  const r = (a: number, b: number) => (c.higherIsBetter ? a / b : b / a);
  if (ours.samples && m.samples && ours.samples.length === m.samples.length) return ours.samples.map((v, i) => r(v, m.samples![i]));
  return [r(ours.value, m.value)];
}

const header = ['benchmark', 'subject', 'value', 'unit', 'torsion ratio', 'spread', 'goal'];
const sections = new Map<string, string[][]>();
for (const file of files) {
  const rows: string[][] = [];
  const mod = (await import(new URL(file, dir).href)) as { default: BenchFn; variant?: string };
  // A bench run at another size than its default (say 10,000 live pages) keeps its own section.
  sections.set(mod.variant ? `${file}@${mod.variant}` : file, rows);
  let cases: BenchCase[];
  try {
    cases = await mod.default();
  } catch (e) {
    rows.push([file, 'ERROR', String((e as Error).message), '', '', '', '']);
    continue;
  } finally {
    // A bench may pin this process to the load core; the next one starts from every core again.
    pin(process.pid, `0-${cores - 1}`);
  }
  for (const c of cases) {
    const ours = c.measurements[0];
    for (const m of c.measurements) {
      let ratio = '';
      let spread = '';
      if (m !== ours) {
        const rs = ratios(c, ours, m);
        ratio = `${median(rs).toFixed(2)}x vs ${m.subject}`;
        spread = rs.length > 1 ? `${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)} (${rs.length} rounds)` : '1 round';
      }
      rows.push([c.name, m.subject, fmt(m.value), m.unit, ratio, spread, m === ours ? (c.goal ?? '') : '']);
    }
  }
  console.error(`done: ${file}`);
}

const table = [header, ...[...sections.values()].flat()];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const r of table) console.log(r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());

// ---------------------------------------------------------------- bench/RESULTS.md

const resultsPath = new URL('RESULTS.md', dir);
let previous = '';
try {
  previous = readFileSync(resultsPath, 'utf8');
} catch {
  // first run
}
const kept = new Map<string, string>();
for (const m of previous.matchAll(/<!-- bench:(\S+) -->\n[\s\S]*?<!-- \/bench:\1 -->\n/g)) kept.set(m[1], m[0]);

/**
 * A run narrowed by a selector (`BENCH_ONLY`, `BENCH_SSH_ONLY`, `BENCH_C10K_CASES`, `BENCH_IRC_C10K=0`...)
 * measures only some of a bench's cases; the rows it did not rerun stay in the section, under the date of
 * the run that measured them. A full run drops them, so a case removed from a bench leaves the table.
 */
const narrowed = Object.entries(process.env).some(([k, v]) => /^BENCH_(\w+_)?(ONLY|CASES)$/.test(k) || (k === 'BENCH_IRC_C10K' && v === '0'));

/** Rows of a previous section, each with the line saying when it was measured. */
function previousRows(section: string): { when: string; row: string }[] {
  const out: { when: string; row: string }[] = [];
  let when = '';
  for (const line of section.split('\n')) {
    const stamp = /^(?:Not rerun this time.*?from the previous run, )?(\d{4}-\d\d-\d\d \d\d:\d\d UTC, Node .*?):?$/.exec(line);
    if (stamp) when = stamp[1];
    else if (line.startsWith('| ') && !line.startsWith(`| ${header[0]} |`)) out.push({ when, row: line });
  }
  return out;
}

/** The key of a table row: its benchmark and subject cells. */
const rowKey = (row: string) => row.split(' | ').slice(0, 2).join(' | ');

const when = new Date().toISOString().replace(/:\d\d\.\d+Z$/, ' UTC').replace('T', ' ');
const quiet = load <= 1 ? `load ${load.toFixed(2)}` : `load ${load.toFixed(2)}, forced: NOISY, the machine was busy`;
const cell = (s: string) => s.replace(/\|/g, '\\|');
for (const [file, rows] of sections) {
  // A run that printed its samples elsewhere (an A/B selector such as SCALE_SUBJECTS) leaves its section be.
  if (rows.length === 0) continue;
  const lines = [
    `<!-- bench:${file} -->`,
    `## ${file.replace('.bench.ts', '').replace('@', ', ')}`,
    '',
    `${when}, Node ${process.version}, ${quiet}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
    ...notRerun(file, rows),
    `<!-- /bench:${file} -->`,
    '',
  ];
  kept.set(file, lines.join('\n'));
}
/** The previous rows of `file` this narrowed run did not measure, grouped by when they were. */
function notRerun(file: string, rows: string[][]): string[] {
  const section = kept.get(file);
  if (!narrowed || section === undefined) return [];
  const ran = new Set(rows.map((r) => rowKey(`| ${r.map(cell).join(' | ')} |`)));
  const groups = new Map<string, string[]>();
  for (const { when, row } of previousRows(section)) {
    if (ran.has(rowKey(row))) continue;
    groups.set(when, [...(groups.get(when) ?? []), row]);
  }
  return [...groups].flatMap(([when, old]) => [
    `Not rerun this time (a subset of the cases ran); from the previous run, ${when}:`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...old,
    '',
  ]);
}
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const doc = [
  '# Benchmark results',
  '',
  'Regenerated by `npm run bench` (each run rewrites the sections of the benches it ran; `npm run bench web` only the `web` one; a run narrowed to some cases keeps the other rows, under the date they were measured).',
  'A ratio is Torsion against the alternative, > 1 meaning Torsion is ahead (rate / rate, or cost / cost inverted).',
  'Where a case ran in interleaved rounds the ratio is the median of the per-round ratios and the spread is their lowest to highest.',
  'Servers run pinned to core 0 and load generators to core 1 (`taskset`).',
  '',
  `Machine: ${cpu}, ${cores} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; last run ${when} with Node ${process.version}.`,
  '',
  ...[...kept.keys()].sort().map((k) => kept.get(k)!),
].join('\n');
if ([...sections.values()].some((rows) => rows.length > 0)) writeFileSync(resultsPath, doc);
