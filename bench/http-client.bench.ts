/**
 * torsion/web client: GETs per second against one keep-alive node:http server (in its own process, pinned
 * to core 0 when `taskset` exists), Torsion's `Agent` + `readBody` against undici's `request`, one request
 * in flight and ten in flight. Rounds alternate between the clients; the best round of each counts.
 */
import { fork, spawnSync } from 'node:child_process';
import { Agent as UndiciAgent, request as undiciRequest } from 'undici';
import { reactor } from '../src/internet/reactor.js';
import { Agent, HTTPConnectionPool, readBody } from '../src/web/client/index.js';
import { opsPerSecond, type BenchCase } from './harness.js';

/** Short rounds, alternating between the clients, best of each: on a shared machine a slow round is noise. */
const SECONDS = 0.6;
const ROUNDS = 6;

async function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = fork(new URL('./support/http-client-server.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (spawnSync('taskset', ['--version']).status === 0) spawnSync('taskset', ['-a', '-p', '-c', '0', String(child.pid)]);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', () => reject(new Error('server exited')));
  });
  return { port, stop: () => child.kill() };
}

/** Client-process CPU (user + system) per request over 2000 requests: steadier than req/s on a busy machine. */
async function cpuPerRequest(fn: () => Promise<unknown>, perCall: number): Promise<number> {
  const n = Math.ceil(2000 / perCall);
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (n * perCall);
}

export default async function (): Promise<BenchCase[]> {
  const server = await startServer();
  const url = `http://127.0.0.1:${server.port}/`;
  const pool = new HTTPConnectionPool(reactor);
  pool.maxPersistentPerHost = 10;
  const agent = new Agent(reactor, { pool });
  const dispatcher = new UndiciAgent({ connections: 10 });
  const torsionGet = (): Promise<Uint8Array> => agent.request('GET', url).addCallback(readBody).asPromise();
  const undiciGet = async (): Promise<unknown> => {
    const { body } = await undiciRequest(url, { dispatcher });
    return body.arrayBuffer();
  };
  const cases: BenchCase[] = [];
  try {
    for (const inFlight of [1, 10]) {
      const batch = (get: () => Promise<unknown>) => () => Promise.all(Array.from({ length: inFlight }, get));
      let ours = 0;
      let theirs = 0;
      for (let round = 0; round < ROUNDS; round++) {
        ours = Math.max(ours, await opsPerSecond(batch(torsionGet), inFlight, SECONDS));
        theirs = Math.max(theirs, await opsPerSecond(batch(undiciGet), inFlight, SECONDS));
      }
      if (inFlight === 10) {
        let ourCpu = Infinity;
        let theirCpu = Infinity;
        for (let round = 0; round < 3; round++) {
          ourCpu = Math.min(ourCpu, await cpuPerRequest(batch(torsionGet), inFlight));
          theirCpu = Math.min(theirCpu, await cpuPerRequest(batch(undiciGet), inFlight));
        }
        cases.push({
          name: 'web client: client CPU per GET, 10 in flight',
          higherIsBetter: false,
          measurements: [
            { subject: 'torsion', value: ourCpu, unit: 'us' },
            { subject: 'undici', value: theirCpu, unit: 'us' },
          ],
        });
      }
      cases.push({
        name: `web client: keep-alive GETs, ${inFlight} in flight`,
        higherIsBetter: true,
        goal: '>= 0.8x undici',
        measurements: [
          { subject: 'torsion', value: ours, unit: 'req/s' },
          { subject: 'undici', value: theirs, unit: 'req/s' },
        ],
      });
    }
  } finally {
    await pool.closeCachedConnections();
    await dispatcher.close();
    server.stop();
  }
  return cases;
}
