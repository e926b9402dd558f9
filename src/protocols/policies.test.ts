import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../testing/clock.js';
import { StringTransport } from '../testing/string-transport.js';
import { Failure } from '../defer/index.js';
import { ConnectionDone } from '../internet/error.js';
import { IPv4Address, UNIXAddress } from '../internet/address.js';
import { Factory, Protocol } from '../internet/protocol.js';
import type { IPushProducer } from '../internet/interfaces.js';
import { isSecure } from '../internet/capabilities.js';
import { ProtocolWrapper, WrappingFactory } from './wrapper.js';
import { ThrottlingFactory, type ThrottlingProtocol } from './throttling.js';
import { LimitConnectionsByPeer, peerHost } from './limit-connections.js';
import { latin1Bytes, latin1 } from '../testing/index.js';

class Recorder extends Protocol {
  events: string[] = [];
  override connectionMade(): void {
    this.events.push('made');
  }
  override dataReceived(data: Uint8Array): void {
    this.events.push(`data:${latin1(data)}`);
    this.transport.write(data);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.events.push(`lost:${reason.value.name}`);
  }
}

const addr = (host: string) => new IPv4Address('TCP', host, 1234);
const done = () => new Failure(new ConnectionDone());

function connect(factory: WrappingFactory, host = '127.0.0.1'): { wrapper: ProtocolWrapper | null; transport: StringTransport } {
  const transport = new StringTransport({ peerAddress: addr(host) });
  const wrapper = factory.buildProtocol(addr(host));
  wrapper?.makeConnection(transport);
  return { wrapper, transport };
}

describe('WrappingFactory / ProtocolWrapper', () => {
  test('passes data, writes, close and addresses through, and tracks live wrappers', () => {
    const wf = new WrappingFactory(Factory.forProtocol(Recorder));
    const { wrapper, transport } = connect(wf, '10.1.2.3');
    assert.ok(wrapper);
    const inner = wrapper.wrappedProtocol as Recorder;
    assert.equal(inner.transport, wrapper, 'the wrapper is the inner protocol\'s transport');
    assert.deepEqual(inner.transport.getPeer(), addr('10.1.2.3'));
    assert.equal(wf.protocols.size, 1);
    wrapper.dataReceived(latin1Bytes('hi'));
    assert.equal(transport.valueString(), 'hi');
    inner.transport.loseConnection();
    assert.equal(wrapper.disconnecting, true);
    wrapper.connectionLost(done());
    assert.deepEqual(inner.events, ['made', 'data:hi', 'lost:ConnectionDone']);
    assert.equal(wf.protocols.size, 0);
  });

  test('forwards producer calls and doStart/doStop to the real transport and factory', () => {
    const inner = Factory.forProtocol(Recorder);
    const wf = new WrappingFactory(inner);
    wf.doStart();
    assert.equal(inner.numPorts, 1);
    const { wrapper, transport } = connect(wf);
    const producer: IPushProducer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    wrapper!.registerProducer(producer, true);
    assert.equal(transport.producer, producer);
    wrapper!.pauseProducing();
    assert.equal(transport.producerState, 'paused');
    wf.doStop();
    assert.equal(inner.numPorts, 0);
  });

  test('passes the capabilities through: the TLS marker, the write buffer and its marks, batching', () => {
    const wf = new WrappingFactory(Factory.forProtocol(Recorder));
    const transport = new StringTransport({ secure: true });
    transport.peerCertificate = { subject: { CN: 'peer' } };
    transport.negotiatedProtocol = 'h2';
    transport.writeBufferSize = 70_000;
    const wrapper = wf.buildProtocol(addr('10.0.0.9'))!;
    wrapper.makeConnection(transport);
    assert.equal(isSecure(wrapper), true, 'a wrapped protocol still knows TLS is under it');
    assert.deepEqual(wrapper.getPeerCertificate(), { subject: { CN: 'peer' } });
    assert.equal(wrapper.negotiatedProtocol, 'h2');
    assert.equal(wrapper.getWriteBufferSize(), 70_000);
    wrapper.setWriteBufferLimits(4096, 1024);
    assert.deepEqual(transport.getWriteBufferLimits(), { high: 4096, low: 1024 });
    wrapper.cork();
    assert.equal(transport.corked, 1);
    wrapper.uncork();
    assert.equal(transport.corked, 0);
    const plain = wf.buildProtocol(addr('10.0.0.9'))!;
    plain.makeConnection(new StringTransport());
    assert.equal(isSecure(plain), false);
  });

  test('a refusing wrapped factory makes buildProtocol return null', () => {
    const inner = new (class extends Factory {
      override buildProtocol() {
        return null;
      }
    })();
    assert.equal(new WrappingFactory(inner).buildProtocol(addr('1.2.3.4')), null);
  });
});

describe('ThrottlingFactory', () => {
  test('refuses connections past maxConnectionCount and accepts again once one closes', () => {
    const tf = new ThrottlingFactory(Factory.forProtocol(Recorder), { maxConnectionCount: 2, clock: new Clock() });
    const a = connect(tf);
    connect(tf);
    assert.equal(connect(tf).wrapper, null);
    a.wrapper!.connectionLost(done());
    assert.notEqual(connect(tf).wrapper, null);
  });

  test('pauses reading for the excess over readLimit, then resumes', () => {
    const clock = new Clock();
    const tf = new ThrottlingFactory(Factory.forProtocol(Recorder), { readLimit: 100, clock });
    const { wrapper, transport } = connect(tf);
    wrapper!.dataReceived(new Uint8Array(250));
    clock.advance(1);
    assert.equal(transport.producerState, 'paused', 'read 250 B in a second with a 100 B/s limit');
    clock.advance(1.49);
    assert.equal(transport.producerState, 'paused');
    clock.advance(0.01);
    assert.equal(transport.producerState, 'producing', 'paused for 250/100 - 1 = 1.5 s');
    wrapper!.dataReceived(new Uint8Array(50));
    clock.advance(1);
    assert.equal(transport.producerState, 'producing', 'under the limit');
  });

  test('pauses the registered producer for the excess over writeLimit', () => {
    const clock = new Clock();
    const tf = new ThrottlingFactory(Factory.forProtocol(Recorder), { writeLimit: 1000, clock });
    const { wrapper } = connect(tf);
    const calls: string[] = [];
    wrapper!.registerProducer({ pauseProducing: () => calls.push('pause'), resumeProducing: () => calls.push('resume'), stopProducing() {} }, true);
    wrapper!.write(new Uint8Array(3000));
    clock.advance(1);
    assert.deepEqual(calls, ['pause']);
    clock.advance(2);
    assert.deepEqual(calls, ['pause', 'resume']);
  });

  test('stops its timers when the last connection closes', () => {
    const clock = new Clock();
    const tf = new ThrottlingFactory(Factory.forProtocol(Recorder), { readLimit: 10, writeLimit: 10, clock });
    const { wrapper } = connect(tf);
    assert.equal(clock.getDelayedCalls().length, 2);
    (wrapper as ThrottlingProtocol).connectionLost(done());
    assert.equal(clock.getDelayedCalls().length, 0);
  });
});

describe('LimitConnectionsByPeer', () => {
  test('allows N connections per peer host, independently per host, and frees slots on close', () => {
    const lf = new LimitConnectionsByPeer(Factory.forProtocol(Recorder), 2);
    const a1 = connect(lf, '10.0.0.1');
    connect(lf, '10.0.0.1');
    assert.equal(connect(lf, '10.0.0.1').wrapper, null);
    assert.notEqual(connect(lf, '10.0.0.2').wrapper, null);
    a1.wrapper!.connectionLost(done());
    assert.equal(lf.peerConnections.get('10.0.0.1'), 1);
    assert.notEqual(connect(lf, '10.0.0.1').wrapper, null);
  });

  test('peerHost reads IP hosts and Unix paths', () => {
    assert.equal(peerHost(addr('::1')), '::1');
    assert.equal(peerHost(new UNIXAddress('/tmp/s')), '/tmp/s');
  });
});
