/**
 * `npm run bench [name...]`: runs every bench/*.bench.ts (or those named) and prints one table
 * with Torsion's ratio against each alternative measured in the same run.
 */
import { readdirSync } from 'node:fs';
import type { BenchCase, BenchFn } from './harness.js';

const dir = new URL('.', import.meta.url);
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n >= 100 ? n.toFixed(0) : n.toFixed(2);
}

const rows: string[][] = [['benchmark', 'subject', 'value', 'unit', 'torsion ratio', 'goal']];
for (const file of files) {
  const mod = (await import(new URL(file, dir).href)) as { default: BenchFn };
  let cases: BenchCase[];
  try {
    cases = await mod.default();
  } catch (e) {
    rows.push([file, 'ERROR', String((e as Error).message), '', '', '']);
    continue;
  }
  for (const c of cases) {
    const ours = c.measurements[0];
    for (const m of c.measurements) {
      const ratio = m === ours ? '' : `${(c.higherIsBetter ? ours.value / m.value : m.value / ours.value).toFixed(2)}x vs ${m.subject}`;
      rows.push([c.name, m.subject, fmt(m.value), m.unit, ratio, m === ours ? (c.goal ?? '') : '']);
    }
  }
  console.error(`done: ${file}`);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
