import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidNickError, InvalidRoomError, NICK_MAX_LENGTH, NICK_RULE, createWordsService, foldName, isValidNick, isValidRoomName } from './index.js';
import { RecordingClient } from './test-support/recording-client.js';

describe('room names', () => {
  test('format characters (bidi overrides, zero-width) are refused, as in nicks; other letters are fine', async () => {
    const spoofs = ['#a\u202eb', '#\u200b', '#lobby\u200b', '#\u2066x', '#x\ufeff', '#soft\u00adhyphen', '#c1\u0085', '#lone\ud800'];
    for (const name of spoofs) assert.equal(isValidRoomName(name), false, JSON.stringify(name));
    for (const name of ['#café', '#日本語', '#emoji😀', '&local', '#a-b_c.d']) assert.equal(isValidRoomName(name), true, name);
    const service = createWordsService();
    await service.start();
    const ann = await service.login('ann', { client: new RecordingClient() });
    for (const name of spoofs) assert.throws(() => ann.join(name), InvalidRoomError, JSON.stringify(name));
    assert.equal([...service.rooms()].length, 0);
  });
});

describe('the nick rule', () => {
  test('the refusal says exactly the rule isValidNick checks', () => {
    const rule = NICK_RULE;
    assert.match(new InvalidNickError('9lives').message, new RegExp(`^Erroneous nickname: ${rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    assert.ok(rule.includes(`up to ${NICK_MAX_LENGTH}`));
    // The specials the rule lists are exactly the printable ASCII characters, besides letters and digits,
    // that a nick may hold.
    const listed = new Set(/and (.*), not starting/.exec(rule)![1]!.split(' '));
    const accepted = new Set<string>();
    for (let c = 0x21; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      if (!/[A-Za-z0-9]/.test(ch) && isValidNick(`a${ch}`)) accepted.add(ch);
    }
    assert.deepEqual([...listed].sort(), [...accepted].sort());
    // "not starting with a digit or -": those are the only accepted characters refused first.
    const refusedFirst = [...accepted, ...'0123456789abcXYZ'].filter((ch) => !isValidNick(ch));
    assert.deepEqual(refusedFirst.sort(), [...'-0123456789'].sort());
    assert.equal(isValidNick('a'.repeat(NICK_MAX_LENGTH)), true);
    assert.equal(isValidNick('a'.repeat(NICK_MAX_LENGTH + 1)), false);
    assert.equal(isValidNick('é'), false, 'letters a-z only');
  });
});

describe('foldName', () => {
  test('folds every ASCII letter and [\\]^, wherever the first one to fold stands; other characters stay', () => {
    const cases: [string, string][] = [
      ['Foo[Bar]', 'foo{bar}'],
      ['foo[bar]', 'foo{bar}'],
      ['already-folded{x}', 'already-folded{x}'],
      ['ab^C', 'ab~c'],
      ['x\\Y', 'x|y'],
      ['#Café', '#café'],
      ['ÀB', 'Àb'],
      ['', ''],
    ];
    for (const [name, folded] of cases) assert.equal(foldName(name), folded, name);
  });
});
