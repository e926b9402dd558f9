import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StringTransport } from '../testing/string-transport.js';
import { Discard, Echo } from './wire.js';

test('Echo writes back what it reads; Discard writes nothing', () => {
  const t1 = new StringTransport();
  const echo = new Echo();
  echo.makeConnection(t1);
  echo.dataReceived(new TextEncoder().encode('ping'));
  assert.equal(t1.valueString(), 'ping');
  const t2 = new StringTransport();
  const discard = new Discard();
  discard.makeConnection(t2);
  discard.dataReceived(new TextEncoder().encode('ping'));
  assert.equal(t2.value().length, 0);
});
