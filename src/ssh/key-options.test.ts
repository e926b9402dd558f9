import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { permitListenPermission, permitOpenPermission } from './key-options.js';

describe('permitopen= and permitlisten= as permissions', () => {
  test('no entries narrow nothing', () => {
    assert.equal(permitOpenPermission([]), undefined);
    assert.equal(permitListenPermission([]), undefined);
  });

  test('permitopen host:port and host:*', () => {
    const p = permitOpenPermission(['127.0.0.1:80', 'db:*'])!;
    assert.deepEqual([p.permits('127.0.0.1', 80), p.permits('127.0.0.1', 81), p.permits('db', 5432), p.permits('dbx', 5432)], [true, false, true, false]);
  });

  test('permitlisten: a bare port allows it on any bind address; host:port only there', () => {
    const p = permitListenPermission(['8080', 'localhost:9000'])!;
    assert.deepEqual([p.permits('127.0.0.1', 8080), p.permits('', 8080), p.permits('localhost', 9000), p.permits('127.0.0.1', 9000)], [true, true, true, false]);
  });

  test('an entry that cannot be read forwards nothing rather than everything', () => {
    const p = permitOpenPermission(['127.0.0.1:80', 'no port here'])!;
    assert.equal(p.permits('127.0.0.1', 80), false);
  });
});
