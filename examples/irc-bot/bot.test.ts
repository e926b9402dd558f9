import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reactor } from '../../src/internet/index.js';
import { IRCClientFactory } from '../../src/irc/index.js';
import { RecordingClient, harness } from '../../src/irc/test-support/harness.js';
import { startNgircd, type NgircdServer } from '../../src/irc/test-support/ngircd.js';
import { Bot } from './bot.js';

describe('examples/irc-bot', { timeout: 240_000 }, () => {
  test('in process: commands are answered where they were asked', () => {
    const h = harness((options) => new Bot(options, new Map()));
    h.feed(':srv 001 me :hi');
    h.sent();
    h.feed(':al!a@h PRIVMSG #c :!hello', ':al!a@h PRIVMSG me :!seen al', ':al!a@h JOIN #c');
    assert.deepEqual(h.sent(), ['PRIVMSG #c :hello, al!', 'PRIVMSG al :al: saying "!hello" in #c', 'PRIVMSG #c :welcome, al!']);
  });

  describe('the bot program against ngircd (Debian package ngircd)', () => {
    let server: NgircdServer;
    before(async () => {
      server = await startNgircd();
    });
    after(async () => {
      await server?.stop();
    });

    test('it joins, greets, answers !hello and !seen, and quits on SIGTERM', { timeout: 200_000 }, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bot.ts', import.meta.url)), '127.0.0.1', String(server.port), '#bots', 'exbot'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const factory = new IRCClientFactory(() => new RecordingClient({ nickname: 'visitor', clock: reactor }));
      try {
        for (let i = 0; i < 1200 && !out.includes('joined #bots'); i++) await new Promise((r) => setTimeout(r, 50));
        assert.match(out, /signed on as exbot\njoined #bots/);
        reactor.connectTCP('127.0.0.1', server.port, factory);
        for (let i = 0; i < 900 && !factory.client?.registered; i++) await new Promise((r) => setTimeout(r, 50));
        const visitor = factory.client;
        assert.ok(visitor?.registered, `visitor did not sign on; ngircd log:\n${server.log()}`);
        visitor.join('#bots');
        await visitor.waitFor('privmsg("exbot!~exbot@127.0.0.1","#bots","welcome, visitor!")');
        visitor.msg('#bots', '!hello');
        await visitor.waitFor('privmsg("exbot!~exbot@127.0.0.1","#bots","hello, visitor!")');
        visitor.msg('exbot', '!seen visitor');
        await visitor.waitFor('privmsg("exbot!~exbot@127.0.0.1","visitor","visitor: saying \\"!hello\\" in #bots")');
        child.kill('SIGTERM');
        assert.match(await visitor.waitFor('userQuit("exbot",'), /bot stopping/);
        assert.equal(await exited, 0);
      } finally {
        factory.stopTrying();
        if (factory.client?.connected) factory.client.transport.loseConnection();
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  });
});
