import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Failure } from '../defer/index.js';
import { Protocol, reactor, type IListeningPort, type IPv4Address } from '../internet/index.js';
import { connectProtocol, TCPClientEndpoint } from '../internet/endpoints/index.js';
import { requirePeer, startPeerProgram, type PeerProgram } from '../testing/index.js';
import { SOCKS4ClientEndpoint, SOCKS5ClientEndpoint, SOCKSAuthError, SOCKSConnectError, SOCKSServerFactory, codec } from './index.js';
import type { IStreamClientEndpoint } from '../internet/endpoints/index.js';
import { InMemoryUsernamePasswordDatabase } from '../cred/index.js';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const BODY = 'hello through the proxy';

/** Sends an HTTP/1.0 GET and collects the whole answer. */
class Fetch extends Protocol {
  readonly done: Promise<string>;
  #resolve!: (s: string) => void;
  #chunks: Uint8Array[] = [];
  constructor(readonly path = '/') {
    super();
    this.done = new Promise((r) => (this.#resolve = r));
  }
  override connectionMade(): void {
    this.transport.write(`GET ${this.path} HTTP/1.0\r\nHost: test\r\n\r\n`);
  }
  override dataReceived(data: Uint8Array): void {
    this.#chunks.push(data);
  }
  override connectionLost(_reason: Failure): void {
    this.#resolve(Buffer.concat(this.#chunks).toString());
  }
}

async function fetchThrough(endpoint: IStreamClientEndpoint): Promise<string> {
  const p = await connectProtocol(endpoint, new Fetch());
  return p.done;
}

function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  const bin = requirePeer('curl', 'curl');
  return new Promise((resolve) => {
    execFile(bin, ['-sS', '--max-time', '10', ...args], { timeout: 20_000 }, (error, stdout) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }));
  });
}

function torsionSocks(extra: string[]): Promise<PeerProgram> {
  return startPeerProgram({
    executable: process.execPath,
    name: 'torsion socks',
    args: (port) => ['-C', 'torsion-source', '--import', 'tsx', main, 'socks', '--listen', `tcp:${port}:interface=127.0.0.1`, ...extra],
    ready: /listening on/,
    env: { PATH: process.env.PATH ?? '' },
  });
}

describe('SOCKS interop', { timeout: 120_000 }, () => {
  let http: Server;
  let httpPort: number;
  before(async () => {
    http = createServer((_req, res) => res.end(BODY));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpPort = (http.address() as { port: number }).port;
  });
  after(() => http?.close());

  describe('curl through torsion socks', () => {
    let open: PeerProgram;
    let auth: PeerProgram;
    let strict: PeerProgram;
    before(async () => {
      [open, auth, strict] = await Promise.all([
        torsionSocks(['--allow', '127.0.0.0/8']),
        torsionSocks(['--allow', '127.0.0.0/8', '--auth', 'memory:alice:secret']),
        torsionSocks([]),
      ]);
    });
    after(async () => {
      await Promise.all([open?.stop(), auth?.stop(), strict?.stop()]);
    });

    test('--socks5, --socks5-hostname, --socks4, --socks4a', async () => {
      const url = `http://127.0.0.1:${httpPort}/`;
      for (const flag of ['--socks5', '--socks4', '--socks4a']) {
        const r = await curl([flag, `127.0.0.1:${open.port}`, url]);
        assert.deepEqual(r, { code: 0, stdout: BODY }, flag);
      }
      const r = await curl(['--socks5-hostname', `127.0.0.1:${open.port}`, `http://localhost:${httpPort}/`]);
      assert.deepEqual(r, { code: 0, stdout: BODY }, '--socks5-hostname');
    });

    test('--proxy-user logs in; a wrong password, no login and SOCKS4 are refused', async () => {
      const url = `http://127.0.0.1:${httpPort}/`;
      assert.deepEqual(await curl(['--socks5', `127.0.0.1:${auth.port}`, '--proxy-user', 'alice:secret', url]), { code: 0, stdout: BODY });
      assert.notEqual((await curl(['--socks5', `127.0.0.1:${auth.port}`, '--proxy-user', 'alice:wrong', url])).code, 0);
      assert.notEqual((await curl(['--socks5', `127.0.0.1:${auth.port}`, url])).code, 0);
      assert.notEqual((await curl(['--socks4a', `127.0.0.1:${auth.port}`, url])).code, 0);
    });

    test('without --allow, loopback destinations are refused (no open proxy into the host)', async () => {
      const r = await curl(['--socks5-hostname', `127.0.0.1:${strict.port}`, `http://localhost:${httpPort}/`]);
      assert.notEqual(r.code, 0);
      assert.equal(r.stdout, '');
    });
  });

  describe("Torsion's client endpoints", () => {
    test('SOCKS5ClientEndpoint through Dante (dante-server)', async () => {
      const danted = requirePeer('/usr/sbin/danted', 'dante-server');
      const dir = mkdtempSync(join(tmpdir(), 'torsion-dante-'));
      const config = join(dir, 'danted.conf');
      const peer = await startPeerProgram({
        executable: danted,
        name: 'danted',
        args: (port) => {
          writeFileSync(
            config,
            [
              'logoutput: stderr',
              `internal: 127.0.0.1 port = ${port}`,
              'external: lo',
              'socksmethod: none',
              'clientmethod: none',
              'user.privileged: root',
              'user.unprivileged: nobody',
              'client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }',
              'socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 command: connect }',
              'socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 }',
              '',
            ].join('\n'),
          );
          return ['-f', config, '-p', join(dir, 'danted.pid')];
        },
      });
      try {
        const proxy = new TCPClientEndpoint(reactor, '127.0.0.1', peer.port);
        const answer = await fetchThrough(new SOCKS5ClientEndpoint('127.0.0.1', httpPort, proxy));
        assert.match(answer, new RegExp(`^HTTP/1.\\d 200[^]*\\r\\n\\r\\n${BODY}$`));
        const byName = await fetchThrough(new SOCKS5ClientEndpoint('localhost', httpPort, proxy));
        assert.ok(byName.endsWith(BODY), byName);
        await assert.rejects(fetchThrough(new SOCKS5ClientEndpoint('127.0.0.1', 1, proxy)), SOCKSConnectError);
      } finally {
        await peer.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('SOCKS4ClientEndpoint (SOCKS4 and 4a) through twistd3 socks (python3-twisted)', async () => {
      const twistd = requirePeer('/usr/bin/twistd3', 'python3-twisted');
      const dir = mkdtempSync(join(tmpdir(), 'torsion-twistd-'));
      const peer = await startPeerProgram({
        executable: twistd,
        name: 'twistd3 socks',
        args: (port) => ['-n', '--pidfile', join(dir, 'twistd.pid'), '-l', '-', 'socks', '-i', '127.0.0.1', '-p', String(port)],
        cwd: dir,
      });
      try {
        const proxy = new TCPClientEndpoint(reactor, '127.0.0.1', peer.port);
        assert.ok((await fetchThrough(new SOCKS4ClientEndpoint('127.0.0.1', httpPort, proxy))).endsWith(BODY));
        assert.ok((await fetchThrough(new SOCKS4ClientEndpoint('localhost', httpPort, proxy))).endsWith(BODY));
      } finally {
        await peer.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('SOCKS5ClientEndpoint with a login through a Torsion server', async () => {
      const factory = new SOCKSServerFactory({ reactor, allow: ['127.0.0.0/8'], checkers: [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })] });
      const port: IListeningPort = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
      try {
        const proxy = new TCPClientEndpoint(reactor, '127.0.0.1', (port.getHost() as IPv4Address).port);
        assert.ok((await fetchThrough(new SOCKS5ClientEndpoint('127.0.0.1', httpPort, proxy, { username: 'alice', password: 'secret' }))).endsWith(BODY));
        await assert.rejects(fetchThrough(new SOCKS5ClientEndpoint('127.0.0.1', httpPort, proxy, { username: 'alice', password: 'nope' })), SOCKSAuthError);
        await assert.rejects(fetchThrough(new SOCKS5ClientEndpoint('127.0.0.1', httpPort, proxy)), SOCKSAuthError);
      } finally {
        await port.stopListening();
      }
    });

    test('UDP ASSOCIATE over real sockets: a datagram to a UDP echo server and its answer back', async () => {
      const echo = createSocket('udp4');
      echo.on('message', (msg, rinfo) => echo.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
      echo.bind(0, '127.0.0.1');
      await once(echo, 'listening');
      const factory = new SOCKSServerFactory({ reactor, allow: ['127.0.0.0/8'] });
      const port: IListeningPort = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
      const control = tcpConnect((port.getHost() as IPv4Address).port, '127.0.0.1');
      const client = createSocket('udp4');
      try {
        await once(control, 'connect');
        const replies: Buffer[] = [];
        control.on('data', (d: Buffer) => replies.push(d));
        control.write(Uint8Array.of(5, 1, 0, 5, 3, 0, 1, 0, 0, 0, 0, 0, 0));
        for (let i = 0; i < 100 && Buffer.concat(replies).length < 12; i++) await new Promise((r) => setTimeout(r, 20));
        const reply = Buffer.concat(replies);
        assert.deepEqual([...reply.subarray(0, 6)], [5, 0, 5, 0, 0, 1]);
        const relayPort = reply.readUInt16BE(10);
        client.bind(0, '127.0.0.1');
        await once(client, 'listening');
        const answer = once(client, 'message');
        client.send(codec.encodeUDPDatagram('127.0.0.1', (echo.address() as { port: number }).port, Buffer.from('ping')), relayPort, '127.0.0.1');
        const [msg] = (await answer) as [Buffer];
        const parsed = codec.parseUDPDatagram(msg);
        assert.equal(parsed.host, '127.0.0.1');
        assert.equal(Buffer.from(parsed.data).toString(), 'echo:ping');
      } finally {
        control.destroy();
        client.close();
        echo.close();
        await port.stopListening();
      }
    });
  });
});
