/**
 * Channel lists and secrecy on the IRC door: bans (+b, 367/368, enforced on JOIN and on speaking), ban
 * exceptions (+e, 348/349), invite exceptions (+I, 346/347), secret rooms (+s), and role changes for nicks
 * nobody uses (401).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './test-support/harness.js';

function room() {
  const h = new Harness();
  const op = h.register('chanop');
  op.send('JOIN #chan');
  op.lines();
  return { h, op };
}

const codes = (lines: string[]): string[] => lines.map((l) => l.split(' ')[1]);

describe('IRC channel lists', () => {
  test('+b keeps a matching nick out (474), case-insensitively; -b lets it in; 367/368 list with setter and time', () => {
    const { h, op } = room();
    op.send('MODE #chan +b BAR!*@*');
    assert.deepEqual(op.lines(), [':chanop!chanop@127.0.0.1 MODE #chan +b BAR!*@*']);
    const bar = h.register('Bar');
    bar.send('JOIN #chan');
    assert.deepEqual(bar.lines(), [':irc.test 474 Bar #chan :Cannot join channel (+b)']);
    op.send('MODE #chan +b');
    assert.deepEqual(op.lines(), [
      `:irc.test 367 chanop #chan BAR!*@* chanop ${Math.floor(h.clock.seconds())}`,
      ':irc.test 368 chanop #chan :End of channel ban list',
    ]);
    op.send('MODE #chan +b bar!*@*');
    assert.deepEqual(op.lines(), [], 'a mask already on the list changes nothing');
    op.send('MODE #chan -b bar!*@*');
    assert.deepEqual(op.lines(), [':chanop!chanop@127.0.0.1 MODE #chan -b BAR!*@*']);
    bar.send('JOIN #chan');
    assert.equal(bar.lines()[0], ':Bar!Bar@127.0.0.1 JOIN #chan');
  });

  test('a nick alone, user@host and nick!user masks are completed; a banned member cannot speak, voice can', () => {
    const { h, op } = room();
    const bar = h.register('bar');
    bar.send('JOIN #chan');
    bar.lines();
    op.lines();
    op.send('MODE #chan +bb bar *@127.0.0.*');
    assert.deepEqual(op.lines(), [':chanop!chanop@127.0.0.1 MODE #chan +bb bar!*@* *!*@127.0.0.*']);
    bar.lines();
    bar.send('PRIVMSG #chan :can I talk?');
    assert.deepEqual(bar.lines(), [':irc.test 404 bar #chan :Cannot send to channel']);
    assert.deepEqual(op.lines(), [], 'nothing reached the room');
    op.send('MODE #chan +v bar');
    op.lines();
    bar.lines();
    bar.send('PRIVMSG #chan :voiced');
    assert.deepEqual(op.lines(), [':bar!bar@127.0.0.1 PRIVMSG #chan :voiced']);
    op.send('PRIVMSG #chan :the operator matches *!*@127.0.0.* too, and still speaks');
    assert.equal(bar.lines().length, 1);
  });

  test('+e lets a banned user in; 348/349 list the exceptions', () => {
    const { h, op } = room();
    op.send('MODE #chan +b ba*!*@*');
    op.lines();
    const bar = h.register('Bar');
    bar.send('JOIN #chan');
    assert.deepEqual(codes(bar.lines()), ['474']);
    op.send('MODE #chan +e *ar!*@*');
    assert.deepEqual(op.lines(), [':chanop!chanop@127.0.0.1 MODE #chan +e *ar!*@*']);
    bar.send('JOIN #chan');
    assert.equal(bar.lines()[0], ':Bar!Bar@127.0.0.1 JOIN #chan');
    op.lines();
    bar.send('PRIVMSG #chan :excepted, so not silenced');
    assert.deepEqual(op.lines(), [':Bar!Bar@127.0.0.1 PRIVMSG #chan :excepted, so not silenced']);
    op.send('MODE #chan e');
    assert.deepEqual(op.lines(), [
      `:irc.test 348 chanop #chan *ar!*@* chanop ${Math.floor(h.clock.seconds())}`,
      ':irc.test 349 chanop #chan :End of channel exception list',
    ]);
  });

  test('+I lets matching users into +i without an invitation; several masks; removal; no effect without +i', () => {
    const { h, op } = room();
    op.send('MODE #chan +I bar!*@*');
    assert.deepEqual(op.lines(), [':chanop!chanop@127.0.0.1 MODE #chan +I bar!*@*']);
    const baz = h.register('Baz');
    baz.send('JOIN #chan');
    assert.equal(baz.lines()[0], ':Baz!Baz@127.0.0.1 JOIN #chan', 'without +i anyone joins');
    baz.send('PART #chan');
    baz.lines();
    op.send('MODE #chan +i');
    op.lines();
    const bar = h.register('Bar');
    bar.send('JOIN #chan');
    assert.equal(bar.lines()[0], ':Bar!Bar@127.0.0.1 JOIN #chan');
    baz.send('JOIN #chan');
    assert.deepEqual(baz.lines(), [':irc.test 473 Baz #chan :Cannot join channel (+i)']);
    op.send('MODE #chan +I baz!*@*');
    op.lines();
    baz.send('JOIN #chan');
    assert.equal(baz.lines()[0], ':Baz!Baz@127.0.0.1 JOIN #chan');
    op.send('MODE #chan +I');
    assert.deepEqual(codes(op.lines().slice(-3)), ['346', '346', '347']);
    bar.send('PART #chan');
    op.send('MODE #chan -I bar!*@*');
    assert.ok(op.lines().includes(':chanop!chanop@127.0.0.1 MODE #chan -I bar!*@*'));
    bar.lines();
    bar.send('JOIN #chan');
    assert.deepEqual(codes(bar.lines()), ['473']);
  });

  test('an invitation lets one past a ban, once', () => {
    const { h, op } = room();
    const bar = h.register('bar');
    op.send('MODE #chan +b bar', 'INVITE bar #chan');
    op.lines();
    bar.lines();
    bar.send('JOIN #chan');
    assert.equal(bar.lines()[0], ':bar!bar@127.0.0.1 JOIN #chan');
    bar.send('PART #chan', 'JOIN #chan');
    assert.deepEqual(codes(bar.lines()), ['PART', '474']);
  });

  test('a full list answers 478 with the list letter; other changes of the line still apply', () => {
    const h = new Harness({}, { maxRoomListEntries: 2 });
    const op = h.register('chanop');
    op.send('JOIN #chan');
    op.lines();
    op.send('MODE #chan +bbbm a b c');
    assert.deepEqual(op.lines(), [':irc.test 478 chanop #chan b :Channel list is full', ':chanop!chanop@127.0.0.1 MODE #chan +bbm a!*@* b!*@*']);
    op.send('MODE #chan +e c');
    assert.equal(op.lines().length, 1, 'each list has its own room');
  });

  test('MODE +o for a nick nobody uses answers 401; for someone outside the room 441; the rest applies', () => {
    const { h, op } = room();
    h.register('outside');
    op.send('MODE #chan +o nobody', 'MODE #chan +mo outside');
    assert.deepEqual(op.lines(), [
      ':irc.test 401 chanop nobody :No such nick/channel',
      ":irc.test 441 chanop outside #chan :They aren't on that channel",
      ':chanop!chanop@127.0.0.1 MODE #chan +m',
    ]);
  });
});

describe('IRC secret channels', () => {
  test('+s hides the channel from LIST for non-members; members see it', () => {
    const { h, op } = room();
    op.send('MODE #chan +s', 'JOIN #open');
    op.lines();
    op.send('LIST');
    assert.deepEqual(op.lines().filter((l) => l.includes(' 322 ')).length, 2);
    const other = h.register('second');
    other.send('LIST');
    assert.deepEqual(other.lines(), [':irc.test 321 second Channel :Users  Name', ':irc.test 322 second #open 1 :', ':irc.test 323 second :End of /LIST']);
    other.send('JOIN #chan');
    other.lines();
    other.send('LIST #chan');
    assert.equal(other.lines()[1], ':irc.test 322 second #chan 2 :');
  });

  test('NAMES of a secret channel marks it @; outsiders get only 366; WHO and WHOIS hide it from them', () => {
    const { h, op } = room();
    op.send('MODE #chan +s');
    op.lines();
    op.send('NAMES #chan');
    assert.deepEqual(op.lines(), [':irc.test 353 chanop @ #chan :@chanop', ':irc.test 366 chanop #chan :End of /NAMES list']);
    const out = h.register('out');
    out.send('NAMES #chan', 'WHO #chan', 'WHOIS chanop', 'TOPIC #chan');
    const seen = out.lines();
    assert.deepEqual(seen.slice(0, 2), [':irc.test 366 out #chan :End of /NAMES list', ':irc.test 315 out #chan :End of WHO list']);
    assert.ok(!seen.some((l) => l.includes(' 319 ')), 'WHOIS lists no secret channel to an outsider');
    assert.ok(seen.includes(":irc.test 442 out #chan :You're not on that channel"));
    const member = h.register('member');
    member.send('JOIN #chan');
    assert.ok(member.lines().includes(':irc.test 353 member @ #chan :@chanop member'));
    member.send('WHOIS chanop');
    assert.ok(member.lines().includes(':irc.test 319 member chanop :@#chan'));
  });
});
