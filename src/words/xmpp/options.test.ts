/** `torsion words --xmpp`: off by default, a bare port on loopback only, and TLS required for it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopbackEndpoints, parseOptions, UsageError } from '../../app/index.js';
import { selfSignedCertificate } from '../../testing/index.js';
import { wordsOptions, wordsPlugin } from '../plugin.js';

function parse(argv: string[]): ReturnType<typeof wordsOptions> {
  return wordsOptions(parseOptions(wordsPlugin.options, argv));
}

describe('torsion words --xmpp', () => {
  test('off unless given; a bare port listens on loopback only; the domain and PEM files are read', () => {
    assert.equal(parse([]).xmpp, undefined);
    const dir = mkdtempSync(join(tmpdir(), 'torsion-xmpp-opts-'));
    try {
      const { key, cert } = selfSignedCertificate('localhost');
      writeFileSync(join(dir, 'key.pem'), key);
      writeFileSync(join(dir, 'cert.pem'), cert);
      const o = parse(['--xmpp', '5222', '--xmpp', 'tcp:5223', '--xmpp-domain', 'chat.example.org', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
      assert.deepEqual(o.xmpp, [...loopbackEndpoints(5222), 'tcp:5223']);
      assert.equal(o.xmppDomain, 'chat.example.org');
      assert.equal(o.tls?.cert, cert);
      assert.equal(o.xmppRegister, undefined, 'in-band registration is off by default');
      assert.equal(parse(['--xmpp', '5222', '--xmpp-register', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]).xmppRegister, true);
      assert.deepEqual(parse(['--irc', 'none', '--web', 'none', '--xmpp', '5222', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]).irc, [], 'XMPP alone is something to serve');
      const tls = ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')];
      const withComponent = parse(['--xmpp', '5222', '--xmpp-component', '5347', '--component-secret', 's3cret', ...tls]);
      assert.deepEqual(withComponent.xmppComponent, loopbackEndpoints(5347));
      assert.equal(withComponent.componentSecret, 's3cret');
      assert.equal(o.xmppComponent, undefined, 'no components unless asked for');
      assert.throws(() => parse(['--xmpp', '5222', '--xmpp-component', '5347', ...tls]), /--component-secret/);
      assert.throws(() => parse(['--xmpp-component', '5347', '--component-secret', 's', ...tls]), /needs --xmpp/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('usage errors: --xmpp without a certificate, a certificate without its key, an unreadable file', () => {
    assert.throws(() => parse(['--xmpp', '5222']), (e: unknown) => e instanceof UsageError && /--tls-cert and --tls-key/.test(e.message));
    assert.throws(() => parse(['--tls-cert', '/nonexistent.pem']), /go together/);
    assert.throws(() => parse(['--xmpp', '5222', '--tls-cert', '/nonexistent/c.pem', '--tls-key', '/nonexistent/k.pem']), /cannot read/);
  });
});
