// The outgoing queue on a temp folder with a fake clock, a fake resolver and a fake sender: delivery, MX
// order, back-off, bounces (DSN) for permanent failures and after the give-up time, and a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deferred } from '../../defer/index.js';
import { Clock, eventually } from '../../testing/index.js';
import { SMTPReplyError } from '../errors.js';
import type { MXRecord } from '../interfaces.js';
import type { SendResult } from './client.js';
import { OutgoingQueue, type OutgoingQueueOptions } from './queue.js';
import { NoMailHost } from './resolver.js';

const MESSAGE = Buffer.from('Subject: hello\r\nFrom: alice@example.test\r\n\r\nbody\r\n');

interface Attempt {
  host: string;
  to: readonly string[];
}

function setup(behaviour: (host: string, n: number) => SendResult | Error, extra: Partial<OutgoingQueueOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-queue-'));
  const clock = new Clock();
  const attempts: Attempt[] = [];
  const bounces: { to: string; text: string }[] = [];
  const options: OutgoingQueueOptions = {
    directory: dir,
    hostname: 'mx.example.test',
    clock,
    resolver: {
      lookupMX: (domain): Deferred<MXRecord[]> =>
        domain === 'gone.example' ? Deferred.fail(new NoMailHost('gone.example does not exist')) : Deferred.succeed([{ exchange: `mx1.${domain}`, priority: 10 }, { exchange: `mx2.${domain}`, priority: 20 }]),
    },
    send: (host, _port, _from, to) => {
      attempts.push({ host, to });
      const r = behaviour(host, attempts.length);
      return r instanceof Error ? Deferred.fail(r) : Deferred.succeed(r);
    },
    deliverBounce: (to, message) => {
      bounces.push({ to, text: Buffer.from(message).toString('utf8') });
      return Deferred.succeed(undefined);
    },
    limits: { firstRetry: 60, backoffFactor: 2, maxRetryInterval: 200, giveUpAfter: 1000 },
    ...extra,
  };
  const queue = new OutgoingQueue(options);
  return { dir, clock, queue, attempts, bounces, options, done: () => (queue.stop(), rmSync(dir, { recursive: true, force: true })) };
}

const ok = (to: readonly string[] = []): SendResult => ({ accepted: [...to], rejected: [], response: '250 ok' });

test('a queued message goes to the first MX that takes it, then leaves the disk', async () => {
  const q = setup((host) => (host.startsWith('mx1.') ? new Error('connection refused') : ok()));
  try {
    await q.queue.start();
    await q.queue.enqueue('alice@example.test', ['bob@remote.example'], MESSAGE);
    assert.equal(readdirSync(q.dir).length, 2, 'message and envelope on disk once enqueue fires');
    q.clock.advance(0);
    await eventually(() => q.queue.entries().length === 0, { message: 'delivered' });
    assert.deepEqual(q.attempts.map((a) => a.host), ['mx1.remote.example', 'mx2.remote.example']);
    assert.deepEqual(readdirSync(q.dir), []);
  } finally {
    q.done();
  }
});

test('a temporary failure is retried with back-off; a restart picks the queue up from disk', async () => {
  const q = setup((_h, n) => (n <= 4 ? new SMTPReplyError(451, '4.3.0', 'try later') : ok()));
  try {
    await q.queue.start();
    await q.queue.enqueue('alice@example.test', ['bob@remote.example'], MESSAGE);
    q.clock.advance(0);
    await eventually(() => q.queue.entries()[0]?.attempts === 1, { message: 'first try deferred' });
    assert.equal(q.queue.entries()[0]!.nextAttempt, 60);
    assert.match(q.queue.entries()[0]!.lastError!, /451/);
    q.queue.stop();
    const again = new OutgoingQueue(q.options);
    await again.start();
    assert.deepEqual(again.entries().map((e) => e.attempts), [1]);
    q.clock.advance(59);
    assert.equal(q.attempts.length, 2, 'not before its time');
    q.clock.advance(1);
    await eventually(() => again.entries()[0]?.attempts === 2, { message: 'second try deferred' });
    assert.equal(again.entries()[0]!.nextAttempt, 60 + 120, 'the wait doubled');
    q.clock.advance(120);
    await eventually(() => again.entries().length === 0, { message: 'delivered on the third try' });
    again.stop();
  } finally {
    q.done();
  }
});

test('a permanent refusal bounces at once with a delivery status report', async () => {
  const q = setup(() => new SMTPReplyError(550, '5.1.1', 'no such user'));
  try {
    await q.queue.start();
    await q.queue.enqueue('alice@example.test', ['ghost@remote.example'], MESSAGE);
    q.clock.advance(0);
    await eventually(() => q.bounces.length === 1, { message: 'bounced' });
    const b = q.bounces[0]!;
    assert.equal(b.to, 'alice@example.test');
    assert.match(b.text, /^From: Mail Delivery System <MAILER-DAEMON@mx\.example\.test>\r\n/);
    assert.match(b.text, /Content-Type: multipart\/report; report-type=delivery-status/);
    assert.match(b.text, /Final-Recipient: rfc822; ghost@remote\.example\r\nAction: failed\r\nStatus: 5\.1\.1\r\n/);
    assert.match(b.text, /Content-Type: text\/rfc822-headers\r\n\r\nSubject: hello\r\n/);
    await eventually(() => q.queue.entries().length === 0, { message: 'removed after the bounce' });
  } finally {
    q.done();
  }
});

test('still undelivered after the give-up time: bounced with 4.4.7; a domain that does not exist bounces at once', async () => {
  const q = setup(() => new Error('connection timed out'));
  try {
    await q.queue.start();
    await q.queue.enqueue('alice@example.test', ['bob@remote.example', 'x@gone.example'], MESSAGE);
    q.clock.advance(0);
    await eventually(() => q.bounces.length === 1, { message: 'the missing domain bounced' });
    assert.match(q.bounces[0]!.text, /Final-Recipient: rfc822; x@gone\.example\r\nAction: failed\r\nStatus: 5\.1\.2/);
    for (let i = 0; i < 12 && q.bounces.length < 2; i++) {
      q.clock.advance(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    await eventually(() => q.bounces.length === 2, { message: 'gave up' });
    assert.match(q.bounces[1]!.text, /Status: 4\.4\.7\r\nDiagnostic-Code: smtp; gave up after \d+ tries: mx2\.remote\.example: connection timed out/);
    await eventually(() => q.queue.entries().length === 0, { message: 'removed after the bounce' });
  } finally {
    q.done();
  }
});

test('a bounce that cannot be delivered is dropped, never bounced again', async () => {
  const q = setup(() => new SMTPReplyError(550, '5.1.1', 'no'), { smarthost: { host: 'relay.example', port: 587 } });
  try {
    await q.queue.start();
    await q.queue.enqueue(null, ['alice@remote.example'], MESSAGE);
    q.clock.advance(0);
    await eventually(() => q.queue.entries().length === 0, { message: 'dropped' });
    assert.deepEqual(q.attempts.map((a) => a.host), ['relay.example'], 'the smarthost, not an MX');
    assert.equal(q.bounces.length, 0);
  } finally {
    q.done();
  }
});
