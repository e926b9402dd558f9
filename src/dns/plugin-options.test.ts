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
import { dnsPlugin, parseSecondary } from './plugin.js';
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
});
