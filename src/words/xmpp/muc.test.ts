/**
 * The XMPP door in memory: an XMPP user (Torsion's `XMPPClient`, STARTTLS and PLAIN with a words account
 * checked by the cred portal) and IRC users in the same words room, seen from both sides.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { failureResultOf, successResultOf } from '../../testing/index.js';
import { XMPPAuthError } from '../../xmpp/errors.js';
import { XMPPHarness } from './test-support/harness.js';

const ROOM = 'lobby@conference.localhost';

async function withAccount(h: XMPPHarness, nick: string, password: string): Promise<void> {
  await h.service.register(nick, password);
}

describe('the XMPP door: words rooms as MUC rooms', () => {
  test('an XMPP user and an IRC user in #lobby see each other join, talk, message privately and leave', async () => {
    const h = new XMPPHarness();
    await withAccount(h, 'alice', 'wonderland');
    const bob = h.register('bob');
    bob.send('JOIN #lobby');
    bob.lines();
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    assert.equal(alice.saslMechanism, 'SCRAM-SHA-256');

    alice.joinRoom(ROOM, 'alice');
    const joined = await h.until(() => alice.stanzas.some((s) => s.toXML().includes('code="110"')) && alice.take(), 'the self-presence');
    assert.match(joined[0]!, /<presence xmlns="jabber:client" from="lobby@conference\.localhost\/bob" to="alice@localhost\/r"><x xmlns="http:\/\/jabber\.org\/protocol\/muc#user"><item affiliation="admin" role="moderator"\/><\/x><\/presence>/, 'bob, who made the room, first');
    assert.match(joined[1]!, /from="lobby@conference\.localhost\/alice".*<item affiliation="none" role="participant"\/><status code="110"\/>/, 'then alice herself');
    assert.match(bob.lines().join('\n'), /^:alice!alice@\S+ JOIN #lobby$/m, 'IRC sees alice join under her room nick');

    bob.send('PRIVMSG #lobby :hello xmpp');
    bob.send('PRIVMSG #lobby :\u0001ACTION waves\u0001');
    const lines = await h.until(() => alice.stanzas.filter((s) => s.getChild('body')).length >= 2 && alice.take(), 'the room lines');
    assert.ok(lines.some((l) => /type="groupchat".*from="lobby@conference\.localhost\/bob"|from="lobby@conference\.localhost\/bob".*type="groupchat"/.test(l) && l.includes('<body>hello xmpp</body>')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('<body>/me waves</body>')));

    alice.sendGroupMessage(ROOM, 'hi irc & co');
    await h.settle();
    assert.match(bob.lines().join('\n'), /^:alice!\S+ PRIVMSG #lobby :hi irc & co$/m);
    assert.match(alice.take().join('\n'), /from="lobby@conference\.localhost\/alice".*<body>hi irc &amp; co<\/body>/, 'the room reflects her line to her');

    alice.sendMessage(`${ROOM}/bob`, 'psst');
    await h.settle();
    assert.match(bob.lines().join('\n'), /^:alice!\S+ PRIVMSG bob :psst$/m, 'a private message to an occupant reaches the IRC user');
    bob.send('PRIVMSG alice :back');
    await h.settle();
    assert.match(alice.take().join('\n'), /<message xmlns="jabber:client" from="lobby@conference\.localhost\/bob" to="alice@localhost\/r" type="chat".*<body>back<\/body>/);

    alice.sendPresence({ to: `${ROOM}/alice`, type: 'unavailable' });
    await h.settle();
    assert.match(bob.lines().join('\n'), /^:alice!\S+ PART :?#lobby/m);
    assert.match(alice.take().join('\n'), /type="unavailable".*<status code="110"\/>/);
    assert.equal(h.service.findUser('alice'), undefined, 'leaving the last room logs the session out of words');
  });

  test('a nick held on IRC, or registered to someone else, is a 409 conflict; the session can then join under another', async () => {
    const h = new XMPPHarness();
    await withAccount(h, 'alice', 'wonderland');
    await withAccount(h, 'dave', 'dave-secret');
    h.register('carol');
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    alice.joinRoom(ROOM, 'carol');
    const held = await h.until(() => alice.take()[0], 'the refusal');
    assert.match(held, /<presence xmlns="jabber:client" from="lobby@conference\.localhost\/carol" to="alice@localhost\/r" type="error">.*<error type="cancel"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/>/);
    alice.joinRoom(ROOM, 'dave');
    const registered = await h.until(() => alice.take()[0], 'the second refusal');
    assert.match(registered, /type="error".*<conflict /, 'a registered nick of another account');
    alice.joinRoom(ROOM, 'Alice2');
    assert.match((await h.until(() => alice.take()[0], 'the join')), /from="lobby@conference\.localhost\/Alice2".*code="110"/);
    alice.joinRoom('other@conference.localhost', 'someoneelse');
    assert.match(await h.until(() => alice.take()[0], 'the refusal'), /type="error".*<not-acceptable /, 'one nick in every room');
  });

  test('a nick change inside the room is a words nick change, shown with status 303 on XMPP and NICK on IRC', async () => {
    const h = new XMPPHarness();
    await withAccount(h, 'alice', 'wonderland');
    const bob = h.register('bob');
    bob.send('JOIN #lobby');
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    alice.joinRoom(ROOM, 'alice');
    await h.until(() => alice.stanzas.some((s) => s.toXML().includes('code="110"')), 'the join');
    alice.take();
    bob.lines();
    alice.joinRoom(ROOM, 'alicia');
    const out = await h.until(() => alice.stanzas.length >= 2 && alice.take(), 'the nick change');
    assert.match(out[0]!, /from="lobby@conference\.localhost\/alice".*type="unavailable".*nick="alicia".*code="303".*code="110"/);
    assert.match(out[1]!, /from="lobby@conference\.localhost\/alicia"/);
    assert.match(bob.lines().join('\n'), /^:alice!\S+ NICK :?alicia$/m);
  });

  test('a kick from IRC is status 307 and logs the session out of words; a chat to nick@domain reaches an IRC user', async () => {
    const h = new XMPPHarness();
    await withAccount(h, 'alice', 'wonderland');
    const bob = h.register('bob');
    bob.send('JOIN #lobby');
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    alice.joinRoom(ROOM, 'alice');
    await h.until(() => alice.stanzas.some((s) => s.toXML().includes('code="110"')), 'the join');
    alice.take();
    bob.lines();
    alice.sendMessage('bob@localhost', 'direct');
    await h.settle();
    assert.match(bob.lines().join('\n'), /^:alice!\S+ PRIVMSG bob :direct$/m);
    bob.send('KICK #lobby alice :out');
    await h.settle();
    assert.match(alice.take().join('\n'), /from="lobby@conference\.localhost\/alice".*type="unavailable".*<reason>out<\/reason>.*code="307".*code="110"/);
    h.clock.advance(0);
    assert.equal(h.service.findUser('alice'), undefined);
  });

  test('limits: a flood gets resource-constraint, a long body not-acceptable, history at most historyOnJoin', async () => {
    const h = new XMPPHarness({ limits: { floodBurst: 3, floodRate: 1, maxMessageLength: 10, historyOnJoin: 2 } });
    await withAccount(h, 'alice', 'wonderland');
    const bob = h.register('bob');
    bob.send('JOIN #lobby', 'PRIVMSG #lobby :one', 'PRIVMSG #lobby :two', 'PRIVMSG #lobby :three');
    await h.service.store.flush();
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    alice.joinRoom(ROOM, 'alice');
    const joined = await h.until(() => alice.stanzas.some((s) => s.getChild('subject')) && alice.take(), 'the join');
    assert.deepEqual(joined.filter((x) => x.includes('<delay')).map((b) => /<body>(.*)<\/body>/.exec(b)![1]), ['two', 'three'], 'the newest historyOnJoin lines');
    bob.lines();
    alice.sendGroupMessage(ROOM, 'far too long a line');
    await h.settle();
    assert.match(alice.take().join(), /type="error".*<not-acceptable /);
    for (const n of [1, 2, 3]) alice.sendGroupMessage(ROOM, `m${n}`);
    await h.settle();
    assert.deepEqual(bob.lines().map((l) => l.split(' :')[1]), ['m1', 'm2'], 'the join took one token, m1 and m2 the rest of the burst of 3');
    assert.match(alice.take().pop()!, /type="error".*<error type="wait"><resource-constraint /);
    h.clock.advance(1);
    alice.sendGroupMessage(ROOM, 'm4');
    await h.settle();
    assert.deepEqual(bob.lines().map((l) => l.split(' :')[1]), ['m4'], 'a token back after a second');
  });

  test('joining sends the room history (with delay stamps) and then the subject', async () => {
    const h = new XMPPHarness();
    await withAccount(h, 'alice', 'wonderland');
    const bob = h.register('bob');
    bob.send('JOIN #lobby', 'TOPIC #lobby :all about XMPP', 'PRIVMSG #lobby :one', 'PRIVMSG #lobby :two');
    await h.service.store.flush();
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    alice.joinRoom(ROOM, 'alice');
    const out = await h.until(() => alice.stanzas.some((s) => s.getChild('subject')) && alice.take(), 'the subject');
    const bodies = out.filter((x) => x.includes('<body>'));
    assert.deepEqual(bodies.map((b) => /<body>(.*)<\/body>/.exec(b)![1]), ['one', 'two']);
    assert.ok(bodies.every((b) => /<delay xmlns="urn:xmpp:delay" stamp="\d{4}-/.test(b)));
    assert.match(out[out.length - 1]!, /<subject>all about XMPP<\/subject>/);
  });

  test('a wrong password is not-authorized through the portal; without TLS no mechanism is offered at all', async () => {
    const h = new XMPPHarness();
    await withAccount(h, 'alice', 'wonderland');
    const wrong = h.xmpp('alice', 'guess');
    await h.until(() => wrong.ready.called, 'the refusal');
    assert.equal((failureResultOf(wrong.ready).value as XMPPAuthError).condition, 'not-authorized');
    const clear = new XMPPHarness({ tls: undefined });
    await withAccount(clear, 'alice', 'wonderland');
    const c = clear.xmpp('alice', 'wonderland');
    await clear.settle();
    assert.ok(c.ready.called);
    assert.ok(failureResultOf(c.ready), 'no PLAIN in the clear, and no stored SCRAM keys');
  });

  test('disco: the domain lists the MUC service, which lists the rooms; a room answers disco#info', async () => {
    const h = new XMPPHarness();
    await withAccount(h, 'alice', 'wonderland');
    h.register('bob').send('JOIN #lobby');
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    const items = alice.discoItems('localhost');
    const rooms = alice.discoItems('conference.localhost');
    const info = alice.discoInfo(ROOM);
    await h.settle();
    assert.deepEqual(successResultOf(items).map((i) => i.jid), ['conference.localhost']);
    assert.deepEqual(successResultOf(rooms).map((i) => i.jid), [ROOM]);
    assert.ok(successResultOf(info).features.includes('http://jabber.org/protocol/muc'));
  });
});
