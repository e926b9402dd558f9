import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StringTransport, StringTransportWithDisconnection } from './string-transport.js';
import { Protocol } from '../internet/protocol.js';
import { IPv4Address, UNIXAddress } from '../internet/address.js';
import { ConnectionAborted, ConnectionDone } from '../internet/error.js';
import type { Failure } from '../defer/index.js';
import type { IPushProducer } from '../internet/interfaces.js';

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

class Recorder extends Protocol {
  reasons: Failure[] = [];
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.reasons.push(reason);
  }
}

function producer(): IPushProducer & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pauseProducing: () => calls.push('pause'),
    resumeProducing: () => calls.push('resume'),
    stopProducing: () => calls.push('stop'),
  };
}

describe('StringTransport', () => {
  test('records what a protocol writes, as bytes and as a string', () => {
    const transport = new StringTransport();
    const echo = new Echo();
    echo.makeConnection(transport);
    echo.dataReceived(Buffer.from('hello '));
    echo.dataReceived(new Uint8Array([0xe2, 0x82, 0xac]));
    assert.ok(Buffer.isBuffer(transport.value()));
    assert.deepEqual([...transport.value()], [...Buffer.from('hello €')]);
    assert.equal(transport.valueString(), 'hello €');
  });

  test('strings are written as UTF-8; writeSequence writes each chunk in order', () => {
    const transport = new StringTransport();
    transport.write('é');
    transport.writeSequence(['a', Buffer.from('b'), new Uint8Array([0x63])]);
    assert.deepEqual([...transport.value()], [0xc3, 0xa9, 0x61, 0x62, 0x63]);
  });

  test('copies written bytes, so a writer reusing its buffer does not change the record', () => {
    const transport = new StringTransport();
    const buf = Buffer.from('abc');
    transport.write(buf);
    buf[0] = 0x7a;
    assert.equal(transport.valueString(), 'abc');
  });

  test('rejects values that are not bytes or strings', () => {
    const transport = new StringTransport();
    assert.throws(() => transport.write(42 as unknown as string), /Uint8Array or string, got number/);
  });

  test('clear forgets what was written', () => {
    const transport = new StringTransport();
    transport.write('one');
    transport.clear();
    transport.write('two');
    assert.equal(transport.valueString(), 'two');
    transport.clear();
    assert.equal(transport.value().length, 0);
  });

  test('loseConnection and abortConnection set the flags without telling the protocol', () => {
    const transport = new StringTransport();
    const p = new Recorder();
    p.makeConnection(transport);
    assert.equal(transport.disconnecting, false);
    transport.loseConnection();
    assert.equal(transport.disconnecting, true);
    assert.equal(transport.aborted, false);
    transport.abortConnection();
    assert.equal(transport.aborted, true);
    assert.equal(p.reasons.length, 0);
    transport.loseWriteConnection();
    assert.equal(transport.writeConnectionLost, true);
  });

  test('addresses have defaults and can be configured', () => {
    const t = new StringTransport();
    assert.deepEqual(t.getHost(), new IPv4Address('TCP', '10.0.0.1', 12345));
    assert.deepEqual(t.getPeer(), new IPv4Address('TCP', '192.168.1.1', 54321));
    const u = new StringTransport({ hostAddress: new UNIXAddress('/s'), peerAddress: new UNIXAddress(null) });
    assert.equal(String(u.getHost()), 'UNIX:/s');
    assert.equal(String(u.getPeer()), 'UNIX:(unbound)');
  });

  test('records one producer at a time; a second registration throws', () => {
    const t = new StringTransport();
    const p = producer();
    t.registerProducer(p, true);
    assert.equal(t.producer, p);
    assert.equal(t.streaming, true);
    assert.throws(() => t.registerProducer(producer(), false), /never unregistered/);
    t.unregisterProducer();
    assert.equal(t.producer, null);
    assert.throws(() => t.unregisterProducer(), /unless one is registered/);
    t.registerProducer(p, false);
    assert.equal(t.streaming, false);
    assert.deepEqual(p.calls, []);
  });

  test('records its own producer state; a stopped transport cannot be paused or resumed', () => {
    const t = new StringTransport();
    assert.equal(t.producerState, 'producing');
    t.pauseProducing();
    assert.equal(t.producerState, 'paused');
    t.resumeProducing();
    assert.equal(t.producerState, 'producing');
    t.stopProducing();
    assert.equal(t.producerState, 'stopped');
    assert.throws(() => t.pauseProducing(), /stopped producing/);
    assert.throws(() => t.resumeProducing(), /stopped producing/);
  });

  test('startTLS records its options and the bytes written before it', () => {
    const t = new StringTransport();
    t.write('STARTTLS\r\n');
    t.peerCertificate = { subject: { CN: 'peer' } };
    t.startTLS({ servername: 'example.org' });
    assert.deepEqual(t.tls, { options: { servername: 'example.org' }, asServer: false, bytesBefore: 10 });
    assert.deepEqual(t.getPeerCertificate(), { subject: { CN: 'peer' } });
  });

  test('TCP options are remembered', () => {
    const t = new StringTransport();
    t.setTcpNoDelay(true);
    t.setTcpKeepAlive(true);
    assert.equal(t.getTcpNoDelay(), true);
    assert.equal(t.getTcpKeepAlive(), true);
  });
});

describe('StringTransportWithDisconnection', () => {
  test('loseConnection tells the protocol once, with ConnectionDone', () => {
    const p = new Recorder();
    const t = new StringTransportWithDisconnection();
    t.protocol = p;
    p.makeConnection(t);
    t.loseConnection();
    t.loseConnection();
    assert.equal(p.reasons.length, 1);
    assert.ok(p.reasons[0].check(ConnectionDone));
    assert.equal(p.connected, false);
    assert.equal(t.connected, false);
  });

  test('abortConnection tells the protocol with ConnectionAborted', () => {
    const p = new Recorder();
    const t = new StringTransportWithDisconnection({ protocol: p });
    p.makeConnection(t);
    t.abortConnection();
    assert.equal(p.reasons.length, 1);
    assert.ok(p.reasons[0].check(ConnectionAborted));
  });

  test('a registered producer is stopped when the connection goes', () => {
    const p = new Recorder();
    const t = new StringTransportWithDisconnection({ protocol: p });
    const prod = producer();
    t.registerProducer(prod, true);
    t.loseConnection();
    assert.deepEqual(prod.calls, ['stop']);
    assert.equal(t.producer, null);
  });
});
