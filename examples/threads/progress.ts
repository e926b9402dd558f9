/**
 * A worker that talks to the main loop while it works, with a pool of its own:
 *   node -C torsion-source --import tsx examples/threads/progress.ts
 */
import { reactor } from 'torsion/internet';
import { ThreadPool, deferToThreadPool, exposeToThreads, task } from 'torsion/threads';
import type * as Hash from './hash.js';

// Functions the worker may call on the main loop, by name.
exposeToThreads('salt', () => 'pepper');
exposeToThreads('progress', (done: number, of: number) => console.log(`progress: ${done}/${of}`));

const pool = new ThreadPool({ minThreads: 0, maxThreads: 2 });
const salted = task<typeof Hash.saltedDigest>(new URL('./hash.js', import.meta.url), 'saltedDigest');

const hex = await deferToThreadPool(reactor, pool, salted, new TextEncoder().encode('hello, threads'), 4);
console.log(`salted sha256: ${hex.slice(0, 16)}...`);
await pool.stop();
console.log('pool stopped');
