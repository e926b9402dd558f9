import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred, succeed } from '../defer/index.js';
import { Factory, Protocol } from '../internet/protocol.js';
import type { IProtocol, IProtocolFactory } from '../internet/interfaces.js';
import { IPv4Address } from '../internet/address.js';
import { StringTransport, failureResultOf, successResultOf } from '../testing/index.js';
import { SOCKS4ClientEndpoint, SOCKS5ClientEndpoint } from './client.js';
import { SOCKSAuthError, SOCKSConnectError } from './errors.js';

class Recorder extends Protocol {
  got = '';
  override connectionMade(): void {
    this.transport.write('hello');
  }
  override dataReceived(data: Uint8Array): void {
    this.got += Buffer.from(data).toString();
  }
}

/** A proxy endpoint whose connection is a StringTransport the test scripts. */
function scriptedProxy() {
  const t = new StringTransport();
  let proto: IProtocol | null = null;
  const endpoint = {
    connect(factory: IProtocolFactory): Deferred<IProtocol> {
      proto = factory.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 1080))!;
      proto.makeConnection(t);
      return succeed(proto);
    },
  };
  return { endpoint, t, feed: (...b: number[]) => proto!.dataReceived(Uint8Array.from(b)) };
}

const userFactory = () => Factory.forProtocol(Recorder);

describe('SOCKS client endpoints, in memory', () => {
  test('SOCKS5 with a login: greeting, RFC 1929, CONNECT by name, then the protocol takes over', () => {
    const { endpoint, t, feed } = scriptedProxy();
    const d = new SOCKS5ClientEndpoint('example.test', 80, endpoint, { username: 'u', password: 'pw' }).connect(userFactory());
    assert.deepEqual([...t.value()], [5, 2, 0, 2]);
    t.clear();
    feed(5, 2);
    assert.deepEqual([...t.value()], [1, 1, 117, 2, 112, 119]);
    t.clear();
    feed(1, 0);
    assert.deepEqual([...t.value()], [5, 1, 0, 3, 12, ...Buffer.from('example.test'), 0, 80]);
    t.clear();
    feed(5, 0, 0, 1, 1, 2, 3, 4, 0, 9, 104, 105);
    const p = successResultOf(d) as Recorder;
    assert.equal(t.valueString(), 'hello');
    assert.equal(p.got, 'hi', 'bytes after the reply in the same chunk reach the protocol');
  });

  test('a refused login, no acceptable method, and a failed CONNECT fail with their errors', () => {
    const a = scriptedProxy();
    const da = new SOCKS5ClientEndpoint('h', 1, a.endpoint, { username: 'u', password: 'x' }).connect(userFactory());
    a.feed(5, 2, 1, 1);
    failureResultOf(da, SOCKSAuthError);
    const b = scriptedProxy();
    const db = new SOCKS5ClientEndpoint('h', 1, b.endpoint).connect(userFactory());
    b.feed(5, 0xff);
    failureResultOf(db, SOCKSAuthError);
    const c = scriptedProxy();
    const dc = new SOCKS5ClientEndpoint('10.0.0.1', 1, c.endpoint).connect(userFactory());
    c.feed(5, 0, 5, 2, 0, 1, 0, 0, 0, 0, 0, 0);
    assert.equal((failureResultOf(dc, SOCKSConnectError).value as SOCKSConnectError).reply, 2);
  });

  test('SOCKS4 for an IPv4 address, SOCKS4a for a name', () => {
    const a = scriptedProxy();
    const da = new SOCKS4ClientEndpoint('192.0.2.1', 8080, a.endpoint, { userId: 'me' }).connect(userFactory());
    assert.deepEqual([...a.t.value()], [4, 1, 0x1f, 0x90, 192, 0, 2, 1, 109, 101, 0]);
    a.feed(0, 90, 0, 0, 0, 0, 0, 0);
    successResultOf(da);
    const b = scriptedProxy();
    const db = new SOCKS4ClientEndpoint('example.test', 80, b.endpoint).connect(userFactory());
    assert.deepEqual([...b.t.value()], [4, 1, 0, 80, 0, 0, 0, 1, 0, ...Buffer.from('example.test'), 0]);
    b.feed(0, 91, 0, 0, 0, 0, 0, 0);
    failureResultOf(db, SOCKSConnectError);
  });
});
