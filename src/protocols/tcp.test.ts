import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { reactor } from '../internet/index.js';
import { Factory } from '../internet/protocol.js';
import { LineReceiver } from './line-receiver.js';
import { ProxyFactory } from './portforward.js';
import { Echo } from './wire.js';

const portOf = (p: { getHost(): unknown }): number => (p.getHost() as { port: number }).port;

describe('over real loopback TCP', () => {
  test('LineReceiver echoes 20,000 lines sent in arbitrary socket chunks', { timeout: 60_000 }, async () => {
    class LineEcho extends LineReceiver {
      override lineReceived(line: Uint8Array): void {
        this.sendLine(line);
      }
    }
    const port = reactor.listenTCP(0, Factory.forProtocol(LineEcho), { interface: '127.0.0.1' });
    const sock = net.connect(portOf(port), '127.0.0.1');
    try {
      const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'z'.repeat(i % 97)}`);
      let got = '';
      const expected = lines.join('\r\n') + '\r\n';
      const done = new Promise<void>((resolve) => {
        sock.setEncoding('utf8');
        sock.on('data', (d: string) => {
          got += d;
          if (got.length >= expected.length) resolve();
        });
      });
      sock.write(expected);
      await done;
      assert.equal(got, expected);
    } finally {
      sock.destroy();
      await port.stopListening();
    }
  });

  test('ProxyFactory forwards 8 MB both ways through a real port, and closing one end closes the other', { timeout: 60_000 }, async () => {
    const echo = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
    const proxy = reactor.listenTCP(0, new ProxyFactory({ host: '127.0.0.1', port: portOf(echo), reactor }), { interface: '127.0.0.1' });
    const sock = net.connect(portOf(proxy), '127.0.0.1');
    try {
      const payload = Buffer.alloc(8 * 1024 * 1024);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
      const chunks: Buffer[] = [];
      let received = 0;
      const back = new Promise<void>((resolve) =>
        sock.on('data', (d: Buffer) => {
          chunks.push(d);
          received += d.length;
          if (received >= payload.length) resolve();
        }),
      );
      sock.write(payload);
      await back;
      assert.ok(Buffer.concat(chunks).equals(payload), 'bytes came back intact');
      const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
      sock.end();
      await closed;
    } finally {
      sock.destroy();
      await proxy.stopListening();
      await echo.stopListening();
    }
  });

  test('ProxyFactory drops the accepted connection when the destination refuses', { timeout: 60_000 }, async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const deadPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const proxy = reactor.listenTCP(0, new ProxyFactory({ host: '127.0.0.1', port: deadPort, reactor }), { interface: '127.0.0.1' });
    const sock = net.connect(portOf(proxy), '127.0.0.1');
    try {
      const closedBy = await new Promise<string>((resolve) => {
        sock.on('end', () => resolve('peer'));
        sock.on('error', (e) => resolve(`error ${e.message}`));
      });
      assert.equal(closedBy, 'peer', 'the proxy closed the accepted connection');
    } finally {
      sock.destroy();
      await proxy.stopListening();
    }
  });
});
