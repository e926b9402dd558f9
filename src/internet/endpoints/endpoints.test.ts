import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '../../defer/index.js';
import { Clock, eventually, selfSignedCertificate, successResultOf } from '../../testing/index.js';
import { NodeReactor } from '../reactor.js';
import { Factory, Protocol } from '../protocol.js';
import { ConnectionRefusedError, DNSLookupError, EndpointSyntaxError } from '../error.js';
import { IPv4Address, IPv6Address, type UNIXAddress } from '../address.js';
import type { IClientFactory, IProtocol } from '../interfaces.js';
import { clientFromString, connectProtocol, HostnameEndpoint, interleave, parseDescription, serverFromString } from './index.js';

const reactor = new NodeReactor();

class Hello extends Protocol {
  override connectionMade(): void {
    this.transport.write('hello');
  }
}

class Reader extends Protocol {
  got = '';
  override dataReceived(d: Uint8Array): void {
    this.got += Buffer.from(d).toString();
  }
}

test('parsing: positional and keyword arguments, backslash-escaped colons and equals', () => {
  assert.deepEqual(parseDescription('tcp:8080:interface=127.0.0.1'), { type: 'tcp', args: ['8080'], kwargs: { interface: '127.0.0.1' } });
  assert.deepEqual(parseDescription('tcp:host=\\:\\:1:port=80'), { type: 'tcp', args: [], kwargs: { host: '::1', port: '80' } });
  assert.deepEqual(parseDescription('unix:/tmp/a\\:b\\=c.sock'), { type: 'unix', args: ['/tmp/a:b=c.sock'], kwargs: {} });
});

test('malformed strings are rejected with an error naming the bad part', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => serverFromString(reactor, 'tcp:eighty'), /port "eighty"/],
    [() => serverFromString(reactor, 'tcp:70000'), /70000/],
    [() => serverFromString(reactor, 'tcp:80:colour=blue'), /unknown option "colour"/],
    [() => serverFromString(reactor, 'carrier-pigeon:80'), /carrier-pigeon/],
    [() => serverFromString(reactor, 'gopher:70'), /unknown server endpoint type "gopher"/],
    [() => serverFromString(reactor, 'ssl:443'), /privateKey/],
    [() => serverFromString(reactor, 'ssl:443:privateKey=/nonexistent/key.pem'), /\/nonexistent\/key\.pem/],
    [() => serverFromString(reactor, 'unix:/tmp/x:mode=999'), /mode "999"/],
    [() => clientFromString(reactor, 'tcp:host=example.org'), /port number is required/],
    [() => clientFromString(reactor, 'tcp:example.org:80:timeout=soon'), /"soon"/],
    [() => clientFromString(reactor, 'tcp:port=80:a'), /positional argument "a" after keyword/],
    [() => clientFromString(reactor, ''), /empty/],
    [() => clientFromString(reactor, 'tcp:a:1\\'), /lone backslash/],
  ];
  for (const [fn, re] of cases) assert.throws(fn, (e: unknown) => e instanceof EndpointSyntaxError && re.test((e as Error).message), String(re));
});

test('tcp: server and client endpoints from strings; connectProtocol fires after connectionMade', async () => {
  const port = await serverFromString(reactor, 'tcp:0:interface=127.0.0.1').listen(Factory.forProtocol(Hello));
  const p = (port.getHost() as IPv4Address).port;
  const reader = await connectProtocol(clientFromString(reactor, `tcp:host=127.0.0.1:port=${p}`), new Reader());
  assert.equal(reader.connected, true);
  await eventually(() => reader.got === 'hello', { message: 'greeting' });
  reader.transport.loseConnection();
  const refused = clientFromString(reactor, `tcp:127.0.0.1:${p}`);
  await port.stopListening();
  await assert.rejects(refused.connect(Factory.forProtocol(Reader)).asPromise(), ConnectionRefusedError);
});

test('ssl server from files; ssl and tls clients verify it', async () => {
  const { key, cert } = selfSignedCertificate('localhost');
  const dir = fs.mkdtempSync(join(tmpdir(), 'torsion-ep-'));
  try {
    fs.writeFileSync(join(dir, 'key.pem'), key);
    fs.writeFileSync(join(dir, 'cert.pem'), cert);
    const port = await serverFromString(reactor, `ssl:0:privateKey=${join(dir, 'key.pem')}:certKey=${join(dir, 'cert.pem')}:interface=127.0.0.1`).listen(Factory.forProtocol(Hello));
    const p = (port.getHost() as IPv4Address).port;
    const viaSsl = await connectProtocol(clientFromString(reactor, `ssl:host=127.0.0.1:port=${p}:caCerts=${join(dir, 'cert.pem')}:servername=localhost`), new Reader());
    const viaTls = await connectProtocol(clientFromString(reactor, `tls:localhost:${p}:caCerts=${join(dir, 'cert.pem')}`), new Reader());
    await eventually(() => viaSsl.got === 'hello' && viaTls.got === 'hello', { message: 'greetings' });
    await assert.rejects(connectProtocol(clientFromString(reactor, `tls:localhost:${p}`), new Reader()).asPromise(), /self[- ]signed|certificate/i);
    viaSsl.transport.loseConnection();
    viaTls.transport.loseConnection();
    await port.stopListening();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('unix server and client endpoints from strings (mode in octal)', async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'torsion-ep-'));
  try {
    const path = join(dir, 'ep.sock');
    const port = await serverFromString(reactor, `unix:${path}:mode=600`).listen(Factory.forProtocol(Hello));
    assert.equal((port.getHost() as UNIXAddress).name, path);
    assert.equal(fs.statSync(path).mode & 0o777, 0o600);
    const r = await connectProtocol(clientFromString(reactor, `unix:path=${path}`), new Reader());
    await eventually(() => r.got === 'hello', { message: 'greeting' });
    r.transport.loseConnection();
    await port.stopListening();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('interleave orders addresses IPv6 first, alternating families (RFC 8305)', () => {
  const r = interleave([
    { address: '10.0.0.1', family: 4 },
    { address: '10.0.0.2', family: 4 },
    { address: '::a', family: 6 },
  ]);
  assert.deepEqual(r.map((a) => a.address), ['::a', '10.0.0.1', '10.0.0.2']);
});

test('HostnameEndpoint: "localhost" reaches a server listening on one family only', async () => {
  // Each address family in turn; the resolver says localhost is both ::1 and 127.0.0.1, as many systems do.
  const both = async () => [
    { address: '127.0.0.1', family: 4 as const },
    { address: '::1', family: 6 as const },
  ];
  for (const only of ['127.0.0.1', '::1']) {
    const port = reactor.listenTCP(0, Factory.forProtocol(Hello), { interface: only });
    const p = (port.getHost() as IPv4Address | IPv6Address).port;
    const r = await connectProtocol(new HostnameEndpoint(reactor, 'localhost', p, { resolver: both }), new Reader());
    await eventually(() => r.got === 'hello', { message: 'greeting' });
    assert.equal((r.transport.getPeer() as IPv4Address).host, only);
    r.transport.loseConnection();
    await port.stopListening();
  }
  // And with the system resolver, whatever localhost resolves to here.
  const port = reactor.listenTCP(0, Factory.forProtocol(Hello));
  const r = await connectProtocol(new HostnameEndpoint(reactor, 'localhost', (port.getHost() as IPv4Address).port), new Reader());
  await eventually(() => r.got === 'hello', { message: 'greeting via system resolver' });
  r.transport.loseConnection();
  await port.stopListening();
});

test('HostnameEndpoint: a stalled attempt does not hold up the next one; the winner cancels the rest', async () => {
  const clock = new Clock();
  const attempts: { host: string; factory: IClientFactory & { connectionEstablished(p: IProtocol): void }; stopped: boolean }[] = [];
  const fake = {
    callLater: clock.callLater.bind(clock),
    seconds: () => clock.seconds(),
    getDelayedCalls: () => clock.getDelayedCalls(),
    connectTCP(host: string, _port: number, factory: IClientFactory) {
      const a = { host, factory: factory as (typeof attempts)[number]['factory'], stopped: false };
      attempts.push(a);
      return { state: 'connecting', stopConnecting: () => (a.stopped = true), disconnect() {}, connect() {}, getDestination: () => new IPv4Address('TCP', host, 1) };
    },
    connectSSL() {
      throw new Error('not used');
    },
  } as unknown as ConstructorParameters<typeof HostnameEndpoint>[0];
  const ep = new HostnameEndpoint(fake, 'dual.example', 443, {
    resolver: async () => [
      { address: '192.0.2.1', family: 4 },
      { address: '2001:db8::1', family: 6 },
      { address: '192.0.2.2', family: 4 },
    ],
  });
  const d = ep.connect(Factory.forProtocol(Reader));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(attempts.map((a) => a.host), ['2001:db8::1']);
  clock.advance(0.2);
  assert.equal(attempts.length, 1);
  clock.advance(0.05);
  assert.deepEqual(attempts.map((a) => a.host), ['2001:db8::1', '192.0.2.1']);
  const winner = attempts[1];
  const proto = winner.factory.buildProtocol(new IPv4Address('TCP', '192.0.2.1', 443))!;
  assert.equal(attempts[0].factory.buildProtocol(new IPv6Address('TCP', '2001:db8::1', 443)), null, 'a late second connection is refused');
  winner.factory.connectionEstablished(proto);
  assert.equal(successResultOf(d), proto);
  assert.equal(attempts[0].stopped, true);
  clock.advance(10);
  assert.equal(attempts.length, 2, 'no more attempts after a winner');
});

test('HostnameEndpoint: resolution failure is DNSLookupError; cancel gives CancelledError', async () => {
  const failing = new HostnameEndpoint(reactor, 'nowhere.invalid', 80, { resolver: async () => Promise.reject(new Error('NXDOMAIN')) });
  await assert.rejects(failing.connect(Factory.forProtocol(Reader)).asPromise(), DNSLookupError);
  const never = new HostnameEndpoint(reactor, 'slow.invalid', 80, { resolver: () => new Promise(() => {}) });
  const d = never.connect(Factory.forProtocol(Reader));
  d.cancel();
  await assert.rejects(d.asPromise(), CancelledError);
});
