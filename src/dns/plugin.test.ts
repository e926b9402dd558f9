import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DatagramProtocol, reactor } from '../internet/index.js';
import { randomBytes, requirePeer, seededRandom } from '../testing/index.js';
import { DELEGATING_ZONE, EXAMPLE_ZONE } from './test-support/example-zone.js';

const main = new URL('../cli/main.ts', import.meta.url).pathname;
const run = promisify(execFile);

describe('torsion dns against dig (Debian package dnsutils)', { timeout: 60_000 }, () => {
  let child: ChildProcess;
  let port = 0;
  let log = '';
  let dig: string;
  const ask = async (...args: string[]): Promise<string> =>
    (await run(dig, ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=1', ...args], { timeout: 20_000 })).stdout;
  const short = async (...args: string[]): Promise<string[]> => (await ask('+short', ...args)).trim().split('\n');

  before(async () => {
    dig = requirePeer('dig', 'dnsutils');
    const dir = mkdtempSync(join(tmpdir(), 'torsion-dns-cli-'));
    writeFileSync(join(dir, 'example.test.zone'), EXAMPLE_ZONE);
    writeFileSync(join(dir, 'parent.test.zone'), DELEGATING_ZONE);
    child = spawn(process.execPath, ['--import', 'tsx', main, 'dns', '--port', '0', '--interface', '127.0.0.1', '--bindzone', join(dir, 'example.test.zone'), '--bindzone', join(dir, 'parent.test.zone')], { stdio: ['ignore', 'ignore', 'pipe'] });
    port = await new Promise<number>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        const m = /listening on udp 127\.0\.0\.1:(\d+)/.exec(log);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`torsion dns exited with ${code}:\n${log}`)));
    });
  });

  after(() => {
    child?.kill('SIGTERM');
  });

  test('A, AAAA, MX, SOA, TXT, SRV, CNAME', async () => {
    assert.deepEqual(await short('www.example.test', 'A'), ['192.0.2.80']);
    assert.deepEqual(await short('www.example.test', 'AAAA'), ['2001:db8::80']);
    assert.deepEqual(await short('example.test', 'MX'), ['10 mail.example.test.']);
    assert.deepEqual(await short('example.test', 'SOA'), ['ns1.example.test. hostmaster.example.test. 2026120501 3600 600 86400 60']);
    assert.deepEqual(await short('example.test', 'TXT'), ['"v=spf1 -all" "second"']);
    assert.deepEqual(await short('_sip._tcp.example.test', 'SRV'), ['10 20 5060 sip.example.test.']);
    assert.deepEqual(await short('alias.example.test', 'A'), ['www.example.test.', '192.0.2.80']);
    const full = await ask('www.example.test', 'A');
    assert.match(full, /flags: qr aa rd;/);
    assert.match(full, /status: NOERROR/);
  });

  test('NXDOMAIN with the SOA; +tcp; +dnssec answered without DNSSEC records', async () => {
    const nx = await ask('nope.example.test', 'A');
    assert.match(nx, /status: NXDOMAIN/);
    assert.match(nx, /AUTHORITY SECTION:\nexample\.test\.\s+60\s+IN\s+SOA/);
    assert.deepEqual(await short('+tcp', 'mail.example.test', 'A'), ['192.0.2.25']);
    const dnssec = await ask('+dnssec', 'www.example.test', 'A');
    assert.match(dnssec, /status: NOERROR/);
    assert.match(dnssec, /flags: do; udp: 1232/);
    assert.doesNotMatch(dnssec, /RRSIG/);
  });

  test('truncation at 512 bytes without EDNS, then TCP; AXFR over TCP', async () => {
    const big = await ask('+noedns', 'big.example.test', 'A');
    assert.match(big, /Truncated, retrying in TCP mode/);
    assert.equal((big.match(/^big\.example\.test\.\s+300\s+IN\s+A/gm) ?? []).length, 100);
    const notcp = await ask('+noedns', '+ignore', 'big.example.test', 'A');
    assert.match(notcp, /flags: qr aa tc rd;/);
    const axfr = await ask('example.test', 'AXFR');
    assert.equal((axfr.match(/\tSOA\t/g) ?? []).length, 2);
    assert.match(axfr, /XFR size: 112 records/);
  });

  test('a name below a zone cut gets a referral: NS in authority, glue in additional, no aa', async () => {
    const r = await ask('host.sub.parent.test', 'A');
    assert.match(r, /status: NOERROR/);
    assert.match(r, /flags: qr rd;/);
    assert.match(r, /ANSWER: 0, AUTHORITY: 2, ADDITIONAL: 3/);
    assert.match(r, /AUTHORITY SECTION:\nsub\.parent\.test\.\s+300\s+IN\s+NS\s+ns1\.sub\.parent\.test\.\nsub\.parent\.test\.\s+300\s+IN\s+NS\s+ns\.elsewhere\.test\./);
    assert.match(r, /ADDITIONAL SECTION:\nns1\.sub\.parent\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.53\nns1\.sub\.parent\.test\.\s+300\s+IN\s+AAAA\s+2001:db8::53/);
    assert.match(await ask('www.parent.test', 'A'), /flags: qr aa rd;/);
  });

  test('ANY over UDP gets the RFC 8482 answer; malformed packets do not kill it', async () => {
    const any = await ask('+notcp', 'www.example.test', 'ANY');
    assert.match(any, /HINFO\s+"RFC8482" ""/);
    assert.match(await ask('+tcp', 'www.example.test', 'ANY'), /2001:db8::80/);
    const sender = reactor.listenUDP(0, new DatagramProtocol(), { interface: '127.0.0.1' });
    const random = seededRandom(19);
    for (let i = 0; i < 300; i++) sender.write(randomBytes(random, 1 + Math.floor(random() * 100), [0, 0xc0, 12, 0x29]), { host: '127.0.0.1', port });
    await sender.stopListening();
    assert.deepEqual(await short('www.example.test', 'A'), ['192.0.2.80']);
    assert.equal(child.exitCode, null);
  });
});
