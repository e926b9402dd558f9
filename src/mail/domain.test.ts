// MailDomain as the SMTP server's delivery: local users to their maildirs, postmaster to its alias,
// unknown users 550 5.1.1, other domains only when authenticated (through the relay) else 550 5.7.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deferred } from '../defer/index.js';
import { Address } from './address.js';
import { MailDomain } from './domain.js';
import { RelayDenied, SMTPBadRcpt } from './errors.js';
import type { SMTPSession } from './interfaces.js';

const session = (authenticated: string | null): SMTPSession => ({ helo: 'c', peerHost: '127.0.0.1', authenticated, secure: false });

test('delivery decisions and stores', async () => {
  const root = mkdtempSync(join(tmpdir(), 'torsion-domain-'));
  const relayed: string[] = [];
  try {
    const domain = new MailDomain({
      domain: 'Example.Test',
      root,
      users: ['alice'],
      postmaster: 'alice',
      relay: { enqueue: (_from, to) => (relayed.push(...to.map(String)), Deferred.succeed(undefined)) },
    });
    const to = (address: string, auth: string | null = null) => domain.validateTo({ dest: Address.parse(address), origin: null, session: session(auth) });
    const store = async (address: string, auth: string | null = null): Promise<void> => {
      const m = to(address, auth)();
      m.write(Buffer.from('Subject: x\r\n\r\nx\r\n'));
      await Deferred.fromPromise(Promise.resolve(m.eomReceived())).asPromise();
    };
    await store('ALICE@example.test');
    await store('postmaster@EXAMPLE.TEST');
    assert.equal(readdirSync(join(root, 'alice', 'new')).length, 2);
    assert.throws(() => to('bob@example.test'), SMTPBadRcpt);
    assert.throws(() => to('someone@elsewhere.example'), RelayDenied);
    await store('someone@elsewhere.example', 'alice');
    assert.deepEqual(relayed, ['someone@elsewhere.example']);
    assert.throws(() => new MailDomain({ domain: 'x.test', root, users: ['../etc'] }), RangeError);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
