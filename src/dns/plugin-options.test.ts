import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions, UsageError, type IService } from '../app/index.js';
import type { IReactor } from '../internet/interfaces.js';
import { MemoryReactor, type MemoryDatagramPort } from '../testing/index.js';
import { A } from './constants.js';
import { decodeMessage, encodeMessage, makeQuery } from './message.js';
import { dnsPlugin, parseAddressPort, parseSecondary } from './plugin.js';
import { EXAMPLE_ZONE } from './test-support/example-zone.js';

function make(argv: string[], reactor = new MemoryReactor()): IService {
  return dnsPlugin.makeService(parseOptions(dnsPlugin.options, argv), { reactor: reactor as unknown as IReactor }) as IService;
}

describe('torsion dns options', () => {
  test('--secondary takes IP[:PORT]/ZONE (port 53 by default); a host name or a bad form is a usage error; nothing to serve too', () => {
    assert.deepEqual(parseSecondary('127.0.0.1/example.test'), { host: '127.0.0.1', port: 53, zone: 'example.test' });
    assert.deepEqual(parseSecondary('127.0.0.1:5300/example.test'), { host: '127.0.0.1', port: 5300, zone: 'example.test' });
    assert.deepEqual(parseSecondary('[::1]:5300/example.test'), { host: '::1', port: 5300, zone: 'example.test' });
    for (const bad of ['ns1.example.test/example.test', '127.0.0.1', '127.0.0.1:99999/x', '/x']) assert.throws(() => parseSecondary(bad), UsageError, bad);
    const reactor = new MemoryReactor();
    void make(['--secondary', '127.0.0.1:5300/example.test'], reactor).startService();
    assert.deepEqual(reactor.tcpClients.map((c) => [c.host, c.port]), [['127.0.0.1', 5300]], 'the first transfer starts with the service');
    assert.throws(() => make([]), UsageError);
  });

  test('--port/--interface: TCP and UDP on the same port; --rate-limit reaches the UDP side', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-dns-opts-'));
    writeFileSync(join(dir, 'zone'), EXAMPLE_ZONE);
    const reactor = new MemoryReactor();
    const service = make(['--port', '0', '--interface', '127.0.0.1', '--bindzone', join(dir, 'zone'), '--rate-limit', '2'], reactor);
    void service.startService();
    assert.equal(reactor.tcpServers[0]!.interface, '127.0.0.1');
    const udp = reactor.udpPorts[0]!;
    assert.equal(udp.port, (reactor.tcpServers[0]!.listeningPort.getHost() as unknown as { port: number }).port);
    const port = udp.transport as MemoryDatagramPort;
    for (let i = 0; i < 5; i++) port.deliver(encodeMessage(makeQuery(i, 'www.example.test', A)), { host: '127.0.0.1', port: 9 });
    assert.equal(port.written.length, 2);
    assert.equal(decodeMessage(port.written[0]!.data).answers.length, 1);
  });

  test('--notify IP[:PORT]: a NOTIFY to each at start; reload() (SIGHUP) serves a changed zone file and sends NOTIFY again; an unchanged or broken file changes nothing', async () => {
    assert.deepEqual(parseAddressPort('127.0.0.1', '--notify'), ['127.0.0.1', 53]);
    assert.deepEqual(parseAddressPort('[::1]:5300', '--notify'), ['::1', 5300]);
    assert.throws(() => parseAddressPort('ns1.example.test:53', '--notify'), UsageError);
    const dir = mkdtempSync(join(tmpdir(), 'torsion-dns-notify-'));
    const file = join(dir, 'zone');
    writeFileSync(file, EXAMPLE_ZONE);
    const reactor = new MemoryReactor();
    const service = make(['--port', '0', '--bindzone', file, '--notify', '127.0.0.1:5301'], reactor) as IService & { reload(): void };
    await service.startService();
    const notifies = (): number[] => reactor.udpPorts.slice(1).map((p) => {
      const sent = decodeMessage((p.transport as MemoryDatagramPort).written[0]!.data);
      return (sent.answers[0]!.payload as { serial: number }).serial;
    });
    assert.deepEqual(notifies(), [2026120501]);
    const server = reactor.udpPorts[0]!.transport as MemoryDatagramPort;
    const www = (): string => {
      server.deliver(encodeMessage(makeQuery(1, 'www.example.test', A)), { host: '127.0.0.1', port: 9 });
      return (decodeMessage(server.written.at(-1)!.data).answers[0]!.payload as { address: string }).address;
    };
    assert.equal(www(), '192.0.2.80');
    service.reload();
    assert.deepEqual(notifies(), [2026120501], 'unchanged file: no NOTIFY');
    writeFileSync(file, 'this is not a zone (');
    service.reload();
    assert.equal(www(), '192.0.2.80', 'a broken file leaves the zone served');
    writeFileSync(file, EXAMPLE_ZONE.replace('2026120501', '2026120502').replace('192.0.2.80', '192.0.2.81'));
    service.reload();
    assert.equal(www(), '192.0.2.81', 'the answer cache was dropped');
    assert.deepEqual(notifies(), [2026120501, 2026120502]);
    await service.stopService();
  });
});
