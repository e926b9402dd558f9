import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linesAfter, resumePoints } from './chat-resume.js';
import type { WebLine } from './interfaces.js';

const line = (id: string): WebLine => ({ id, time: 0, from: 'ann', to: '#room', text: id, kind: 'message', room: '#room', action: false });

test('the lines after the last one the page had, once each, when the history still holds it', () => {
  const history = ['a', 'b', 'c', 'd', 'e'].map(line);
  assert.deepEqual(linesAfter(['a', 'b', 'c'].map(line), history), { lines: [line('d'), line('e')], gap: false });
  assert.deepEqual(linesAfter([line('e')], history), { lines: [], gap: false });
  assert.deepEqual(linesAfter([], history), { lines: history, gap: false });
});

test('more lines missed than the history holds: every line not shown, and a gap', () => {
  const history = ['x', 'y', 'z'].map(line);
  assert.deepEqual(linesAfter(['a', 'b'].map(line), history), { lines: history, gap: true });
  assert.deepEqual(linesAfter(['y', 'q'].map(line), history), { lines: [line('x'), line('z')], gap: true });
});

test('where a page goes on after losing its node: per room, its last room number (its own lines have none)', () => {
  const numbered = (id: string, seq: number): WebLine => ({ ...line(id), seq });
  const points = resumePoints({
    nick: 'ann',
    rooms: [
      { name: '#room', lines: [numbered('a', 3), numbered('b', 8), line('own'), numbered('c', 5)] },
      { name: '#quiet', lines: [line('own')] },
      { name: '#empty', lines: [] },
    ],
  });
  assert.deepEqual(points, { '#room': 8 }, 'rooms without numbered lines go by id');
});
