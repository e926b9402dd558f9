/**
 * `XMPPClient` against Prosody (Debian package `prosody`): STARTTLS with a verified certificate, SCRAM,
 * binding, roster, presence, messages both ways, disco, ping, a stanza error and a MUC room.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFromString, connectProtocol, reactor } from '../internet/index.js';
import type { Element } from './element.js';
import { XMPPAuthError, XMPPStanzaError } from './errors.js';
import { NS } from './namespaces.js';
import { XMPPClient, type XMPPClientOptions } from './client/client.js';
import { XMPPComponent } from './component/component.js';
import { el } from './element.js';
import { COMPONENT_SECRET, startProsody, type ProsodyServer } from './test-support/prosody.js';

describe('XMPPClient against Prosody', { timeout: 120_000 }, () => {
  let server: ProsodyServer;
  const clients: XMPPClient[] = [];

  before(async () => {
    server = await startProsody({ juliet: 'balcony-pass', romeo: 'orchard-pass' });
  });
  after(async () => {
    for (const c of clients) if (c.connected) c.transport.loseConnection();
    await server?.stop();
  });

  async function connect(options: Omit<XMPPClientOptions, 'clock'>): Promise<XMPPClient> {
    const client = new XMPPClient({ clock: reactor, tlsOptions: { ca: server.cert }, ...options });
    clients.push(client);
    await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${server.port}`), client);
    return client;
  }

  const waitFor = (client: XMPPClient, match: (e: Element) => boolean) =>
    new Promise<Element>((resolve, reject) => {
      const seen: string[] = [];
      client.addObserver(() => true, (e) => seen.push(e.toXML()));
      const timer = setTimeout(() => reject(new Error(`no matching stanza among:\n${seen.join('\n')}\nprosody log:\n${server.log().slice(-3000)}`)), 10_000);
      const remove = client.addObserver(match, (e) => {
        clearTimeout(timer);
        remove();
        resolve(e);
      });
    });

  test('log in over STARTTLS with SCRAM, roster, presence, messages, disco, ping, errors, MUC', async () => {
    const juliet = await connect({ jid: 'juliet@localhost', password: 'balcony-pass', resource: 'balcony' });
    assert.equal((await juliet.ready).toString(), 'juliet@localhost/balcony');
    assert.match(juliet.saslMechanism ?? '', /^SCRAM-SHA-/);
    const romeo = await connect({ jid: 'romeo@localhost', password: 'orchard-pass' });
    const romeoJid = await romeo.ready;
    assert.equal(romeoJid.bare().toString(), 'romeo@localhost');

    await juliet.setRosterItem('romeo@localhost', 'Romeo', ['Friends']);
    const roster = await juliet.getRoster();
    assert.deepEqual(roster.map((i) => [i.jid, i.name, i.groups]), [['romeo@localhost', 'Romeo', ['Friends']]]);

    juliet.sendPresence({ status: 'on the balcony' });
    romeo.sendPresence();
    await romeo.ping();
    const got = waitFor(romeo, (e) => e.name === 'message' && e.getChildText('body') !== undefined);
    juliet.sendMessage(romeoJid, 'Wherefore art thou, <Romeo> & co?');
    const message = await got;
    assert.equal(message.getChildText('body'), 'Wherefore art thou, <Romeo> & co?');
    assert.equal(message.getAttribute('from'), 'juliet@localhost/balcony');
    const back = waitFor(juliet, (e) => e.name === 'message' && e.getChildText('body') !== undefined);
    romeo.sendMessage('juliet@localhost/balcony', 'here');
    assert.equal((await back).getChildText('body'), 'here');

    const info = await juliet.discoInfo('localhost');
    assert.ok(info.features.includes(NS.ROSTER) || info.features.includes(NS.PING), info.features.join(' '));
    const items = await juliet.discoItems('localhost');
    assert.ok(items.some((i) => i.jid === 'conference.localhost'), JSON.stringify(items));
    await juliet.ping();

    await assert.rejects(juliet.discoInfo('nobody@conference.localhost').asPromise(), (e: unknown) => e instanceof XMPPStanzaError && e.condition === 'item-not-found');

    const joined = waitFor(romeo, (e) => e.name === 'presence' && e.getAttribute('from') === 'lobby@conference.localhost/Romeo');
    romeo.joinRoom('lobby@conference.localhost', 'Romeo');
    await joined;
    const julietJoined = waitFor(juliet, (e) => e.name === 'presence' && e.getAttribute('from') === 'lobby@conference.localhost/Juliet');
    juliet.joinRoom('lobby@conference.localhost', 'Juliet');
    await julietJoined;
    const groupchat = waitFor(romeo, (e) => e.name === 'message' && e.getAttribute('type') === 'groupchat' && e.getChildText('body') === 'hello room');
    juliet.sendGroupMessage('lobby@conference.localhost', 'hello room');
    assert.equal((await groupchat).getAttribute('from'), 'lobby@conference.localhost/Juliet');

    juliet.close();
    romeo.close();
  });

  test('an external component (XEP-0114) logs in and exchanges messages with a client', async () => {
    const echo = new XMPPComponent({ domain: 'echo.localhost', secret: COMPONENT_SECRET });
    echo.stanzaReceived = (s) => {
      if (s.name !== 'message') return;
      echo.send(el('message', NS.CLIENT, { from: s.getAttribute('to'), to: s.getAttribute('from'), type: 'chat' }, el('body', '', {}, `echo: ${s.getChildText('body') ?? ''}`)));
    };
    await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${server.componentPort}`), echo);
    assert.equal((await echo.ready).toString(), 'echo.localhost');
    const juliet = await connect({ jid: 'juliet@localhost', password: 'balcony-pass' });
    await juliet.ready;
    const answer = waitFor(juliet, (e) => e.name === 'message' && e.getAttribute('from') === 'bot@echo.localhost');
    juliet.sendMessage('bot@echo.localhost', 'hi bot');
    assert.equal((await answer).getChildText('body'), 'echo: hi bot');
    echo.close();
    juliet.close();

    const wrong = new XMPPComponent({ domain: 'echo.localhost', secret: 'guess' });
    await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${server.componentPort}`), wrong);
    await assert.rejects(wrong.ready.asPromise(), (e: unknown) => e instanceof XMPPAuthError);
  });

  test('a wrong password is refused with not-authorized', async () => {
    const mallory = await connect({ jid: 'juliet@localhost', password: 'wrong' });
    await assert.rejects(mallory.ready.asPromise(), (e: unknown) => e instanceof XMPPAuthError && e.condition === 'not-authorized');
  });

  test('certificate verification is on by default: an untrusted certificate stops the login', async () => {
    const client = new XMPPClient({ jid: 'juliet@localhost', password: 'balcony-pass', clock: reactor });
    clients.push(client);
    await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${server.port}`), client);
    await assert.rejects(client.ready.asPromise());
    assert.equal(client.jid, undefined);
  });
});
