/**
 * The live page options the web chat passes through: its limits, and which origins may use its live
 * connections (the page's own, plus the ones given to `createWebChat` as `allowedOrigins` or to
 * `torsion words --web-origin`, for a chat behind a proxy under another host name). In memory for
 * `createWebChat`, on loopback for the command.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parseOptions, UsageError } from '../../app/index.js';
import { encodeHello } from '../../live/shared/frames.js';
import { requestFrom } from '../../live/test-support/requests.js';
import { Clock } from '../../testing/index.js';
import { Site } from '../../web/index.js';
import { createWordsService } from '../index.js';
import { WordsApplication, wordsOptions, wordsPlugin } from '../plugin.js';
import { createWebChat, type CreateWebChatOptions } from './page.js';
import { chatBootOf } from './test-support/boot.js';

const PROXY = 'https://chat.example.org';
const UPGRADE = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };

async function chatSite(options: Omit<CreateWebChatOptions, 'clock'> = {}): Promise<Site> {
  const service = createWordsService();
  await service.start();
  const clock = new Clock();
  return new Site(createWebChat(service, { clock, ...options }), { accessLog: false, clock });
}

describe('createWebChat limits', () => {
  test("the live page takes the chat's limits: a burst of one page per address", async () => {
    const site = await chatSite({ limits: { pageBurst: 1, pageRate: 0.01 } });
    assert.equal((await requestFrom(site, '192.0.2.39', 'GET', '/')).code, 200);
    assert.equal((await requestFrom(site, '192.0.2.39', 'GET', '/')).code, 429);
    assert.equal((await requestFrom(site, '192.0.2.38', 'GET', '/')).code, 200, 'another address has its own burst');
  });
});

describe('createWebChat origins', () => {
  test('the WebSocket refuses another origin, and accepts the page its own and the listed one', async () => {
    const site = await chatSite({ allowedOrigins: [PROXY] });
    const code = async (origin: string) => (await requestFrom(site, '192.0.2.40', 'GET', '/_live/ws', { ...UPGRADE, origin })).code;
    assert.equal(await code('https://evil.example'), 403);
    assert.equal(await code(PROXY), 101);
    assert.equal(await code('http://localhost'), 101);
  });

  test('without allowedOrigins the proxy origin is another origin like any other', async () => {
    const site = await chatSite();
    const code = (await requestFrom(site, '192.0.2.41', 'GET', '/_live/ws', { ...UPGRADE, origin: PROXY })).code;
    assert.equal(code, 403);
  });

  test('long polling refuses another origin and opens for the listed one', async () => {
    const site = await chatSite({ allowedOrigins: [PROXY] });
    const boot = chatBootOf((await requestFrom(site, '192.0.2.42', 'GET', '/')).text);
    const hello = JSON.stringify([encodeHello(boot.page, 0)]);
    assert.equal((await requestFrom(site, '192.0.2.42', 'POST', '/_live/poll?s=new', { origin: 'https://evil.example' }, hello)).code, 403);
    assert.equal((await requestFrom(site, '192.0.2.42', 'POST', '/_live/poll?s=new', { origin: PROXY }, hello)).code, 200);
  });
});

describe('torsion words --web-origin', () => {
  test('repeats, is normalised as browsers send Origin, and refuses anything more than an origin', () => {
    const parse = (argv: string[]) => wordsOptions(parseOptions(wordsPlugin.options, argv));
    assert.equal(parse([]).webOrigins, undefined);
    assert.deepEqual(parse(['--web-origin', 'HTTPS://Chat.Example.org:443/', '--web-origin', 'http://10.0.0.5:8080']).webOrigins, [PROXY, 'http://10.0.0.5:8080']);
    for (const bad of ['chat.example.org', 'https://chat.example.org/chat', 'ftp://chat.example.org', 'https://u:p@chat.example.org', 'null']) {
      assert.throws(() => parse(['--web-origin', bad]), UsageError, bad);
    }
  });

  test('on loopback, a WebSocket from the given origin is accepted and one from elsewhere refused', { timeout: 60_000 }, async () => {
    const data = mkdtempSync(join(tmpdir(), 'torsion-words-origin-'));
    const app = new WordsApplication({ ...wordsOptions(parseOptions(wordsPlugin.options, ['--irc', 'none', '--web', 'tcp:0:interface=127.0.0.1', '--web-origin', PROXY])), data });
    try {
      await app.startService();
      const url = `ws://127.0.0.1:${app.ports.web[0]}/_live/ws`;
      const handshake = (origin: string) =>
        new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(url, { origin });
          ws.on('open', () => {
            ws.terminate();
            resolve(101);
          });
          ws.on('unexpected-response', (_req, res) => {
            ws.terminate();
            resolve(res.statusCode ?? 0);
          });
          ws.on('error', reject);
        });
      assert.equal(await handshake('https://evil.example'), 403);
      assert.equal(await handshake(PROXY), 101);
    } finally {
      await app.stopService();
      rmSync(data, { recursive: true, force: true });
    }
  });
});
