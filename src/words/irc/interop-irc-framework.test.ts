/**
 * Interop: the npm package irc-framework, an IRC client library nobody here wrote, against Torsion's IRC
 * server on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reactor, type IPv4Address } from '../../internet/index.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { createWordsService, type WordsService } from '../index.js';
import { IRCServerFactory } from './index.js';
import { connectIRCFramework, waitFor, type IRCFrameworkClient } from './test-support/irc-framework.js';

describe('irc-framework against the Torsion IRC server', () => {
  let service: WordsService;
  let port: IListeningPort;
  let portNumber: number;
  const clients: IRCFrameworkClient[] = [];

  before(async () => {
    service = createWordsService({ scrypt: { N: 1024, r: 8, p: 1 }, name: 'irc.interop' });
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

  test('registration (one with SASL PLAIN), join, messages both ways, modes, kick', async () => {
    const opal = await connect('opal', { account: { account: 'opal', password: 'gemstone' } });
    assert.equal(service.findUser('opal')?.account, 'opal', 'logged in to the account through SASL');
    const bert = await connect('bert');

    const opalJoined = waitFor(opal, 'join', (e) => e.nick === 'opal' && e.channel === '#interop');
    opal.join('#interop');
    await opalJoined;
    const bertSeen = waitFor(opal, 'join', (e) => e.nick === 'bert');
    const bertJoined = waitFor(bert, 'join', (e) => e.nick === 'bert');
    const names = waitFor(bert, 'userlist', (e) => e.channel === '#interop');
    bert.join('#interop');
    await Promise.all([bertSeen, bertJoined]);
    const list = (await names).users as { nick: string; modes: string[] }[];
    assert.deepEqual(list.map((u) => u.nick).sort(), ['bert', 'opal']);
    assert.deepEqual(list.find((u) => u.nick === 'opal')?.modes, ['o']);

    const toBert = waitFor(bert, 'message', (e) => e.message === 'hello from opal');
    opal.say('#interop', 'hello from opal');
    const m1 = await toBert;
    assert.equal(m1.nick, 'opal');
    assert.equal(m1.target, '#interop');
    assert.equal(typeof m1.time, 'number', 'server-time was negotiated and parsed');

    const toOpal = waitFor(opal, 'message', (e) => e.message === 'hi opal, bert here');
    bert.say('opal', 'hi opal, bert here');
    const m2 = await toOpal;
    assert.equal(m2.nick, 'bert');
    assert.equal(m2.target, 'opal');

    const modeSeen = waitFor(bert, 'mode', (e) => e.raw_modes === '+mv');
    opal.raw('MODE', '#interop', '+mv', 'bert');
    const mode = await modeSeen;
    assert.equal(mode.nick, 'opal');
    assert.deepEqual(mode.modes, [{ mode: '+m', param: null }, { mode: '+v', param: 'bert' }]);

    const voiced = waitFor(opal, 'message', (e) => e.message === 'voiced and talking');
    bert.say('#interop', 'voiced and talking');
    await voiced;

    const denied = waitFor(bert, 'irc error', (e) => e.error === 'chanop_privs_needed');
    bert.raw('KICK', '#interop', 'opal', 'coup');
    await denied;

    const kicked = waitFor(bert, 'kick', (e) => e.kicked === 'bert');
    opal.raw('KICK', '#interop', 'bert', 'bye bert');
    const k = await kicked;
    assert.equal(k.nick, 'opal');
    assert.equal(k.message, 'bye bert');
    assert.equal(service.findRoom('#interop')?.size, 1);

    const quitSeen = waitFor(opal, 'quit', (e) => e.nick === 'bert');
    bert.join('#interop');
    await waitFor(opal, 'join', (e) => e.nick === 'bert');
    bert.quit('done');
    assert.equal((await quitSeen).message, 'Quit: done');
  });
});
