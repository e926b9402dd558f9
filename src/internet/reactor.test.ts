import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Deferred } from '../defer/index.js';
import { NodeReactor, ReactorAlreadyRunning, ReactorNotRunning } from './reactor.js';
import { Factory, Protocol } from './protocol.js';
import { ThreadsNotLoadedError } from './error.js';

test('seconds() is monotonic and near the wall clock', () => {
  const r = new NodeReactor();
  const a = r.seconds();
  const b = r.seconds();
  assert.ok(b >= a);
  assert.ok(Math.abs(a - Date.now() / 1000) < 5);
});

test('run fires startup triggers and callWhenRunning; stop awaits before-shutdown Deferreds', async () => {
  const r = new NodeReactor();
  const events: string[] = [];
  r.addSystemEventTrigger('before', 'startup', () => events.push('before startup'));
  r.callWhenRunning((x: string) => events.push(`running ${x}`), 'yes');
  const slow = new Deferred<void>();
  r.addSystemEventTrigger('before', 'shutdown', () => {
    events.push('before shutdown');
    return slow;
  });
  r.addSystemEventTrigger('during', 'shutdown', () => events.push('during shutdown'));
  r.addSystemEventTrigger('after', 'shutdown', () => events.push('after shutdown'));
  const removed = r.addSystemEventTrigger('after', 'shutdown', () => events.push('removed'));
  r.removeSystemEventTrigger(removed);
  const done = r.run({ installSignalHandlers: false });
  await new Promise((res) => setImmediate(res));
  assert.equal(r.running, true);
  assert.throws(() => void r.run(), ReactorAlreadyRunning);
  r.callWhenRunning(() => events.push('at once'));
  r.stop();
  await new Promise((res) => setTimeout(res, 20));
  assert.deepEqual(events.slice(-1), ['before shutdown']); // still waiting for `slow`
  slow.callback(undefined);
  await done;
  assert.deepEqual(events, ['before startup', 'running yes', 'at once', 'before shutdown', 'during shutdown', 'after shutdown']);
  assert.equal(r.running, false);
  assert.throws(() => r.stop(), ReactorNotRunning);
});

test('stop closes listening ports and live connections', async () => {
  const r = new NodeReactor();
  const lost: string[] = [];
  class P extends Protocol {
    override connectionLost(reason: import('../defer/index.js').Failure): void {
      lost.push(reason.value.name);
    }
  }
  const done = r.run({ installSignalHandlers: false });
  const port = r.listenTCP(0, Factory.forProtocol(P), { interface: '127.0.0.1' });
  const { ClientFactory } = await import('./protocol.js');
  const made = new Deferred<void>();
  class C extends Protocol {
    override connectionMade(): void {
      made.callback(undefined);
    }
  }
  const cf = new ClientFactory();
  cf.protocol = C;
  r.connectTCP('127.0.0.1', (port.getHost() as unknown as { port: number }).port, cf);
  await made;
  assert.equal(r.resources.size, 3);
  r.stop();
  await done;
  assert.equal(r.resources.size, 0);
  assert.ok(lost.length >= 1);
});

test('callFromThread runs on a later turn and errors in delayed calls do not stop the reactor', async () => {
  const r = new NodeReactor();
  const seen: number[] = [];
  const ran = new Deferred<void>();
  r.callFromThread((n: number) => {
    seen.push(n);
    ran.callback(undefined);
  }, 1);
  assert.deepEqual(seen, []);
  const orig = console.error;
  console.error = () => {};
  try {
    r.callLater(0, () => {
      throw new Error('boom');
    });
    const d = new Deferred<void>();
    r.callLater(0.005, () => d.callback(undefined));
    await d;
    await ran;
  } finally {
    console.error = orig;
  }
  assert.deepEqual(seen, [1]);
});

test('SIGTERM stops a running reactor gracefully, awaiting before-shutdown triggers; pending calls do not hold the process', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./test-support/sigterm-reactor.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  await new Promise<void>((res) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('running')) res();
    });
  });
  child.kill('SIGTERM');
  const code = await exited;
  assert.equal(code, 0);
  assert.deepEqual(out.trim().split('\n'), ['running', 'before-shutdown-done', 'after-shutdown', 'run-returned']);
});

test('before torsion/threads is loaded, getThreadPool throws ThreadsNotLoadedError and a suggested size is kept', async () => {
  // This file imports no thread code statically (src/import-graph.test.ts proves the reactor does not).
  const r = new NodeReactor();
  assert.throws(() => r.getThreadPool(), (e: unknown) => e instanceof ThreadsNotLoadedError && e.code === 'TORSION_THREADS_NOT_LOADED');
  r.suggestThreadPoolSize(3);
  const { stopDefaultThreadPool } = await import('../threads/index.js');
  const done = r.run({ installSignalHandlers: false });
  assert.equal(r.getThreadPool().max, 3);
  r.stop();
  await done;
  await stopDefaultThreadPool();
});

test('getThreadPool returns the default pool of torsion/threads and shutdown stops it', async () => {
  const { getDefaultThreadPool } = await import('../threads/index.js');
  const r = new NodeReactor();
  const done = r.run({ installSignalHandlers: false });
  const pool = r.getThreadPool();
  assert.equal(pool, getDefaultThreadPool());
  r.suggestThreadPoolSize(2);
  r.stop();
  await done;
  assert.notEqual(getDefaultThreadPool(), pool); // the stopped pool was dropped; a fresh one is made on demand
});
