import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StringTransportWithDisconnection } from '../testing/string-transport.js';
import { Deferred } from '../defer/index.js';
import { IPv4Address } from '../internet/address.js';
import type { IProtocolFactory } from '../internet/interfaces.js';
import { ProxyFactory, type ProxyServer, type ProxyClient } from './portforward.js';
import { latin1Bytes } from '../testing/index.js';

/** An endpoint that "connects" over a StringTransport when the test says so. */
class FakeEndpoint {
  pending: { factory: IProtocolFactory; d: Deferred<unknown> }[] = [];
  connect(factory: IProtocolFactory): Deferred<unknown> {
    const d = new Deferred<unknown>();
    this.pending.push({ factory, d });
    return d;
  }
  succeed(): { client: ProxyClient; transport: StringTransportWithDisconnection } {
    const { factory, d } = this.pending.shift()!;
    const client = factory.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 80)) as ProxyClient;
    const transport = new StringTransportWithDisconnection({ protocol: client });
    client.makeConnection(transport);
    d.callback(client);
    return { client, transport };
  }
}

function accept(factory: ProxyFactory): { server: ProxyServer; transport: StringTransportWithDisconnection } {
  const server = factory.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 5555))!;
  const transport = new StringTransportWithDisconnection({ protocol: server });
  server.makeConnection(transport);
  return { server, transport };
}

describe('ProxyFactory (port forwarder)', () => {
  test('holds the accepted side paused until the outgoing side is up, then relays both ways', () => {
    const endpoint = new FakeEndpoint();
    const { server, transport: st } = accept(new ProxyFactory(endpoint));
    assert.equal(st.producerState, 'paused', 'reads nothing before it has somewhere to send it');
    server.dataReceived(latin1Bytes('in flight;'));
    const { client, transport: ct } = endpoint.succeed();
    assert.equal(ct.valueString(), 'in flight;', 'a chunk already in flight when reading paused is kept and sent');
    ct.clear();
    assert.equal(st.producerState, 'producing');
    server.dataReceived(latin1Bytes('GET /\r\n'));
    assert.equal(ct.valueString(), 'GET /\r\n');
    client.dataReceived(latin1Bytes('200 OK'));
    assert.equal(st.valueString(), '200 OK');
  });

  test('ties the two transports together as each other\'s streaming producer (backpressure)', () => {
    const endpoint = new FakeEndpoint();
    const { transport: st } = accept(new ProxyFactory(endpoint));
    const { transport: ct } = endpoint.succeed();
    assert.equal(ct.producer, st, 'a full client-side buffer pauses reading from the accepted side');
    assert.equal(st.producer, ct);
    assert.equal(ct.streaming, true);
    assert.equal(st.streaming, true);
  });

  test('closing either side closes the other', () => {
    for (const side of ['server', 'client'] as const) {
      const endpoint = new FakeEndpoint();
      const { server, transport: st } = accept(new ProxyFactory(endpoint));
      const { client, transport: ct } = endpoint.succeed();
      (side === 'server' ? st : ct).loseConnection();
      assert.equal(st.disconnecting, true, side);
      assert.equal(ct.disconnecting, true, side);
      assert.equal(server.connected, false);
      assert.equal(client.connected, false);
    }
  });

  test('a half-close from the client unregisters the producer and closes both sides', () => {
    const endpoint = new FakeEndpoint();
    const { server, transport: st } = accept(new ProxyFactory(endpoint));
    const { transport: ct } = endpoint.succeed();
    server.readConnectionLost();
    assert.equal(st.producer, null, 'a registered producer would hold the close back');
    assert.equal(st.disconnecting, true);
    assert.equal(ct.disconnecting, true);
  });

  test('a failed outgoing connection drops the accepted one', () => {
    const endpoint = new FakeEndpoint();
    const { transport: st } = accept(new ProxyFactory(endpoint));
    endpoint.pending[0].d.errback(new Error('refused'));
    assert.equal(st.disconnecting, true);
  });

  test('with a reactor target it calls connectTCP with the host and port', () => {
    const calls: unknown[][] = [];
    const reactor = {
      listenTCP: () => {
        throw new Error('unused');
      },
      connectTCP: (...args: unknown[]) => {
        calls.push(args);
        return {} as never;
      },
    };
    accept(new ProxyFactory({ host: '127.0.0.1', port: 8080, reactor }));
    assert.equal(calls.length, 1);
    assert.equal(calls[0][0], '127.0.0.1');
    assert.equal(calls[0][1], 8080);
  });
});
