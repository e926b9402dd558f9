import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, parseOptions } from '../app/index.js';
import { MemoryReactor } from '../testing/index.js';
import { ftpPlugin, implicitTLSEndpoint, parsePortRange } from './plugin.js';

describe('torsion ftp options', () => {
  test('--passive-ports parses LOW-HIGH and refuses the rest', () => {
    assert.deepEqual(parsePortRange('30000-30100'), [30000, 30100]);
    for (const bad of ['30100-30000', '0-10', '1-70000', '5', 'a-b']) assert.throws(() => parsePortRange(bad), UsageError, bad);
  });

  test('--implicit-tls turns a tcp: endpoint into an ssl: one with the key and certificate, colons escaped', () => {
    assert.equal(implicitTLSEndpoint('tcp:990:interface=127.0.0.1', '/k.pem', '/c:x.pem'), 'ssl:990:interface=127.0.0.1:privateKey=/k.pem:certKey=/c\\:x.pem');
    assert.throws(() => implicitTLSEndpoint('unix:/x', 'k', 'c'), UsageError);
  });

  test('usage errors: no way to log in, a certificate without its key, implicit TLS without a certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-ftp-plugin-'));
    try {
      const make = (...argv: string[]) => ftpPlugin.makeService(parseOptions(ftpPlugin.options, ['--root', dir, ...argv]), { reactor: new MemoryReactor() as never });
      assert.throws(() => make(), /--auth/);
      assert.throws(() => make('--anonymous', '--tls-cert', 'c.pem'), /go together/);
      assert.throws(() => make('--anonymous', '--implicit-tls', 'tcp:990'), /--implicit-tls needs/);
      assert.ok(make('--auth', 'memory:alice:secret', '--anonymous', '--passive-ports', '30000-30010', '--public-address', '203.0.113.1'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('it listens on this machine only by default, on port 2121', () => {
    const listen = ftpPlugin.options.find((o) => o.name === 'listen')!;
    assert.ok((listen.default as string[]).every((e) => /^tcp:2121:interface=/.test(e)));
  });
});
