import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as testing from './index.js';
import { DelayedCall } from '../internet/index.js';

test('torsion/testing exports the names DESIGN.md promises, and the reactor shares its DelayedCall', () => {
  for (const name of ['Clock', 'StringTransport', 'StringTransportWithDisconnection', 'MemoryReactor', 'connectedServerAndClient', 'IOPump', 'loopbackAsync']) {
    assert.equal(typeof (testing as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(testing.DelayedCall, DelayedCall);
  assert.ok(new testing.Clock().callLater(1, () => {}) instanceof DelayedCall);
});
