/**
 * Who may open live pages and their connections: per-address page admission, pages that never connect,
 * the long-polling `s=new` door, and `Origin` checks, with requests in memory from chosen addresses.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../testing/index.js';
import { Site } from '../web/index.js';
import { addressKey } from './admission.js';
import { LivePage, type LivePageOptions } from './page.js';
import { encodeHello } from './shared/frames.js';
import type { LiveLimits } from './shared/limits.js';
import { Recorder } from './test-support/recorder.js';
import { bootOf, requestFrom } from './test-support/requests.js';

function setup(limits: Partial<LiveLimits> = {}, options: Partial<LivePageOptions> = {}) {
  const clock = new Clock();
  const page = new LivePage({ clock, limits, ...options, element: () => new Recorder() });
  return { clock, page, site: new Site(page, { accessLog: false, clock }) };
}

const UPGRADE = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };

describe('page admission by client address', () => {
  test('a flood of GETs from one address gets 429s and never turns another address away', async () => {
    const { site, page } = setup({ maxPages: 200 });
    const codes = new Map<number, number>();
    for (let i = 0; i < 201; i++) {
      const { code } = await requestFrom(site, '203.0.113.7', 'GET', '/');
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    assert.deepEqual([...codes], [[200, 20], [429, 181]], 'the burst, then refusals');
    assert.equal(page.connections.size, 20);
    const other = await requestFrom(site, '198.51.100.2', 'GET', '/');
    assert.equal(other.code, 200);
    const refused = await requestFrom(site, '203.0.113.7', 'GET', '/');
    assert.equal(refused.headers['retry-after'], '1');
  });

  test('after its burst an address gets pageRate pages a second, and never more than maxPagesPerAddress alive', async () => {
    const { site, clock } = setup({ pageBurst: 2, pageRate: 1, maxPagesPerAddress: 3 });
    const get = async () => (await requestFrom(site, '192.0.2.9', 'GET', '/')).code;
    assert.deepEqual([await get(), await get(), await get()], [200, 200, 429]);
    clock.advance(1);
    assert.deepEqual([await get(), await get()], [200, 429]);
    clock.advance(5);
    assert.equal(await get(), 429, 'three pages alive already');
  });

  test('pages that never connect are gone after connectTimeout and free their address', async () => {
    const { site, clock, page } = setup({ maxPagesPerAddress: 2, connectTimeout: 5 });
    await requestFrom(site, '192.0.2.10', 'GET', '/');
    await requestFrom(site, '192.0.2.10', 'GET', '/');
    assert.equal((await requestFrom(site, '192.0.2.10', 'GET', '/')).code, 429);
    clock.advance(5);
    assert.equal(page.connections.size, 0);
    assert.equal((await requestFrom(site, '192.0.2.10', 'GET', '/')).code, 200);
  });

  test('IPv6 clients are counted by their /64; IPv4-mapped addresses as IPv4; non-IP peers not at all', () => {
    assert.equal(addressKey({ host: '2001:db8:1:2::1' }), '2001:db8:1:2::/64');
    assert.equal(addressKey({ host: '2001:DB8:1:2:ffff:0:0:5' }), '2001:db8:1:2::/64');
    assert.equal(addressKey({ host: '2001:db8:1:3::1' }), '2001:db8:1:3::/64');
    assert.equal(addressKey({ host: '::1' }), '0:0:0:0::/64');
    assert.equal(addressKey({ host: '::ffff:192.0.2.1' }), '192.0.2.1');
    assert.equal(addressKey({ host: 'fe80::1%eth0' }), 'fe80:0:0:0::/64');
    assert.equal(addressKey({ type: 'PIPE' }), null);
  });
});

describe('long polling: POST s=new', () => {
  test('an invalid body opens no virtual connection', async () => {
    const { site, page } = setup();
    const boot = bootOf((await requestFrom(site, '192.0.2.20', 'GET', '/')).text);
    for (const body of ['garbage', '{"x":1}', '[]', '[1,2]', '["[2,0]"]', '["not json"]', JSON.stringify([encodeHello(boot.page, 0).slice(0, -1)])]) {
      const res = await requestFrom(site, '192.0.2.20', 'POST', '/_live/poll?s=new', {}, body);
      assert.equal(res.code, 400, body);
    }
    assert.equal(page.polling.socketCount, 0);
    const ok = await requestFrom(site, '192.0.2.20', 'POST', '/_live/poll?s=new', {}, JSON.stringify([encodeHello(boot.page, 0)]));
    assert.equal(typeof (JSON.parse(ok.text) as { s: unknown }).s, 'string');
    assert.equal(page.polling.socketCount, 1);
  });

  test('at most maxPollingSockets are open; beyond it s=new is a 503', async () => {
    const { site, page } = setup({ maxPollingSockets: 2 });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const boot = bootOf((await requestFrom(site, '192.0.2.21', 'GET', '/')).text);
      codes.push((await requestFrom(site, '192.0.2.21', 'POST', '/_live/poll?s=new', {}, JSON.stringify([encodeHello(boot.page, 0)]))).code);
    }
    assert.deepEqual(codes, [200, 200, 503]);
    assert.equal(page.polling.socketCount, 2);
  });
});

describe('Origin checks', () => {
  test('the live WebSocket refuses other origins and lets in its own, listed ones, and clients that send none', async () => {
    const { site } = setup({}, { allowedOrigins: ['https://app.example'] });
    const code = async (headers: Record<string, string>) => (await requestFrom(site, '192.0.2.30', 'GET', '/_live/ws', { ...UPGRADE, ...headers })).code;
    assert.equal(await code({ origin: 'http://evil.example' }), 403);
    assert.equal(await code({ origin: 'http://localhost:8080' }), 403, 'another port is another origin');
    assert.equal(await code({ origin: 'null' }), 403);
    assert.equal(await code({ origin: 'http://localhost' }), 101);
    assert.equal(await code({ origin: 'https://localhost' }), 101, 'the scheme is not compared: TLS may end at a proxy');
    assert.equal(await code({ origin: 'https://app.example' }), 101);
    assert.equal(await code({}), 101);
  });

  test('long polling refuses other origins, and GETs another site makes without an Origin', async () => {
    const { site, page } = setup();
    const boot = bootOf((await requestFrom(site, '192.0.2.31', 'GET', '/')).text);
    const hello = JSON.stringify([encodeHello(boot.page, 0)]);
    assert.equal((await requestFrom(site, '192.0.2.31', 'POST', '/_live/poll?s=new', { origin: 'http://evil.example' }, hello)).code, 403);
    assert.equal(page.polling.socketCount, 0);
    const opened = await requestFrom(site, '192.0.2.31', 'POST', '/_live/poll?s=new', { origin: 'http://localhost' }, hello);
    const id = (JSON.parse(opened.text) as { s: string }).s;
    assert.equal((await requestFrom(site, '192.0.2.31', 'GET', `/_live/poll?s=${id}`, { origin: 'http://evil.example' })).code, 403);
    assert.equal((await requestFrom(site, '192.0.2.31', 'GET', `/_live/poll?s=${id}`, { 'sec-fetch-site': 'cross-site' })).code, 403);
    assert.equal((await requestFrom(site, '192.0.2.31', 'GET', `/_live/poll?s=${id}`, { 'sec-fetch-site': 'same-origin' })).code, 200);
  });
});
