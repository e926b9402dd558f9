import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBudget } from './budget.js';

/** A budget whose owner, told to let go, closes it (as a live page does when it is dropped). */
function leaf(limit: number, parent: MemoryBudget, told: string[], name: string): MemoryBudget {
  const b: MemoryBudget = new MemoryBudget(limit, parent, {
    onExceeded: (reason) => {
      told.push(`${name}: ${reason}`);
      b.close();
    },
  });
  return b;
}

describe('MemoryBudget', () => {
  test('charges count up the chain; a refused charge counts nothing and tells the owner once', () => {
    const total = new MemoryBudget(1000, null, { owner: "the server's" });
    const told: string[] = [];
    const page = new MemoryBudget(100, total, { owner: "the page's", onExceeded: (r) => told.push(r) });
    assert.equal(page.charge(60), true);
    assert.equal(total.used, 60);
    assert.equal(page.charge(41), false);
    assert.equal(page.charge(41), false);
    assert.equal(page.used, 60);
    assert.equal(total.used, 60);
    assert.deepEqual(told, ["the page's memory budget of 100 bytes is used up"]);
    page.release(60);
    assert.equal(total.used, 0);
  });

  test('closing gives everything back; later charges are refused and releases ignored', () => {
    const total = new MemoryBudget(1000);
    const page = new MemoryBudget(100, total);
    page.charge(70);
    page.close();
    assert.equal(total.used, 0);
    assert.equal(page.charge(1), false);
    page.release(70);
    assert.equal(total.used, 0);
  });

  test('when a shared budget is full, the one holding the most goes first, not the one asking', () => {
    const told: string[] = [];
    const address = new MemoryBudget(300, new MemoryBudget(10_000), { owner: "its address's" });
    const hog = leaf(200, address, told, 'hog');
    const small = leaf(200, address, told, 'small');
    assert.equal(hog.charge(190), true);
    assert.equal(small.charge(150), true, 'room is made by dropping the hog');
    assert.deepEqual(told, ["hog: its address's memory budget of 300 bytes is used up, and this holds the most of it"]);
    assert.equal(hog.closed, true);
    assert.equal(address.used, 150);
  });

  test('the asker is refused when it holds the most itself', () => {
    const told: string[] = [];
    const address = new MemoryBudget(300);
    const other = leaf(200, address, told, 'other');
    const asker = leaf(300, address, told, 'asker');
    other.charge(50);
    asker.charge(240);
    assert.equal(asker.charge(20), false);
    assert.equal(other.closed, false);
    assert.deepEqual(told, ['asker: the memory budget of 300 bytes is used up']);
  });
});
