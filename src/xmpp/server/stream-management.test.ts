/**
 * Stream management on the server (XEP-0198) over in-memory connections: enable, acknowledgements both
 * ways, a dropped connection kept for resumption with what it missed sent again, the timeout, and the
 * refusals (another account, an acknowledgement of more than was sent, a client that never acknowledges).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../defer/index.js';
import { ConnectionLost } from '../../internet/error.js';
import { Clock, StringTransport } from '../../testing/index.js';
import type { XMPPLimits } from '../limits.js';
import { XMPPServerProtocol } from './c2s.js';
import { XMPPLocalRouter } from './router.js';
import { StreamResumption } from './stream-management.js';

const HEADER = `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>`;
const SM = 'urn:xmpp:sm:3';

class Server {
  readonly clock = new Clock();
  readonly router = new XMPPLocalRouter();
  readonly resumption = new StreamResumption<XMPPServerProtocol>();
  constructor(readonly limits: Partial<XMPPLimits> = {}) {}

  /** A connection logged in as `user` (PLAIN inside a secure transport), bound to `resource` unless null. */
  login(user: string, resource: string | null = 'r') {
    const proto = new XMPPServerProtocol({ domain: 'example.com', authenticator: { checkPassword: (u, p) => p === `${u}-pw` }, router: this.router, resumption: this.resumption, clock: this.clock, limits: this.limits });
    const t = new StringTransport({ secure: true });
    proto.makeConnection(t);
    const send = (xml: string) => proto.dataReceived(Buffer.from(xml));
    const read = () => {
      const v = t.valueString();
      t.clear();
      return v;
    };
    send(HEADER);
    send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${user}\0${user}-pw`).toString('base64')}</auth>`);
    send(HEADER);
    if (resource !== null) send(`<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`);
    const greeting = read();
    assert.match(greeting, /<success /);
    return { proto, t, send, read, greeting, drop: () => proto.connectionLost(new Failure(new ConnectionLost())) };
  }
}

const msg = (n: number) => `<message to='juliet@example.com/r' type='chat'><body>m${n}</body></message>`;

describe('stream management (XEP-0198) on the server', () => {
  test('enable, acknowledge, drop, resume: the unacknowledged and the missed stanzas arrive, and the session goes on', () => {
    const s = new Server();
    const juliet = s.login('juliet');
    assert.match(juliet.greeting, /<sm xmlns="urn:xmpp:sm:3"\/>[\s\S]*<jid>juliet@example.com\/r<\/jid>/, 'offered with binding');
    const romeo = s.login('romeo');
    juliet.send(`<enable xmlns='${SM}' resume='true'/>`);
    const id = /<enabled xmlns="urn:xmpp:sm:3" id="([0-9a-f]+)" resume="true" max="300"\/>/.exec(juliet.read())?.[1];
    assert.ok(id);
    juliet.send(`<presence/>`);
    juliet.send(`<r xmlns='${SM}'/>`);
    assert.match(juliet.read(), /<a xmlns="urn:xmpp:sm:3" h="1"\/>/, 'one stanza handled');
    for (const n of [1, 2, 3]) romeo.send(msg(n));
    assert.match(juliet.read(), /m1[\s\S]*m2[\s\S]*m3/);
    juliet.send(`<a xmlns='${SM}' h='1'/>`);
    juliet.drop();
    for (const n of [4, 5, 6]) romeo.send(msg(n));
    assert.equal(s.router.sessions.length, 2, 'the dropped session is still bound');

    const back = s.login('juliet', null);
    back.send(`<resume xmlns='${SM}' previd='${id}' h='1'/>`);
    const out = back.read();
    assert.match(out, /^<resumed xmlns="urn:xmpp:sm:3" previd="[0-9a-f]+" h="1"\/>/);
    assert.deepEqual([...out.matchAll(/<body>(m\d)<\/body>/g)].map((m) => m[1]), ['m2', 'm3', 'm4', 'm5', 'm6'], 'everything not acknowledged, once, in order');
    assert.match(out, /<r xmlns="urn:xmpp:sm:3"\/>$/, 'and an acknowledgement asked for');
    back.send(`<a xmlns='${SM}' h='6'/>`);
    for (const n of [7, 8, 9, 10]) romeo.send(msg(n));
    assert.doesNotMatch(back.read(), /<r /);
    romeo.send(msg(11));
    const more = back.read();
    assert.match(more, /m11<\/body><\/message><r xmlns="urn:xmpp:sm:3"\/>/, 'the session carries on over the new connection, asking for an acknowledgement every 5 stanzas');
    back.send(`<r xmlns='${SM}'/>`);
    assert.match(back.read(), /h="1"/);
    back.send(`<message to='romeo@example.com/r' type='chat'><body>hi</body></message><r xmlns='${SM}'/>`);
    assert.match(back.read(), /h="2"/, 'counting goes on across the resumption');
    assert.match(romeo.read(), /<body>hi<\/body>/);
  });

  test('a resumed session that closes its stream politely ends at once rather than waiting to be resumed', () => {
    const s = new Server();
    const juliet = s.login('juliet');
    juliet.send(`<enable xmlns='${SM}' resume='true'/>`);
    const id = /id="([0-9a-f]+)"/.exec(juliet.read().split('<enabled')[1]!)?.[1];
    juliet.drop();
    const back = s.login('juliet', null);
    back.send(`<resume xmlns='${SM}' previd='${id}' h='0'/>`);
    assert.match(back.read(), /<resumed /);
    back.send('</stream:stream>');
    back.drop();
    assert.equal(s.resumption.size, 0, 'nothing held for resumption');
    assert.deepEqual(s.router.sessions, [], 'juliet unbound at once, as after a polite close without resumption');
  });

  test('a session nobody resumes ends after resumeTimeout; another account cannot take it', () => {
    const s = new Server();
    const juliet = s.login('juliet');
    juliet.send(`<enable xmlns='${SM}' resume='true'/>`);
    const id = /id="([0-9a-f]+)"/.exec(juliet.read().split('<enabled')[1]!)?.[1];
    juliet.drop();
    const mallory = s.login('mallory', null);
    mallory.send(`<resume xmlns='${SM}' previd='${id}' h='0'/>`);
    assert.match(mallory.read(), /<failed xmlns="urn:xmpp:sm:3"><item-not-found /);
    s.clock.advance(299);
    assert.deepEqual(s.router.sessions.map(String), ['juliet@example.com/r'], 'kept while the timeout runs');
    s.clock.advance(1);
    assert.deepEqual(s.router.sessions, [], 'juliet unbound once the timeout ran out');
    const again = s.login('juliet');
    again.send(`<enable xmlns='${SM}' resume='true'/>`);
    again.drop();
    assert.equal(s.resumption.size, 1);
    for (const p of s.resumption.drain()) p.endDetached();
    assert.deepEqual(s.router.sessions, [], 'a shutdown ends the waiting sessions at once');
    const late = s.login('juliet', null);
    late.send(`<resume xmlns='${SM}' previd='${id}' h='0'/>`);
    assert.match(late.read(), /<failed xmlns="urn:xmpp:sm:3"><item-not-found /);
  });

  test('an acknowledgement of more than was sent, and a client that never acknowledges, end the stream', () => {
    const s = new Server({ maxUnackedStanzas: 3 });
    const juliet = s.login('juliet');
    juliet.send(`<enable xmlns='${SM}'/>`);
    juliet.read();
    juliet.send(`<a xmlns='${SM}' h='5'/>`);
    assert.match(juliet.read(), /<stream:error><undefined-condition /);
    juliet.drop();
    const again = s.login('juliet');
    again.send(`<enable xmlns='${SM}'/>`);
    const romeo = s.login('romeo');
    for (const n of [1, 2, 3, 4]) romeo.send(msg(n));
    assert.match(again.read(), /m3[\s\S]*<stream:error><resource-constraint /);
    assert.ok(again.t.disconnecting);
  });
});
