import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred, isThenable } from './index.js';

test('isThenable: Promises, Deferreds and objects or functions with a callable then; nothing else', () => {
  const fn = Object.assign(() => undefined, { then: () => undefined });
  for (const yes of [Promise.resolve(1), new Deferred(), { then() {} }, fn]) assert.equal(isThenable(yes), true);
  for (const no of [null, undefined, 0, 'then', { then: 1 }, {}, () => undefined]) assert.equal(isThenable(no), false);
});
