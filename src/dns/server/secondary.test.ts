import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../testing/index.js';
import { A, SOA } from '../constants.js';
import { decodeMessage, encodeMessage, makeQuery, type RRHeader } from '../message.js';
import { parseZone } from '../zone.js';
import { QueryHandler } from './handler.js';
import { SecondaryAuthority, serialNewer, type ZoneMaster } from './secondary.js';

/** refresh 100, retry 20, expire 300. */
const zoneText = (serial: number, address: string): string => `$ORIGIN example.test.
$TTL 300
@    IN SOA ns1 hm ${serial} 100 20 300 60
     IN NS ns1
ns1  IN A 127.0.0.1
www  IN A ${address}
`;

/** A master whose zone and reachability the test sets; it answers at once (a resolved promise). */
class FakeMaster implements ZoneMaster {
  records: RRHeader[] = parseZone(zoneText(1, '192.0.2.1')).records;
  up = true;
  serialChecks = 0;
  transfers = 0;

  async serial(): Promise<number> {
    this.serialChecks++;
    if (!this.up) throw new Error('unreachable');
    return (this.records.find((rr) => rr.type === SOA)!.payload as { serial: number }).serial;
  }

  async transfer(): Promise<RRHeader[]> {
    this.transfers++;
    if (!this.up) throw new Error('unreachable');
    return this.records;
  }

  publish(serial: number, address: string): void {
    this.records = parseZone(zoneText(serial, address)).records;
  }
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(): { clock: Clock; master: FakeMaster; secondary: SecondaryAuthority; ask: () => { rCode: number; address?: string } } {
  const clock = new Clock();
  const master = new FakeMaster();
  const secondary = new SecondaryAuthority('example.test', master, clock, () => handler.zonesChanged());
  const handler = new QueryHandler([secondary], null, {}, clock);
  const ask = (): { rCode: number; address?: string } => {
    const r = decodeMessage((handler.handle(encodeMessage(makeQuery(7, 'www.example.test', A)), 'udp') as Uint8Array[])[0]!);
    return { rCode: r.rCode, ...(r.answers[0] ? { address: (r.answers[0].payload as { address: string }).address } : {}) };
  };
  return { clock, master, secondary, ask };
}

describe('SecondaryAuthority on a fake clock', () => {
  test('SERVFAIL before the first transfer; served (with AA) once it completes', async () => {
    const { master, secondary, ask } = setup();
    assert.deepEqual(ask(), { rCode: 2 });
    secondary.start();
    await settle();
    assert.deepEqual(ask(), { rCode: 0, address: '192.0.2.1' });
    assert.equal(master.transfers, 1);
    secondary.stop();
  });

  test('refresh: the serial is checked every `refresh` seconds; a new serial brings a new transfer (and a fresh answer cache)', async () => {
    const { clock, master, secondary, ask } = setup();
    secondary.start();
    await settle();
    assert.equal(ask().address, '192.0.2.1');
    clock.advance(99);
    await settle();
    assert.equal(master.serialChecks, 0);
    clock.advance(1);
    await settle();
    assert.deepEqual([master.serialChecks, master.transfers], [1, 1], 'same serial: no transfer');
    master.publish(2, '192.0.2.2');
    clock.advance(100);
    await settle();
    assert.deepEqual([master.serialChecks, master.transfers], [2, 2]);
    assert.equal(ask().address, '192.0.2.2', 'the cached reply of serial 1 is gone');
    master.publish(1, '192.0.2.9');
    clock.advance(100);
    await settle();
    assert.equal(master.transfers, 2, 'an older serial is not transferred');
    secondary.stop();
  });

  test('retry after `retry` seconds when the master is down; expire after `expire` seconds: SERVFAIL; back when the master is', async () => {
    const { clock, master, secondary, ask } = setup();
    secondary.start();
    await settle();
    master.up = false;
    clock.advance(100);
    await settle();
    assert.equal(master.serialChecks, 1);
    clock.advance(20);
    await settle();
    assert.equal(master.serialChecks, 2, 'retried after the SOA retry interval');
    assert.equal(ask().address, '192.0.2.1', 'still served until expiry');
    for (let t = 120; t < 300; t += 20) {
      clock.advance(20);
      await settle();
    }
    assert.deepEqual(ask(), { rCode: 2 }, 'expired 300 s after the last good check');
    master.up = true;
    master.publish(1, '192.0.2.1');
    clock.advance(30);
    await settle();
    assert.equal(ask().address, '192.0.2.1', 'transferred again');
    secondary.stop();
  });

  test('a master that never answers is retried every secondaryInitialRetry seconds, no faster than secondaryMinInterval', async () => {
    const clock = new Clock();
    const master = new FakeMaster();
    master.up = false;
    const secondary = new SecondaryAuthority('example.test', master, clock, undefined, { secondaryInitialRetry: 1, secondaryMinInterval: 10 });
    secondary.start();
    await settle();
    clock.advance(9);
    await settle();
    assert.equal(master.transfers, 1);
    clock.advance(1);
    await settle();
    assert.equal(master.transfers, 2);
    secondary.stop();
    clock.advance(1000);
    await settle();
    assert.equal(master.transfers, 2, 'stopped: no more attempts');
  });

  test('records outside the zone in a transfer are dropped', async () => {
    const { master, secondary } = setup();
    master.records = [...master.records, { name: 'evil.other', type: A, cls: 1, ttl: 60, payload: { type: A, address: '192.0.2.66' } }];
    secondary.start();
    await settle();
    assert.equal(secondary.loaded()!.transfer().some((rr) => rr.name === 'evil.other'), false);
    secondary.stop();
  });

  test('serial arithmetic (RFC 1982) wraps', () => {
    assert.equal(serialNewer(2, 1), true);
    assert.equal(serialNewer(1, 1), false);
    assert.equal(serialNewer(0, 0xffffffff), true);
    assert.equal(serialNewer(0xffffffff, 0), false);
  });
});
