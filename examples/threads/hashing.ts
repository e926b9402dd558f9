/**
 * Hash 64 MiB in a worker thread while the main loop keeps ticking:
 *   node -C torsion-source --import tsx examples/threads/hashing.ts
 */
import { Failure } from 'torsion/defer';
import { deferToThread, task, transfer } from 'torsion/threads';
import type * as Hash from './hash.js';

const HASH = new URL('./hash.js', import.meta.url);

const bytes = new Uint8Array(64 << 20).fill(0x61);

// The main loop stays free: count how often a 10 ms timer gets to run while the worker hashes.
let ticks = 0;
const ticker = setInterval(() => ticks++, 10);

// A module URL and an export name; the bytes are moved to the worker, not copied.
const hex = await deferToThread<string>(HASH, 'digest', transfer(bytes));
clearInterval(ticker);
console.log(`sha256: ${hex}`);
console.log(`bytes left on the main thread: ${bytes.byteLength}`);
console.log(`main loop ran its timer while hashing: ${ticks > 0 ? 'yes' : 'no'}`);

// A typed task handle: arguments and result are checked by TypeScript.
const root = task<typeof Hash.mustBePositive>(HASH, 'mustBePositive');
console.log(`sqrt(81) = ${await deferToThread(root, 81)}`);

// An error in the worker arrives as a Failure whose traceback is the worker's stack.
await deferToThread(root, -1).addErrback((f: Failure) => {
  console.log(`failed: ${f.value.name}: ${f.getErrorMessage()}`);
  console.log(`traceback names the task: ${/mustBePositive/.test(f.getTraceback())}`);
});
// No stop needed: idle workers do not keep the process alive.
