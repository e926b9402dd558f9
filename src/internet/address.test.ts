import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPAddress } from './address.js';

test('isIPAddress tells IP literals from host names', () => {
  for (const ip of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '2001:db8::1', '::ffff:1.2.3.4', 'fe80::1%eth0']) assert.equal(isIPAddress(ip), true, ip);
  for (const name of ['localhost', 'example.org', '1.2.3', '256.1.1.1', '1.2.3.4.5', '1.2.3.4.example', 'bad:host.example!']) assert.equal(isIPAddress(name), false, name);
});
