import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryReactor, type MemoryDatagramPort } from '../../testing/index.js';
import { A, AAAA, CNAME, IN, MX } from '../constants.js';
import { DNSLookupError, DNSNameError, DNSQueryTimeoutError, DNSServerError } from '../errors.js';
import { decodeMessage, encodeMessage, makeMessage, type Message, type RRHeader } from '../message.js';
import { frameMessage } from '../stream.js';
import { createResolver, type Resolver } from './resolver.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const SERVER = { host: '127.0.0.1', port: 5300 };
const a = (name: string, address: string, ttl = 60): RRHeader => ({ name, type: A, cls: IN, ttl, payload: { type: A, address } });

function setup(servers: Array<[string, number]> = [[SERVER.host, SERVER.port]], extra: { cache?: boolean; timeout?: number[] } = {}): { reactor: MemoryReactor; resolver: Resolver } {
  const reactor = new MemoryReactor();
  return { reactor, resolver: createResolver({ servers, reactor, hosts: null, ...extra }) };
}

/** The query the newest port sent, decoded, and that port. */
function lastQuery(reactor: MemoryReactor): { port: MemoryDatagramPort; query: Message; to: { host: string; port: number } } {
  const port = reactor.udpPorts.at(-1)!.transport as MemoryDatagramPort;
  const sent = port.written.at(-1)!;
  return { port, query: decodeMessage(sent.data), to: sent.addr };
}

function replyTo(query: Message, fields: Partial<Message>): Uint8Array {
  return encodeMessage(makeMessage({ id: query.id, answer: true, recDes: true, recAv: true, queries: query.queries, ...fields }));
}

function settled<T>(d: PromiseLike<T>): { value?: T; error?: unknown; done: boolean } {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  d.then((v) => { state.value = v; state.done = true; }, (e: unknown) => { state.error = e; state.done = true; });
  return state;
}

describe('Resolver over UDP', () => {
  test('asks with EDNS(0) and recursion desired, and answers with [answers, authority, additional]', async () => {
    const { reactor, resolver } = setup();
    const result = settled(resolver.lookupAddress('www.example.test'));
    await flush();
    const { port, query, to } = lastQuery(reactor);
    assert.deepEqual(to, SERVER);
    assert.equal(reactor.udpPorts[0]!.interface, '127.0.0.1', 'a loopback server is asked from a loopback port');
    assert.equal(query.recDes, true);
    assert.equal(query.edns?.udpPayloadSize, 1232);
    assert.deepEqual(query.queries, [{ name: 'www.example.test', type: A, cls: IN }]);
    port.deliver(replyTo(query, { answers: [a('www.example.test', '192.0.2.7')] }), SERVER);
    await flush();
    assert.deepEqual(result.value, [[a('www.example.test', '192.0.2.7')], [], []]);
    assert.equal(port.listening, false, 'the per-query port is closed');
  });

  test('spoofed replies (wrong id, source, name, type, not a response, garbage) are dropped', async () => {
    const { reactor, resolver } = setup();
    const result = settled(resolver.lookupAddress('www.example.test'));
    await flush();
    const { port, query } = lastQuery(reactor);
    const spoof = (fields: Partial<Message>, from = SERVER): void => port.deliver(replyTo(query, { answers: [a('www.example.test', '6.6.6.6')], ...fields }), from);
    spoof({ id: (query.id + 1) & 0xffff });
    spoof({}, { host: '127.0.0.2', port: SERVER.port });
    spoof({}, { host: SERVER.host, port: SERVER.port + 1 });
    spoof({ queries: [{ name: 'evil.test', type: A, cls: IN }] });
    spoof({ queries: [{ name: 'www.example.test', type: MX, cls: IN }] });
    spoof({ answer: false });
    port.deliver(Uint8Array.of(1, 2, 3), SERVER);
    await flush();
    assert.equal(result.done, false);
    port.deliver(replyTo({ ...query, queries: [{ name: 'WWW.example.TEST', type: A, cls: IN }] }, { answers: [a('www.example.test', '192.0.2.1')] }), SERVER);
    await flush();
    assert.equal(result.value?.[0][0]?.payload.type === A && 'address' in result.value[0][0].payload ? result.value[0][0].payload.address : '', '192.0.2.1');
  });

  test('each query gets a fresh port and a fresh random id', async () => {
    const { reactor, resolver } = setup(undefined, { cache: false });
    const ids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      void settled(resolver.lookupAddress(`n${i}.example.test`));
      await flush();
      ids.add(lastQuery(reactor).query.id);
    }
    assert.equal(reactor.udpPorts.length, 20);
    assert.ok(ids.size >= 18, `ids repeat too often: ${ids.size}`);
  });

  test('timeouts move to the next server with the next timeout, then fail with DNSQueryTimeoutError', async () => {
    const { reactor, resolver } = setup([['127.0.0.1', 5301], ['127.0.0.1', 5302]], { timeout: [1, 3, 5] });
    const result = settled(resolver.lookupAddress('slow.test'));
    await flush();
    assert.equal(lastQuery(reactor).to.port, 5301);
    reactor.advance(1);
    await flush();
    assert.equal(lastQuery(reactor).to.port, 5302);
    reactor.advance(2.9);
    await flush();
    assert.equal(reactor.udpPorts.length, 2);
    reactor.advance(0.1);
    await flush();
    assert.equal(lastQuery(reactor).to.port, 5301);
    reactor.advance(5);
    await flush();
    assert.ok(result.error instanceof DNSQueryTimeoutError);
    assert.equal((result.error as DNSQueryTimeoutError).code, 'TORSION_DNS_TIMEOUT');
  });

  test('NXDOMAIN fails with DNSNameError, SERVFAIL with DNSServerError', async () => {
    const { reactor, resolver } = setup();
    const nx = settled(resolver.lookupAddress('nope.test'));
    await flush();
    let sent = lastQuery(reactor);
    sent.port.deliver(replyTo(sent.query, { rCode: 3 }), SERVER);
    const fail = settled(resolver.lookupMailExchange('broken.test'));
    await flush();
    sent = lastQuery(reactor);
    sent.port.deliver(replyTo(sent.query, { rCode: 2 }), SERVER);
    await flush();
    assert.ok(nx.error instanceof DNSNameError);
    assert.equal((nx.error as DNSNameError).code, 'TORSION_DNS_NAME_ERROR');
    assert.ok(fail.error instanceof DNSServerError);
  });

  test('a truncated answer is asked again over TCP', async () => {
    const { reactor, resolver } = setup();
    const result = settled(resolver.lookupAddress('big.test'));
    await flush();
    const { port, query } = lastQuery(reactor);
    port.deliver(replyTo(query, { trunc: true }), SERVER);
    await flush();
    const tcp = reactor.tcpClients.at(-1)!;
    assert.deepEqual([tcp.host, tcp.port], [SERVER.host, SERVER.port]);
    const { protocol, transport } = tcp.connector.succeed();
    const framed = transport.value();
    const tcpQuery = decodeMessage(framed.subarray(2));
    assert.equal((framed[0]! << 8) | framed[1]!, framed.length - 2);
    const answers = Array.from({ length: 40 }, (_, i) => a('big.test', `192.0.2.${i}`));
    const reply = frameMessage(replyTo(tcpQuery, { answers }));
    protocol.dataReceived(reply.subarray(0, 5));
    protocol.dataReceived(reply.subarray(5));
    await flush();
    assert.equal(result.value?.[0].length, 40);
  });
});

describe('Resolver cache, hosts, getHostByName', () => {
  test('answers are cached for their TTL, counted down, then asked again', async () => {
    const { reactor, resolver } = setup();
    const first = settled(resolver.lookupAddress('c.test'));
    await flush();
    const { port, query } = lastQuery(reactor);
    port.deliver(replyTo(query, { answers: [a('c.test', '192.0.2.1', 30)] }), SERVER);
    await flush();
    assert.equal(first.done, true);
    reactor.advance(10);
    const second = settled(resolver.lookupAddress('C.TEST'));
    await flush();
    assert.equal(reactor.udpPorts.length, 1, 'no second query');
    assert.equal(second.value?.[0][0]?.ttl, 20);
    reactor.advance(20);
    void settled(resolver.lookupAddress('c.test'));
    await flush();
    assert.equal(reactor.udpPorts.length, 2);
  });

  test('getHostByName follows a CNAME, and falls back to AAAA', async () => {
    const { reactor, resolver } = setup();
    const v4 = settled(resolver.getHostByName('alias.test'));
    await flush();
    let sent = lastQuery(reactor);
    sent.port.deliver(replyTo(sent.query, { answers: [
      { name: 'alias.test', type: CNAME, cls: IN, ttl: 60, payload: { type: CNAME, name: 'real.test' } }, a('real.test', '192.0.2.9'),
    ] }), SERVER);
    await flush();
    assert.equal(v4.value, '192.0.2.9');
    const v6 = settled(resolver.getHostByName('six.test'));
    await flush();
    sent = lastQuery(reactor);
    sent.port.deliver(replyTo(sent.query, {}), SERVER);
    await flush();
    sent = lastQuery(reactor);
    assert.equal(sent.query.queries[0]!.type, AAAA);
    sent.port.deliver(replyTo(sent.query, { answers: [{ name: 'six.test', type: AAAA, cls: IN, ttl: 60, payload: { type: AAAA, address: '2001:db8::9' } }] }), SERVER);
    await flush();
    assert.equal(v6.value, '2001:db8::9');
    const none = settled(resolver.getHostByName('empty.test'));
    for (let i = 0; i < 2; i++) {
      await flush();
      sent = lastQuery(reactor);
      sent.port.deliver(replyTo(sent.query, {}), SERVER);
    }
    await flush();
    assert.ok(none.error instanceof DNSLookupError);
  });

  test('hosts and resolv.conf files are read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-dns-'));
    writeFileSync(join(dir, 'hosts'), '192.0.2.44 fromhosts.test\n');
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n');
    const reactor = new MemoryReactor();
    const resolver = createResolver({ reactor, resolvconf: join(dir, 'resolv.conf'), hosts: join(dir, 'hosts') });
    assert.deepEqual(resolver.servers, [['127.0.0.1', 53]]);
    assert.equal(await resolver.getHostByName('FromHosts.test'), '192.0.2.44');
    assert.equal(reactor.udpPorts.length, 0);
    const late = settled(resolver.lookupAddress('other.test'));
    await flush();
    reactor.advance(2);
    await flush();
    assert.ok(late.error instanceof DNSQueryTimeoutError);
  });
});
