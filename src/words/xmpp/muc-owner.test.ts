/** Room configuration from XMPP (`muc#owner`): the form shows the words room's modes, a submitted form is IRC's MODE, destroy kicks everyone. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { failureResultOf, successResultOf } from '../../testing/index.js';
import { Element, el } from '../../xmpp/element.js';
import type { XMPPStanzaError } from '../../xmpp/errors.js';
import { NS } from '../../xmpp/namespaces.js';
import { DATA_FORMS, MUC_OWNER } from './muc-owner.js';
import { XMPPHarness, type RecordingXMPPClient } from './test-support/harness.js';

const ROOM = 'lobby@conference.localhost';

function ownerIq(type: 'get' | 'set', ...children: Element[]): Element {
  return el('iq', NS.CLIENT, { type, to: ROOM }, el('query', MUC_OWNER, {}, ...children));
}

function submit(fields: Record<string, string>): Element {
  const form = el('x', DATA_FORMS, { type: 'submit' }, el('field', '', { var: 'FORM_TYPE' }, el('value', '', {}, 'http://jabber.org/protocol/muc#roomconfig')));
  for (const [name, value] of Object.entries(fields)) form.addElement('field', '', { var: name }).addElement('value').addContent(value);
  return ownerIq('set', form);
}

function formValues(answer: Element): Record<string, string> {
  const form = answer.getChild('query', MUC_OWNER)!.getChild('x', DATA_FORMS)!;
  return Object.fromEntries(form.elements('field').map((f) => [f.getAttribute('var')!, f.getChildText('value') ?? '']));
}

async function roomWithOwner(h: XMPPHarness): Promise<RecordingXMPPClient> {
  await h.service.register('alice', 'wonderland');
  const alice = h.xmpp('alice', 'wonderland');
  await h.until(() => alice.jid, 'alice to log in');
  alice.joinRoom(ROOM, 'alice');
  await h.until(() => h.service.findRoom('#lobby'), 'the room');
  return alice;
}

describe('room configuration from XMPP (muc#owner)', () => {
  test('the owner gets the form of the room as IRC left it, submits changes IRC sees as MODE, and an XMPP occupant is told (104)', async () => {
    const h = new XMPPHarness();
    const bob = h.register('bob');
    bob.send('JOIN #lobby', 'MODE #lobby +m');
    const alice = await roomWithOwner(h);
    bob.send('MODE #lobby +o alice');
    await h.settle();
    bob.lines();

    const get = alice.sendIq(ownerIq('get'));
    await h.settle();
    const before = formValues(successResultOf(get));
    assert.equal(before['muc#roomconfig_moderatedroom'], '1', 'the +m an IRC operator set');
    assert.equal(before['muc#roomconfig_changesubject'], '0', 'words rooms start +t');
    assert.equal(before['muc#roomconfig_passwordprotectedroom'], '0');
    assert.equal(before['muc#roomconfig_persistentroom'], '0');
    alice.take();

    const set = alice.sendIq(submit({ 'muc#roomconfig_moderatedroom': '0', 'muc#roomconfig_changesubject': '1', 'muc#roomconfig_membersonly': '1', 'muc#roomconfig_passwordprotectedroom': '1', 'muc#roomconfig_roomsecret': 'sesame', 'muc#roomconfig_maxusers': '50', 'muc#roomconfig_publicroom': '0', 'x-unknown#field': 'ignored' }));
    await h.settle();
    successResultOf(set);
    const modes = bob.lines().join('\n');
    assert.match(modes, /^:alice!\S+ MODE #lobby -tm\+iskl sesame 50$/m, modes);
    const settings = h.service.findRoom('#lobby')!.settings;
    assert.deepEqual({ ...settings }, { topicLocked: false, noOutsideMessages: true, inviteOnly: true, moderated: false, secret: true, key: 'sesame', limit: 50 });
    assert.match(alice.take().join('\n'), /<status code="104"\/>/, 'the XMPP occupant learns the configuration changed');

    const after = alice.sendIq(ownerIq('get'));
    await h.settle();
    const values = formValues(successResultOf(after));
    assert.equal(values['muc#roomconfig_roomsecret'], 'sesame');
    assert.equal(values['muc#roomconfig_maxusers'], '50');

    const open = alice.sendIq(submit({ 'muc#roomconfig_passwordprotectedroom': '0', 'muc#roomconfig_maxusers': 'none' }));
    await h.settle();
    successResultOf(open);
    assert.match(bob.lines().join('\n'), /^:alice!\S+ MODE #lobby -kl/m);
    assert.equal(settings.key, undefined);
    assert.equal(settings.limit, undefined);

    const cancel = alice.sendIq(ownerIq('set', el('x', DATA_FORMS, { type: 'cancel' })));
    await h.settle();
    successResultOf(cancel);
    assert.deepEqual(bob.lines(), [], 'a cancel changes nothing');
  });

  test('bad values are not-acceptable and change nothing; a non-operator is forbidden', async () => {
    const h = new XMPPHarness();
    const alice = await roomWithOwner(h);
    const settings = h.service.findRoom('#lobby')!.settings;
    const before = { ...settings };
    for (const bad of <Record<string, string>[]>[
      { 'muc#roomconfig_moderatedroom': '1', 'muc#roomconfig_membersonly': 'maybe' },
      { 'muc#roomconfig_passwordprotectedroom': '1', 'muc#roomconfig_roomsecret': 'with space' },
      { 'muc#roomconfig_passwordprotectedroom': '1' },
      { 'muc#roomconfig_maxusers': '-3' },
      { 'muc#roomconfig_persistentroom': '1' },
    ]) {
      const d = alice.sendIq(submit(bad));
      await h.settle();
      assert.equal((failureResultOf(d).value as XMPPStanzaError).condition, 'not-acceptable', JSON.stringify(bad));
      assert.deepEqual({ ...settings }, before, `nothing changed by ${JSON.stringify(bad)}`);
    }

    await h.service.register('carol', 'christmas');
    const carol = h.xmpp('carol', 'christmas', 'c');
    await h.until(() => carol.jid, 'carol to log in');
    carol.joinRoom(ROOM, 'carol');
    await h.until(() => h.service.findRoom('#lobby')?.memberByKey('carol'), 'carol in the room');
    for (const iq of [ownerIq('get'), submit({ 'muc#roomconfig_moderatedroom': '1' }), ownerIq('set', el('destroy'))]) {
      const d = carol.sendIq(iq);
      await h.settle();
      assert.equal((failureResultOf(d).value as XMPPStanzaError).condition, 'forbidden');
    }
    assert.equal(settings.moderated, false);
    assert.ok(h.service.findRoom('#lobby'), 'the room is still there');
  });

  test('destroy kicks every occupant, IRC and XMPP, and the room vanishes', async () => {
    const h = new XMPPHarness();
    const alice = await roomWithOwner(h);
    const bob = h.register('bob');
    bob.send('JOIN #lobby');
    bob.lines();
    const d = alice.sendIq(ownerIq('set', el('destroy', '', {}, el('reason', '', {}, 'closing time'))));
    await h.settle();
    successResultOf(d);
    assert.match(bob.lines().join('\n'), /^:alice!\S+ KICK #lobby bob :closing time$/m);
    assert.match(alice.take().join('\n'), /from="lobby@conference\.localhost\/alice".*type="unavailable".*<status code="110"\/>/);
    assert.equal(h.service.findRoom('#lobby'), undefined);
  });
});
