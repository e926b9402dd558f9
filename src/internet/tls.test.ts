import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Failure } from '../defer/index.js';
import { eventually, requirePeer, selfSignedCertificate, startPeerProgram } from '../testing/index.js';
import { NodeReactor } from './reactor.js';
import { ClientFactory, Factory, Protocol } from './protocol.js';
import { ConnectError } from './error.js';
import type { IPv4Address } from './address.js';
import type { ITLSTransport } from './interfaces.js';
import { InsecureTLSOptionsError } from './tls-options.js';

const reactor = new NodeReactor();
const { key, cert } = selfSignedCertificate('localhost');

class Recorder extends Protocol<ITLSTransport> {
  got = '';
  reason: Failure | undefined;
  override dataReceived(d: Uint8Array): void {
    this.got += Buffer.from(d).toString();
  }
  override connectionLost(r: Failure): void {
    super.connectionLost(r);
    this.reason = r;
  }
}

function clientFactory(p: Protocol) {
  const f = new ClientFactory() as ClientFactory & { failure?: Failure };
  f.buildProtocol = () => p;
  f.clientConnectionFailed = (_c, r) => (f.failure = r);
  return f;
}

test('the client verifies the server by default: an untrusted certificate or a wrong name fails', async () => {
  const port = reactor.listenSSL(0, Factory.forProtocol(Protocol), { key, cert }, { interface: '127.0.0.1' });
  const p = (port.getHost() as IPv4Address).port;
  const untrusted = clientFactory(new Recorder());
  reactor.connectSSL('127.0.0.1', p, untrusted, {});
  const wrongName = clientFactory(new Recorder());
  reactor.connectSSL('127.0.0.1', p, wrongName, { ca: cert, servername: 'other.example' });
  const insecure = new Recorder();
  const insecureF = clientFactory(insecure);
  reactor.connectSSL('127.0.0.1', p, insecureF, { dangerouslyDisableVerification: true });
  await eventually(() => !!untrusted.failure && !!wrongName.failure && insecure.connected, { message: 'three attempts' });
  assert.ok(untrusted.failure!.check(ConnectError));
  assert.match(untrusted.failure!.getErrorMessage(), /self[- ]signed|certificate/i);
  assert.match(wrongName.failure!.getErrorMessage(), /altnames|other\.example|Hostname/i);
  assert.throws(() => reactor.connectSSL('127.0.0.1', p, clientFactory(new Recorder()), { rejectUnauthorized: false }), InsecureTLSOptionsError);
  insecure.transport.loseConnection();
  await port.stopListening();
});

test('ALPN is negotiated and the peer certificate is readable', async () => {
  let server: Recorder | undefined;
  const sf = new Factory();
  sf.buildProtocol = () => (server = new Recorder());
  const port = reactor.listenSSL(0, sf, { key, cert, ALPNProtocols: ['torsion/1', 'h2'] }, { interface: '127.0.0.1' });
  const client = new Recorder();
  reactor.connectSSL('localhost', (port.getHost() as IPv4Address).port, clientFactory(client), { ca: cert, ALPNProtocols: ['torsion/1'] });
  await eventually(() => client.connected && server?.connected === true, { message: 'connected' });
  const t = client.transport;
  assert.equal(t.negotiatedProtocol, 'torsion/1');
  assert.equal((t.getPeerCertificate() as { subject: { CN: string } }).subject.CN, 'localhost');
  t.loseConnection();
  await eventually(() => !!server!.reason, { message: 'closed' });
  await port.stopListening();
});

test('startTLS on a live TCP connection keeps data before and after in order (STARTTLS)', async () => {
  // Server: reads "STARTTLS\n", answers "GO\n" in the clear, switches to TLS, then echoes upper-cased.
  class StartTLSServer extends Protocol<ITLSTransport> {
    tls = false;
    got = '';
    override dataReceived(d: Uint8Array): void {
      const s = Buffer.from(d).toString();
      if (!this.tls) {
        this.got += s;
        if (this.got === 'plain-1 STARTTLS\n') {
          this.transport.write('GO\n');
          this.transport.startTLS({ key, cert }, true);
          this.tls = true;
          this.transport.write('secret-hello');
        }
        return;
      }
      this.transport.write(s.toUpperCase());
    }
  }
  const port = reactor.listenTCP(0, Factory.forProtocol(StartTLSServer), { interface: '127.0.0.1' });
  const client = new (class extends Recorder {
    handshakes = 0;
    handshakeCompleted(): void {
      this.handshakes++;
    }
    override dataReceived(d: Uint8Array): void {
      super.dataReceived(d);
      if (this.got === 'GO\n') {
        this.transport.startTLS({ ca: cert, servername: 'localhost' });
        this.transport.write('after tls');
      }
    }
  })();
  reactor.connectTCP('127.0.0.1', (port.getHost() as IPv4Address).port, clientFactory(client));
  await eventually(() => client.connected, { message: 'connected' });
  client.transport.write('plain-1 ');
  client.transport.write('STARTTLS\n');
  await eventually(() => client.got.includes('AFTER TLS'), { message: 'echo over TLS' });
  assert.equal(client.got, 'GO\nsecret-helloAFTER TLS');
  assert.equal(client.handshakes, 1);
  assert.equal((client.transport.getPeerCertificate() as { subject: { CN: string } }).subject.CN, 'localhost');
  client.transport.loseConnection();
  await eventually(() => !!client.reason, { message: 'closed' });
  await port.stopListening();
});

function withCertFiles<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-tls-'));
  writeFileSync(join(dir, 'key.pem'), key);
  writeFileSync(join(dir, 'cert.pem'), cert);
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('interop: Torsion connectSSL against openssl s_server', async () => {
  const openssl = requirePeer('openssl', 'openssl');
  await withCertFiles(async (dir) => {
    const server = await startPeerProgram({
      executable: openssl,
      args: (port) => ['s_server', '-accept', `127.0.0.1:${port}`, '-key', join(dir, 'key.pem'), '-cert', join(dir, 'cert.pem'), '-rev', '-quiet'],
    });
    try {
      const client = new Recorder();
      reactor.connectSSL('localhost', server.port, clientFactory(client), { ca: cert });
      await eventually(() => client.connected, { message: () => `the TLS connection; s_server said: ${server.output()}` });
      client.transport.write('hello openssl\n');
      await eventually(() => client.got.includes('lssnepo olleh'), { message: 'reversed line' });
      client.transport.loseConnection();
    } finally {
      await server.stop();
    }
  });
});

test('interop: openssl s_client against Torsion listenSSL (verifying the chain)', async () => {
  const openssl = requirePeer('openssl', 'openssl');
  class Greeter extends Protocol {
    override dataReceived(d: Uint8Array): void {
      this.transport.write(`echo:${Buffer.from(d).toString()}`);
    }
  }
  const port = reactor.listenSSL(0, Factory.forProtocol(Greeter), { key, cert }, { interface: '127.0.0.1' });
  await withCertFiles(async (dir) => {
    const client = spawn(openssl, ['s_client', '-connect', `127.0.0.1:${(port.getHost() as IPv4Address).port}`, '-CAfile', join(dir, 'cert.pem'), '-verify_return_error', '-verify_hostname', 'localhost', '-quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    client.stdout.on('data', (d: Buffer) => (out += d.toString()));
    client.stdin.write('ping\n');
    await eventually(() => out.includes('echo:ping'), { message: 's_client output' });
    client.kill();
  });
  await port.stopListening();
});
