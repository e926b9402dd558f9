import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { reactor } from '../internet/index.js';
import { eventually, requirePeer, startPeerProgram, type PeerProgram } from '../testing/index.js';
import { connectRedisBus, type RedisBus } from './index.js';
import { busContract } from './test-support/contract.js';

const limits = { presenceTtl: 2, heartbeat: 0.3, reconnectDelay: 0.05, maxReconnectDelay: 0.5 };
let redis: PeerProgram;
let prefixes = 0;

function startRedis(port?: number): Promise<PeerProgram> {
  return startPeerProgram({
    executable: requirePeer('redis-server', 'redis-server'),
    args: (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: /Ready to accept connections/,
    port,
  });
}

/** Two nodes on their own key prefix, so the tests share one Redis without seeing each other's keys. */
async function pair(): Promise<{ a: RedisBus; b: RedisBus }> {
  const prefix = `test${prefixes++}:`;
  const url = `redis://127.0.0.1:${redis.port}/0`;
  const [a, b] = await Promise.all([connectRedisBus(url, { reactor, nodeId: 'node-a', prefix, limits }), connectRedisBus(url, { reactor, nodeId: 'node-b', prefix, limits })]);
  return { a, b };
}

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});

busContract('redis bus', async () => {
  const { a, b } = await pair();
  return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
});

test('redis bus: a node killed without withdrawing loses its keys after presenceTtl', { timeout: 20_000 }, async () => {
  const { a, b } = await pair();
  await a.announce('user:ann');
  assert.equal(await a.claim('nick:ann'), true);
  await new Promise((res) => setTimeout(res, 3000));
  assert.equal(await b.whereIs('nick:ann'), 'node-a', 'kept alive by the heartbeat past the TTL');
  a.abandon();
  try {
    await eventually(async () => (await b.whereIs('user:ann')) === undefined, { timeout: 10 });
    await eventually(() => b.claim('nick:ann'), { timeout: 10 });
  } finally {
    await b.close();
  }
});

test('redis bus: a key claimed after the last heartbeat is free the moment the node\'s other keys are', { timeout: 20_000 }, async () => {
  const { a, b } = await pair();
  await a.announce('node:a');
  await new Promise((res) => setTimeout(res, 500));
  assert.equal(await a.claim('nick:late'), true);
  a.abandon();
  try {
    await eventually(async () => (await b.whereIs('node:a')) === undefined, { timeout: 10, interval: 0.01 });
    assert.equal(await b.claim('nick:late'), true, 'no later than the key announced first');
  } finally {
    await b.close();
  }
});

test('redis bus: Redis restarts mid-stream; nodes reconnect, re-announce, and messages flow again', { timeout: 60_000 }, async () => {
  const { a, b } = await pair();
  const got: number[] = [];
  await a.subscribe('room', (d) => got.push(d as number));
  await a.announce('user:ann');
  assert.equal(await a.claim('nick:ann'), true);
  let n = 0;
  let running = true;
  const sender = (async () => {
    while (running) {
      await b.publish('room', n++);
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  await eventually(() => got.length > 5);
  const port = redis.port;
  await redis.stop();
  redis = await startRedis(port);
  const afterRestart = n;
  await eventually(() => got.some((x) => x > afterRestart + 5), { timeout: 20 });
  await eventually(async () => (await b.whereIs('user:ann')) === 'node-a', { timeout: 10 });
  assert.equal(await b.whereIs('nick:ann'), 'node-a', 'the claim was set again after the restart');
  assert.equal(await b.claim('nick:ann'), false);
  running = false;
  await sender;
  assert.deepEqual(got, [...got].sort((x, y) => x - y), 'in order, none twice');
  assert.equal(new Set(got).size, got.length);
  await Promise.all([a.close(), b.close()]);
});
