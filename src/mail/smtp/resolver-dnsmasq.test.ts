// Both MX resolvers (torsion/dns and node:dns) against a real DNS server (dnsmasq on a free loopback port): MX records in preference
// order, a null MX (RFC 7505) and a name that does not exist. (dnsmasq answers NXDOMAIN for MX queries of
// names it knows only A records of, so the implicit MX is covered by resolver.test.ts instead.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requirePeer, startPeerProgram } from '../../testing/index.js';
import { DNSMXResolver, NoMailHost, NodeMXResolver } from './resolver.js';

test('MX lookups through dnsmasq', { timeout: 60_000 }, async () => {
  const dnsmasq = requirePeer('/usr/sbin/dnsmasq', 'dnsmasq');
  const peer = await startPeerProgram({
    executable: dnsmasq,
    name: 'dnsmasq',
    args: (port) => ['-k', '-p', String(port), '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--local=/test/', '--mx-host=mx.test,mx2.mx.test,20', '--mx-host=mx.test,mx1.mx.test,10', '--mx-host=nullmx.test,.,0', '--log-facility=-'],
  });
  try {
    for (const r of [new NodeMXResolver([`127.0.0.1:${peer.port}`]), new DNSMXResolver({ servers: [['127.0.0.1', peer.port]] })]) {
      assert.deepEqual(await r.lookupMX('mx.test').asPromise(), [
        { exchange: 'mx1.mx.test', priority: 10 },
        { exchange: 'mx2.mx.test', priority: 20 },
      ]);
      await assert.rejects(r.lookupMX('nullmx.test').asPromise(), /null MX/);
      await assert.rejects(r.lookupMX('nowhere.test').asPromise(), NoMailHost);
    }
  } finally {
    await peer.stop();
  }
});
