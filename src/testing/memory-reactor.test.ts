import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred, type Failure } from '../defer/index.js';
import { IPv4Address, IPv6Address, UNIXAddress } from '../internet/address.js';
import { ConnectionDone, ConnectionRefusedError, UserError } from '../internet/error.js';
import type { IConnector, IProtocol } from '../internet/interfaces.js';
import { ClientFactory, Factory, Protocol } from '../internet/protocol.js';
import { MemoryReactor, ReactorNotRunningError } from './memory-reactor.js';
import { StringTransportWithDisconnection } from './string-transport.js';

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

class Recorder extends Protocol {
  received = '';
  override dataReceived(data: Uint8Array): void {
    this.received += Buffer.from(data).toString();
  }
}

/** A client factory that logs every hook the connector calls. */
class LoggingClientFactory extends ClientFactory<Recorder> {
  log: string[] = [];
  reasons: Failure[] = [];
  override protocol = Recorder;
  override startFactory(): void {
    this.log.push('start');
  }
  override stopFactory(): void {
    this.log.push('stop');
  }
  override startedConnecting(_c: IConnector): void {
    this.log.push('startedConnecting');
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.log.push('failed');
    this.reasons.push(reason);
  }
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    this.log.push('lost');
    this.reasons.push(reason);
  }
}

describe('MemoryReactor', () => {
  test('records listenTCP with its factory and options; port 0 gets a fake ephemeral port', () => {
    const reactor = new MemoryReactor();
    const factory = Factory.forProtocol(Echo);
    const port = reactor.listenTCP(8080, factory, { backlog: 5, interface: '127.0.0.1' });
    const ephemeral = reactor.listenTCP(0, factory, { interface: '::1' });
    assert.equal(reactor.tcpServers.length, 2);
    const [first, second] = reactor.tcpServers;
    assert.equal(first.port, 8080);
    assert.equal(first.factory, factory);
    assert.equal(first.backlog, 5);
    assert.equal(first.interface, '127.0.0.1');
    assert.equal(first.listeningPort, port);
    assert.deepEqual(port.getHost(), new IPv4Address('TCP', '127.0.0.1', 8080));
    assert.equal(second.port, 0);
    assert.ok(ephemeral.getHost() instanceof IPv6Address);
    assert.ok((ephemeral.getHost() as IPv6Address).port > 0);
    assert.equal(factory.numPorts, 2, 'each port started the factory');
  });

  test('stopListening fires and stops the factory once', async () => {
    const reactor = new MemoryReactor();
    let stops = 0;
    const factory = new (class extends Factory {
      override protocol = Echo;
      override stopFactory(): void {
        stops++;
      }
    })();
    const port = reactor.listenTCP(7, factory);
    const d = port.stopListening();
    assert.equal(d.called, true);
    await d;
    port.stopListening();
    assert.equal(stops, 1);
    assert.equal(port.listening, false);
    assert.throws(() => port.connect(new Recorder()), ConnectionRefusedError);
  });

  test('a listening port accepts in-memory connections through its factory', () => {
    const reactor = new MemoryReactor();
    reactor.listenTCP(7, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
    const { client, server, pump } = reactor.tcpServers[0].listeningPort.connect(new Recorder());
    assert.ok(server instanceof Echo);
    assert.deepEqual(server.transport.getHost(), new IPv4Address('TCP', '127.0.0.1', 7));
    client.transport.write('hi');
    pump.flush();
    assert.equal(client.received, 'hi');
  });

  test('records connectTCP; the connector starts the factory and waits for the test', () => {
    const reactor = new MemoryReactor();
    const factory = new LoggingClientFactory();
    const connector = reactor.connectTCP('example.org', 25, factory, { timeout: 10, bindAddress: { host: '127.0.0.1' } });
    assert.deepEqual(reactor.tcpClients.map(({ host, port, timeout, bindAddress }) => ({ host, port, timeout, bindAddress })), [
      { host: 'example.org', port: 25, timeout: 10, bindAddress: { host: '127.0.0.1' } },
    ]);
    assert.equal(reactor.tcpClients[0].factory, factory);
    assert.equal(reactor.tcpClients[0].connector, connector);
    assert.deepEqual(reactor.connectors, [connector]);
    assert.equal(connector.state, 'connecting');
    assert.deepEqual(factory.log, ['start', 'startedConnecting']);
    assert.equal(String(connector.getDestination()), 'TCP:example.org:25');
  });

  test('a connector told to fail reports clientConnectionFailed, then stops the factory', () => {
    const reactor = new MemoryReactor();
    const factory = new LoggingClientFactory();
    const connector = reactor.connectTCP('127.0.0.1', 1, factory);
    connector.fail();
    assert.deepEqual(factory.log, ['start', 'startedConnecting', 'failed', 'stop']);
    assert.ok(factory.reasons[0].check(ConnectionRefusedError));
    assert.equal(connector.state, 'disconnected');
    assert.throws(() => connector.fail(), /not connecting/);
  });

  test('a factory may reconnect from clientConnectionFailed; the factory stays started', () => {
    const reactor = new MemoryReactor();
    const factory = new LoggingClientFactory();
    factory.clientConnectionFailed = function (connector) {
      this.log.push('failed');
      connector.connect();
    };
    const connector = reactor.connectTCP('127.0.0.1', 1, factory);
    connector.fail();
    assert.equal(connector.state, 'connecting');
    assert.equal(connector.attempts, 2);
    assert.deepEqual(factory.log, ['start', 'startedConnecting', 'failed', 'startedConnecting']);
  });

  test('stopConnecting fails the attempt with UserError', () => {
    const reactor = new MemoryReactor();
    const factory = new LoggingClientFactory();
    const connector = reactor.connectTCP('127.0.0.1', 1, factory);
    connector.stopConnecting();
    assert.ok(factory.reasons[0].check(UserError));
  });

  test('a connector told to succeed connects the protocol to a StringTransport; losing it tells the factory', () => {
    const reactor = new MemoryReactor();
    const factory = new LoggingClientFactory();
    const connector = reactor.connectTCP('10.1.1.1', 80, factory);
    const { protocol, transport } = connector.succeed();
    assert.ok(protocol instanceof Recorder);
    assert.ok(transport instanceof StringTransportWithDisconnection);
    assert.equal(protocol.transport, transport);
    assert.equal(String(transport.getPeer()), 'TCP:10.1.1.1:80');
    assert.equal(connector.state, 'connected');
    protocol.transport.write('GET /');
    assert.equal(transport.valueString(), 'GET /');
    connector.disconnect();
    assert.deepEqual(factory.log, ['start', 'startedConnecting', 'lost', 'stop']);
    assert.ok(factory.reasons[0].check(ConnectionDone));
    assert.equal(connector.state, 'disconnected');
  });

  test('connectTo wires a pending client to a listening server over the loopback', () => {
    const reactor = new MemoryReactor();
    const serverFactory = Factory.forProtocol(Echo);
    reactor.listenTCP(7, serverFactory);
    const clientFactory = new LoggingClientFactory();
    const connector = reactor.connectTCP('127.0.0.1', 7, clientFactory);
    const { client, server, pump } = connector.connectTo<IProtocol, Recorder>(reactor.tcpServers[0].factory);
    assert.ok(server instanceof Echo);
    client.transport.write('echo me');
    pump.flush();
    assert.equal(client.received, 'echo me');
    server.transport.loseConnection();
    pump.flush();
    assert.deepEqual(clientFactory.log, ['start', 'startedConnecting', 'lost', 'stop']);
  });

  test('records SSL and UNIX calls with their options', () => {
    const reactor = new MemoryReactor();
    const factory = Factory.forProtocol(Echo);
    const tls = { key: 'k', cert: 'c' };
    reactor.listenSSL(443, factory, tls, { interface: '::' });
    reactor.connectSSL('example.org', 443, new LoggingClientFactory(), { servername: 'example.org' }, { timeout: 3 });
    reactor.listenUNIX('/run/x.sock', factory, { mode: 0o660, wantPID: true });
    reactor.connectUNIX('/run/x.sock', new LoggingClientFactory(), { timeout: 2, checkPID: false });
    assert.equal(reactor.sslServers[0].tlsOptions, tls);
    assert.equal(reactor.sslServers[0].port, 443);
    assert.deepEqual(reactor.sslClients[0].tlsOptions, { servername: 'example.org' });
    assert.equal(reactor.sslClients[0].timeout, 3);
    assert.equal(reactor.sslClients[0].connector.tlsOptions, reactor.sslClients[0].tlsOptions);
    assert.equal(reactor.unixServers[0].mode, 0o660);
    assert.equal(reactor.unixServers[0].wantPID, true);
    assert.deepEqual(reactor.unixServers[0].listeningPort.getHost(), new UNIXAddress('/run/x.sock'));
    assert.equal(reactor.unixClients[0].path, '/run/x.sock');
    assert.equal(reactor.unixClients[0].checkPID, false);
    assert.equal(reactor.connectors.length, 2);
  });

  test('time is a fake clock', () => {
    const reactor = new MemoryReactor();
    const seen: number[] = [];
    reactor.callLater(5, (n: number) => seen.push(n), 1);
    assert.equal(reactor.getDelayedCalls().length, 1);
    reactor.advance(5);
    assert.deepEqual(seen, [1]);
    assert.equal(reactor.seconds(), 5);
  });

  test('run, callWhenRunning, triggers; stop waits for a "before shutdown" Deferred', async () => {
    const reactor = new MemoryReactor();
    const order: string[] = [];
    reactor.callWhenRunning((x: string) => order.push(x), 'whenRunning');
    reactor.addSystemEventTrigger('after', 'startup', () => order.push('after startup'));
    reactor.addSystemEventTrigger('before', 'startup', () => order.push('before startup'));
    const slow = new Deferred<void>();
    reactor.addSystemEventTrigger('before', 'shutdown', () => {
      order.push('before shutdown');
      return slow;
    });
    reactor.addSystemEventTrigger('during', 'shutdown', () => order.push('during shutdown'));
    const removed = reactor.addSystemEventTrigger('during', 'shutdown', () => order.push('removed'));
    reactor.removeSystemEventTrigger(removed);
    const ran = reactor.run();
    assert.equal(reactor.running, true);
    assert.deepEqual(order, ['before startup', 'after startup', 'whenRunning']);
    reactor.callWhenRunning(() => order.push('now'));
    reactor.stop();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order.slice(3), ['now', 'before shutdown'], 'waits for the Deferred');
    slow.callback();
    await ran;
    assert.deepEqual(order.slice(5), ['during shutdown']);
    assert.equal(reactor.hasRun && reactor.hasStopped, true);
    assert.throws(() => reactor.stop(), ReactorNotRunningError);
  });
});
