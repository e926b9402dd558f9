import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, seededRandom } from '../../testing/index.js';
import { A, ALL_RECORDS, IN, MX } from '../constants.js';
import { decodeMessage, encodeMessage, makeQuery, type Message } from '../message.js';
import { parseZone } from '../zone.js';
import { FileAuthority } from './authority.js';
import { QueryHandler } from './handler.js';
import { AnswerCache } from './answer-cache.js';

const ZONE = `$ORIGIN example.test.
$TTL 300
@    IN SOA ns1 hm 1 3600 600 86400 60
     IN NS ns1
ns1  IN A 127.0.0.1
www  IN A 192.0.2.80
fast 30 IN A 192.0.2.30
zero 0 IN A 192.0.2.0
`;

function setup(limits = {}): { clock: Clock; handler: QueryHandler; ask: (q: Message, via?: 'udp' | 'tcp') => Message } {
  const clock = new Clock();
  const handler = new QueryHandler([new FileAuthority(parseZone(ZONE))], null, limits, clock);
  const ask = (q: Message, via: 'udp' | 'tcp' = 'udp'): Message => decodeMessage((handler.handle(encodeMessage(q), via) as Uint8Array[])[0]!);
  return { clock, handler, ask };
}

describe('the answer cache', () => {
  test('a repeated question is answered from the cache with the new ID patched in', () => {
    const { handler, ask } = setup();
    const first = ask(makeQuery(0x1234, 'www.example.test', A));
    assert.equal(handler.cachedReplies, 1);
    const second = ask(makeQuery(0xbeef, 'www.example.test', A));
    assert.equal(handler.cachedReplies, 1, 'the second query was a hit, not a new entry');
    assert.equal(second.id, 0xbeef);
    assert.deepEqual({ ...second, id: 0 }, { ...first, id: 0 });
  });

  test('the reply handed out is a copy: patching the next ID does not change one already returned', () => {
    const { handler } = setup();
    handler.handle(encodeMessage(makeQuery(1, 'www.example.test', A)), 'udp');
    const a = (handler.handle(encodeMessage(makeQuery(2, 'www.example.test', A)), 'udp') as Uint8Array[])[0]!;
    handler.handle(encodeMessage(makeQuery(3, 'www.example.test', A)), 'udp');
    assert.equal(decodeMessage(a).id, 2);
  });

  test('replies kept by the caller stay intact across thousands of hits (copies share buffers, never bytes)', () => {
    const { handler } = setup();
    const held = Array.from({ length: 2000 }, (_, id) => (handler.handle(encodeMessage(makeQuery(id, 'www.example.test', A)), 'udp') as Uint8Array[])[0]!);
    const first = decodeMessage(held[0]!);
    held.forEach((reply, id) => assert.deepEqual(decodeMessage(reply), { ...first, id }, `reply ${id}`));
  });

  test('names differing in case each get their own question echoed back', () => {
    const { ask } = setup();
    ask(makeQuery(1, 'www.example.test', A));
    const upper = ask(makeQuery(2, 'WWW.Example.TEST', A));
    assert.deepEqual(upper.queries, [{ name: 'WWW.Example.TEST', type: A, cls: IN }]);
    assert.equal((upper.answers[0]!.payload as { address: string }).address, '192.0.2.80');
    assert.equal(upper.answers[0]!.name, 'WWW.Example.TEST');
    assert.equal(ask(makeQuery(3, 'www.example.test', A)).queries[0]!.name, 'www.example.test');
  });

  test('a reply holding a TTL-0 record is never cached', () => {
    const { handler, ask } = setup();
    ask(makeQuery(1, 'zero.example.test', A));
    assert.equal(handler.cachedReplies, 0);
    ask(makeQuery(1, 'fast.example.test', A));
    assert.equal(handler.cachedReplies, 1);
  });

  test('an entry lives as long as the shortest TTL in its reply, then the zone is asked again', () => {
    const clock = new Clock();
    const authority = new FileAuthority(parseZone(ZONE));
    const handler = new QueryHandler([authority], null, {}, clock);
    const q = encodeMessage(makeQuery(1, 'fast.example.test', A));
    handler.handle(q, 'udp');
    const swapped = new FileAuthority(parseZone(ZONE.replace('192.0.2.30', '192.0.2.31')));
    (handler.authorities as FileAuthority[])[0] = swapped;
    const cached = decodeMessage((handler.handle(q, 'udp') as Uint8Array[])[0]!);
    assert.equal((cached.answers[0]!.payload as { address: string }).address, '192.0.2.30', 'still fresh: cached');
    clock.advance(30);
    const fresh = decodeMessage((handler.handle(q, 'udp') as Uint8Array[])[0]!);
    assert.equal((fresh.answers[0]!.payload as { address: string }).address, '192.0.2.31');
  });

  test('zonesChanged drops every reply; the cache cap (serverAnswerCacheSeconds) bounds a long TTL', () => {
    const { clock, handler, ask } = setup({ serverAnswerCacheSeconds: 10 });
    ask(makeQuery(1, 'www.example.test', A));
    handler.zonesChanged();
    assert.equal(handler.cachedReplies, 0);
    ask(makeQuery(1, 'www.example.test', A));
    clock.advance(10);
    ask(makeQuery(1, 'www.example.test', MX));
    ask(makeQuery(1, 'www.example.test', A));
    assert.equal(handler.cachedReplies, 2, 'the A reply expired after 10 s, not 300');
  });

  test('bounded: the oldest entry goes when full; queries over serverAnswerCacheQueryBytes are not cached', () => {
    const { handler, ask } = setup({ serverAnswerCacheEntries: 2, serverAnswerCacheQueryBytes: 40 });
    for (const name of ['www', 'ns1', 'fast', 'nope1', 'nope2']) ask(makeQuery(1, `${name}.example.test`, A));
    assert.equal(handler.cachedReplies, 2);
    handler.zonesChanged();
    ask(makeQuery(1, `${'a'.repeat(30)}.example.test`, A));
    assert.equal(handler.cachedReplies, 0);
  });

  test('UDP and TCP replies are kept apart (a truncated UDP reply is never sent over TCP)', () => {
    const { ask } = setup({ classicUDPBytes: 40 });
    assert.equal(ask(makeQuery(1, 'www.example.test', A)).trunc, true);
    const tcp = ask(makeQuery(2, 'www.example.test', A), 'tcp');
    assert.deepEqual([tcp.trunc, tcp.answers.length], [false, 1]);
  });

  test('forwarded answers are not cached (the forwarder keeps its own TTL-counting cache)', async () => {
    const clock = new Clock();
    let calls = 0;
    const handler = new QueryHandler([], { query: async () => (calls++, [[], [], []]) }, {}, clock);
    await handler.handle(encodeMessage(makeQuery(1, 'other.test', A)), 'udp');
    await handler.handle(encodeMessage(makeQuery(2, 'other.test', A)), 'udp');
    assert.deepEqual([calls, handler.cachedReplies], [2, 0]);
  });

  test('differential fuzz: for mutated queries, asked twice, the cached reply is byte for byte the uncached one', () => {
    const plain = new QueryHandler([new FileAuthority(parseZone(ZONE))]);
    const { handler } = setup();
    const seeds = [makeQuery(1, 'www.example.test', A), makeQuery(2, 'Fast.Example.test', MX), makeQuery(3, 'nope.example.test', A),
      makeQuery(4, 'example.test', ALL_RECORDS), makeQuery(5, 'www.example.test', A, IN, { udpPayloadSize: 1232, version: 0, dnssecOk: true, options: [] })];
    for (let seed = 1; seed <= 1500; seed++) {
      const random = seededRandom(seed);
      const q = encodeMessage(seeds[seed % seeds.length]!);
      for (let flips = Math.floor(random() * 3); flips > 0; flips--) q[2 + Math.floor(random() * (q.length - 2))] = Math.floor(random() * 256);
      const via = seed % 3 === 0 ? 'tcp' : 'udp';
      const expected = plain.handle(q, via);
      if (!Array.isArray(expected)) continue;
      for (let round = 0; round < 2; round++) {
        q[0] = round;
        q[1] = seed & 0xff;
        const want = plain.handle(q, via) as Uint8Array[];
        assert.deepEqual(handler.handle(q, via), want, `seed ${seed} round ${round}`);
      }
    }
    assert.ok(handler.cachedReplies > 0);
  });

  test('two queries sharing a hash slot never get each other\'s reply; the later one takes the slot', () => {
    const clock = new Clock();
    const cache = new AnswerCache(clock, 100, 300, 512, 12345);
    // Find two different questions with one slot (a 30-bit hash: a birthday search of some 10^5 names).
    const seen = new Map<number, Uint8Array>();
    let a: Uint8Array | undefined;
    let b: Uint8Array | undefined;
    for (let i = 0; a === undefined; i++) {
      const q = encodeMessage(makeQuery(7, `n${i}.example.test`, A));
      const slot = cache.slot(q, 'udp');
      const other = seen.get(slot);
      if (other !== undefined) [a, b] = [other, q];
      else seen.set(slot, q);
    }
    const slot = cache.slot(a, 'udp');
    assert.equal(cache.slot(b!, 'udp'), slot);
    const replyTo = (q: Uint8Array): Uint8Array => Uint8Array.from([...q.subarray(0, 2), 0x80, ...q.subarray(3)]);
    cache.set(slot, a, 'udp', replyTo(a), 60);
    assert.equal(cache.get(slot, b!, 'udp'), undefined, 'b shares the slot but is another question');
    assert.deepEqual(cache.get(slot, a, 'udp'), replyTo(a));
    cache.set(slot, b!, 'udp', replyTo(b!), 60);
    assert.deepEqual([cache.size, cache.get(slot, a, 'udp'), cache.get(slot, b!, 'udp')], [1, undefined, replyTo(b!)]);
    assert.equal(cache.get(slot, b!, 'tcp'), undefined, 'the same bytes over the other transport are another key');
  });
});
