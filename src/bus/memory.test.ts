import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../testing/index.js';
import { MemoryBusHub } from './index.js';
import { busContract } from './test-support/contract.js';

busContract('memory bus', async () => {
  const hub = new MemoryBusHub(new Clock());
  const a = hub.connect({ nodeId: 'node-a' });
  const b = hub.connect({ nodeId: 'node-b' });
  return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
});

test('memory bus: presence lives while the heartbeat runs and expires presenceTtl after the node stops', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const limits = { presenceTtl: 15, heartbeat: 5 };
  const a = hub.connect({ nodeId: 'a', limits });
  const b = hub.connect({ nodeId: 'b', limits });
  await a.announce('user:ann');
  assert.equal(await a.claim('nick:ann'), true);
  for (let i = 0; i < 12; i++) clock.advance(5);
  assert.equal(await b.whereIs('user:ann'), 'a', 'refreshed by the heartbeat past many TTLs');
  assert.equal(await b.claim('nick:ann'), false);
  a.abandon();
  clock.advance(14);
  assert.equal(await b.whereIs('nick:ann'), 'a', 'still held until the TTL runs out');
  clock.advance(6);
  assert.equal(await b.whereIs('user:ann'), undefined);
  assert.equal(await b.claim('nick:ann'), true, 'the expired claim is free');
  await b.close();
});

test('memory bus: a key set after the last heartbeat frees together with the node\'s other keys', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const a = hub.connect({ nodeId: 'a', limits: { presenceTtl: 15, heartbeat: 5 } });
  const b = hub.connect({ nodeId: 'b' });
  await a.announce('node:a');
  clock.advance(5);
  clock.advance(1);
  assert.equal(await a.claim('nick:late'), true);
  a.abandon();
  clock.advance(13.9);
  assert.equal(await b.whereIs('nick:late'), 'a', 'alive until presenceTtl after the last heartbeat');
  clock.advance(0.1);
  assert.equal(await b.whereIs('node:a'), undefined);
  assert.equal(await b.claim('nick:late'), true, 'free when the node is, though set a second after its last heartbeat');
  await b.close();
});

test('memory bus: a throwing handler does not keep the others from their message', async () => {
  const hub = new MemoryBusHub(new Clock());
  const a = hub.connect();
  const got: unknown[] = [];
  await a.subscribe('c', () => {
    throw new Error('handler bug');
  });
  await a.subscribe('c', (d) => got.push(d));
  await a.publish('c', 'x');
  assert.deepEqual(got, ['x']);
  await a.close();
});
