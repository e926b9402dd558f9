import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, freeLoopbackPort, requirePeer, startPeerProgram, type PeerProgram } from '../testing/index.js';
import { EXAMPLE_ZONE } from './test-support/example-zone.js';
import { namedConf, startTorsionDNS, type TorsionDNS } from './test-support/processes.js';

const run = promisify(execFile);

/**
 * The next version of the example zone: serial + 1, `www` moved, `sip` gone, `ftp` new. EXAMPLE_ZONE's
 * refresh is an hour, so a secondary that has the new version within seconds got it through NOTIFY.
 */
const NEXT_ZONE = EXAMPLE_ZONE.replace('2026120501', '2026120502')
  .replace('www     IN A   192.0.2.80', 'www     IN A   192.0.2.81')
  .replace('sip     IN A   192.0.2.50', 'ftp     IN A   192.0.2.21');

async function dig(port: number, ...args: string[]): Promise<string> {
  return (await run(requirePeer('dig', 'dnsutils'), ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 20_000 })).stdout;
}

/** Waits (at most 20 s) until `dig +short NAME A` at `port` says `expected`. */
async function until(port: number, name: string, expected: string): Promise<void> {
  await eventually(async () => (await dig(port, '+short', name, 'A')).trim() === expected, { timeout: 20, interval: 0.2 });
}

describe('NOTIFY: BIND 9 primary tells torsion dns --secondary (Debian packages bind9, dnsutils)', { timeout: 90_000 }, () => {
  let bind: PeerProgram;
  let torsion: TorsionDNS;
  let dir: string;

  before(async () => {
    const named = requirePeer('named', 'bind9');
    requirePeer('dig', 'dnsutils');
    dir = mkdtempSync(join(tmpdir(), 'torsion-notify-bind-primary-'));
    writeFileSync(join(dir, 'example.test.zone'), EXAMPLE_ZONE);
    const torsionPort = await freeLoopbackPort();
    bind = await startPeerProgram({
      executable: named,
      args: (port) => {
        writeFileSync(join(dir, 'named.conf'), namedConf(dir, port, `zone "example.test" { type primary; file "example.test.zone";
  notify explicit; also-notify { 127.0.0.1 port ${torsionPort}; }; ixfr-from-differences yes; };`));
        return ['-g', '-c', join(dir, 'named.conf')];
      },
      ready: /all zones loaded/,
    });
    torsion = await startTorsionDNS(['--secondary', `127.0.0.1:${bind.port}/example.test`], /transferred serial/, torsionPort);
  });

  after(async () => {
    torsion?.child.kill('SIGTERM');
    await bind?.stop();
  });

  test('BIND reloads a newer zone and sends NOTIFY: the Torsion secondary takes the change by IXFR within seconds, not at the hourly refresh', async () => {
    await until(torsion.port, 'www.example.test', '192.0.2.80');
    writeFileSync(join(dir, 'example.test.zone'), NEXT_ZONE);
    bind.transport.signalProcess('HUP');
    await until(torsion.port, 'www.example.test', '192.0.2.81');
    assert.match(torsion.log(), /NOTIFY from 127\.0\.0\.1/);
    assert.match(torsion.log(), /incremental transfer \(IXFR\) from serial 2026120501 to 2026120502: 2 records deleted, 2 added/);
    assert.equal((await dig(torsion.port, '+short', 'sip.example.test', 'A')).trim(), '');
    assert.equal((await dig(torsion.port, '+short', 'ftp.example.test', 'A')).trim(), '192.0.2.21');
  });
});

describe('NOTIFY: torsion dns primary (SIGHUP reload) tells a BIND 9 secondary (Debian packages bind9, dnsutils)', { timeout: 90_000 }, () => {
  let bind: PeerProgram;
  let torsion: TorsionDNS;
  let dir: string;

  before(async () => {
    const named = requirePeer('named', 'bind9');
    requirePeer('dig', 'dnsutils');
    dir = mkdtempSync(join(tmpdir(), 'torsion-notify-torsion-primary-'));
    writeFileSync(join(dir, 'example.test.zone'), EXAMPLE_ZONE);
    const bindPort = await freeLoopbackPort();
    torsion = await startTorsionDNS(['--bindzone', join(dir, 'example.test.zone'), '--notify', `127.0.0.1:${bindPort}`], /listening on udp/);
    bind = await startPeerProgram({
      executable: named,
      port: bindPort,
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

  test('the zone file changes, SIGHUP: Torsion reloads it and sends NOTIFY; BIND acknowledges it and transfers the change by IXFR', async () => {
    await until(bind.port, 'www.example.test', '192.0.2.80');
    writeFileSync(join(dir, 'example.test.zone'), NEXT_ZONE);
    torsion.child.kill('SIGHUP');
    await until(bind.port, 'www.example.test', '192.0.2.81');
    assert.match(torsion.log(), /zone example\.test reloaded from .*, serial 2026120502/);
    assert.match(torsion.log(), /NOTIFY of example\.test acknowledged by 127\.0\.0\.1/);
    assert.equal((await dig(bind.port, '+short', 'ftp.example.test', 'A')).trim(), '192.0.2.21');
    assert.equal((await dig(bind.port, '+short', 'sip.example.test', 'A')).trim(), '');
    // 8 records is an IXFR (new SOA, old SOA, www and sip deleted, new SOA, www and ftp added, new SOA); an AXFR is 112.
    assert.match(bind.output(), /Transfer completed: 1 messages, 8 records, .*\(serial 2026120502\)/);
  });

  test('dig IXFR=serial at the Torsion primary: the differences from the last version, the SOA alone when current, the whole zone from an unknown serial', async () => {
    const soaLines = (out: string): string[] => out.split('\n').filter((l) => /\tSOA\t/.test(l)).map((l) => /(\d+) \d+ \d+ \d+ \d+$/.exec(l)![1]!);
    const fromLast = await dig(torsion.port, 'example.test', 'IXFR=2026120501');
    assert.deepEqual(soaLines(fromLast), ['2026120502', '2026120501', '2026120502', '2026120502']);
    assert.match(fromLast, /www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.80/, 'the deleted record');
    assert.match(fromLast, /ftp\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.21/, 'an added one');
    assert.deepEqual(soaLines(await dig(torsion.port, 'example.test', 'IXFR=2026120502')), ['2026120502']);
    const whole = await dig(torsion.port, 'example.test', 'IXFR=7');
    assert.deepEqual(soaLines(whole), ['2026120502', '2026120502']);
    assert.equal(whole.match(/big\.example\.test\./g)?.length, 100);
  });
});
