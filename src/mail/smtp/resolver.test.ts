// MX lookups: preference order, the implicit MX of a domain without MX records, a null MX and a domain that
// does not exist (NoMailHost, so the queue bounces at once), other errors passed on (so it retries).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../../defer/index.js';
import { DNSNameError, DNSServerError, MX, NS, type RRHeader } from '../../dns/index.js';
import { DNSMXResolver, NoMailHost, NodeMXResolver } from './resolver.js';

function resolverAnswering(answers: Record<string, { exchange: string; priority: number }[] | string>) {
  return new NodeMXResolver({
    resolveMx: (domain: string) => {
      const a = answers[domain];
      if (typeof a === 'string') return Promise.reject(Object.assign(new Error(a), { code: a }));
      return Promise.resolve(a ?? []);
    },
  });
}

test('MX records sorted by preference; implicit MX, null MX, missing domain, other errors', async () => {
  const r = resolverAnswering({
    'mx.test': [
      { exchange: 'b.mx.test', priority: 20 },
      { exchange: 'a.mx.test', priority: 10 },
    ],
    'plain.test': 'ENODATA',
    'null.test': [{ exchange: '', priority: 0 }],
    'gone.test': 'ENOTFOUND',
    'flaky.test': 'ETIMEOUT',
  });
  assert.deepEqual(await r.lookupMX('mx.test').asPromise(), [
    { exchange: 'a.mx.test', priority: 10 },
    { exchange: 'b.mx.test', priority: 20 },
  ]);
  assert.deepEqual(await r.lookupMX('plain.test').asPromise(), [{ exchange: 'plain.test', priority: 0 }]);
  await assert.rejects(r.lookupMX('null.test').asPromise(), NoMailHost);
  await assert.rejects(r.lookupMX('gone.test').asPromise(), NoMailHost);
  await assert.rejects(r.lookupMX('flaky.test').asPromise(), (e: Error) => !(e instanceof NoMailHost) && (e as { code?: string }).code === 'ETIMEOUT');
});

test('through torsion/dns: the same answers from DNS records, NXDOMAIN as NoMailHost, a server failure passed on', async () => {
  const mx = (name: string, preference: number): RRHeader => ({ name: 'mx.test', type: MX, cls: 1, ttl: 60, payload: { type: MX, preference, name } });
  const answers: Record<string, RRHeader[] | Error> = {
    // An NS record in the answer (as a confused server might send) is not a mail host.
    'mx.test': [mx('b.mx.test', 20), { name: 'mx.test', type: NS, cls: 1, ttl: 60, payload: { type: NS, name: 'ns.test' } }, mx('a.mx.test', 10)],
    'plain.test': [],
    'null.test': [mx('', 0)],
    'gone.test': new DNSNameError('no such name', 3),
    'flaky.test': new DNSServerError('server failure', 2),
  };
  const r = new DNSMXResolver({
    lookupMailExchange: (domain: string) => {
      const a = answers[domain]!;
      return a instanceof Error ? Deferred.fail(a) : Deferred.succeed([a, [], []] as [RRHeader[], RRHeader[], RRHeader[]]);
    },
  });
  assert.deepEqual(await r.lookupMX('mx.test').asPromise(), [
    { exchange: 'a.mx.test', priority: 10 },
    { exchange: 'b.mx.test', priority: 20 },
  ]);
  assert.deepEqual(await r.lookupMX('plain.test').asPromise(), [{ exchange: 'plain.test', priority: 0 }]);
  await assert.rejects(r.lookupMX('null.test').asPromise(), /null MX/);
  await assert.rejects(r.lookupMX('gone.test').asPromise(), NoMailHost);
  await assert.rejects(r.lookupMX('flaky.test').asPromise(), DNSServerError);
});
