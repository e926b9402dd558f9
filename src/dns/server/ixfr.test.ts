import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, seededRandom } from '../../testing/index.js';
import { A, AXFR, IN, IXFR, SOA, TXT } from '../constants.js';
import { DNSTransferError, DNSTransferRefusedError } from '../errors.js';
import { decodeMessage, encodeMessage, makeQuery, type Message, type RRHeader } from '../message.js';
import { parseZone } from '../zone.js';
import { AXFRReader, IXFRReader, type IncrementalResult } from '../client/transfer-readers.js';
import { FileAuthority } from './authority.js';
import { QueryHandler } from './handler.js';
import { SecondaryAuthority, type ZoneMaster } from './secondary.js';
import { applyDiffs, recordKey, serialOf, ZoneVersions } from './zone-versions.js';

const head = (serial: number): string => `$ORIGIN example.test.
$TTL 300
@    IN SOA ns1 hm ${serial} 3600 600 86400 60
     IN NS ns1
ns1  IN A 127.0.0.1
`;
const zoneOf = (serial: number, body: string): FileAuthority => new FileAuthority(parseZone(head(serial) + body));
const V1 = zoneOf(1, 'www IN A 192.0.2.1\nmail IN A 192.0.2.25\n');
const V2 = zoneOf(2, 'www IN A 192.0.2.2\nmail IN A 192.0.2.25\n');
const V3 = zoneOf(3, 'www IN A 192.0.2.2\nmail IN A 192.0.2.25\nftp IN A 192.0.2.21\n');
const LIMITS = { ixfrHistoryVersions: 16, ixfrHistoryRecords: 1000 };

function versions(...zones: FileAuthority[]): ZoneVersions {
  const v = new ZoneVersions('example.test', LIMITS);
  for (const z of zones) v.replace(z);
  return v;
}

/** The IXFR query for the zone at `serial`. */
function ixfr(serial: number, id = 5): Message {
  const q = makeQuery(id, 'example.test', IXFR, IN);
  q.recDes = false;
  q.authority = [zoneOf(serial, '').soa];
  return q;
}

/** Asks `handler` and reads the answer the way a secondary at `serial` does. */
function transfer(handler: QueryHandler, serial: number): { messages: Message[]; result: IncrementalResult } {
  const messages = (handler.handle(encodeMessage(ixfr(serial)), 'tcp') as Uint8Array[]).map((b) => decodeMessage(b));
  const reader = new IXFRReader('example.test', serial, 10_000);
  let done = false;
  for (const m of messages) for (const rr of m.answers) if (!done) done = reader.push(rr);
  assert.ok(done, 'the transfer is complete');
  return { messages, result: reader.result() };
}

const keys = (zone: FileAuthority): string[] => zone.transfer().slice(0, -1).map(recordKey).sort();

describe('IXFR served from the zone history', () => {
  test('from an older serial: the differences in RFC 1995 form (new SOA, old SOA, deleted, new SOA, added, ..., new SOA)', () => {
    const h = new QueryHandler([versions(V1, V2, V3)]);
    const { messages, result } = transfer(h, 1);
    assert.deepEqual(messages[0]!.queries, [{ name: 'example.test', type: IXFR, cls: IN }]);
    assert.equal(messages[0]!.auth, true);
    const flat = messages.flatMap((m) => m.answers).map((rr) => (rr.type === SOA ? `SOA ${serialOf(rr)}` : `${rr.name} ${(rr.payload as { address: string }).address}`));
    assert.deepEqual(flat, ['SOA 3', 'SOA 1', 'www.example.test 192.0.2.1', 'SOA 2', 'www.example.test 192.0.2.2', 'SOA 2', 'SOA 3', 'ftp.example.test 192.0.2.21', 'SOA 3']);
    assert.equal(result.kind, 'incremental');
    assert.deepEqual(keys(applyDiffs(V1, (result as Extract<IncrementalResult, { kind: 'incremental' }>).diffs)), keys(V3), 'applied to version 1, the differences give version 3');
  });

  test('up to date (or newer): the current SOA alone; over UDP: the current SOA alone whatever the serial (ask over TCP)', () => {
    const h = new QueryHandler([versions(V1, V2)]);
    assert.deepEqual(transfer(h, 2).result, { kind: 'current', soa: V2.soa });
    assert.equal(transfer(h, 7).result.kind, 'current');
    const udp = (h.handle(encodeMessage(ixfr(1)), 'udp') as Uint8Array[]).map((b) => decodeMessage(b));
    assert.deepEqual(udp.flatMap((m) => m.answers).map((rr) => [rr.type, serialOf(rr)]), [[SOA, 2]]);
  });

  test('a serial the history does not reach: the whole zone in AXFR form', () => {
    const h = new QueryHandler([versions(V2, V3)]);
    const { result } = transfer(h, 1);
    assert.equal(result.kind, 'full');
    assert.deepEqual((result as { records: RRHeader[] }).records.map(recordKey).sort(), keys(V3));
  });

  test('the history is bounded in versions and in records; a serial that does not move forward clears it', () => {
    const v = versions(V1, V2, V3);
    assert.equal(v.historyLength, 2);
    const short = new ZoneVersions('example.test', { ixfrHistoryVersions: 1, ixfrHistoryRecords: 1000 });
    for (const z of [V1, V2, V3]) short.replace(z);
    assert.deepEqual([short.historyLength, short.changesSince(1), short.changesSince(2)?.length], [1, undefined, 1]);
    const few = new ZoneVersions('example.test', { ixfrHistoryVersions: 16, ixfrHistoryRecords: 2 });
    for (const z of [V1, V2, V3]) few.replace(z);
    assert.deepEqual([few.historyLength, few.changesSince(1)], [1, undefined], 'V1→V2 (2 records) dropped for V2→V3 (1 record)');
    v.replace(zoneOf(3, 'www IN A 192.0.2.9\n'));
    assert.equal(v.historyLength, 0, 'same serial, other data: no difference can be trusted');
  });

  test('no SOA in the authority section: FORMERR; a name that is not a zone apex: REFUSED; AXFR still whole', () => {
    const h = new QueryHandler([versions(V1, V2)]);
    const bare = makeQuery(1, 'example.test', IXFR, IN);
    assert.equal(decodeMessage((h.handle(encodeMessage(bare), 'tcp') as Uint8Array[])[0]!).rCode, 1);
    const inside = { ...ixfr(1), queries: [{ name: 'www.example.test', type: IXFR, cls: IN }] };
    assert.equal(decodeMessage((h.handle(encodeMessage(inside), 'tcp') as Uint8Array[])[0]!).rCode, 5);
    const axfr = (h.handle(encodeMessage(makeQuery(1, 'example.test', AXFR)), 'tcp') as Uint8Array[]).map((b) => decodeMessage(b));
    assert.equal(axfr.flatMap((m) => m.answers).length, V2.transfer().length);
  });

  test('differential: random edits over random versions, the IXFR applied to any kept version gives the current zone', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed);
      const names = ['a', 'b', 'c', 'd', 'e'];
      let body = new Map<string, string>();
      const zones: FileAuthority[] = [];
      for (let serial = 1; serial <= 6; serial++) {
        const next = new Map(body);
        for (let i = 0; i < 3; i++) {
          const name = names[Math.floor(random() * names.length)]!;
          if (random() < 0.3) next.delete(name);
          else next.set(name, random() < 0.5 ? `IN A 192.0.2.${Math.floor(random() * 250)}` : `${Math.floor(random() * 3) * 100 + 60} IN TXT "t${Math.floor(random() * 5)}"`);
        }
        body = next;
        zones.push(zoneOf(serial, [...body].map(([n, rr]) => `${n} ${rr}`).join('\n') + '\n'));
      }
      const h = new QueryHandler([versions(...zones)]);
      for (const [i, old] of zones.entries()) {
        const { result } = transfer(h, i + 1);
        const got = result.kind === 'current' ? zones.at(-1)! : result.kind === 'full' ? new FileAuthority({ origin: 'example.test', records: result.records }) : applyDiffs(old, result.diffs);
        assert.deepEqual(keys(got), keys(zones.at(-1)!), `seed ${seed} from serial ${i + 1}`);
      }
    }
  });
});

describe('transfer readers', () => {
  const soa = (serial: number): RRHeader => zoneOf(serial, '').soa;
  const rec = (name: string, address: string): RRHeader => ({ name: `${name}.example.test`, type: A, cls: IN, ttl: 300, payload: { type: A, address } });
  const feed = (reader: IXFRReader | AXFRReader, rrs: RRHeader[]): boolean => rrs.reduce((done, rr) => done || reader.push(rr), false);

  test('IXFR: steps must chain serial to serial and go forward; a step that deletes what the zone lacks does not apply', () => {
    const chained = new IXFRReader('example.test', 1, 100);
    assert.throws(() => feed(chained, [soa(3), soa(1), soa(2), soa(1)]), /a step from serial 1 after one to 2/);
    const backwards = new IXFRReader('example.test', 5, 100);
    assert.throws(() => feed(backwards, [soa(7), soa(5), soa(4), soa(7)]), DNSTransferError);
    const r = new IXFRReader('example.test', 1, 100);
    assert.ok(feed(r, [soa(2), soa(1), rec('nope', '192.0.2.99'), soa(2), soa(2)]));
    assert.throws(() => applyDiffs(V1, (r.result() as Extract<IncrementalResult, { kind: 'incremental' }>).diffs), /does not hold/);
  });

  test('records are bounded in both readers; an AXFR must start with the SOA', () => {
    const many = Array.from({ length: 20 }, (_, i) => rec(`h${i}`, '192.0.2.1'));
    assert.throws(() => feed(new IXFRReader('example.test', 1, 10), [soa(2), soa(1), ...many]), /over 10 records/);
    assert.throws(() => feed(new IXFRReader('example.test', 1, 10), [soa(2), ...many]), /over 10 records/);
    assert.throws(() => feed(new AXFRReader('example.test', 10), [soa(2), ...many]), /over 10 records/);
    assert.throws(() => feed(new AXFRReader('example.test', 10), [many[0]!]), /start with its SOA/);
    assert.throws(() => feed(new IXFRReader('example.test', 1, 10), [many[0]!]), /start with its SOA/);
  });

  test('fuzz: random sequences of SOAs and records end, or fail with DNSTransferError, never anything else', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const reader = new IXFRReader('example.test', Math.floor(random() * 4), 50);
      const pick = (): RRHeader => {
        const x = random();
        if (x < 0.5) return soa(Math.floor(random() * 5));
        if (x < 0.9) return rec(String(Math.floor(random() * 3)), '192.0.2.1');
        return { name: 'example.test', type: TXT, cls: IN, ttl: 0, payload: { type: TXT, data: [new Uint8Array(1)] } };
      };
      try {
        for (let i = 0; i < 40; i++) if (reader.push(pick())) { reader.result(); break; }
      } catch (e) {
        assert.ok(e instanceof DNSTransferError, `seed ${seed}: ${String(e)}`);
      }
    }
  });

  test('fuzz: IXFR queries with random serials and authority sections never throw from the handler', () => {
    const h = new QueryHandler([versions(V1, V2, V3)]);
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const q = ixfr(Math.floor(random() * 2 ** 32));
      if (random() < 0.3) q.authority = [rec('x', '192.0.2.1')];
      if (random() < 0.3) q.authority.push(soa(Math.floor(random() * 4)));
      const bytes = encodeMessage(q);
      for (let i = 0; i < 3; i++) if (random() < 0.5) bytes[12 + Math.floor(random() * (bytes.length - 12))] = Math.floor(random() * 256);
      const out = h.handle(bytes, random() < 0.5 ? 'udp' : 'tcp');
      assert.ok(Array.isArray(out));
    }
  });
});

describe('SecondaryAuthority with IXFR', () => {
  /** A master serving `zones` (the last current) through a QueryHandler, counting what it is asked. */
  function master(v: ZoneVersions, incremental?: (held: RRHeader) => Promise<IncrementalResult>): ZoneMaster & { asked: string[] } {
    const h = new QueryHandler([v]);
    const asked: string[] = [];
    return {
      asked,
      serial: async () => serialOf(v.loaded()!.soa),
      transfer: async () => (asked.push('AXFR'), v.loaded()!.transfer().slice(0, -1)),
      incremental: async (_origin, held) => {
        asked.push('IXFR');
        if (incremental !== undefined) return incremental(held);
        return transfer(h, serialOf(held)).result;
      },
    };
  }
  const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

  async function follow(m: ZoneMaster, v: ZoneVersions): Promise<{ secondary: SecondaryAuthority; clock: Clock }> {
    const clock = new Clock();
    const secondary = new SecondaryAuthority('example.test', m, clock);
    secondary.start();
    await settle();
    v.replace(V2);
    v.replace(V3);
    clock.advance(3600);
    await settle();
    secondary.stop();
    return { secondary, clock };
  }

  test('the first transfer is whole; a refresh that finds a newer serial asks IXFR and applies the differences', async () => {
    const v = versions(V1);
    const m = master(v);
    const { secondary } = await follow(m, v);
    assert.deepEqual(m.asked, ['AXFR', 'IXFR']);
    assert.deepEqual(keys(secondary.loaded()!), keys(V3));
    assert.equal(secondary.changesSince(1)?.length, 1, 'and the secondary keeps the history to serve IXFR on');
  });

  test('a master that refuses IXFR, or differences that do not apply: the whole zone by AXFR instead', async () => {
    const v = versions(V1);
    const refusing = master(v, async () => { throw new DNSTransferRefusedError('refused', 4); });
    assert.deepEqual(keys((await follow(refusing, v)).secondary.loaded()!), keys(V3));
    assert.deepEqual(refusing.asked, ['AXFR', 'IXFR', 'AXFR']);
    const w = versions(V1);
    const lying = master(w, async () => ({ kind: 'incremental', soa: V3.soa, diffs: [{ from: V1.soa, to: V3.soa, deleted: [V3.transfer()[3]!], added: [] }] }));
    assert.deepEqual(keys((await follow(lying, w)).secondary.loaded()!), keys(V3));
    assert.deepEqual(lying.asked, ['AXFR', 'IXFR', 'AXFR']);
  });
});
