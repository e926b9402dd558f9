// The client against the server in memory (loopback pump): every command's Deferred and parsed answer,
// error answers as NNTPReplyError, the feeder, lost connections, and the client's own limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, StringTransport, connectedServerAndClient } from '../../testing/index.js';
import { InMemoryUsernamePasswordDatabase, Portal } from '../../cred/index.js';
import { MemoryNewsStorage } from '../memory-storage.js';
import { NNTPServerFactory, type NNTPServerOptions } from '../server/factory.js';
import { NewsRealm } from '../server/realm.js';
import { NNTPConnectionLostError, NNTPReplyError } from '../errors.js';
import { headerValue } from '../article.js';
import { sampleArticle, seededStore } from '../test-support/harness.js';
import { NNTPClient } from './client.js';
import { feedArticles } from './feeder.js';

async function connect(options: Partial<NNTPServerOptions> = {}) {
  const storage = await seededStore();
  const factory = new NNTPServerFactory({ storage, clock: new Clock(), ...options });
  const c = connectedServerAndClient(factory, new NNTPClient());
  const run = async <T>(d: PromiseLike<T>): Promise<T> => {
    await c.pump.settle();
    return d;
  };
  return { ...c, storage, run };
}

test('greeting, capabilities, MODE READER, DATE', async () => {
  const { client, run } = await connect();
  assert.equal((await run(client.greeting)).status, 200);
  assert.ok((await run(client.capabilities())).includes('READER'));
  assert.equal(await run(client.modeReader()), true);
  assert.equal(await run(client.date()), 0);
});

test('group, listGroup, article, head, body, stat, next, last', async () => {
  const { client, run } = await connect();
  assert.deepEqual(await run(client.group('local.test')), { count: 3, low: 1, high: 3, name: 'local.test' });
  assert.deepEqual((await run(client.listGroup('local.test'))).numbers, [1, 2, 3]);
  const a = await run(client.article(2));
  assert.equal(a.number, 2);
  assert.equal(a.messageId, '<a2@x>');
  assert.equal(a.article.body, '.dotted line\r\nsecond\r\n', 'unstuffed');
  assert.equal(headerValue(a.article, 'Subject'), 'About <a2@x>');
  assert.match((await run(client.head('<a1@x>'))).text, /^From: alice@example\.org\r\n/);
  assert.equal((await run(client.body(3))).text, 'Hello\r\n');
  assert.equal((await run(client.stat())).number, 3);
  assert.equal((await run(client.last())).number, 2);
  assert.equal((await run(client.next())).number, 3);
});

test('over, hdr, list, newGroups, newNews', async () => {
  const { client, run } = await connect();
  await run(client.group('local.test'));
  const over = await run(client.over('1-'));
  assert.deepEqual(
    over.map((o) => [o.number, o.messageId, o.subject]),
    [1, 2, 3].map((n) => [n, `<a${n}@x>`, `About <a${n}@x>`]),
  );
  assert.deepEqual(await run(client.hdr('Message-ID', '2-3')), [
    { number: 2, value: '<a2@x>' },
    { number: 3, value: '<a3@x>' },
  ]);
  assert.deepEqual(await run(client.listActive()), [
    { name: 'local.misc', high: 0, low: 1, posting: 'y' },
    { name: 'local.test', high: 3, low: 1, posting: 'y' },
  ]);
  assert.deepEqual(await run(client.list('NEWSGROUPS', 'local.misc')), ['local.misc\tOther things']);
  assert.deepEqual((await run(client.newGroups(150))).map((g) => g.name), ['local.misc']);
  assert.deepEqual(await run(client.newNews('*', 1003)), ['<a3@x>']);
});

test('post fires with the 240 text; errors fail with NNTPReplyError carrying the status', async () => {
  const { client, run } = await connect();
  const text = await run(client.post('From: c@d\r\nNewsgroups: local.misc\r\nSubject: via client\r\n\r\n.dot\r\n'));
  assert.match(text, /^<[^>]+> Article received OK$/);
  const g = await run(client.group('local.misc'));
  assert.equal(g.count, 1);
  assert.equal((await run(client.body(1))).text, '.dot\r\n');
  await assert.rejects(run(client.group('no.such')), (e: unknown) => e instanceof NNTPReplyError && e.status === 411);
  await assert.rejects(run(client.post('Subject: only\r\n\r\nx\r\n')), (e: unknown) => e instanceof NNTPReplyError && e.status === 441);
  assert.equal((await run(client.stat(1))).number, 1, 'the connection is still in step after errors');
});

test('authInfo logs in; a wrong password fails with 481', async () => {
  const portal = new Portal(new NewsRealm(), [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
  const { client, run } = await connect({ portal, postingRequiresAuth: true });
  await assert.rejects(run(client.post(sampleArticle('<p@x>'))), (e: unknown) => e instanceof NNTPReplyError && e.status === 480);
  await assert.rejects(run(client.authInfo('alice', 'nope')), (e: unknown) => e instanceof NNTPReplyError && e.status === 481);
  await run(client.authInfo('alice', 'secret'));
  assert.match(await run(client.post(sampleArticle('<p@x>'))), /^<p@x>/);
});

test('feedArticles offers with IHAVE and reports what was taken and refused', async () => {
  const { client, run } = await connect();
  const result = await run(feedArticles(client, [sampleArticle('<f1@x>'), sampleArticle('<a1@x>'), sampleArticle('<f2@x>', 'nowhere.here')]));
  assert.deepEqual(result, { accepted: ['<f1@x>'], refused: ['<a1@x>', '<f2@x>'] });
});

test('commands waiting when the connection drops fail with NNTPConnectionLostError; quit closes', async () => {
  const { client, run, pump } = await connect();
  await run(client.greeting);
  const pending = client.group('local.test');
  client.transport.loseConnection();
  await pump.settle();
  await assert.rejects(pending.asPromise(), NNTPConnectionLostError);
  const second = await connect();
  await second.run(second.client.quit());
  await second.pump.settle();
  assert.equal(second.client.connected, false);
});

test('the client refuses a response larger than its limit and closes', async () => {
  const client = new NNTPClient({ limits: { maxResponseBytes: 100 } });
  const transport = new StringTransport();
  client.makeConnection(transport);
  client.dataReceived(Buffer.from('200 hi\r\n'));
  const d = client.list();
  client.dataReceived(Buffer.from('215 list\r\n' + 'group.name 1 1 y\r\n'.repeat(20)));
  await assert.rejects(d.asPromise(), (e: unknown) => e instanceof NNTPReplyError && /larger than 100/.test(e.message));
  assert.equal(transport.disconnecting, true);
});

test('sendCommand refuses arguments that would inject a line', async () => {
  const client = new NNTPClient();
  client.makeConnection(new StringTransport());
  await assert.rejects(client.group('a\r\nPOST').asPromise());
});

test('a store left behind: MemoryNewsStorage is usable on its own', async () => {
  const s = new MemoryNewsStorage();
  await s.createGroup('x.y');
  assert.deepEqual(await s.articleNumbers('x.y', 0, 10), []);
});

test('startTLS switches both ends to TLS, verifying the server certificate; then AUTHINFO is allowed', async () => {
  const { selfSignedCertificate } = await import('../../testing/index.js');
  const { key, cert } = selfSignedCertificate('localhost');
  const portal = new Portal(new NewsRealm(), [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
  const { client, run, serverTransport } = await connect({ tls: { key, cert }, portal });
  await assert.rejects(run(client.authInfo('alice', 'secret')), (e: unknown) => e instanceof NNTPReplyError && e.status === 483);
  await run(client.startTLS({ ca: cert, servername: 'localhost' }));
  const caps = await run(client.capabilities());
  assert.ok(caps.includes('AUTHINFO USER') && !caps.includes('STARTTLS'));
  assert.equal(serverTransport.isSecure(), true);
  await run(client.authInfo('alice', 'secret'));
  assert.equal((await run(client.group('local.test'))).count, 3);
});
