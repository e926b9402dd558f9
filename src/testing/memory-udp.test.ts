import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { IPv4Address } from '../internet/address.js';
import { DatagramProtocol } from '../internet/protocol.js';
import { MemoryReactor } from './memory-reactor.js';

class EchoDatagram extends DatagramProtocol {
  events: string[] = [];
  override startProtocol(): void {
    this.events.push('start');
  }
  override stopProtocol(): void {
    this.events.push('stop');
  }
  override datagramReceived(data: Uint8Array, addr: { host: string; port: number }): void {
    this.events.push(`from ${addr.host}:${addr.port}`);
    this.transport!.write(data, addr);
  }
  override connectionRefused(): void {
    this.events.push('refused');
  }
}

describe('MemoryReactor UDP', () => {
  test('listenUDP records the call and starts the protocol on a fake port', () => {
    const reactor = new MemoryReactor();
    const protocol = new EchoDatagram();
    const port = reactor.listenUDP(53, protocol, { interface: '127.0.0.1', maxPacketSize: 512 });
    assert.equal(reactor.udpPorts.length, 1);
    assert.equal(reactor.udpPorts[0].protocol, protocol);
    assert.equal(reactor.udpPorts[0].maxPacketSize, 512);
    assert.equal(reactor.udpPorts[0].transport, port);
    assert.deepEqual(port.getHost(), new IPv4Address('UDP', '127.0.0.1', 53));
    assert.deepEqual(protocol.events, ['start']);
  });

  test('delivered datagrams reach the protocol; what it writes is recorded with the address', () => {
    const reactor = new MemoryReactor();
    const protocol = new EchoDatagram();
    const port = reactor.listenUDP(0, protocol);
    port.deliver('query', { host: '10.0.0.9', port: 4000 });
    assert.deepEqual(protocol.events, ['start', 'from 10.0.0.9:4000']);
    assert.equal(port.written.length, 1);
    assert.equal(port.written[0].data.toString(), 'query');
    assert.deepEqual(port.written[0].addr, { host: '10.0.0.9', port: 4000 });
  });

  test('a connected port writes without an address, hears only its peer, and can be refused', () => {
    const reactor = new MemoryReactor();
    const protocol = new EchoDatagram();
    const port = reactor.listenUDP(0, protocol);
    assert.throws(() => port.write('x'), /no address/);
    port.connect('10.0.0.1', 53);
    port.write('hello');
    assert.deepEqual(port.written[0].addr, { host: '10.0.0.1', port: 53 });
    assert.throws(() => port.write('x', { host: '10.0.0.2', port: 53 }), /only sends to 10.0.0.1:53/);
    port.deliver('stranger', { host: '10.0.0.2', port: 53 });
    assert.equal(protocol.events.length, 1, 'ignored');
    port.refuse();
    assert.deepEqual(protocol.events, ['start', 'refused']);
  });

  test('stopListening stops the protocol once', async () => {
    const reactor = new MemoryReactor();
    const protocol = new EchoDatagram();
    const port = reactor.listenUDP(0, protocol);
    await port.stopListening();
    port.stopListening();
    assert.deepEqual(protocol.events, ['start', 'stop']);
    assert.throws(() => port.deliver('late', { host: '1.2.3.4', port: 1 }), /no longer listening/);
  });

  test('listenMulticast records its options and the group calls', async () => {
    const reactor = new MemoryReactor();
    const port = reactor.listenMulticast(5353, new EchoDatagram(), { listenMultiple: true });
    assert.equal(reactor.multicastPorts[0].listenMultiple, true);
    await port.joinGroup('239.1.2.3');
    await port.joinGroup('239.1.2.4', '127.0.0.1');
    await port.leaveGroup('239.1.2.3');
    port.setTTL(4);
    port.setLoopbackMode(false);
    await port.setOutgoingInterface('127.0.0.1');
    assert.deepEqual([...port.groups], ['239.1.2.4%127.0.0.1']);
    assert.equal(port.ttl, 4);
    assert.equal(port.loopback, false);
    assert.equal(port.outgoingInterface, '127.0.0.1');
  });
});
