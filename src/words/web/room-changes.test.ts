/** The page's words for room changes: no IRC letters, and never the key itself. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRoomChanges } from './room-changes.js';

describe('describeRoomChanges', () => {
  test('roles and settings in words, in order', () => {
    const text = describeRoomChanges('bob', [
      { role: 'voice', nick: 'cy', granted: true },
      { role: 'operator', nick: 'di', granted: false },
      { setting: 'moderated', value: true },
      { setting: 'key', value: 'sekrit' },
      { setting: 'limit', value: 3 },
      { setting: 'secret', value: true },
      { list: 'bans', mask: 'eve!*@*', added: true },
      { list: 'inviteExceptions', mask: '*!*@friends', added: false },
    ]);
    assert.equal(
      text,
      'cy was given voice; di lost operator; the room is moderated; a key is needed to join; the room holds at most 3 members; the room is secret; ' +
        'eve!*@* was added to the bans; *!*@friends was removed from the invite exceptions by bob',
    );
    assert.doesNotMatch(text, /sekrit/);
  });
});
