import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, MemoryReactor, seededRandom, type MemoryDatagramPort } from '../../testing/index.js';
import { A, ENOTAUTH, EREFUSED, IN, OP_NOTIFY, SOA } from '../constants.js';
import { decodeMessage, encodeMessage, makeMessage, type Message, type RRHeader } from '../message.js';
import { parseZone } from '../zone.js';
import { FileAuthority } from './authority.js';
import { QueryHandler } from './handler.js';
import { makeNotify, Notifier } from './notify.js';
import { SecondaryAuthority, type ZoneMaster } from './secondary.js';

const MASTER = '192.0.2.53';
const zoneText = (serial: number): string => `$ORIGIN example.test.
$TTL 300
@    IN SOA ns1 hm ${serial} 3600 600 86400 60
     IN NS ns1
ns1  IN A 127.0.0.1
`;
const soaOf = (serial: number): RRHeader => parseZone(zoneText(serial)).records[0]!;

/** A master that answers when the test says so, so a check can be held "in progress". */
class SlowMaster {
  readonly host = MASTER;
  serial = 1;
  checks = 0;
  transfers = 0;
  #waiting: Array<() => void> = [];

  serial$(): Promise<number> {
    this.checks++;
    return new Promise((resolve) => this.#waiting.push(() => resolve(this.serial)));
  }

  async transfer(): Promise<RRHeader[]> {
    this.transfers++;
    return parseZone(zoneText(this.serial)).records;
  }

  /** Lets every pending SOA check answer. */
  release(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const w of waiting) w();
  }
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(): { clock: Clock; master: SlowMaster; secondary: SecondaryAuthority; handler: QueryHandler; notify: (from: string, m?: Message) => Message } {
  const clock = new Clock();
  const master = new SlowMaster();
  const zm: ZoneMaster = { host: master.host, serial: () => master.serial$(), transfer: () => master.transfer() };
  const secondary = new SecondaryAuthority('example.test', zm, clock, undefined, { secondaryNotifyMinInterval: 10 });
  const handler = new QueryHandler([secondary, new FileAuthority(parseZone(zoneText(1).replace(/example\.test/g, 'primary.test')))], null, {}, clock);
  const notify = (from: string, m: Message = makeNotify(99, 'example.test', soaOf(master.serial))): Message => {
    const replies = handler.handle(encodeMessage(m), 'udp', from) as Uint8Array[];
    return decodeMessage(replies[0]!);
  };
  return { clock, master, secondary, handler, notify };
}

/** Starts the secondary and completes its first transfer (the first check of a new secondary is the transfer itself). */
async function started(s: ReturnType<typeof setup>): Promise<void> {
  s.secondary.start();
  await settle();
  assert.equal(s.master.transfers, 1);
}

describe('NOTIFY received by a secondary', () => {
  test('from the master: acknowledged (NOTIFY opcode, AA, the question echoed) and a check starts at once, no clock needed', async () => {
    const s = setup();
    await started(s);
    s.master.serial = 2;
    const ack = s.notify(MASTER);
    assert.deepEqual([ack.answer, ack.opCode, ack.auth, ack.rCode, ack.id], [true, OP_NOTIFY, true, 0, 99]);
    assert.deepEqual(ack.queries, [{ name: 'example.test', type: SOA, cls: IN }]);
    assert.equal(s.master.checks, 1);
    s.master.release();
    await settle();
    assert.deepEqual([s.master.transfers, s.secondary.soa?.serial], [2, 2], 'the newer serial was transferred');
    s.secondary.stop();
  });

  test('from anyone else: REFUSED and nothing happens; for a zone not a secondary here, REFUSED; not served, NOTAUTH; not SOA, FORMERR', async () => {
    const s = setup();
    await started(s);
    assert.equal(s.notify('192.0.2.66').rCode, EREFUSED);
    assert.equal(s.notify('127.0.0.1').rCode, EREFUSED);
    assert.equal(s.master.checks, 0, 'a NOTIFY from a stranger starts no check');
    assert.equal(s.notify(MASTER, makeNotify(1, 'primary.test', soaOf(1))).rCode, EREFUSED);
    assert.equal(s.notify(MASTER, makeNotify(1, 'elsewhere.test', soaOf(1))).rCode, ENOTAUTH);
    assert.equal(s.notify(MASTER, makeNotify(1, 'www.example.test', soaOf(1))).rCode, ENOTAUTH, 'a name inside the zone is not the zone');
    const wrongType = makeMessage({ id: 1, opCode: OP_NOTIFY, auth: true, queries: [{ name: 'example.test', type: A, cls: IN }] });
    assert.equal(s.notify(MASTER, wrongType).rCode, 1);
    assert.equal(s.master.checks, 0);
    s.secondary.stop();
  });

  test('a flood of NOTIFYs is folded: one check in flight, then one more after secondaryNotifyMinInterval', async () => {
    const s = setup();
    await started(s);
    for (let i = 0; i < 50; i++) assert.equal(s.notify(MASTER).rCode, 0);
    assert.equal(s.master.checks, 1, 'NOTIFYs during a check start no other');
    s.master.release();
    await settle();
    assert.equal(s.master.checks, 1, 'the owed check waits for the interval');
    s.clock.advance(9);
    assert.equal(s.master.checks, 1);
    s.clock.advance(1);
    assert.equal(s.master.checks, 2, 'then exactly one more');
    s.master.release();
    await settle();
    s.clock.advance(100);
    assert.equal(s.master.checks, 2, 'and nothing more until the SOA refresh');
    s.secondary.stop();
  });
});

describe('NOTIFY fuzz', () => {
  test('mutated NOTIFY messages, from the master or not, never throw and get at most one reply; only well-formed ones from the master start checks', async () => {
    const s = setup();
    await started(s);
    const good = encodeMessage(makeNotify(1, 'example.test', soaOf(2)));
    let checks = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const random = seededRandom(seed);
      const bytes = good.slice();
      for (let i = 0; i < 1 + Math.floor(random() * 4); i++) bytes[2 + Math.floor(random() * (bytes.length - 2))] = Math.floor(random() * 256);
      const from = random() < 0.5 ? MASTER : '192.0.2.66';
      const out = s.handler.handle(bytes, random() < 0.5 ? 'udp' : 'tcp', from);
      assert.ok(Array.isArray(out) && out.length <= 1, `seed ${seed}`);
      if (from !== MASTER) assert.equal(s.master.checks, checks, `seed ${seed}: a stranger started a check`);
      checks = s.master.checks;
      s.master.release();
      await settle();
    }
    s.secondary.stop();
  });
});

describe('Notifier (the primary side)', () => {
  const soa = new FileAuthority(parseZone(zoneText(7))).soa;

  function lastSent(reactor: MemoryReactor): { port: MemoryDatagramPort; message: Message; to: { host: string; port: number } } {
    const port = reactor.udpPorts.at(-1)!.transport as MemoryDatagramPort;
    const sent = port.written.at(-1)!;
    return { port, message: decodeMessage(sent.data), to: sent.addr };
  }

  test('sends NOTIFY (opcode 4, AA, SOA question, the new SOA as answer) to each target from a fresh port', () => {
    const reactor = new MemoryReactor();
    const notifier = new Notifier(reactor, [['127.0.0.1', 5301], ['127.0.0.1', 5302]]);
    notifier.zoneChanged('example.test', soa);
    assert.equal(reactor.udpPorts.length, 2);
    const { message, to } = lastSent(reactor);
    assert.deepEqual(to, { host: '127.0.0.1', port: 5302 });
    assert.deepEqual([message.answer, message.opCode, message.auth], [false, OP_NOTIFY, true]);
    assert.deepEqual(message.queries, [{ name: 'example.test', type: SOA, cls: IN }]);
    assert.equal((message.answers[0]!.payload as { serial: number }).serial, 7);
    notifier.stop();
  });

  test('retried every notifyTimeout seconds until acknowledged, at most notifyAttempts times; an answer from elsewhere does not count', () => {
    const reactor = new MemoryReactor();
    const notifier = new Notifier(reactor, [['127.0.0.1', 5301]], { notifyTimeout: 2, notifyAttempts: 3 });
    notifier.zoneChanged('example.test', soa);
    reactor.advance(2);
    assert.equal(reactor.udpPorts.length, 2, 'sent again after 2 s');
    const { port, message } = lastSent(reactor);
    const ack = encodeMessage({ ...message, answer: true });
    port.protocol.datagramReceived(ack, { host: '127.0.0.1', port: 9999 });
    assert.equal(notifier.acknowledged, 0, 'from the wrong port');
    port.protocol.datagramReceived(ack, { host: '127.0.0.1', port: 5301 });
    assert.equal(notifier.acknowledged, 1);
    reactor.advance(100);
    assert.equal(reactor.udpPorts.length, 2, 'no more once acknowledged');

    notifier.zoneChanged('example.test', soa);
    for (let i = 0; i < 50; i++) reactor.advance(2);
    assert.equal(reactor.udpPorts.length, 5, 'an unanswered NOTIFY is sent 3 times, then given up');
  });

  test('a newer change replaces the NOTIFY still being retried', () => {
    const reactor = new MemoryReactor();
    const notifier = new Notifier(reactor, [['127.0.0.1', 5301]], { notifyTimeout: 2, notifyAttempts: 3 });
    notifier.zoneChanged('example.test', soa);
    reactor.advance(1);
    notifier.zoneChanged('example.test', soa);
    for (let i = 0; i < 50; i++) reactor.advance(2);
    assert.equal(reactor.udpPorts.length, 4, 'one first send cancelled, then 3 sends of the newer one');
    notifier.stop();
  });
});
