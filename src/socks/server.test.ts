import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryUsernamePasswordDatabase } from '../cred/index.js';
import { IPv4Address } from '../internet/address.js';
import { ConnectionRefusedError } from '../internet/error.js';
import { Failure } from '../defer/index.js';
import type { IProtocol } from '../internet/interfaces.js';
import { MemoryReactor, StringTransport, randomBytes, seededRandom, splitRandom } from '../testing/index.js';
import { SOCKSServerFactory } from './server.js';
import type { SOCKSServerOptions } from './interfaces.js';

const client = new IPv4Address('TCP', '192.0.2.7', 40000);
const bytes = (...b: number[]) => Uint8Array.from(b);
const tick = () => new Promise((r) => setImmediate(r));

function serve(options: Partial<SOCKSServerOptions> = {}) {
  const reactor = new MemoryReactor();
  const factory = new SOCKSServerFactory({ reactor, ...options });
  const open = (addr = client) => {
    const proto = factory.buildProtocol(addr);
    assert.ok(proto);
    const t = new StringTransport({ peerAddress: addr });
    proto.makeConnection(t);
    return { proto, t };
  };
  /** Completes the last outgoing connection; returns its transport and protocol. */
  const complete = () => {
    const record = reactor.tcpClients.at(-1)!;
    const out = record.factory.buildProtocol(new IPv4Address('TCP', record.host, record.port)) as IProtocol;
    const t = new StringTransport({ hostAddress: new IPv4Address('TCP', '198.51.100.1', 5555) });
    out.makeConnection(t);
    return { record, out, t };
  };
  return { reactor, factory, open, complete };
}

const socks5Connect = (a: number, b: number, c: number, d: number, port: number) => bytes(5, 1, 0, 1, a, b, c, d, port >> 8, port & 0xff);
const socks5Name = (name: string, port: number) => bytes(5, 1, 0, 3, name.length, ...Buffer.from(name), port >> 8, port & 0xff);

describe('SOCKS server, in memory', () => {
  test('SOCKS5 CONNECT without login: method 0, connects, answers the bound address, relays both ways', () => {
    const { open, complete, reactor } = serve();
    const { proto, t } = open();
    proto.dataReceived(bytes(5, 1, 0));
    assert.deepEqual([...t.value()], [5, 0]);
    t.clear();
    proto.dataReceived(socks5Connect(93, 184, 216, 34, 80));
    assert.equal(reactor.tcpClients[0]!.host, '93.184.216.34');
    assert.equal(reactor.tcpClients[0]!.port, 80);
    const out = complete();
    assert.deepEqual([...t.value()], [5, 0, 0, 1, 198, 51, 100, 1, 0x15, 0xb3]);
    t.clear();
    proto.dataReceived(Buffer.from('GET /'));
    assert.equal(out.t.valueString(), 'GET /');
    out.out.dataReceived(Buffer.from('200'));
    assert.equal(t.valueString(), '200');
  });

  test('the request arriving in one chunk with the greeting, and byte by byte, both work', () => {
    const wire = new Uint8Array([...bytes(5, 1, 0), ...socks5Connect(8, 8, 8, 8, 53)]);
    for (const chunked of [[wire], splitRandom(seededRandom(1), wire, 1)]) {
      const { open, reactor } = serve();
      const { proto } = open();
      for (const c of chunked) proto.dataReceived(c);
      assert.equal(reactor.tcpClients[0]?.host, '8.8.8.8');
    }
  });

  test('by default loopback, private, link-local and multicast destinations are refused (reply 2)', () => {
    for (const addr of [[127, 0, 0, 1], [10, 1, 2, 3], [192, 168, 0, 1], [172, 16, 0, 1], [169, 254, 169, 254], [224, 0, 0, 1], [0, 0, 0, 0]]) {
      const { open, reactor } = serve();
      const { proto, t } = open();
      proto.dataReceived(bytes(5, 1, 0));
      proto.dataReceived(socks5Connect(addr[0]!, addr[1]!, addr[2]!, addr[3]!, 80));
      assert.equal(reactor.tcpClients.length, 0, addr.join('.'));
      assert.equal(t.value()[3], 2, addr.join('.'));
      assert.ok(t.disconnecting);
    }
  });

  test('--allow opens a range', () => {
    const { open, reactor } = serve({ allow: ['127.0.0.0/8'] });
    const { proto } = open();
    proto.dataReceived(bytes(5, 1, 0));
    proto.dataReceived(socks5Connect(127, 0, 0, 1, 8080));
    assert.equal(reactor.tcpClients[0]?.host, '127.0.0.1');
  });

  test('a host name resolving to a private address is refused; a public one is connected by address', async () => {
    const resolver = async (host: string) => [{ address: host === 'inside.test' ? '10.0.0.5' : '203.0.113.9' }];
    const { open, reactor } = serve({ resolver });
    const a = open();
    a.proto.dataReceived(bytes(5, 1, 0));
    a.proto.dataReceived(socks5Name('inside.test', 80));
    await tick();
    assert.equal(reactor.tcpClients.length, 0);
    assert.equal(a.t.value()[3], 2);
    const b = open();
    b.proto.dataReceived(bytes(5, 1, 0));
    b.proto.dataReceived(socks5Name('outside.test', 80));
    await tick();
    assert.equal(reactor.tcpClients[0]?.host, '203.0.113.9');
  });

  test('a refused destination answers 5 (connection refused)', () => {
    const { open, reactor } = serve();
    const { proto, t } = open();
    proto.dataReceived(bytes(5, 1, 0));
    proto.dataReceived(socks5Connect(203, 0, 113, 1, 81));
    t.clear();
    const record = reactor.tcpClients[0]!;
    (record.factory as unknown as { clientConnectionFailed(c: unknown, f: Failure): void }).clientConnectionFailed(record.connector, new Failure(new ConnectionRefusedError()));
    assert.equal(t.value()[1], 5);
    assert.ok(t.disconnecting);
  });

  test('BIND answers 7 (command not supported); an unknown address type 8', () => {
    for (const cmd of [2]) {
      const { open } = serve();
      const { proto, t } = open();
      proto.dataReceived(bytes(5, 1, 0));
      t.clear();
      proto.dataReceived(bytes(5, cmd, 0, 1, 8, 8, 8, 8, 0, 80));
      assert.equal(t.value()[1], 7);
    }
    const { open } = serve();
    const { proto, t } = open();
    proto.dataReceived(bytes(5, 1, 0));
    t.clear();
    proto.dataReceived(bytes(5, 1, 0, 9, 1, 2, 3, 4, 5, 6));
    assert.equal(t.value()[1], 8);
    assert.ok(t.disconnecting);
  });

  test('UDP ASSOCIATE: relays the client datagrams to allowed destinations and only their answers back', () => {
    const { open, reactor } = serve();
    const { proto, t } = open();
    proto.dataReceived(bytes(5, 1, 0));
    t.clear();
    proto.dataReceived(bytes(5, 3, 0, 1, 0, 0, 0, 0, 0, 0));
    const udp = reactor.udpPorts[0]!.transport;
    const bound = udp.getHost() as IPv4Address;
    assert.deepEqual([...t.value()].slice(0, 4), [5, 0, 0, 1]);
    assert.equal((t.value()[8]! << 8) | t.value()[9]!, bound.port);
    const from = { host: client.host, port: 7000 };
    udp.deliver(bytes(0, 0, 0, 1, 8, 8, 8, 8, 0, 53, 0xaa, 0xbb), from);
    assert.deepEqual(udp.written.map((w) => [w.addr, [...w.data]]), [[{ host: '8.8.8.8', port: 53 }, [0xaa, 0xbb]]]);
    udp.deliver(bytes(0, 0, 0, 1, 127, 0, 0, 1, 0, 53, 1), from);
    udp.deliver(bytes(0, 0, 1, 1, 8, 8, 8, 8, 0, 53, 1), from);
    udp.deliver(bytes(0, 0, 0, 1, 8, 8, 8, 8, 0, 53, 1), { host: '203.0.113.66', port: 7000 });
    assert.equal(udp.written.length, 1, 'a loopback destination, a fragment and a stranger are all dropped');
    udp.deliver(bytes(0xcc), { host: '8.8.8.8', port: 53 });
    udp.deliver(bytes(0xdd), { host: '9.9.9.9', port: 53 });
    assert.equal(udp.written.length, 2);
    assert.deepEqual(udp.written[1], { addr: from, data: Buffer.from([0, 0, 0, 1, 8, 8, 8, 8, 0, 53, 0xcc]) });
    proto.connectionLost(new Failure(new ConnectionRefusedError()));
    assert.equal(udp.listening, false);
  });

  test('SOCKS4 and SOCKS4a CONNECT', async () => {
    const { open, complete, reactor } = serve({ resolver: async () => [{ address: '203.0.113.9' }] });
    const a = open();
    a.proto.dataReceived(bytes(4, 1, 0, 80, 8, 8, 4, 4, ...Buffer.from('me'), 0));
    assert.equal(reactor.tcpClients[0]?.host, '8.8.4.4');
    complete();
    assert.deepEqual([...a.t.value()].slice(0, 2), [0, 90]);
    const b = open();
    b.proto.dataReceived(bytes(4, 1, 0, 80, 0, 0, 0, 1, 0, ...Buffer.from('example.test'), 0));
    await tick();
    assert.equal(reactor.tcpClients[1]?.host, '203.0.113.9');
  });

  test('a SOCKS4 user id with no NUL in sight is cut off at the limit', () => {
    const { open } = serve();
    const { proto, t } = open();
    proto.dataReceived(bytes(4, 1, 0, 80, 8, 8, 4, 4));
    proto.dataReceived(new Uint8Array(300).fill(65));
    assert.ok(t.disconnecting);
  });

  describe('with --auth', () => {
    const checkers = [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })];

    test('no-auth only is refused with 0xFF', () => {
      const { open } = serve({ checkers });
      const { proto, t } = open();
      proto.dataReceived(bytes(5, 1, 0));
      assert.deepEqual([...t.value()], [5, 0xff]);
      assert.ok(t.disconnecting);
    });

    test('a wrong password is refused; the right one lets the request through', async () => {
      const { open, reactor } = serve({ checkers });
      const bad = open();
      bad.proto.dataReceived(bytes(5, 2, 0, 2));
      assert.deepEqual([...bad.t.value()], [5, 2]);
      bad.proto.dataReceived(bytes(1, 5, ...Buffer.from('alice'), 5, ...Buffer.from('wrong')));
      for (let i = 0; i < 50 && !bad.t.disconnecting; i++) await tick();
      assert.deepEqual([...bad.t.value()].slice(2), [1, 1]);
      assert.ok(bad.t.disconnecting);
      const good = open();
      good.proto.dataReceived(new Uint8Array([...bytes(5, 1, 2, 1, 5), ...Buffer.from('alice'), 6, ...Buffer.from('secret'), ...socks5Connect(8, 8, 8, 8, 80)]));
      for (let i = 0; i < 50 && reactor.tcpClients.length === 0; i++) await tick();
      assert.deepEqual([...good.t.value()].slice(0, 4), [5, 2, 1, 0]);
      assert.equal(reactor.tcpClients[0]?.host, '8.8.8.8');
    });

    test('SOCKS4, which has no password, is refused', () => {
      const { open, reactor } = serve({ checkers });
      const { proto, t } = open();
      proto.dataReceived(bytes(4, 1, 0, 80, 8, 8, 8, 8, 0));
      assert.deepEqual([...t.value()].slice(0, 2), [0, 91]);
      assert.equal(reactor.tcpClients.length, 0);
    });
  });

  test('handshake timeout, then idle timeout once relaying', () => {
    const { open, complete, reactor, factory } = serve();
    const slow = open();
    slow.proto.dataReceived(bytes(5, 1, 0));
    reactor.advance(factory.limits.handshakeTimeout);
    assert.ok(slow.t.disconnecting);
    const { proto, t } = open();
    proto.dataReceived(bytes(5, 1, 0));
    proto.dataReceived(socks5Connect(8, 8, 8, 8, 80));
    const out = complete();
    reactor.advance(factory.limits.handshakeTimeout + 1);
    assert.ok(!t.disconnecting);
    reactor.advance(factory.limits.idleTimeout - 20);
    proto.dataReceived(Buffer.from('x'));
    reactor.advance(factory.limits.idleTimeout - 1);
    assert.ok(!t.disconnecting);
    reactor.advance(1);
    assert.ok(t.disconnecting, 'client side');
    assert.ok(out.t.disconnecting, 'destination side');
  });

  test('connections per client are limited; others still get in', () => {
    const { factory } = serve({ limits: { maxConnectionsPerClient: 2 } });
    assert.ok(factory.buildProtocol(client));
    assert.ok(factory.buildProtocol(client));
    assert.equal(factory.buildProtocol(client), null);
    assert.ok(factory.buildProtocol(new IPv4Address('TCP', '192.0.2.8', 1)));
  });

  test('fuzz: random bytes never throw out of the server', () => {
    const random = seededRandom(5);
    for (let i = 0; i < 500; i++) {
      const { open } = serve({ resolver: async () => [] });
      const { proto } = open();
      const data = randomBytes(random, Math.floor(random() * 40), [0, 1, 2, 3, 4, 5]);
      for (const c of splitRandom(random, data, 6)) proto.dataReceived(c);
    }
  });
});
