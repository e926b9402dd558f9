import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { A, AAAA, CAA, CNAME, MX, NAPTR, NS, PTR, SOA, SRV, IN, typeFromName, typeName } from './constants.js';
import { DNSFormatError } from './errors.js';
import { decodeMessage, encodeMessage, makeMessage, makeQuery, type Message, type RRHeader } from './message.js';
import { normaliseIPv6, txt, txtStrings, type Payload } from './records.js';
import { canonicalName } from './wire.js';
import { randomBytes, seededRandom } from '../testing/index.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const rr = (name: string, payload: Payload, ttl = 300): RRHeader => ({ name, type: payload.type, cls: IN, ttl, payload });

const everyType: RRHeader[] = [
  rr('example.test', { type: A, address: '192.0.2.1' }),
  rr('example.test', { type: AAAA, address: '2001:db8::1' }),
  rr('www.example.test', { type: CNAME, name: 'example.test' }),
  rr('example.test', { type: MX, preference: 10, name: 'mail.example.test' }),
  rr('example.test', { type: NS, name: 'ns1.example.test' }),
  rr('1.2.0.192.in-addr.arpa', { type: PTR, name: 'example.test' }),
  rr('example.test', { type: SOA, mname: 'ns1.example.test', rname: 'hostmaster.example.test', serial: 4294967295, refresh: 3600, retry: 600, expire: 86400, minimum: 60 }),
  rr('_sip._tcp.example.test', { type: SRV, priority: 1, weight: 2, port: 5060, target: 'sip.example.test' }),
  rr('example.test', txt('v=spf1 -all', 'second string', '')),
  rr('example.test', { type: CAA, flags: 128, tag: 'issue', value: bytes('ca.example') }),
  rr('example.test', { type: NAPTR, order: 100, preference: 10, flags: bytes('U'), service: bytes('E2U+sip'), regexp: bytes('!^.*$!sip:a@b!'), replacement: '' }),
  rr('example.test', { type: 65280, data: Uint8Array.of(1, 2, 3), opaque: true }),
];

describe('message codec', () => {
  test('every listed type and an unknown one round-trip', () => {
    const m = makeMessage({ id: 0xbeef, answer: true, auth: true, recDes: true, recAv: true, queries: [{ name: 'example.test', type: 255, cls: IN }], answers: everyType });
    assert.deepEqual(decodeMessage(encodeMessage(m)), m);
  });

  test('names are compressed: a repeated suffix costs two bytes', () => {
    const one = encodeMessage(makeMessage({ answers: [rr('a.example.test', { type: A, address: '192.0.2.1' })] }));
    const two = encodeMessage(makeMessage({ answers: [rr('a.example.test', { type: A, address: '192.0.2.1' }), rr('a.example.test', { type: A, address: '192.0.2.2' })] }));
    assert.equal(two.length - one.length, 2 + 10 + 4);
  });

  test('names compare case-insensitively and compression matches across case', () => {
    const m = makeMessage({ queries: [{ name: 'WWW.Example.TEST', type: A, cls: IN }], answers: [rr('www.example.test', { type: A, address: '192.0.2.1' })] });
    const wire = encodeMessage(m);
    assert.equal(wire.length, 12 + 18 + 4 + 2 + 10 + 4);
    assert.equal(decodeMessage(wire).answers[0]!.name, 'WWW.Example.TEST');
    assert.equal(canonicalName('WWW.Example.TEST.'), 'www.example.test');
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    assert.equal(canonicalName(`${longest}.`), longest, '253 characters is 255 bytes on the wire: the limit');
    assert.throws(() => canonicalName(`${longest}e`), DNSFormatError);
    assert.equal(canonicalName('A\\065.Test'), canonicalName('aa.TEST'), 'an escaped letter is that letter');
  });

  test('SRV and NAPTR targets are not compressed (RFC 2782, RFC 3597 §4)', () => {
    const m = makeMessage({ queries: [{ name: 'sip.example.test', type: SRV, cls: IN }], answers: [rr('x.test', { type: SRV, priority: 0, weight: 0, port: 1, target: 'sip.example.test' })] });
    const wire = encodeMessage(m);
    const target = [3, ...bytes('sip'), 7, ...bytes('example'), 4, ...bytes('test'), 0];
    assert.deepEqual(Array.from(wire.slice(wire.length - target.length)), target);
    assert.deepEqual(decodeMessage(wire), m);
  });

  test('escaped label bytes survive', () => {
    const name = 'a\\.b\\032c\\\\.example.test';
    const m = makeMessage({ queries: [{ name, type: A, cls: IN }] });
    assert.equal(decodeMessage(encodeMessage(m)).queries[0]!.name, name);
  });

  test('EDNS(0): payload size, DO bit, options and the extended rcode', () => {
    const m = makeMessage({ id: 7, answer: true, rCode: 16, edns: { udpPayloadSize: 1232, version: 0, dnssecOk: true, options: [{ code: 10, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }] } });
    const back = decodeMessage(encodeMessage(m));
    assert.deepEqual(back, m);
    assert.equal(back.rCode, 16);
  });

  test('a second OPT record, or one outside the additional section, is refused', () => {
    const q = makeQuery(1, 'x.test', A, IN, { udpPayloadSize: 1232, version: 0, dnssecOk: false, options: [] });
    const wire = encodeMessage(q);
    const twice = new Uint8Array([...wire, ...wire.slice(wire.length - 11)]);
    twice[11] = 2;
    assert.throws(() => decodeMessage(twice), DNSFormatError);
  });

  test('a message over maxSize is cut to its questions with TC set', () => {
    const answers = Array.from({ length: 60 }, (_, i) => rr('big.example.test', { type: A, address: `192.0.2.${i}` }));
    const m = makeMessage({ answer: true, queries: [{ name: 'big.example.test', type: A, cls: IN }], answers });
    const cut = decodeMessage(encodeMessage(m, { maxSize: 512 }));
    assert.equal(cut.trunc, true);
    assert.deepEqual(cut.answers, []);
    assert.deepEqual(cut.queries, m.queries);
    assert.equal(decodeMessage(encodeMessage(m)).answers.length, 60);
  });

  test('IPv6 addresses come back canonical; bad addresses and names are refused', () => {
    assert.equal(normaliseIPv6('2001:0DB8:0:0:0:0:0:0001'), '2001:db8::1');
    assert.equal(normaliseIPv6('::ffff:192.0.2.1'), '::ffff:c000:201');
    assert.throws(() => normaliseIPv6('1::2::3'), DNSFormatError);
    assert.throws(() => encodeMessage(makeMessage({ answers: [rr('x', { type: A, address: '1.2.3.256' })] })), DNSFormatError);
    assert.throws(() => encodeMessage(makeQuery(1, `${'a'.repeat(64)}.test`, A)), DNSFormatError);
    assert.throws(() => encodeMessage(makeQuery(1, Array(130).fill('a').join('.'), A)), DNSFormatError);
    assert.throws(() => encodeMessage(makeQuery(1, 'a..b', A)), DNSFormatError);
  });

  test('type mnemonics, including RFC 3597 TYPEnnn', () => {
    assert.equal(typeName(MX), 'MX');
    assert.equal(typeName(65280), 'TYPE65280');
    assert.equal(typeFromName('aaaa'), AAAA);
    assert.equal(typeFromName('TYPE99'), 99);
    assert.equal(typeFromName('NOPE'), undefined);
    assert.deepEqual(txtStrings(txt('héllo')), ['héllo']);
  });
});

describe('compression pointers', () => {
  const header = (qd: number): number[] => [0, 1, 0, 0, 0, qd, 0, 0, 0, 0, 0, 0];

  test('a pointer to itself is refused (the loop)', () => {
    const wire = Uint8Array.from([...header(1), 0xc0, 12, 0, 1, 0, 1]);
    assert.throws(() => decodeMessage(wire), /backward/);
  });

  test('two pointers pointing at each other are refused', () => {
    // Question 1: "a" + pointer to question 2's name; question 2: pointer back to question 1.
    const wire = Uint8Array.from([...header(2), 1, 0x61, 0xc0, 20, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1]);
    assert.throws(() => decodeMessage(wire), DNSFormatError);
  });

  test('a forward pointer is refused; a backward one is followed', () => {
    const forward = Uint8Array.from([...header(1), 0xc0, 14, 1, 0x61, 0, 0, 1, 0, 1]);
    assert.throws(() => decodeMessage(forward), DNSFormatError);
    const back = Uint8Array.from([...header(2), 1, 0x61, 0, 0, 1, 0, 1, 1, 0x62, 0xc0, 12, 0, 1, 0, 1]);
    assert.deepEqual(decodeMessage(back).queries.map((q) => q.name), ['a', 'b.a']);
  });

  test('a chain of pointers longer than the limit is refused', () => {
    const labels: number[] = [1, 0x61, 0];
    for (let i = 0; i < 10; i++) labels.push(1, 0x61, 0xc0, 12 + (i === 0 ? 0 : 3 + (i - 1) * 4));
    const wire = Uint8Array.from([...header(1), ...labels.slice(0, 3), 0, 1, 0, 1]);
    assert.doesNotThrow(() => decodeMessage(wire));
    const chain = Uint8Array.from([...header(0), 1, 0x61, 0xc0, 12, 1, 0x62, 0xc0, 12]);
    assert.throws(() => decodeMessage(chain), DNSFormatError);
  });

  test('a name longer than 255 bytes built from pointers is refused', () => {
    const parts: number[] = [63, ...new Array<number>(63).fill(0x61), 0];
    let prev = 12;
    for (let i = 0; i < 4; i++) {
      const at = 12 + parts.length;
      parts.push(63, ...new Array<number>(63).fill(0x62), 0xc0, prev);
      prev = at;
    }
    const wire = Uint8Array.from([...header(1), ...parts.slice(0, 65), 0, 1, 0, 1]);
    assert.doesNotThrow(() => decodeMessage(wire));
    const asked = Uint8Array.from([...header(1), ...parts, 0xc0, prev, 0, 1, 0, 1]);
    asked[5] = 1;
    assert.throws(() => decodeMessage(asked), /longer than 255|backward|truncated|after/);
  });
});

describe('fuzz', () => {
  const isFormat = (e: unknown): boolean => e instanceof DNSFormatError;

  test('random bytes never throw anything but DNSFormatError', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const random = seededRandom(seed);
      const input = randomBytes(random, Math.floor(random() * 200), [0, 1, 0xc0, 12, 0x3f, 0x29]);
      try { decodeMessage(input); } catch (e) { assert.ok(isFormat(e), `seed ${seed}: ${String(e)}`); }
    }
  });

  test('mutated valid messages decode or fail with DNSFormatError, and what decodes re-encodes', () => {
    const base = encodeMessage(makeMessage({ id: 9, answer: true, queries: [{ name: 'example.test', type: 255, cls: IN }], answers: everyType,
      edns: { udpPayloadSize: 4096, version: 0, dnssecOk: false, options: [] } }));
    for (let seed = 1; seed <= 3000; seed++) {
      const random = seededRandom(seed);
      const input = base.slice(0, Math.floor(base.length * (0.5 + random() / 2)) + 1);
      for (let k = 0; k < 4; k++) input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
      let m: Message;
      try { m = decodeMessage(input); } catch (e) { assert.ok(isFormat(e), `seed ${seed}: ${String(e)}`); continue; }
      try { assert.deepEqual(decodeMessage(encodeMessage(m)), m, `seed ${seed}`); } catch (e) { assert.ok(isFormat(e), `seed ${seed}: ${String(e)}`); }
    }
  });
});
