// MX lookups: preference order, the implicit MX of a domain without MX records, a null MX and a domain that
// does not exist (NoMailHost, so the queue bounces at once), other errors passed on (so it retries).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoMailHost, NodeMXResolver } from './resolver.js';

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
