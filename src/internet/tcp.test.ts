import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { Failure } from '../defer/index.js';
import { Clock, eventually, freeLoopbackPort } from '../testing/index.js';
import { NodeReactor } from './reactor.js';
import { ClientFactory, Factory, Protocol } from './protocol.js';
import { CannotListenError, ConnectingTimeoutError, ConnectionAborted, ConnectionRefusedError, UserError } from './error.js';
import { IPv4Address, IPv6Address } from './address.js';
import { connectTCP } from './tcp.js';
import type { IConnector, ITCPTransport } from './interfaces.js';

const reactor = new NodeReactor();

class RecordingClientFactory extends ClientFactory {
  events: string[] = [];
  failure: Failure | undefined;
  lost: Failure | undefined;
  starts = 0;
  stops = 0;
  override startFactory(): void {
    this.starts++;
  }
  override stopFactory(): void {
    this.stops++;
  }
  override startedConnecting(_c: IConnector): void {
    this.events.push('startedConnecting');
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.events.push('failed');
    this.failure = reason;
  }
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    this.events.push('lost');
    this.lost = reason;
  }
}

test('listenTCP binds synchronously: getHost has the ephemeral port; IPv6 too', async () => {
  const v4 = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: '127.0.0.1' });
  const v6 = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: '::1' });
  try {
    const h4 = v4.getHost() as IPv4Address;
    const h6 = v6.getHost() as IPv6Address;
    assert.ok(h4 instanceof IPv4Address && h4.port > 0 && h4.host === '127.0.0.1');
    assert.ok(h6 instanceof IPv6Address && h6.port > 0 && h6.host === '::1');
    assert.throws(() => reactor.listenTCP(h4.port, Factory.forProtocol(Protocol), { interface: '127.0.0.1' }), CannotListenError);
  } finally {
    await v4.stopListening();
    await v6.stopListening();
  }
});

test('ClientFactory hooks: startedConnecting, then clientConnectionLost; the factory starts and stops once', async () => {
  const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: '127.0.0.1' });
  const f = new RecordingClientFactory();
  let client: Protocol | undefined;
  f.buildProtocol = () => (client = new Protocol());
  const connector = reactor.connectTCP('127.0.0.1', (port.getHost() as IPv4Address).port, f);
  assert.deepEqual(f.events, ['startedConnecting']);
  assert.equal(f.starts, 1);
  await eventually(() => client?.connected === true, { message: 'connected' });
  assert.equal((connector.getDestination() as IPv4Address).port, (port.getHost() as IPv4Address).port);
  assert.equal((client!.transport.getPeer() as IPv4Address).port, (port.getHost() as IPv4Address).port);
  connector.disconnect();
  await eventually(() => f.lost !== undefined, { message: 'lost' });
  assert.deepEqual(f.events, ['startedConnecting', 'lost']);
  assert.equal(f.stops, 1);
  await port.stopListening();
});

test('a refused connection reaches clientConnectionFailed with ConnectionRefusedError', async () => {
  const f = new RecordingClientFactory();
  f.protocol = Protocol;
  reactor.connectTCP('127.0.0.1', await freeLoopbackPort(), f);
  await eventually(() => f.failure !== undefined, { message: 'failure' });
  assert.ok(f.failure!.check(ConnectionRefusedError), f.failure!.getErrorMessage());
  assert.equal(f.stops, 1);
});

test('the connect timeout fires on the injected clock (ConnectingTimeoutError); stopConnecting gives UserError', async () => {
  // The fake clock fires the timeout synchronously, before the real connect can complete on a later turn.
  const clock = new Clock();
  const f = new RecordingClientFactory();
  f.protocol = Protocol;
  const server = net.createServer(() => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const c = connectTCP(clock, '127.0.0.1', port, f, { timeout: 5 });
  clock.advance(5);
  assert.ok(f.failure!.check(ConnectingTimeoutError));
  const g = new RecordingClientFactory();
  g.protocol = Protocol;
  const c2 = connectTCP(clock, '127.0.0.1', port, g);
  c2.stopConnecting();
  assert.ok(g.failure!.check(UserError));
  assert.equal(c.state, 'disconnected');
  assert.equal(clock.getDelayedCalls().length, 0);
  await new Promise<void>((r) => server.close(() => r()));
});

test('a client factory may reconnect from clientConnectionLost (connector.connect again)', async () => {
  let made = 0;
  class Count extends Protocol {
    override connectionMade(): void {
      made++;
      this.transport.loseConnection();
    }
  }
  const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: '127.0.0.1' });
  const f = new RecordingClientFactory();
  f.protocol = Count;
  f.clientConnectionLost = (c) => {
    if (made < 3) c.connect();
    else f.lost = undefined;
    f.events.push('lost');
  };
  reactor.connectTCP('127.0.0.1', (port.getHost() as IPv4Address).port, f);
  await eventually(() => f.events.filter((e) => e === 'lost').length === 3, { message: 'three connections' });
  assert.equal(made, 3);
  assert.equal(f.starts, 1);
  await port.stopListening();
});

test('setTcpNoDelay / setTcpKeepAlive are reported back; a Torsion client talks to a raw net server', async () => {
  const server = net.createServer((s) => s.end('hello from net'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  let got = '';
  let lost = false;
  class P extends Protocol<ITCPTransport> {
    override connectionMade(): void {
      const t = this.transport;
      t.setTcpNoDelay(true);
      t.setTcpKeepAlive(true, 30);
      assert.equal(t.getTcpNoDelay(), true);
      assert.equal(t.getTcpKeepAlive(), true);
    }
    override dataReceived(d: Uint8Array): void {
      got += Buffer.from(d).toString();
    }
    override connectionLost(): void {
      lost = true;
    }
  }
  const f = new ClientFactory();
  f.protocol = P;
  reactor.connectTCP('127.0.0.1', (server.address() as net.AddressInfo).port, f);
  await eventually(() => lost, { message: 'closed' });
  assert.equal(got, 'hello from net');
  await new Promise<void>((r) => server.close(() => r()));
});

test('a protocol that throws in dataReceived is dropped with that error as the reason', async () => {
  let reason: Failure | undefined;
  class Bad extends Protocol {
    override dataReceived(): void {
      throw new Error('protocol bug');
    }
    override connectionLost(r: Failure): void {
      reason = r;
    }
  }
  const port = reactor.listenTCP(0, Factory.forProtocol(Bad), { interface: '127.0.0.1' });
  const sock = net.connect((port.getHost() as IPv4Address).port, '127.0.0.1', () => sock.write('x'));
  sock.on('error', () => {});
  const orig = console.error;
  console.error = () => {};
  try {
    await eventually(() => reason !== undefined, { message: 'dropped' });
  } finally {
    console.error = orig;
  }
  assert.match(reason!.getErrorMessage(), /protocol bug/);
  sock.destroy();
  await port.stopListening();
});

test('bindAddress picks the local address (and port) a client connects from', async () => {
  let server: Protocol | undefined;
  const sf = new Factory();
  sf.buildProtocol = () => (server = new Protocol());
  const port = reactor.listenTCP(0, sf, { interface: '127.0.0.1' });
  const localPort = await freeLoopbackPort();
  let client: Protocol | undefined;
  const f = new ClientFactory();
  f.buildProtocol = () => (client = new Protocol());
  reactor.connectTCP('127.0.0.1', (port.getHost() as IPv4Address).port, f, { bindAddress: { host: '127.0.0.1', port: localPort } });
  await eventually(() => client?.connected === true && server?.connected === true, { message: 'connected' });
  assert.equal((client!.transport.getHost() as IPv4Address).port, localPort);
  assert.equal((server!.transport.getPeer() as IPv4Address).port, localPort);
  client!.transport.loseConnection();
  await eventually(() => server!.connected === false, { message: 'closed' });
  await port.stopListening();
});

test('abortConnection after loseConnection still reaches connectionLost (the peer never closes its side)', async () => {
  let reason: Failure | undefined;
  class LoseThenAbort extends Protocol<ITCPTransport> {
    override connectionMade(): void {
      this.transport!.write(new Uint8Array(1024));
      this.transport!.loseConnection();
      this.transport.abortConnection();
    }
    override connectionLost(r: Failure): void {
      reason = r;
    }
  }
  const port = reactor.listenTCP(0, Factory.forProtocol(LoseThenAbort), { interface: '127.0.0.1' });
  const sock = net.connect({ port: (port.getHost() as IPv4Address).port, host: '127.0.0.1', allowHalfOpen: true });
  sock.on('error', () => {});
  await eventually(() => reason !== undefined, { message: 'connectionLost after lose + abort' });
  assert.ok(reason!.check(ConnectionAborted), `aborted, not ${reason!.getErrorMessage()}`);
  sock.destroy();
  await port.stopListening();
});

test('an accepted connection does not keep Node cached peer name after buildProtocol; getPeer still names the peer', async () => {
  let built: unknown;
  let transport: ITCPTransport | undefined;
  class Keep extends Protocol {
    override connectionMade(): void {
      transport = this.transport as ITCPTransport;
    }
  }
  const factory = new (class extends Factory<Keep> {
    override buildProtocol(addr: IPv4Address): Keep {
      built = addr;
      return new Keep();
    }
  })();
  const port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  const client = net.connect((port.getHost() as IPv4Address).port, '127.0.0.1');
  try {
    await eventually(() => transport !== undefined);
    const local = client.address() as net.AddressInfo;
    assert.deepEqual([(built as IPv4Address).host, (built as IPv4Address).port], ['127.0.0.1', local.port]);
    const socket = (transport as unknown as { socket: { _peername?: unknown } }).socket;
    assert.equal(socket._peername, undefined, 'no cached peer name left on the socket');
    assert.deepEqual([(transport!.getPeer() as IPv4Address).host, (transport!.getPeer() as IPv4Address).port], ['127.0.0.1', local.port]);
  } finally {
    client.destroy();
    await port.stopListening();
  }
});
