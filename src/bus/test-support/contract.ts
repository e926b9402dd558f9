/**
 * The behaviour every bus owes its users, run against each implementation (memory and Redis).
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../testing/index.js';
import type { BusEnvelope, IBus } from '../interfaces.js';
import { BusClosedError, BusMessageError, BusNameError } from '../errors.js';
import { BUS_LIMITS } from '../limits.js';
import { wrapperBytes } from '../validate.js';

/** Makes two connected nodes of one bus; `cleanup` closes what is left. */
export interface BusPair {
  a: IBus;
  b: IBus;
  cleanup(): Promise<void>;
}

/** Registers the contract tests, each on a fresh pair from `makePair`. */
export function busContract(name: string, makePair: () => Promise<BusPair>): void {
  const withPair = (title: string, fn: (p: BusPair) => Promise<void>): void => {
    test(`${name}: ${title}`, { timeout: 20_000 }, async () => {
      const pair = await makePair();
      try {
        await fn(pair);
      } finally {
        await pair.cleanup();
      }
    });
  };

  withPair('a message reaches every subscriber on every node once, with the sender id', async ({ a, b }) => {
    const gotA: [unknown, BusEnvelope][] = [];
    const gotB: [unknown, BusEnvelope][] = [];
    await a.subscribe('room', (d, e) => gotA.push([d, e]));
    await b.subscribe('room', (d, e) => gotB.push([d, e]));
    await a.publish('room', { text: 'hi', n: 1 });
    await b.publish('room', 'from b');
    await eventually(() => gotA.length === 2 && gotB.length === 2);
    // A marker after the two, so a late duplicate of the first messages would be seen.
    await a.publish('room', 'end');
    await eventually(() => gotA.length >= 3 && gotB.length >= 3);
    const expected = [
      [{ text: 'hi', n: 1 }, { from: a.nodeId, channel: 'room' }],
      ['from b', { from: b.nodeId, channel: 'room' }],
      ['end', { from: a.nodeId, channel: 'room' }],
    ];
    const byText = (x: [unknown, BusEnvelope]): string => JSON.stringify(x);
    assert.deepEqual(gotA.map(byText).sort(), expected.map((x) => JSON.stringify(x)).sort());
    assert.deepEqual(gotB.map(byText).sort(), expected.map((x) => JSON.stringify(x)).sort());
  });

  withPair('channels are separate and unsubscribe stops delivery', async ({ a, b }) => {
    const got: unknown[] = [];
    const sub = await b.subscribe('one', (d) => got.push(d));
    await b.subscribe('two', (d) => got.push(`two:${String(d)}`));
    await a.publish('one', 1);
    await eventually(() => got.length === 1);
    await sub.unsubscribe();
    await a.publish('one', 2);
    await a.publish('two', 3);
    await eventually(() => got.length === 2);
    assert.deepEqual(got, [1, 'two:3']);
  });

  withPair('of two simultaneous claims exactly one wins; the loser sees the holder', async ({ a, b }) => {
    for (let i = 0; i < 20; i++) {
      const [x, y] = await Promise.all([a.claim(`nick:${i}`), b.claim(`nick:${i}`)]);
      assert.equal(Number(x) + Number(y), 1, `claim ${i}`);
      assert.equal(await b.whereIs(`nick:${i}`), x ? a.nodeId : b.nodeId);
    }
    assert.equal(await a.claim('nick:solo'), true);
    assert.equal(await a.claim('nick:solo'), true, 'a holder claiming again keeps it');
    await a.withdraw('nick:solo');
    assert.equal(await b.claim('nick:solo'), true, 'free once withdrawn');
  });

  withPair('a counter gives each increment on any node a different value, counting from 1', async ({ a, b }) => {
    const values = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).increment('seq:#room')));
    assert.deepEqual([...values].sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.equal(await b.increment('seq:#other'), 1, 'counters are separate');
    await assert.rejects(a.increment(''), BusNameError);
  });

  withPair('a floor raises a counter that is behind (a restarted Redis) and never lowers one', async ({ a, b }) => {
    assert.equal(await a.increment('seq:#lost', 41), 42, 'a lost counter goes on after the floor');
    assert.equal(await b.increment('seq:#lost'), 43);
    assert.equal(await b.increment('seq:#lost', 10), 44, 'a floor below the counter changes nothing');
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).increment('seq:#lost', 44)));
    assert.deepEqual([...values].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 45));
  });

  withPair('a numbered publish reaches every node once with its number; numbers are shared with increment', async ({ a, b }) => {
    const gotA: [unknown, BusEnvelope][] = [];
    const gotB: [unknown, BusEnvelope][] = [];
    await a.subscribe('room', (d, e) => gotA.push([d, e]));
    await b.subscribe('room', (d, e) => gotB.push([d, e]));
    assert.equal(await a.increment('seq:#n'), 1);
    const seqs = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).publishNumbered('room', 'seq:#n', { i })));
    assert.deepEqual([...seqs].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 2));
    await eventually(() => gotA.length === 20 && gotB.length === 20);
    // A marker after them, so a late duplicate (the bus echoing a node's own message) would be seen.
    await a.publish('room', 'end');
    await eventually(() => gotA.length >= 21 && gotB.length >= 21);
    const expected = seqs.map((seq, i) => JSON.stringify([{ i }, { from: (i % 2 === 0 ? a : b).nodeId, channel: 'room', seq }]));
    expected.push(JSON.stringify(['end', { from: a.nodeId, channel: 'room' }]));
    for (const got of [gotA, gotB]) assert.deepEqual(got.map((x) => JSON.stringify(x)).sort(), [...expected].sort());
    assert.equal(await b.publishNumbered('room', 'seq:#lost', 'x', 41), 42, 'the floor works as for increment');
    await assert.rejects(a.publishNumbered('room', '', 1), BusNameError);
    await assert.rejects(a.publishNumbered('', 'seq:#n', 1), BusNameError);
  });

  withPair('each node gets a copy of what was published, never the publisher\'s object', async ({ a, b }) => {
    const got: { node: string; data: { n: number; list: number[] } }[] = [];
    const keep = (node: string) => (data: unknown) => void got.push({ node, data: data as { n: number; list: number[] } });
    await a.subscribe('room', keep('a'));
    await a.subscribe('room', keep('a'));
    await b.subscribe('room', keep('b'));
    const plain = { n: 1, list: [1] };
    await a.publish('room', plain);
    const numbered = { n: 2, list: [2] };
    const sent = a.publishNumbered('room', 'seq:#copies', numbered);
    // Changed by its publisher before its number is back: what was sent is what was published at the call.
    numbered.n = -2;
    numbered.list.push(-2);
    await sent;
    await eventually(() => got.length === 6);
    plain.list.push(-1);
    for (const { data } of got) {
      assert.ok(data !== plain && data !== numbered && data.list !== plain.list && data.list !== numbered.list);
    }
    assert.deepEqual(
      got.map(({ node, data }) => `${node}:${data.n}:${data.list.join()}`).sort(),
      ['a:1:1', 'a:1:1', 'a:2:2', 'a:2:2', 'b:1:1', 'b:2:2'],
    );
    // A subscriber changing its copy changes nothing for the other nodes.
    const [first] = got.filter((g) => g.node === 'a' && g.data.n === 1);
    first!.data.list.push(99);
    assert.deepEqual(got.find((g) => g.node === 'b' && g.data.n === 1)!.data.list, [1]);
  });

  withPair('the size limit counts a message as `{ from, data }` in JSON, whatever the bus carries', async ({ a, b }) => {
    // A string's JSON is its characters and two quotes.
    const fits = 'x'.repeat(BUS_LIMITS.maxMessageBytes - wrapperBytes(a.nodeId) - 2);
    const got: number[] = [];
    await b.subscribe('big', (d) => got.push((d as string).length));
    await a.publish('big', fits);
    await assert.rejects(a.publish('big', `${fits}x`), BusMessageError);
    await assert.rejects(a.publishNumbered('big', 'seq:#big', `${fits}x`), BusMessageError);
    await eventually(() => got.length === 1);
    assert.deepEqual(got, [fits.length]);
  });

  withPair('announce takes a key over; withdraw by a non-holder leaves it', async ({ a, b }) => {
    await a.announce('user:ann');
    assert.equal(await b.whereIs('user:ann'), a.nodeId);
    await b.withdraw('user:ann');
    assert.equal(await b.whereIs('user:ann'), a.nodeId);
    await b.announce('user:ann');
    assert.equal(await a.whereIs('user:ann'), b.nodeId);
    assert.equal(await a.whereIs('user:nobody'), undefined);
  });

  withPair('bad names and messages are refused; a closed node refuses everything and gives up its keys', async ({ a, b }) => {
    await assert.rejects(a.publish('', 1), BusNameError);
    await assert.rejects(a.claim('x'.repeat(10_000)), BusNameError);
    await assert.rejects(a.publish('room', undefined), BusMessageError);
    await assert.rejects(a.publish('room', 'x'.repeat(2 * 1024 * 1024)), BusMessageError);
    // The limit counts UTF-8 bytes: 600,000 characters of two bytes each are over 1 MiB.
    await assert.rejects(a.publish('room', '\u00e9'.repeat(600_000)), BusMessageError);
    await a.claim('nick:gone');
    await a.close();
    await assert.rejects(a.publish('room', 1), BusClosedError);
    assert.equal(await b.whereIs('nick:gone'), undefined);
  });
}
