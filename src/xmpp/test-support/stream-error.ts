// What stream error a parser test's input raises.
import assert from 'node:assert/strict';
import { XMPPStreamError } from '../errors.js';

/** The condition of the `XMPPStreamError` that `fn` throws; fails the test if it throws none or another error. */
export function condition(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof XMPPStreamError, `expected XMPPStreamError, got ${String(e)}`);
    return e.condition;
  }
  assert.fail('no stream error');
}
