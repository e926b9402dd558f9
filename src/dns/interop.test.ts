import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reactor } from '../internet/index.js';
import { requirePeer, startPeerProgram, type PeerProgram } from '../testing/index.js';
import { A, AAAA, CNAME, MX, SOA, SRV, TXT } from './constants.js';
import { DNSNameError } from './errors.js';
import { createResolver, type Resolver } from './client/resolver.js';
import { txtStrings, type Payload } from './records.js';
import { EXAMPLE_ZONE } from './test-support/example-zone.js';

const field = (p: Payload, key: string): unknown => (p as unknown as Record<string, unknown>)[key];

describe('Resolver against dnsmasq (Debian package dnsmasq)', { timeout: 60_000 }, () => {
  let server: PeerProgram;
  let resolver: Resolver;

  before(async () => {
    const dnsmasq = requirePeer('dnsmasq', 'dnsmasq');
    server = await startPeerProgram({
      executable: dnsmasq,
      args: (port) => ['-k', '-p', String(port), '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts',
        '--pid-file=', '--user=root', '--address=/a.test/192.0.2.5', '--mx-host=mail.test,mx.mail.test,10', '--txt-record=txt.test,hello world'],
    });
    resolver = createResolver({ servers: [['127.0.0.1', server.port]], reactor, hosts: null, timeout: [2, 2, 2] });
  });

  after(async () => {
    await server?.stop();
  });

  test('A, MX, TXT, getHostByName and NXDOMAIN', async () => {
    const [answers] = await resolver.lookupAddress('a.test');
    assert.deepEqual(answers.map((rr) => [rr.name, rr.type, field(rr.payload, 'address')]), [['a.test', A, '192.0.2.5']]);
    const [mx] = await resolver.lookupMailExchange('mail.test');
    assert.deepEqual(mx.map((rr) => [rr.type, field(rr.payload, 'preference'), field(rr.payload, 'name')]), [[MX, 10, 'mx.mail.test']]);
    const [text] = await resolver.lookupText('txt.test');
    assert.equal(text[0]!.type, TXT);
    assert.deepEqual(txtStrings(text[0]!.payload as Parameters<typeof txtStrings>[0]), ['hello world']);
    assert.equal(await resolver.getHostByName('sub.a.test'), '192.0.2.5');
    await assert.rejects(resolver.lookupAddress('missing.test'), (e: unknown) => e instanceof DNSNameError || (e as { code?: string }).code === 'TORSION_DNS_REFUSED');
  });
});

describe('Resolver against BIND 9 (Debian package bind9)', { timeout: 90_000 }, () => {
  let server: PeerProgram;
  let resolver: Resolver;

  before(async () => {
    const named = requirePeer('named', 'bind9');
    const dir = mkdtempSync(join(tmpdir(), 'torsion-named-'));
    writeFileSync(join(dir, 'example.test.zone'), EXAMPLE_ZONE);
    server = await startPeerProgram({
      executable: named,
      args: (port) => {
        writeFileSync(join(dir, 'named.conf'), `options { directory "${dir}"; pid-file none; listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; }; recursion no; minimal-any yes; };
controls { };
zone "example.test" { type primary; file "example.test.zone"; };
`);
        return ['-g', '-c', join(dir, 'named.conf')];
      },
      ready: /all zones loaded/,
    });
    resolver = createResolver({ servers: [['127.0.0.1', server.port]], reactor, hosts: null, timeout: [2, 2, 2] });
  });

  after(async () => {
    await server?.stop();
  });

  test('A, AAAA, MX, SOA, SRV, TXT, CNAME chased by getHostByName', async () => {
    const [a] = await resolver.lookupAddress('www.example.test');
    assert.deepEqual(a.map((rr) => field(rr.payload, 'address')), ['192.0.2.80']);
    const [aaaa] = await resolver.lookupIPV6Address('www.example.test');
    assert.deepEqual(aaaa.map((rr) => [rr.type, field(rr.payload, 'address')]), [[AAAA, '2001:db8::80']]);
    const [mx] = await resolver.lookupMailExchange('example.test');
    assert.deepEqual(mx.map((rr) => field(rr.payload, 'name')), ['mail.example.test']);
    const [soa] = await resolver.lookupAuthority('example.test');
    assert.equal(soa[0]!.type, SOA);
    assert.equal(field(soa[0]!.payload, 'serial'), 2026120501);
    assert.equal(field(soa[0]!.payload, 'rname'), 'hostmaster.example.test');
    const [srv] = await resolver.lookupService('_sip._tcp.example.test');
    assert.deepEqual(srv.map((rr) => [rr.type, field(rr.payload, 'port'), field(rr.payload, 'target')]), [[SRV, 5060, 'sip.example.test']]);
    const [txt] = await resolver.lookupText('example.test');
    assert.deepEqual(txtStrings(txt[0]!.payload as Parameters<typeof txtStrings>[0]), ['v=spf1 -all', 'second']);
    const [cname] = await resolver.lookupAddress('alias.example.test');
    assert.equal(cname[0]!.type, CNAME);
    assert.equal(await resolver.getHostByName('alias.example.test'), '192.0.2.80');
  });

  test('NXDOMAIN with the SOA in authority; a large answer comes over TCP after TC', async () => {
    await assert.rejects(resolver.lookupAddress('nope.example.test'), DNSNameError);
    const [big] = await resolver.lookupAddress('big.example.test');
    assert.equal(big.length, 100);
  });
});
