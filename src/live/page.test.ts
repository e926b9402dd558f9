/**
 * `LivePage` as a resource, through `site.request` (no socket): the document, the runtime and widget modules,
 * and the long-polling endpoints on a fake clock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../testing/index.js';
import { Resource, Site } from '../web/index.js';
import { LivePage } from './page.js';
import { encodeHello } from './shared/frames.js';
import type { BootData } from './interfaces.js';
import { Badge, Recorder } from './test-support/recorder.js';

function site(label = 'root') {
  const clock = new Clock();
  const page = new LivePage({ clock, pollTimeout: 20, element: () => {
    const r = new Recorder(label);
    r.initialChildren = [new Badge('b')];
    return r;
  } });
  const root = new Resource();
  root.putChild('app', page);
  return { clock, page, site: new Site(root, { accessLog: false, clock }) };
}

function bootOf(html: string): BootData {
  const json = /<script type="application\/json" id="torsion-live-boot">(.*?)<\/script>/s.exec(html)![1]!;
  return JSON.parse(json) as BootData;
}

describe('LivePage document and assets', () => {
  test('GET renders a document with the import map, boot data and the root element', async () => {
    const { site: s, page } = site('</script><b>');
    const res = await s.request('GET', '/app/');
    assert.equal(res.code, 200);
    assert.match(res.headers['content-type']!, /^text\/html/);
    assert.match(res.text, /^<!DOCTYPE html>/);
    assert.match(res.text, /<script type="importmap">\{"imports":\{"torsion\/live\/client":"\/app\/_live\/runtime.js"\}\}<\/script>/);
    const boot = bootOf(res.text);
    assert.equal(boot.base, '/app/_live/');
    assert.deepEqual(boot.widgets[0]!.args, ['</script><b>'], 'escaped in the script, intact after parsing');
    assert.ok(!res.text.includes('</script><b>'));
    assert.ok(page.connection(boot.page));
    assert.match(res.text, /data-live-widget="1"/);
  });

  test('the runtime and widget modules are compiled for the browser; widget modules import the runtime', async () => {
    const { site: s } = site();
    await s.request('GET', '/app/'); // registers the modules of the rendered classes
    const runtime = await s.request('GET', '/app/_live/runtime.js');
    assert.equal(runtime.code, 200);
    assert.match(runtime.headers['content-type']!, /javascript/);
    assert.match(runtime.text, /export\s*\{[^}]*connect/);
    const module = await s.request('GET', '/app/_live/modules/Recorder.js');
    assert.equal(module.code, 200);
    assert.match(module.text, /from\s*"torsion\/live\/client"/);
    assert.ok(!module.text.includes('class Widget'), 'the runtime is not bundled into the module');
    assert.equal((await s.request('GET', '/app/_live/modules/Unknown.js')).code, 404);
    assert.equal((await s.request('GET', '/app/_live/modules/Recorder')).code, 404);
  });

  test('beyond maxPages live pages a GET is a 503 until one is gone', async () => {
    const clock = new Clock();
    const page = new LivePage({ clock, limits: { maxPages: 2, connectTimeout: 5 }, gracePeriod: 5, element: () => new Recorder() });
    const s = new Site(page, { accessLog: false, clock });
    assert.equal((await s.request('GET', '/')).code, 200);
    assert.equal((await s.request('GET', '/')).code, 200);
    const full = await s.request('GET', '/');
    assert.equal(full.code, 503);
    assert.equal(full.headers['retry-after'], '5');
    clock.advance(5);
    assert.equal((await s.request('GET', '/')).code, 200);
  });

  test('an element class with no browser module fails to render', async () => {
    class Orphan extends Recorder {
      static override jsClass = 'Orphan';
      static override jsModule = null;
    }
    const page = new LivePage({ clock: new Clock(), element: () => new Orphan() });
    const res = await new Site(page, { accessLog: false }).request('GET', '/');
    assert.equal(res.code, 500);
    assert.equal(page.connections.size, 0);
  });
});

describe('long polling', () => {
  test('open with HELLO, receive WELCOME, call, hold a GET until frames or the poll timeout', async () => {
    const { site: s, clock, page } = site();
    const boot = bootOf((await s.request('GET', '/app/')).text);
    const open = await s.request('POST', '/app/_live/poll?s=new', { body: JSON.stringify([encodeHello(boot.page, 0)]) });
    assert.equal(open.code, 200);
    const id = (JSON.parse(open.text) as { s: string }).s;
    const welcome = await s.request('GET', `/app/_live/poll?s=${id}`);
    assert.deepEqual(JSON.parse(welcome.text), ['[0,0]']);
    // A held GET answers when the server has something to say.
    const held = s.request('GET', `/app/_live/poll?s=${id}`);
    await s.request('POST', `/app/_live/poll?s=${id}`, { body: JSON.stringify(['[1,1,0,["c",1,1,"record",[5]]]']) });
    clock.advance(0);
    assert.deepEqual(JSON.parse((await held).text), ['[1,1,1,["r",1,10]]']);
    await s.request('POST', `/app/_live/poll?s=${id}`, { body: JSON.stringify(['[2,1]']) }); // as the page does
    // Otherwise after the poll timeout at the latest, with no message (the 10 s heartbeat may put a PING in it).
    const empty = s.request('GET', `/app/_live/poll?s=${id}`);
    clock.advance(20);
    const idle = JSON.parse((await empty).text) as string[];
    assert.ok(idle.every((f) => f.startsWith('[3,')), `only heartbeats, no messages: ${idle.join(' ')}`);
    assert.equal(page.polling.socketCount, 1);
  });

  test('a HELLO for a page that is gone is told so at once and opens no connection', async () => {
    const { site: s, page } = site();
    const open = await s.request('POST', '/app/_live/poll?s=new', { body: JSON.stringify([encodeHello('forgotten', 3)]) });
    assert.deepEqual(JSON.parse(open.text), { gone: 'no such page' });
    assert.equal(page.polling.socketCount, 0);
  });

  test('unknown connections and malformed bodies', async () => {
    const { site: s } = site();
    assert.equal((await s.request('GET', '/app/_live/poll?s=nope')).code, 410);
    assert.equal((await s.request('POST', '/app/_live/poll?s=nope', { body: '[]' })).code, 410);
    assert.equal((await s.request('POST', '/app/_live/poll?s=new', { body: '{"x":1}' })).code, 400);
  });

  test('an idle virtual connection is closed, and its page waits for its grace period', async () => {
    const { site: s, clock, page } = site();
    const boot = bootOf((await s.request('GET', '/app/')).text);
    const open = await s.request('POST', '/app/_live/poll?s=new', { body: JSON.stringify([encodeHello(boot.page, 0)]) });
    const id = (JSON.parse(open.text) as { s: string }).s;
    clock.advance(51); // pollTimeout + heartbeatTimeout
    assert.equal(page.polling.socketCount, 0);
    assert.equal((await s.request('GET', `/app/_live/poll?s=${id}`)).code, 410);
    assert.equal(page.connection(boot.page)!.isConnected, false);
  });
});
