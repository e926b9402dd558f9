// Torsion's NNTP client and IHAVE feeder against INN2 (a server nobody here wrote), on a private innd on a
// free loopback port: feed articles in with IHAVE, then read them back through nnrpd (MODE READER) with
// GROUP, OVER, ARTICLE, HDR, NEWNEWS, and POST one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeReactor } from '../internet/reactor.js';
import { clientFromString, connectProtocol } from '../internet/index.js';
import { eventually, requirePeer } from '../testing/index.js';
import { headerValue } from './article.js';
import { NNTPClient } from './client/client.js';
import { feedArticles } from './client/feeder.js';
import { startInn, type InnServer } from './test-support/inn.js';

requirePeer('/usr/lib/news/bin/innd', 'inn2');
const reactor = new NodeReactor();
let inn: InnServer;

before(async () => {
  inn = await startInn(['local.test', 'local.misc']);
});

after(async () => {
  await inn?.stop();
});

async function connect(): Promise<NNTPClient> {
  const client = await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${inn.port}`), new NNTPClient());
  await client.greeting;
  return client;
}

function article(id: string, subject: string, body: string): string {
  return [`Path: feeder.example.org!not-for-mail`, `From: feeder@example.org`, `Newsgroups: local.test`, `Subject: ${subject}`, `Message-ID: ${id}`, `Date: ${new Date().toUTCString()}`, '', ''].join('\r\n') + body;
}

test('the feeder pushes articles to innd with IHAVE; a repeat is refused', async () => {
  const feeder = await connect();
  const result = await feedArticles(feeder, [article('<feed1@torsion.test>', 'first fed', 'one\r\n.two\r\n'), article('<feed2@torsion.test>', 'second fed', 'three\r\n')]);
  assert.deepEqual(result.accepted, ['<feed1@torsion.test>', '<feed2@torsion.test>']);
  const again = await feedArticles(feeder, [article('<feed1@torsion.test>', 'first fed', 'one\r\n')]);
  assert.deepEqual(again.refused, ['<feed1@torsion.test>']);
  await feeder.quit();
});

test('the client reads them back through nnrpd: group, over, article, body, hdr, newnews', async () => {
  const client = await connect();
  assert.equal(await client.modeReader(), true);
  // innd files fed articles asynchronously; nnrpd sees them once written.
  const group = await eventually(async () => {
    const g = await client.group('local.test');
    return g.count === 2 ? g : undefined;
  }, { timeout: 10, interval: 0.1 });
  const over = await client.over(`${group.low}-${group.high}`);
  assert.deepEqual(over.map((o) => o.subject), ['first fed', 'second fed']);
  assert.deepEqual(over.map((o) => o.messageId), ['<feed1@torsion.test>', '<feed2@torsion.test>']);
  const first = await client.article(group.low);
  assert.equal(first.messageId, '<feed1@torsion.test>');
  assert.equal(first.article.body, 'one\r\n.two\r\n', 'dot-stuffing exact both ways through INN');
  assert.equal(headerValue(first.article, 'Subject'), 'first fed');
  const byId = await client.body('<feed2@torsion.test>');
  assert.equal(byId.text, 'three\r\n');
  assert.deepEqual((await client.hdr('Subject', `${group.low}-`)).map((h) => h.value), ['first fed', 'second fed']);
  assert.deepEqual((await client.newNews('local.*', Math.floor(Date.now() / 1000) - 3600)).sort(), ['<feed1@torsion.test>', '<feed2@torsion.test>']);
  await client.quit();
});

test('the client posts through nnrpd, and the article can be read back', async () => {
  const client = await connect();
  await client.modeReader();
  const posted = await client.post('From: poster@example.org\r\nNewsgroups: local.misc\r\nSubject: posted by Torsion\r\n\r\nhello INN\r\n');
  const id = /<[^>]+>/.exec(posted)?.[0];
  assert.ok(id, posted);
  const misc = await eventually(async () => {
    const g = await client.group('local.misc');
    return g.count === 1 ? g : undefined;
  }, { timeout: 10, interval: 0.1 });
  const back = await client.article(misc.high);
  assert.equal(back.messageId, id);
  assert.equal(back.article.body, 'hello INN\r\n');
  await client.quit();
});
