import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reactor } from '../internet/index.js';
import { IRCClientFactory } from './client-factory.js';
import { RecordingClient } from './test-support/harness.js';
import { startNgircd, type NgircdServer } from './test-support/ngircd.js';

/** Connects a recording client through the reconnecting factory and waits until it signed on. */
async function connect(server: NgircdServer, nickname: string): Promise<{ client: RecordingClient; factory: IRCClientFactory<RecordingClient> }> {
  const factory = new IRCClientFactory(() => new RecordingClient({ nickname, username: nickname, realname: `${nickname} (Torsion test)`, clock: reactor }));
  reactor.connectTCP('127.0.0.1', server.port, factory);
  for (let i = 0; i < 900 && !factory.client?.registered; i++) await new Promise((r) => setTimeout(r, 50));
  const client = factory.client;
  assert.ok(client?.registered, `${nickname} did not sign on; ngircd log:\n${server.log()}`);
  return { client, factory };
}

describe('IRCClient against ngircd (Debian package ngircd)', { timeout: 180_000 }, () => {
  let server: NgircdServer;
  const factories: Array<IRCClientFactory<RecordingClient>> = [];

  before(async () => {
    server = await startNgircd();
  });

  after(async () => {
    for (const f of factories) {
      f.stopTrying();
      if (f.client?.connected) f.client.transport.loseConnection();
    }
    await server?.stop();
  });

  test('two clients: registration, join, messages both ways, topic, mode, whois, CTCP, nick collision, kick', { timeout: 150_000 }, async () => {
    const { client: alice, factory: fa } = await connect(server, 'alice');
    factories.push(fa);
    const { client: bob, factory: fb } = await connect(server, 'bob');
    factories.push(fb);

    // Registration and ISUPPORT / CAP as ngircd announces them.
    assert.equal(alice.nickname, 'alice');
    assert.equal(alice.supported.casemapping, 'ascii');
    assert.equal(alice.supported.nicklen, 30);
    assert.equal(alice.supported.prefixes.get('o'), '@');
    assert.ok(alice.cap.enabled.has('multi-prefix'), `caps: ${[...alice.cap.enabled]}`);
    assert.equal(alice.hostmask, 'alice!~alice@127.0.0.1');

    // Join: alice creates the channel (and is its operator), bob joins.
    alice.join('#torsion');
    await alice.waitFor('joined("#torsion")');
    bob.join('#Torsion');
    await bob.waitFor('joined(');
    await alice.waitFor('userJoined("bob","#Torsion")');
    const names = await bob.names('#torsion');
    assert.deepEqual(names.map((n) => `${n.prefixes}${n.nick}`).sort(), ['@alice', 'bob']);

    // Messages both ways, a long UTF-8 one split without breaking characters, a notice and an action.
    alice.msg('#torsion', 'hello bob');
    await bob.waitFor('privmsg("alice!~alice@127.0.0.1","#torsion","hello bob")');
    bob.msg('alice', 'hi alice, privately');
    await alice.waitFor('privmsg("bob!~bob@127.0.0.1","alice","hi alice, privately")');
    const long = Array.from({ length: 120 }, (_, i) => `wörd${i}✓`).join(' ');
    alice.msg('#torsion', long);
    alice.notice('bob', 'end of long');
    await bob.waitFor('noticed("alice!~alice@127.0.0.1","bob","end of long")');
    const pieces = bob.events.filter((e) => e.startsWith('privmsg("alice!~alice@127.0.0.1","#torsion","wörd')).map((e) => JSON.parse(`[${e.slice(8, -1)}]`)[2] as string);
    assert.ok(pieces.length >= 2, `expected the long message in pieces, got ${pieces.length}`);
    assert.equal(pieces.join(' '), long);
    bob.me('#torsion', 'waves');
    await alice.waitFor('action("bob!~bob@127.0.0.1","#torsion","waves")');

    // Topic and modes.
    alice.topic('#torsion', 'Torsion interop');
    await bob.waitFor('topicUpdated("alice","#torsion","Torsion interop")');
    alice.mode('#torsion', true, 'v', 'bob');
    await bob.waitFor('modeChanged("alice!~alice@127.0.0.1","#torsion",true,"v",["bob"])');
    alice.mode('#torsion', true, 'tl', '25');
    await bob.waitFor('modeChanged("alice!~alice@127.0.0.1","#torsion",true,"tl",[null,"25"])');

    // WHOIS and CTCP answered by the other Torsion client through the server.
    const info = await bob.whois('alice');
    assert.equal(info.user, '~alice');
    assert.equal(info.realname, 'alice (Torsion test)');
    assert.ok(info.channels.includes('@#torsion'), `channels ${info.channels}`);
    bob.ctcpMakeQuery('alice', [['VERSION']]);
    await bob.waitFor('ctcpReply("alice!~alice@127.0.0.1","bob","VERSION","Torsion:');
    bob.ping('alice');
    await bob.waitFor('pong("alice!~alice@127.0.0.1",');

    // Nick collision: at registration the client moves to alterCollidedNick; afterwards it is reported.
    const { client: second, factory: fs } = await connect(server, 'alice');
    factories.push(fs);
    assert.equal(second.nickname, 'alice_');
    bob.setNick('alice');
    await bob.waitFor('nickChangeFailed("alice",');
    bob.setNick('robert');
    await bob.waitFor('nickChanged("robert")');
    await alice.waitFor('userRenamed("bob","robert")');

    // Kick: robert leaves the channel by force; both sides see it.
    alice.kick('#torsion', 'robert', 'interop over');
    await bob.waitFor('kickedFrom("#torsion","alice","interop over")');
    await alice.waitFor('userKicked("robert","#torsion","alice","interop over")');
    assert.equal(bob.channels.size, 0);
    assert.deepEqual([...alice.channels.keys()], ['#torsion']);

    second.quit('bye');
    await new Promise((r) => setTimeout(r, 0));
  });

  test('after the connection drops, the factory reconnects and the new client rejoins, key included', { timeout: 120_000 }, async () => {
    const { client: owner, factory: fo } = await connect(server, 'owner');
    factories.push(fo);
    owner.join('#keyed');
    await owner.waitFor('joined("#keyed")');
    owner.mode('#keyed', true, 'k', 'sesame');
    await owner.waitFor('modeChanged("owner!~owner@127.0.0.1","#keyed",true,"k",["sesame"])');
    const { client: first, factory } = await connect(server, 'roamer');
    factories.push(factory);
    factory.initialDelay = factory.delay = 0.2;
    factory.jitter = 0;
    first.join('#keyed', 'sesame');
    await first.waitFor('joined("#keyed")');
    await owner.waitFor('userJoined("roamer","#keyed")');
    owner.take();
    (first.transport as unknown as { abortConnection(): void }).abortConnection();
    await owner.waitFor('userQuit("roamer",');
    for (let i = 0; i < 900 && (factory.client === first || !factory.client?.channels.has('#keyed')); i++) await new Promise((r) => setTimeout(r, 50));
    const second = factory.client!;
    assert.notEqual(second, first, 'the factory did not reconnect');
    assert.deepEqual(second.channels.get('#keyed'), { channel: '#keyed', key: 'sesame' });
    await owner.waitFor('userJoined("roamer","#keyed")');
  });
});
