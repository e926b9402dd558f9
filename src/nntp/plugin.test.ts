// `torsion news` options: groups, data or memory, auth, TLS pairs, and the usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseOptions } from '../app/index.js';
import { Clock } from '../testing/index.js';
import type { IReactor } from '../internet/interfaces.js';
import { newsOptions, newsPlugin } from './plugin.js';

const reactor = new Clock() as unknown as IReactor;

test('torsion news options become a NewsApplication configuration', () => {
  const parsed = parseOptions(newsPlugin.options, ['--groups', 'local.test, local.misc', '--data', '/tmp/x', '--auth', 'memory:alice:secret', '--posting-requires-auth']);
  const o = newsOptions(parsed, reactor);
  assert.deepEqual(o.groups, ['local.test', 'local.misc']);
  assert.equal(o.data, '/tmp/x');
  assert.equal(o.checkers?.length, 1);
  assert.equal(o.postingRequiresAuth, true);
  assert.ok(o.listen.length >= 1 && o.listen.every((l) => l.startsWith('tcp:1119:interface=')), 'loopback by default');
  assert.equal(newsOptions(parseOptions(newsPlugin.options, ['--memory']), reactor).data, null);
});

test('bad values are usage errors', () => {
  const bad = (args: string[]) => assert.throws(() => newsOptions(parseOptions(newsPlugin.options, args), reactor), UsageError, args.join(' '));
  bad(['--groups', 'ok.group,bad..group']);
  bad(['--posting-requires-auth']);
  bad(['--tls-cert', 'cert.pem']);
  bad(['--auth', 'memory:']);
});
