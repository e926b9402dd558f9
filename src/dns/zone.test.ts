import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { A, AAAA, CNAME, MX, NS, SOA, SRV } from './constants.js';
import { parseTTL, parseZone, ZoneParseError } from './zone.js';
import { txtStrings, type RecordTXT } from './records.js';
import { EXAMPLE_ZONE } from './test-support/example-zone.js';

describe('parseZone', () => {
  test('the example zone: $ORIGIN, $TTL, @, relative names, blank owners, parentheses, comments', () => {
    const zone = parseZone(EXAMPLE_ZONE);
    assert.equal(zone.origin, 'example.test');
    const [soa, ns, mx, txt] = zone.records;
    assert.deepEqual(soa, { name: 'example.test', type: SOA, cls: 1, ttl: 300, payload: {
      type: SOA, mname: 'ns1.example.test', rname: 'hostmaster.example.test', serial: 2026120501, refresh: 3600, retry: 600, expire: 86400, minimum: 60 } });
    assert.deepEqual([ns!.name, ns!.type, mx!.type], ['example.test', NS, MX]);
    assert.deepEqual(txtStrings(txt!.payload as RecordTXT), ['v=spf1 -all', 'second']);
    const www = zone.records.filter((r) => r.name === 'www.example.test').map((r) => r.type);
    assert.deepEqual(www, [A, AAAA]);
    assert.equal(zone.records.find((r) => r.type === CNAME)?.name, 'alias.example.test');
    assert.deepEqual(zone.records.find((r) => r.type === SRV)?.payload, { type: SRV, priority: 10, weight: 20, port: 5060, target: 'sip.example.test' });
    assert.equal(zone.records.filter((r) => r.name === 'big.example.test').length, 100);
  });

  test('explicit TTL and class in either order, units, absolute names, \\# generic data, escapes in strings', () => {
    const zone = parseZone('$ORIGIN a.test.\n$TTL 1h\nx IN 30 A 192.0.2.1\ny 2m IN TXT "say \\"hi\\"" \\065\nz TYPE999 \\# 3 010203\nw.other.test. CNAME x\n');
    assert.deepEqual(zone.records.map((r) => [r.name, r.ttl]), [['x.a.test', 30], ['y.a.test', 120], ['z.a.test', 3600], ['w.other.test', 3600]]);
    assert.deepEqual(txtStrings(zone.records[1]!.payload as RecordTXT), ['say "hi"', 'A']);
    assert.deepEqual(zone.records[2]!.payload, { type: 999, data: Uint8Array.of(1, 2, 3), opaque: true });
    assert.deepEqual(zone.records[3]!.payload, { type: CNAME, name: 'x.a.test' });
    assert.equal(parseTTL('1w2d3h4m5s', 1), 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
  });

  test('errors name their line', () => {
    const bad = (text: string, line: number, what: RegExp): void => {
      assert.throws(() => parseZone(text), (e: unknown) => e instanceof ZoneParseError && e.line === line && what.test(e.message) && e.code === 'TORSION_DNS_ZONE_PARSE');
    };
    bad('$ORIGIN a.test.\n$TTL 60\nx A 300.1.1.1\n', 3, /IPv4/);
    bad('$TTL 60\nx A 192.0.2.1\n', 2, /ORIGIN/);
    bad('$ORIGIN a.test.\nx A 192.0.2.1\n', 2, /TTL/);
    bad('$ORIGIN a.test.\n$TTL 60\nx BOGUS 1\n', 3, /type/);
    bad('$ORIGIN a.test.\n$TTL 60\n@ SOA ( a b 1 2 3 4 5\n', 3, /unbalanced/);
    bad('$ORIGIN a.test.\n$TTL 60\nx MX 70000 y\n', 3, /number/);
    bad('$ORIGIN a.test.\n$TTL 60\n  A 192.0.2.1\n', 3, /owner/);
    bad('$INCLUDE other\n', 1, /directive/);
  });
});
