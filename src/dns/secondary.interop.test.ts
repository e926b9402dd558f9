import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { reactor } from '../internet/index.js';
import type { IListeningPort } from '../internet/interfaces.js';
import { requirePeer, startPeerProgram, type PeerProgram } from '../testing/index.js';
import { transferZone } from './client/transfer.js';
import { DNSTransferError } from './errors.js';
import { FileAuthority } from './server/authority.js';
import { QueryHandler } from './server/handler.js';
import { SecondaryAuthority, tcpMaster } from './server/secondary.js';
import { DNSServerFactory } from './server/server.js';
import { EXAMPLE_ZONE } from './test-support/example-zone.js';
import { parseZone } from './zone.js';
import { namedConf, startTorsionDNS } from './test-support/processes.js';

const run = promisify(execFile);
const LIMITS = { timeout: 10, maxRecords: 1000, maxBuffer: 65537 };

describe('zone transfer in, Torsion to Torsion (in process)', { timeout: 30_000 }, () => {
  let listening: IListeningPort;
  let port: number;
  before(() => {
    const master = new QueryHandler([new FileAuthority(parseZone(EXAMPLE_ZONE))]);
    listening = reactor.listenTCP(0, new DNSServerFactory(master, reactor), { interface: '127.0.0.1' });
    port = (listening.getHost() as unknown as { port: number }).port;
  });
  after(() => listening?.stopListening());

  test('transferZone gets every record, the SOA first; a SecondaryAuthority serves them', async () => {
    const records = await transferZone(reactor, ['127.0.0.1', port], 'example.test', LIMITS).asPromise();
    assert.equal(records.length, parseZone(EXAMPLE_ZONE).records.length);
    assert.equal(records[0]!.type, 6);
    let changes = 0;
    const secondary = new SecondaryAuthority('example.test', tcpMaster(reactor, ['127.0.0.1', port]), reactor, () => changes++);
    secondary.start();
    try {
      for (let i = 0; i < 100 && secondary.loaded() === undefined; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(changes, 1);
      assert.equal(secondary.soa?.serial, 2026120501);
      assert.equal(secondary.loaded()!.answer({ name: 'www.example.test', type: 1, cls: 1 }).answers.length, 1);
    } finally {
      secondary.stop();
    }
  });

  test('a zone the master does not serve: DNSTransferError (REFUSED)', async () => {
    await assert.rejects(transferZone(reactor, ['127.0.0.1', port], 'other.test', LIMITS).asPromise(), DNSTransferError);
  });

  test('more records than maxRecords: DNSTransferError', async () => {
    await assert.rejects(transferZone(reactor, ['127.0.0.1', port], 'example.test', { ...LIMITS, maxRecords: 10 }).asPromise(),
      (e: unknown) => e instanceof DNSTransferError && /over 10 records/.test(e.message));
  });
});

describe('BIND 9 as master, torsion dns --secondary (Debian packages bind9, dnsutils)', { timeout: 90_000 }, () => {
  let bind: PeerProgram;
  let torsion: Awaited<ReturnType<typeof startTorsionDNS>>;
  let dig: string;
  const ask = async (...args: string[]): Promise<string> =>
    (await run(dig, ['@127.0.0.1', '-p', String(torsion.port), '+time=3', '+tries=1', ...args], { timeout: 20_000 })).stdout;

  before(async () => {
    const named = requirePeer('named', 'bind9');
    dig = requirePeer('dig', 'dnsutils');
    const dir = mkdtempSync(join(tmpdir(), 'torsion-named-master-'));
    writeFileSync(join(dir, 'example.test.zone'), EXAMPLE_ZONE);
    bind = await startPeerProgram({
      executable: named,
      args: (port) => {
        writeFileSync(join(dir, 'named.conf'), namedConf(dir, port, 'zone "example.test" { type primary; file "example.test.zone"; };'));
        return ['-g', '-c', join(dir, 'named.conf')];
      },
      ready: /all zones loaded/,
    });
    torsion = await startTorsionDNS(['--secondary', `127.0.0.1:${bind.port}/example.test`], /transferred serial/);
  });

  after(async () => {
    torsion?.child.kill('SIGTERM');
    await bind?.stop();
  });

  test('the transferred zone is served with AA: A, MX with additional, NXDOMAIN with the SOA', async () => {
    const a = await ask('www.example.test', 'A');
    assert.match(a, /flags: qr aa/);
    assert.match(a, /www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.80/);
    assert.match(await ask('example.test', 'MX'), /mail\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.25/);
    const nx = await ask('nope.example.test', 'A');
    assert.match(nx, /status: NXDOMAIN/);
    assert.match(nx, /SOA\s+ns1\.example\.test\. hostmaster\.example\.test\. 2026120501/);
  });

  test('and transferred on again: dig AXFR from the Torsion secondary', async () => {
    const out = await ask('example.test', 'AXFR');
    assert.equal(out.match(/\tSOA\t/g)?.length, 2);
    assert.match(out, /_sip\._tcp\.example\.test\.\s+300\s+IN\s+SRV\s+10 20 5060 sip\.example\.test\./);
  });
});

describe('torsion dns as master, BIND 9 as secondary (Debian packages bind9, dnsutils)', { timeout: 90_000 }, () => {
  let bind: PeerProgram;
  let torsion: Awaited<ReturnType<typeof startTorsionDNS>>;
  let dig: string;

  before(async () => {
    const named = requirePeer('named', 'bind9');
    dig = requirePeer('dig', 'dnsutils');
    const dir = mkdtempSync(join(tmpdir(), 'torsion-named-secondary-'));
    writeFileSync(join(dir, 'example.test.zone'), EXAMPLE_ZONE);
    torsion = await startTorsionDNS(['--bindzone', join(dir, 'example.test.zone')], /listening on udp/);
    bind = await startPeerProgram({
      executable: named,
      args: (port) => {
        writeFileSync(join(dir, 'named.conf'), namedConf(dir, port,
          `zone "example.test" { type secondary; primaries { 127.0.0.1 port ${torsion.port}; }; file "secondary.db"; };`));
        return ['-g', '-c', join(dir, 'named.conf')];
      },
      ready: /transfer of 'example\.test\/IN' from .*: Transfer completed/,
    });
  });

  after(async () => {
    await bind?.stop();
    torsion?.child.kill('SIGTERM');
  });

  test('BIND transfers the zone from Torsion and answers from it', async () => {
    const out = (await run(dig, ['@127.0.0.1', '-p', String(bind.port), '+time=3', '+tries=1', 'www.example.test', 'AAAA'], { timeout: 20_000 })).stdout;
    assert.match(out, /flags: qr aa/);
    assert.match(out, /www\.example\.test\.\s+300\s+IN\s+AAAA\s+2001:db8::80/);
    const big = (await run(dig, ['@127.0.0.1', '-p', String(bind.port), '+tcp', '+short', 'big.example.test', 'A'], { timeout: 20_000 })).stdout;
    assert.equal(big.trim().split('\n').length, 100);
  });
});
