/**
 * The IRC door's mode letters for the service's roles and settings: parsing a MODE command, writing the
 * MODE line of applied changes and the 324 mode string, and the NAMES prefixes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RoomChange, RoomSettings } from '../index.js';
import { formatRoomChanges, memberPrefix, parseRoomModes, roomModeString } from './modes.js';

const DEFAULTS: RoomSettings = { topicLocked: true, noOutsideMessages: true, inviteOnly: false, moderated: false, secret: false };

describe('IRC mode letters', () => {
  test('every letter maps to its role or setting, with its sign', () => {
    const { changes, problems } = parseRoomModes('+ovtnimkl-ovtnimkl', ['al', 'bo', 'key', '10', 'cy', 'di'], 10);
    assert.deepEqual(problems, []);
    assert.deepEqual(changes, [
      { role: 'operator', nick: 'al', granted: true },
      { role: 'voice', nick: 'bo', granted: true },
      { setting: 'topicLocked', value: true },
      { setting: 'noOutsideMessages', value: true },
      { setting: 'inviteOnly', value: true },
      { setting: 'moderated', value: true },
      { setting: 'key', value: 'key' },
      { setting: 'limit', value: 10 },
      { role: 'operator', nick: 'cy', granted: false },
      { role: 'voice', nick: 'di', granted: false },
      { setting: 'topicLocked', value: false },
      { setting: 'noOutsideMessages', value: false },
      { setting: 'inviteOnly', value: false },
      { setting: 'moderated', value: false },
      { setting: 'key', value: undefined },
      { setting: 'limit', value: undefined },
    ]);
  });

  test('unknown letters, list queries and missing arguments are problems, in order; the argument count stops reading', () => {
    assert.deepEqual(parseRoomModes('+xb+o', [], 4), { changes: [], problems: [{ kind: 'unknown', letter: 'x' }, { kind: 'list', list: 'bans' }, { kind: 'needMoreParams' }] });
    assert.deepEqual(parseRoomModes('+eI', [], 4).problems, [{ kind: 'list', list: 'banExceptions' }, { kind: 'list', list: 'inviteExceptions' }]);
    assert.deepEqual(
      parseRoomModes('+bk-eI+s', ['*!*@x', 'k', 'ok!*@*', 'friend'], 4).changes,
      [
        { list: 'bans', mask: '*!*@x', added: true },
        { setting: 'key', value: 'k' },
        { list: 'banExceptions', mask: 'ok!*@*', added: false },
        { list: 'inviteExceptions', mask: 'friend', added: false },
        { setting: 'secret', value: true },
      ],
      'list letters with a mask are changes of their list, counted as arguments',
    );
    assert.deepEqual(formatRoomChanges(parseRoomModes('+b-I', ['a!*@*', 'b!*@*'], 4).changes), ['+b-I', 'a!*@*', 'b!*@*']);
    assert.deepEqual(parseRoomModes('-k', [], 4).changes, [{ setting: 'key', value: undefined }], '-k needs no key');
    assert.deepEqual(parseRoomModes('+vvv', ['a', 'b', 'c'], 2).changes.length, 2);
  });

  test('applied changes are written as one MODE line, the sign only when it changes; a cleared key shows as *', () => {
    const changes: RoomChange[] = [
      { setting: 'moderated', value: true },
      { role: 'voice', nick: 'bert', granted: true },
      { setting: 'limit', value: 5 },
      { setting: 'key', value: undefined },
      { setting: 'limit', value: undefined },
      { role: 'operator', nick: 'al', granted: false },
      { setting: 'key', value: 'k2' },
    ];
    assert.deepEqual(formatRoomChanges(changes), ['+mvl-klo+k', 'bert', '5', '*', 'al', 'k2']);
  });

  test('parsing then formatting gives the letters back', () => {
    const { changes } = parseRoomModes('+im-t+o', ['al'], 4);
    assert.deepEqual(formatRoomChanges(changes), ['+im-t+o', 'al']);
  });

  test('the 324 mode string lists settings in letter order; the key only for members', () => {
    assert.deepEqual(roomModeString(DEFAULTS), ['+nt']);
    const all = { topicLocked: true, noOutsideMessages: true, inviteOnly: true, moderated: true, secret: true, key: 'sekrit', limit: 2 };
    assert.deepEqual(roomModeString(all), ['+imnstkl', 'sekrit', '2']);
    assert.deepEqual(roomModeString(all, false), ['+imnstkl', '*', '2']);
    assert.deepEqual(roomModeString({ ...DEFAULTS, topicLocked: false, noOutsideMessages: false }), ['+']);
  });

  test('NAMES prefixes: @ beats +; with multi-prefix, every prefix, highest first', () => {
    assert.deepEqual(
      [memberPrefix({ operator: true, voice: true }), memberPrefix({ operator: false, voice: true }), memberPrefix({ operator: false, voice: false }), memberPrefix(undefined)],
      ['@', '+', '', ''],
    );
    assert.deepEqual([memberPrefix({ operator: true, voice: true }, true), memberPrefix({ operator: false, voice: true }, true), memberPrefix(undefined, true)], ['@+', '+', '']);
  });
});
