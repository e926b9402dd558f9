/**
 * Interop: irssi (Debian package irssi), a terminal IRC client nobody here wrote, driven inside tmux
 * (Debian package tmux) on a private socket, against Torsion's IRC server on 127.0.0.1. The other side
 * of the conversation is a user of the words service itself, so this also shows a message crossing
 * from one front door to another.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { reactor, type IPv4Address } from '../../internet/index.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { eventually, requirePeer } from '../../testing/index.js';
import { createWordsService, type WordsService } from '../index.js';
import { RecordingClient } from '../test-support/recording-client.js';
import { IRCServerFactory } from './index.js';

const run = promisify(execFile);
/** irssi redraws its screen when it likes: poll it gently, for a while. */
const SCREEN = { timeout: 90, interval: 0.2 };

describe('irssi (in tmux) against the Torsion IRC server', () => {
  let irssi: string;
  let tmux: string;
  let home: string;
  let service: WordsService;
  let port: IListeningPort;
  const socket = `torsion-irssi-${process.pid}`;
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, HOME: home, TERM: 'xterm', LANG: 'C.UTF-8', TMUX: '' });
  const tmuxRun = (...args: string[]) => run(tmux, ['-L', socket, ...args], { env: env() });
  const screen = async (): Promise<string> => (await tmuxRun('capture-pane', '-p', '-t', 'irssi', '-S', '-200')).stdout;
  const type = async (text: string): Promise<void> => {
    await tmuxRun('send-keys', '-t', 'irssi', '-l', text);
    await tmuxRun('send-keys', '-t', 'irssi', 'Enter');
  };

  before(async () => {
    irssi = requirePeer('irssi', 'irssi');
    tmux = requirePeer('tmux', 'tmux');
    home = mkdtempSync(join(tmpdir(), 'torsion-irssi-'));
    service = createWordsService({ name: 'irc.irssi.test' });
    await service.start();
    port = reactor.listenTCP(0, new IRCServerFactory(service), { interface: '127.0.0.1' });
  });

  after(async () => {
    await tmuxRun('kill-server').catch(() => undefined);
    await port.stopListening();
    await service.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('irssi registers, joins, and messages go both ways', async () => {
    const portNumber = (port.getHost() as IPv4Address).port;
    const command = `${irssi} --home=${join(home, 'irssi')} -n tmuxer -c 127.0.0.1 -p ${portNumber}`;
    await tmuxRun('-f', '/dev/null', 'new-session', '-d', '-s', 'irssi', '-x', '160', '-y', '48', command);

    const user = await eventually(() => service.findUser('tmuxer'), { ...SCREEN, message: 'irssi to register as tmuxer' });
    assert.equal(user.host, '127.0.0.1');

    await type('/join #tmux');
    const room = await eventually(() => service.findRoom('#tmux'), { ...SCREEN, message: 'irssi to join #tmux' });
    assert.equal(room.membership(user)?.operator, true);

    const web = new RecordingClient();
    const other = await service.login('webby', { client: web });
    other.join('#tmux');
    await eventually(async () => (await screen()).includes('webby'), { ...SCREEN, message: 'irssi to show webby joining' });
    other.send('#tmux', 'hello irssi, from the service');
    await eventually(async () => (await screen()).includes('hello irssi, from the service'), { ...SCREEN, message: 'irssi to show the message' });

    await type('hi webby, irssi here');
    const got = await eventually(() => web.messages.find((m) => m.text === 'hi webby, irssi here'), { ...SCREEN, message: 'the service user to get the irssi line' });
    assert.equal(got.from, 'tmuxer');
    assert.equal(got.to, '#tmux');

    await type('/msg webby private word');
    await eventually(() => web.messages.find((m) => m.text === 'private word' && m.to === 'webby' && m.from === 'tmuxer'), { ...SCREEN, message: 'a private message from irssi' });

    await type('/quit leaving now');
    await eventually(() => web.events.includes('quit tmuxer: Quit: leaving now'), { ...SCREEN, message: 'irssi to quit' });
  });
});
