/** Moderation from XMPP (`muc#admin` role items): voice, moderator and kicks reach IRC as MODE and KICK. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { failureResultOf, successResultOf } from '../../testing/index.js';
import { el } from '../../xmpp/element.js';
import type { XMPPStanzaError } from '../../xmpp/errors.js';
import { NS } from '../../xmpp/namespaces.js';
import { MUC_ADMIN } from './muc-admin.js';
import { XMPPHarness } from './test-support/harness.js';

const ROOM = 'lobby@conference.localhost';

function roleIq(nick: string, role: string, reason?: string) {
  const item = el('item', '', { nick, role });
  if (reason) item.addElement('reason').addContent(reason);
  return el('iq', NS.CLIENT, { type: 'set', to: ROOM }, el('query', MUC_ADMIN, {}, item));
}

describe('moderation from XMPP', () => {
  test('a moderator gives voice, makes a moderator and kicks; IRC sees MODE and KICK; a participant is forbidden', async () => {
    const h = new XMPPHarness();
    await h.service.register('alice', 'wonderland');
    await h.service.register('carol', 'christmas');
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    alice.joinRoom(ROOM, 'alice');
    await h.until(() => h.service.findRoom('#lobby'), 'the room');
    const bob = h.register('bob');
    bob.send('JOIN #lobby');
    bob.lines();

    const voice = alice.sendIq(roleIq('bob', 'participant'));
    await h.settle();
    successResultOf(voice);
    assert.match(bob.lines().join('\n'), /^:alice!\S+ MODE #lobby \+v bob$/m);

    const op = alice.sendIq(roleIq('bob', 'moderator'));
    await h.settle();
    successResultOf(op);
    assert.match(bob.lines().join('\n'), /^:alice!\S+ MODE #lobby \+o bob$/m);

    const carol = h.xmpp('carol', 'christmas', 'c');
    await h.until(() => carol.jid, 'carol to log in');
    carol.joinRoom(ROOM, 'carol');
    await h.until(() => h.service.findRoom('#lobby')?.memberByKey('carol'), 'carol in the room');
    const refused = carol.sendIq(roleIq('bob', 'none'));
    await h.settle();
    assert.equal((failureResultOf(refused).value as XMPPStanzaError).condition, 'forbidden', 'only moderators kick');

    const kick = alice.sendIq(roleIq('bob', 'none', 'enough'));
    await h.settle();
    successResultOf(kick);
    assert.match(bob.lines().join('\n'), /^:alice!\S+ KICK #lobby bob :enough$/m);
    const missing = alice.sendIq(roleIq('bob', 'none'));
    await h.settle();
    assert.equal((failureResultOf(missing).value as XMPPStanzaError).condition, 'item-not-found', 'bob is gone');
  });
});
