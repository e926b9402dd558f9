/**
 * Interop: irc-framework (an IRC client library nobody here wrote, which asks for multi-prefix,
 * extended-join, away-notify, invite-notify, userhost-in-names, message-tags and batch on its own) reads
 * what the mature-ircd behaviours of Torsion's IRC server send, over 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reactor, type IPv4Address } from '../../internet/index.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { createWordsService, hashPassword, type WordsService } from '../index.js';
import { IRCServerFactory } from './index.js';
import { connectIRCFramework, waitFor, type IRCFrameworkClient } from './test-support/irc-framework.js';

const FAST = { N: 1024, r: 8, p: 1 };

describe('irc-framework against the conformance behaviours', () => {
  let service: WordsService;
  let port: IListeningPort;
  let portNumber: number;
  const clients: IRCFrameworkClient[] = [];

  before(async () => {
    const passwordHash = await hashPassword('operpassword', FAST);
    service = createWordsService({ scrypt: FAST, name: 'irc.interop', operators: [{ name: 'operuser', passwordHash }] });
    await service.start();
    await service.register('opal', 'gemstone');
    port = reactor.listenTCP(0, new IRCServerFactory(service, { motd: ['interop'] }), { interface: '127.0.0.1' });
    portNumber = (port.getHost() as IPv4Address).port;
  });

  after(async () => {
    for (const c of clients) c.connection?.end();
    await port.stopListening();
    await service.stop();
  });

  function connect(nick: string, extra: object = {}): Promise<IRCFrameworkClient> {
    return connectIRCFramework(clients, portNumber, nick, { gecos: `${nick} real`, ...extra });
  }

  test('prefixes, extended-join, away-notify, bans, invite-notify, OPER/WALLOPS, TAGMSG, KILL and WHOWAS', async () => {
    const opal = await connect('opal', { account: { account: 'opal', password: 'gemstone' } });
    const bert = await connect('bert');
    const joined = waitFor(opal, 'join', (e) => e.nick === 'opal');
    opal.join('#conf');
    await joined;

    const bertSeen = waitFor(opal, 'join', (e) => e.nick === 'bert');
    bert.join('#conf');
    const seen = await bertSeen;
    assert.equal(seen.account, false, 'extended-join: bert has no account');
    assert.equal(seen.gecos, 'bert real');

    opal.raw('MODE', '#conf', '+v', 'opal');
    await waitFor(bert, 'mode', (e) => e.raw_modes === '+v');
    const names = waitFor(bert, 'userlist', (e) => e.channel === '#conf');
    bert.raw('NAMES', '#conf');
    const list = (await names).users as { nick: string; modes: string[]; ident: string }[];
    assert.deepEqual(list.find((u) => u.nick === 'opal')?.modes, ['o', 'v'], 'multi-prefix: both prefixes');
    assert.equal(list.find((u) => u.nick === 'opal')?.ident, 'opal', 'userhost-in-names');

    const away = waitFor(bert, 'away', (e) => e.nick === 'opal');
    opal.raw('AWAY', 'at lunch');
    assert.equal((await away).message, 'at lunch');

    const cleo = await connect('cleo');
    opal.raw('MODE', '#conf', '+b', 'cleo!*@*');
    await waitFor(bert, 'mode', (e) => e.raw_modes === '+b');
    const banned = waitFor(cleo, 'irc error', (e) => e.error === 'banned_from_channel');
    cleo.join('#conf');
    assert.equal((await banned).channel, '#conf');

    const notified = waitFor(bert, 'invite', (e) => e.invited === 'cleo');
    opal.raw('INVITE', 'cleo', '#conf');
    assert.equal((await notified).nick, 'opal', 'invite-notify reaches members with the cap');

    bert.raw('MODE', 'bert', '+w');
    const opered = waitFor(opal, 'raw', (e) => / 381 /.test(e.line));
    opal.raw('OPER', 'operuser', 'operpassword');
    await opered;
    const wallops = waitFor(bert, 'wallops', (e) => e.nick === 'opal');
    opal.raw('WALLOPS', 'maintenance soon');
    assert.equal((await wallops).message, 'maintenance soon');

    const typing = waitFor(bert, 'tagmsg', (e) => e.nick === 'opal');
    opal.tagmsg('#conf', { '+typing': 'active' });
    assert.equal((await typing).tags['+typing'], 'active');

    const cleoGone = waitFor(cleo, 'close');
    opal.raw('KILL', 'cleo', 'enough');
    await cleoGone;
    const again = await connect('cleo');
    assert.equal(again.user.nick, 'cleo', 'the nick is free as soon as its user is gone');

    const history = new Promise<{ whowas: { ident: string }[] }>((resolve) => bert.whowas('cleo', resolve));
    const { whowas } = await history;
    assert.ok(whowas.length >= 1 && whowas[0].ident === 'cleo', JSON.stringify(whowas));
  });
});
