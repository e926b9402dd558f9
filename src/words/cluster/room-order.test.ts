import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../testing/index.js';
import { RoomOrder } from './index.js';

function order(limits = { gapWait: 2, maxPendingPerRoom: 3 }): { clock: Clock; o: RoomOrder<string>; got: string[] } {
  const clock = new Clock();
  const got: string[] = [];
  const o = new RoomOrder<string>(clock, limits, (room, e) => got.push(`${room}:${e}`));
  return { clock, o, got };
}

test('room order: events wait for the missing ones; rooms are separate', () => {
  const { o, got } = order();
  o.add('#a', 5, 'five');
  o.add('#a', 7, 'seven');
  o.add('#b', 1, 'b-one');
  o.add('#a', 6, 'six');
  assert.deepEqual(got, ['#a:five', '#b:b-one', '#a:six', '#a:seven']);
  assert.equal(o.applied('#a'), 7);
});

test('room order: a gap is skipped after gapWait, or at once past maxPendingPerRoom', () => {
  const { clock, o, got } = order();
  o.add('#a', 1, 'one');
  o.add('#a', 3, 'three');
  clock.advance(1.9);
  assert.deepEqual(got, ['#a:one']);
  clock.advance(0.1);
  assert.deepEqual(got, ['#a:one', '#a:three']);
  for (const n of [5, 6, 7, 8]) o.add('#a', n, String(n));
  assert.deepEqual(got.slice(2), ['#a:5', '#a:6', '#a:7', '#a:8'], 'four waiting is more than three: skipped without waiting');
  assert.equal(o.skipped, 2);
});

test('room order: a late event after its gap was skipped is still applied; a counter that restarts at 1 starts the room again', () => {
  const { clock, o, got } = order();
  o.add('#a', 1, 'one');
  o.add('#a', 3, 'three');
  clock.advance(2);
  o.add('#a', 2, 'late two');
  assert.deepEqual(got, ['#a:one', '#a:three', '#a:late two']);
  o.add('#a', 2, 'after restart two');
  o.add('#a', 1, 'after restart one');
  assert.deepEqual(got.slice(3), ['#a:after restart two', '#a:after restart one']);
  o.add('#a', 3, 'after restart three');
  assert.deepEqual(got.slice(5), [], 'two was taken as late; three waits for it');
  clock.advance(2);
  assert.deepEqual(got.slice(5), ['#a:after restart three']);
});

test('room order: startAfter starts a room where a running node is, dropping what its state holds; sweep forgets idle rooms', () => {
  const { o, got } = order();
  o.add('#b', 12, 'twelve, before the state came');
  o.startAfter('#b', 12);
  assert.deepEqual(got, ['#b:twelve, before the state came'], 'a room already started keeps its place');
  o.startAfter('#a', 10);
  o.add('#a', 9, 'in the state');
  o.add('#a', 10, 'in the state too');
  o.add('#a', 11, 'eleven');
  assert.deepEqual(got.slice(1), ['#a:eleven']);
  o.sweep(() => false);
  o.sweep(() => false);
  assert.equal(o.applied('#a'), 0);
});
