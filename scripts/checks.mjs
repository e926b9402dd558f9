#!/usr/bin/env node
// Runs the named npm scripts at once (the typecheck and the linters are each single-threaded) and prints
// each one's output whole, in the order given; exits non-zero if any failed.
//   node scripts/checks.mjs typecheck lint:eslint lint:deps
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const names = process.argv.slice(2);
const runs = names.map(
  (name) =>
    new Promise((resolve) => {
      const started = performance.now();
      const child = spawn('npm', ['run', '-s', name], { stdio: ['ignore', 'pipe', 'pipe'] });
      const output = [];
      child.stdout.on('data', (d) => output.push(d));
      child.stderr.on('data', (d) => output.push(d));
      child.on('close', (code) => resolve({ name, code, output: Buffer.concat(output), seconds: (performance.now() - started) / 1000 }));
    }),
);
let failed = false;
for (const run of runs) {
  const { name, code, output, seconds } = await run;
  process.stdout.write(output);
  console.log(`checks: ${name} ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s`);
  if (code !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
