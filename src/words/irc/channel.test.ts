import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, type FakeClient } from './test-support/harness.js';

function trio() {
  const h = new Harness();
  const op = h.register('op');
  const bob = h.register('bob');
  const cat = h.register('cat');
  op.send('JOIN #room');
  bob.send('JOIN #room');
  op.lines();
  bob.lines();
  return { h, op, bob, cat };
}

describe('IRC server channels', () => {
  test('JOIN echoes to members, then topic and NAMES with the operator marked', () => {
    const h = new Harness();
    const a = h.register('a');
    const b = h.register('b');
    a.send('JOIN #Chan');
    assert.deepEqual(a.lines(), [':a!a@127.0.0.1 JOIN #Chan', ':irc.test 353 a = #Chan :@a', ':irc.test 366 a #Chan :End of /NAMES list']);
    a.send('TOPIC #chan :all about it');
    a.lines();
    b.send('JOIN #CHAN');
    assert.deepEqual(b.lines(), [
      ':b!b@127.0.0.1 JOIN #Chan',
      ':irc.test 332 b #Chan :all about it',
      `:irc.test 333 b #Chan a ${Math.floor(h.clock.seconds())}`,
      ':irc.test 353 b = #Chan :@a b',
      ':irc.test 366 b #Chan :End of /NAMES list',
    ]);
    assert.deepEqual(a.lines(), [':b!b@127.0.0.1 JOIN #Chan']);
    b.send('JOIN nochan');
    assert.deepEqual(b.lines(), [':irc.test 403 b nochan :No such channel']);
  });

  test('PRIVMSG and NOTICE fan out to the other members; errors 401, 404, 412; NOTICE errors stay silent', () => {
    const { op, bob, cat } = trio();
    bob.send('PRIVMSG #room :hello all');
    assert.deepEqual(op.lines(), [':bob!bob@127.0.0.1 PRIVMSG #room :hello all']);
    assert.deepEqual(bob.lines(), []);
    assert.deepEqual(cat.lines(), []);
    cat.send('PRIVMSG #room :from outside');
    assert.deepEqual(cat.lines(), [':irc.test 404 cat #room :Cannot send to channel']);
    cat.send('PRIVMSG ghost :boo', 'PRIVMSG bob :', 'NOTICE ghost :boo', 'NOTICE #room :x');
    assert.deepEqual(cat.lines(), [':irc.test 401 cat ghost :No such nick/channel', ':irc.test 412 cat :No text to send']);
    cat.send('NOTICE bob :psst');
    assert.deepEqual(bob.lines(), [':cat!cat@127.0.0.1 NOTICE bob :psst']);
  });

  test('MODE: +o +v +m +n +t +k +l +i by operators only, with 482, 472 and 324 replies', () => {
    const { op, bob, cat } = trio();
    bob.send('MODE #room +m');
    assert.deepEqual(bob.lines(), [':irc.test 482 bob #room :You\'re not channel operator']);
    op.send('MODE #room +mv-t bob');
    assert.deepEqual(op.lines(), [':op!op@127.0.0.1 MODE #room +mv-t bob']);
    assert.deepEqual(bob.lines(), [':op!op@127.0.0.1 MODE #room +mv-t bob']);
    op.send('MODE #room +kl sesame 2', 'MODE #room');
    assert.deepEqual(op.lines().slice(1, 2), [':irc.test 324 op #room +mnkl sesame 2']);
    cat.send('MODE #room');
    assert.equal(cat.lines()[0], ':irc.test 324 cat #room +mnkl * 2', 'the key is hidden from outsiders');
    cat.send('JOIN #room');
    assert.deepEqual(cat.lines(), [':irc.test 475 cat #room :Cannot join channel (+k)']);
    cat.send('JOIN #room sesame');
    assert.deepEqual(cat.lines(), [':irc.test 471 cat #room :Cannot join channel (+l)']);
    op.send('MODE #room -l+i', 'MODE #room +z', 'MODE #room +o ghost', 'MODE #room +o cat');
    const replies = op.lines();
    assert.deepEqual(replies.slice(1), [
      ':irc.test 472 op z :is unknown mode char to me for #room',
      ':irc.test 401 op ghost :No such nick/channel',
      ':irc.test 441 op cat #room :They aren\'t on that channel',
    ]);
    cat.send('JOIN #room sesame');
    assert.deepEqual(cat.lines(), [':irc.test 473 cat #room :Cannot join channel (+i)']);
    op.send('MODE #room b');
    assert.deepEqual(op.lines(), [':irc.test 368 op #room :End of channel ban list']);
    bob.lines();
    op.send('MODE #room +o bob');
    bob.send('TOPIC #room :bob rules');
    assert.ok(bob.lines().includes(':bob!bob@127.0.0.1 TOPIC #room :bob rules'));
  });

  test('INVITE lets one past +i; KICK by operators only, told to everyone including the kicked', () => {
    const { op, bob, cat } = trio();
    op.send('MODE #room +i');
    op.lines();
    bob.lines();
    bob.send('INVITE cat #room');
    assert.deepEqual(bob.lines(), [':irc.test 482 bob #room :You\'re not channel operator']);
    cat.send('AWAY :brb');
    cat.lines();
    op.send('INVITE cat #room');
    assert.deepEqual(op.lines(), [':irc.test 341 op cat #room', ':irc.test 301 op cat :brb']);
    assert.deepEqual(cat.lines(), [':op!op@127.0.0.1 INVITE cat #room']);
    op.send('INVITE bob #room');
    assert.deepEqual(op.lines(), [':irc.test 443 op bob #room :is already on channel']);
    cat.send('JOIN #room');
    assert.equal(cat.lines()[0], ':cat!cat@127.0.0.1 JOIN #room');
    bob.send('KICK #room cat');
    assert.deepEqual(bob.lines().slice(-1), [':irc.test 482 bob #room :You\'re not channel operator']);
    op.lines();
    op.send('KICK #room cat :behave');
    assert.deepEqual(cat.lines(), [':op!op@127.0.0.1 KICK #room cat :behave']);
    assert.deepEqual(bob.lines(), [':op!op@127.0.0.1 KICK #room cat :behave']);
    op.send('KICK #room cat');
    assert.deepEqual(op.lines().slice(-1), [':irc.test 441 op cat #room :They aren\'t on that channel']);
  });

  test('PART with a reason; TOPIC queries; 442 when not on the channel; LIST and NAMES', () => {
    const { op, bob, cat } = trio();
    op.send('TOPIC #room');
    assert.deepEqual(op.lines(), [':irc.test 331 op #room :No topic is set']);
    cat.send('TOPIC #room :nope', 'PART #room');
    assert.deepEqual(cat.lines(), [':irc.test 442 cat #room :You\'re not on that channel', ':irc.test 442 cat #room :You\'re not on that channel']);
    bob.send('TOPIC #room :mine');
    assert.deepEqual(bob.lines(), [':irc.test 482 bob #room :You\'re not channel operator']);
    cat.send('LIST');
    assert.deepEqual(cat.lines(), [':irc.test 321 cat Channel :Users  Name', ':irc.test 322 cat #room 2 :', ':irc.test 323 cat :End of /LIST']);
    cat.send('NAMES #room');
    assert.deepEqual(cat.lines(), [':irc.test 353 cat = #room :@op bob', ':irc.test 366 cat #room :End of /NAMES list']);
    bob.send('PART #room :off I go');
    assert.deepEqual(op.lines(), [':bob!bob@127.0.0.1 PART #room :off I go']);
    assert.deepEqual(bob.lines(), [':bob!bob@127.0.0.1 PART #room :off I go']);
  });

  test('times come from the service clock, in seconds: server-time tags, WHOIS idle and signon, topic time', () => {
    const h = new Harness();
    const start = h.clock.seconds();
    const op = h.register('op');
    const bob = h.connect().send('CAP LS 302', 'CAP REQ :server-time', 'NICK bob', 'USER bob 0 * :bob Real', 'CAP END');
    op.send('JOIN #t');
    bob.send('JOIN #t');
    op.lines();
    bob.lines();
    h.clock.advance(90.5);
    op.send('TOPIC #t :hello', 'PRIVMSG #t :hi');
    const at = new Date((start + 90.5) * 1000).toISOString();
    assert.deepEqual(bob.lines(), [`@time=${at} :op!op@127.0.0.1 TOPIC #t :hello`, `@time=${at} :op!op@127.0.0.1 PRIVMSG #t :hi`]);
    h.clock.advance(30);
    bob.send('WHOIS op', 'TOPIC #t');
    const lines = bob.lines();
    assert.ok(lines.includes(`:irc.test 317 bob op 30 ${start} :seconds idle, signon time`), lines.join('\n'));
    assert.ok(lines.includes(`:irc.test 333 bob #t op ${start + 90}`), lines.join('\n'));
  });

  test('WHO, WHOIS, ISON, AWAY, user mode +i, NICK changes seen by channel peers', () => {
    const { h, op, bob, cat } = trio();
    bob.send('AWAY :lunch');
    assert.deepEqual(bob.lines(), [':irc.test 306 bob :You have been marked as being away']);
    op.send('WHO #room');
    assert.deepEqual(op.lines(), [
      ':irc.test 352 op #room op 127.0.0.1 irc.test op H@ :0 op Real',
      ':irc.test 352 op #room bob 127.0.0.1 irc.test bob G :0 bob Real',
      ':irc.test 315 op #room :End of WHO list',
    ]);
    op.send('PRIVMSG bob :are you there');
    assert.deepEqual(op.lines(), [':irc.test 301 op bob :lunch']);
    cat.send('WHOIS bob');
    const whois = cat.lines();
    assert.deepEqual(whois.map((l) => l.split(' ')[1]), ['311', '319', '312', '301', '317', '318']);
    assert.equal(whois[1], ':irc.test 319 cat bob :#room');
    cat.send('WHOIS nobody');
    assert.deepEqual(cat.lines(), [':irc.test 401 cat nobody :No such nick/channel', ':irc.test 318 cat nobody :End of WHOIS list']);
    cat.send('ISON bob nobody OP');
    assert.deepEqual(cat.lines(), [':irc.test 303 cat :bob op']);
    bob.lines();
    bob.send('MODE bob +i', 'MODE bob', 'MODE op +i');
    assert.deepEqual(bob.lines(), [
      ':bob!bob@127.0.0.1 MODE bob +i',
      ':irc.test 221 bob +i',
      ":irc.test 502 bob :Can't change mode for other users",
    ]);
    cat.send('WHO #room', 'NAMES #room');
    assert.deepEqual(cat.lines(), [
      ':irc.test 352 cat #room op 127.0.0.1 irc.test op H@ :0 op Real',
      ':irc.test 315 cat #room :End of WHO list',
      ':irc.test 353 cat = #room :@op',
      ':irc.test 366 cat #room :End of /NAMES list',
    ]);
    bob.send('NICK robert');
    assert.deepEqual(bob.lines(), [':bob!bob@127.0.0.1 NICK robert']);
    assert.deepEqual(op.lines(), [':bob!bob@127.0.0.1 NICK robert']);
    assert.deepEqual(cat.lines(), []);
    assert.equal(h.service.findUser('robert')?.username, 'bob');
    op.send('NICK robert');
    assert.deepEqual(op.lines(), [':irc.test 433 op robert :Nickname is already in use']);
  });

  test('a burst fanned out to a room is joined once: members wanting the same tags are written the same bytes', () => {
    const { h, op, bob } = trio();
    const dan = h.register('dan');
    const eve = h.connect().send('CAP LS 302', 'NICK eve', 'USER eve 0 * :eve Real', 'CAP REQ :server-time', 'CAP END');
    for (const c of [dan, eve]) c.send('JOIN #room');
    for (const c of [op, bob, dan, eve]) c.lines();
    const written = new Map<FakeClient, Uint8Array[]>();
    for (const c of [bob, dan, eve]) {
      const chunks: Uint8Array[] = [];
      written.set(c, chunks);
      const write = c.transport.write.bind(c.transport);
      c.transport.write = (data) => {
        chunks.push(data as Uint8Array);
        write(data);
      };
    }
    op.send('PRIVMSG #room :one', 'NOTICE #room :two', 'PRIVMSG #room :three');
    const [b, d, e] = [bob, dan, eve].map((c) => written.get(c)!);
    assert.equal(b.length, 1, 'one write per member');
    assert.equal(b[0], d[0], 'bob and dan are written one shared buffer');
    assert.notEqual(b[0], e[0], 'eve (server-time) gets her own');
    const plain = [':op!op@127.0.0.1 PRIVMSG #room :one', ':op!op@127.0.0.1 NOTICE #room :two', ':op!op@127.0.0.1 PRIVMSG #room :three'];
    assert.deepEqual(bob.lines(), plain);
    assert.deepEqual(dan.lines(), plain);
    assert.deepEqual(eve.lines().map((l) => l.replace(/^@time=\S+ /, '')), plain);
    bob.send('PRIVMSG #room :four', 'PART #room');
    assert.deepEqual(dan.lines(), [':bob!bob@127.0.0.1 PRIVMSG #room :four', ':bob!bob@127.0.0.1 PART :#room']);
    assert.deepEqual(op.lines(), [':bob!bob@127.0.0.1 PRIVMSG #room :four', ':bob!bob@127.0.0.1 PART :#room']);
    assert.deepEqual(bob.lines(), [':bob!bob@127.0.0.1 PART :#room']);
  });

  test('CHATHISTORY LATEST/BEFORE/AFTER plays stored lines back in a batch with time and msgid', async () => {
    const h = new Harness();
    const a = h.register('a');
    a.send('JOIN #h');
    for (let i = 1; i <= 5; i++) {
      h.clock.advance(1);
      a.send(`PRIVMSG #h :line ${i}`);
    }
    const b = h.connect().send('CAP LS 302', 'CAP REQ :batch server-time message-tags draft/chathistory', 'NICK b', 'USER b 0 * :B', 'CAP END', 'JOIN #h');
    b.lines();
    b.send('CHATHISTORY LATEST #h * 2');
    await h.service.store.flush();
    const lines = b.lines();
    assert.equal(lines.length, 4);
    const ref = /^:irc\.test BATCH \+(\S+) chathistory #h$/.exec(lines[0])?.[1];
    assert.ok(ref, lines[0]);
    assert.match(lines[1], new RegExp(`^@batch=${ref};time=\\S+;msgid=\\S+ :a PRIVMSG #h :line 4$`));
    assert.match(lines[2], /PRIVMSG #h :line 5$/);
    assert.equal(lines[3], `:irc.test BATCH -${ref}`);
    const msgid = /msgid=(\S+) /.exec(lines[1])![1];
    b.send(`CHATHISTORY BEFORE #h msgid=${msgid} 10`);
    assert.deepEqual(b.lines().slice(1, -1).map((l) => l.replace(/^.* :/, '')), ['line 1', 'line 2', 'line 3']);
    const t2 = new Date((h.clock.seconds() - 4) * 1000).toISOString();
    b.send(`CHATHISTORY AFTER #h timestamp=${t2} 2`);
    assert.deepEqual(b.lines().slice(1, -1).map((l) => l.replace(/^.* :/, '')), ['line 2', 'line 3']);
    b.send('CHATHISTORY LATEST #elsewhere * 10', 'CHATHISTORY AROUND #h * 10', 'CHATHISTORY LATEST #h bogus 10');
    assert.deepEqual(b.lines(), [
      ':irc.test FAIL CHATHISTORY INVALID_TARGET LATEST #elsewhere :Messages could not be retrieved',
      ':irc.test FAIL CHATHISTORY INVALID_PARAMS AROUND :Unsupported subcommand',
      ':irc.test FAIL CHATHISTORY INVALID_PARAMS LATEST :Invalid parameters',
    ]);
  });
});
