import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReactor, type MemoryDatagramPort, StringTransport } from '../../testing/index.js';
import { A, AAAA, ALL_RECORDS, AXFR, CNAME, DS, IN, MX, NS, SOA, TXT } from '../constants.js';
import { DNSNameError } from '../errors.js';
import { decodeMessage, encodeMessage, makeMessage, makeQuery, type Message, type RRHeader } from '../message.js';
import { frameMessage, MessageStreamDecoder } from '../stream.js';
import { parseZone } from '../zone.js';
import { DELEGATING_ZONE, EXAMPLE_ZONE } from '../test-support/example-zone.js';
import { FileAuthority } from './authority.js';
import { QueryHandler, type ForwardingResolver } from './handler.js';
import { DNSDatagramProtocol, DNSServerFactory } from './server.js';
import { randomBytes, seededRandom } from '../../testing/index.js';

const authority = new FileAuthority(parseZone(EXAMPLE_ZONE));
const handler = new QueryHandler([authority]);
const EDNS = { udpPayloadSize: 4096, version: 0, dnssecOk: false, options: [] };

function ask(q: Message, via: 'udp' | 'tcp' = 'udp', h: QueryHandler = handler): Message {
  const replies = h.handle(encodeMessage(q), via);
  assert.ok(Array.isArray(replies));
  assert.equal(replies.length, 1);
  return decodeMessage(replies[0]!);
}

const addresses = (rrs: RRHeader[]): unknown[] => rrs.map((rr) => (rr.payload as { address?: string }).address);

describe('QueryHandler, authoritative', () => {
  test('A with AA set, the question echoed, case preserved', () => {
    const r = ask(makeQuery(77, 'WWW.example.test', A));
    assert.deepEqual([r.id, r.answer, r.auth, r.rCode, r.recAv], [77, true, true, 0, false]);
    assert.deepEqual(r.queries, [{ name: 'WWW.example.test', type: A, cls: IN }]);
    assert.deepEqual(addresses(r.answers), ['192.0.2.80']);
  });

  test('NXDOMAIN carries the SOA in authority, TTL capped by its minimum; NODATA too, with NOERROR', () => {
    const nx = ask(makeQuery(1, 'nope.example.test', A));
    assert.equal(nx.rCode, 3);
    assert.deepEqual(nx.authority.map((rr) => [rr.type, rr.ttl]), [[SOA, 60]]);
    const nodata = ask(makeQuery(1, 'www.example.test', MX));
    assert.deepEqual([nodata.rCode, nodata.answers.length, nodata.authority[0]?.type], [0, 0, SOA]);
    const empty = ask(makeQuery(1, '_tcp.example.test', A));
    assert.equal(empty.rCode, 0, 'an empty non-terminal exists');
  });

  test('CNAME chased within the zone', () => {
    const r = ask(makeQuery(1, 'alias.example.test', A));
    assert.deepEqual(r.answers.map((rr) => [rr.name, rr.type]), [['alias.example.test', CNAME], ['www.example.test', A]]);
    const direct = ask(makeQuery(1, 'alias.example.test', CNAME));
    assert.deepEqual(direct.answers.map((rr) => rr.type), [CNAME]);
  });

  test('MX gets the exchange address as additional', () => {
    const r = ask(makeQuery(1, 'example.test', MX));
    assert.deepEqual(addresses(r.additional), ['192.0.2.25']);
  });

  test('outside every zone and no forwarder: REFUSED', () => {
    assert.equal(ask(makeQuery(1, 'elsewhere.test', A)).rCode, 5);
  });

  test('over 512 bytes without EDNS, or over the EDNS size, the UDP answer is truncated; TCP is not', () => {
    const classic = ask(makeQuery(1, 'big.example.test', A));
    assert.deepEqual([classic.trunc, classic.answers.length], [true, 0]);
    const edns = ask(makeQuery(1, 'big.example.test', A, IN, EDNS));
    assert.equal(edns.trunc, true, '100 records pass the 1232-byte cap whatever the client says');
    const tcp = ask(makeQuery(1, 'big.example.test', A), 'tcp');
    assert.deepEqual([tcp.trunc, tcp.answers.length], [false, 100]);
  });

  test('ANY over UDP gets the RFC 8482 HINFO; over TCP, everything', () => {
    const udp = ask(makeQuery(1, 'www.example.test', ALL_RECORDS));
    assert.deepEqual(udp.answers.map((rr) => rr.type), [13]);
    const tcp = ask(makeQuery(1, 'www.example.test', ALL_RECORDS), 'tcp');
    assert.deepEqual(tcp.answers.map((rr) => rr.type), [A, AAAA]);
  });

  test('AXFR: refused over UDP and for a name that is not the origin; over TCP, SOA ... SOA', () => {
    assert.equal(ask(makeQuery(1, 'example.test', AXFR)).rCode, 5);
    assert.equal(ask(makeQuery(1, 'www.example.test', AXFR), 'tcp').rCode, 5);
    const replies = handler.handle(encodeMessage(makeQuery(1, 'example.test', AXFR)), 'tcp') as Uint8Array[];
    const records = replies.flatMap((b) => decodeMessage(b).answers);
    assert.equal(records.length, 2 + parseZone(EXAMPLE_ZONE).records.length - 1);
    assert.equal(records[0]!.type, SOA);
    assert.equal(records.at(-1)!.type, SOA);
  });

  test('EDNS: OPT echoed with the DO bit; version 1 gets BADVERS', () => {
    const r = ask(makeQuery(1, 'www.example.test', A, IN, { ...EDNS, dnssecOk: true }));
    assert.deepEqual([r.edns?.udpPayloadSize, r.edns?.dnssecOk], [1232, true]);
    assert.equal(ask(makeQuery(1, 'www.example.test', A, IN, { ...EDNS, version: 1 })).rCode, 16);
  });

  test('garbage: FORMERR when the header can be read, nothing otherwise; responses are never answered', () => {
    const formerr = handler.handle(Uint8Array.of(0x12, 0x34, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 1), 'udp') as Uint8Array[];
    assert.deepEqual([decodeMessage(formerr[0]!).id, decodeMessage(formerr[0]!).rCode], [0x1234, 1]);
    assert.deepEqual(handler.handle(Uint8Array.of(1, 2, 3), 'udp'), []);
    assert.deepEqual(handler.handle(encodeMessage(makeMessage({ answer: true, queries: [{ name: 'www.example.test', type: A, cls: IN }] })), 'udp'), []);
    assert.equal(ask(makeMessage({ opCode: 2, queries: [{ name: 'x.test', type: A, cls: IN }] })).rCode, 4);
    assert.equal(ask(makeMessage({})).rCode, 1);
  });

  test('fuzz: random datagrams never throw', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const random = seededRandom(seed);
      const bytes = randomBytes(random, Math.floor(random() * 80), [0, 1, 0xc0, 12, 0xff, 0x29]);
      assert.doesNotThrow(() => handler.handle(bytes, seed % 2 === 0 ? 'udp' : 'tcp'), `seed ${seed}`);
    }
  });
});

describe('QueryHandler, forwarding', () => {
  test('names outside the zones go to the forwarder; RA set; its errors become rcodes', async () => {
    const asked: string[] = [];
    const forwarder: ForwardingResolver = {
      query: async (name, type) => {
        asked.push(`${name}/${type}`);
        if (name === 'missing.test') throw new DNSNameError('no', 3);
        return [[{ name, type: TXT, cls: IN, ttl: 5, payload: { type: TXT, data: [Uint8Array.of(0x68)] } }], [], []];
      },
    };
    const h = new QueryHandler([authority], forwarder);
    const ok = decodeMessage((await h.handle(encodeMessage(makeQuery(3, 'other.test', TXT)), 'udp'))[0]!);
    assert.deepEqual([ok.recAv, ok.auth, ok.answers.length], [true, false, 1]);
    const nx = decodeMessage((await h.handle(encodeMessage(makeQuery(4, 'missing.test', A)), 'udp'))[0]!);
    assert.equal(nx.rCode, 3);
    assert.equal(ask(makeQuery(5, 'www.example.test', A), 'udp', h).auth, true);
    assert.deepEqual(asked, ['other.test/16', 'missing.test/1']);
  });
});

describe('transports', () => {
  test('UDP: replies go back to the sender; a flood from one source is cut to the per-second limit', () => {
    const reactor = new MemoryReactor();
    const protocol = new DNSDatagramProtocol(handler, reactor, { serverQueriesPerSecond: 50 });
    const port = reactor.listenUDP(0, protocol) as MemoryDatagramPort;
    const from = { host: '127.0.0.1', port: 4000 };
    for (let i = 0; i < 200; i++) port.deliver(encodeMessage(makeQuery(i, 'www.example.test', A)), from);
    port.deliver(encodeMessage(makeQuery(999, 'www.example.test', A)), { host: '127.0.0.2', port: 1 });
    assert.equal(port.written.length, 51);
    assert.deepEqual(port.written[0]!.addr, from);
    assert.equal(protocol.dropped, 150);
    reactor.advance(1);
    port.deliver(encodeMessage(makeQuery(1000, 'www.example.test', A)), from);
    assert.equal(port.written.length, 52);
  });

  test('TCP: framed queries split anywhere are answered; a junk frame gets FORMERR; idle connections close', () => {
    const reactor = new MemoryReactor();
    const factory = new DNSServerFactory(handler, reactor, { tcpIdleTimeout: 10 });
    const protocol = factory.buildProtocol({} as never);
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    const framed = Uint8Array.from([...frameMessage(encodeMessage(makeQuery(1, 'www.example.test', A))), ...frameMessage(encodeMessage(makeQuery(2, 'example.test', MX)))]);
    for (const b of framed) protocol.dataReceived(Uint8Array.of(b));
    const replies = new MessageStreamDecoder(1 << 20).feed(transport.value()).map((m) => decodeMessage(m).id);
    assert.deepEqual(replies, [1, 2]);
    reactor.advance(10);
    assert.equal(transport.disconnecting, true);
    const junk = factory.buildProtocol({} as never);
    const t2 = new StringTransport();
    junk.makeConnection(t2);
    junk.dataReceived(Uint8Array.from([0xff, 0xff, ...new Uint8Array(65535), 0, 1]));
    const got = new MessageStreamDecoder(1 << 20).feed(t2.value()).map((m) => decodeMessage(m).rCode);
    assert.deepEqual([got, t2.disconnecting], [[1], false], 'a 64 KiB frame of zeros gets FORMERR; the connection lives on');
  });
});

describe('QueryHandler, delegations (RFC 1034 §4.3.2)', () => {
  const delegating = new QueryHandler([new FileAuthority(parseZone(DELEGATING_ZONE))]);

  test('a name at or below a zone cut gets a referral: no answer, the NS in authority, glue in additional, AA off', () => {
    for (const name of ['sub.parent.test', 'host.sub.parent.test', 'a.b.sub.parent.test']) {
      const r = ask(makeQuery(1, name, A), 'udp', delegating);
      assert.deepEqual([r.rCode, r.auth, r.answers.length], [0, false, 0], name);
      assert.deepEqual(r.authority.map((rr) => [rr.name, rr.type, (rr.payload as { name: string }).name]),
        [['sub.parent.test', NS, 'ns1.sub.parent.test'], ['sub.parent.test', NS, 'ns.elsewhere.test']]);
      assert.deepEqual(r.additional.map((rr) => [rr.name, rr.type]), [['ns1.sub.parent.test', A], ['ns1.sub.parent.test', AAAA]]);
    }
  });

  test('glue itself is not answered authoritatively, and NS at the cut is a referral too', () => {
    const glue = ask(makeQuery(1, 'ns1.sub.parent.test', A), 'udp', delegating);
    assert.deepEqual([glue.auth, glue.answers.length, glue.authority[0]?.type], [false, 0, NS]);
    const ns = ask(makeQuery(1, 'sub.parent.test', NS), 'udp', delegating);
    assert.deepEqual([ns.auth, ns.answers.length, ns.authority.length], [false, 0, 2]);
  });

  test('DS at the cut is the parent\'s: answered with AA; names above the cut stay authoritative', () => {
    const ds = ask(makeQuery(1, 'sub.parent.test', DS), 'udp', delegating);
    assert.deepEqual([ds.auth, ds.answers.map((rr) => rr.type)], [true, [DS]]);
    const www = ask(makeQuery(1, 'www.parent.test', A), 'udp', delegating);
    assert.deepEqual([www.auth, www.answers.length], [true, 1]);
    const apex = ask(makeQuery(1, 'parent.test', NS), 'udp', delegating);
    assert.deepEqual([apex.auth, apex.answers.length], [true, 1]);
  });

  test('a CNAME into the child zone: the alias answered, the delegation in authority', () => {
    const r = ask(makeQuery(1, 'to-sub.parent.test', A), 'udp', delegating);
    assert.deepEqual(r.answers.map((rr) => rr.type), [CNAME]);
    assert.deepEqual(r.authority.map((rr) => rr.type), [NS, NS]);
  });

  test('ANY over UDP below a cut is a referral, not the RFC 8482 answer', () => {
    const r = ask(makeQuery(1, 'host.sub.parent.test', ALL_RECORDS), 'udp', delegating);
    assert.deepEqual([r.auth, r.answers.length, r.authority.length], [false, 0, 2]);
  });
});
