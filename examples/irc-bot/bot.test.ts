import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reactor } from 'torsion/internet';
import { IRCClient, IRCClientFactory } from 'torsion/irc';
import { Clock, StringTransport, eventually, requirePeer, startPeerProgram, type PeerProgram } from 'torsion/testing';
import { Bot } from './bot.js';

/** A user of the channel that remembers what it saw, as `kind from target: text`. */
class Visitor extends IRCClient {
  seen: string[] = [];
  override privmsg(user: string, channel: string, message: string): void {
    this.seen.push(`privmsg ${user} ${channel}: ${message}`);
  }
  override userQuit(user: string, message: string): void {
    this.seen.push(`quit ${user}: ${message}`);
  }
}

/** A minimal ngircd configuration: loopback only, no lookups, our port. */
function ngircdConfig(port: number): string {
  return [
    '[Global]',
    '  Name = irc.example.test',
    '  Info = Torsion example',
    '  Listen = 127.0.0.1',
    `  Ports = ${port}`,
    // ngircd refuses to keep root: run it as nobody when the tests run as root.
    ...(process.getuid?.() === 0 ? ['  ServerUID = 65534', '  ServerGID = 65534'] : []),
    '[Options]',
    '  PAM = no',
    '  Ident = no',
    '  DNS = no',
    '',
  ].join('\n');
}

describe('examples/irc-bot', { timeout: 240_000 }, () => {
  test('in process: commands are answered where they were asked', () => {
    const bot = new Bot({ nickname: 'me', capabilities: [], floodRate: Infinity, clock: new Clock() }, new Map());
    const transport = new StringTransport();
    bot.makeConnection(transport);
    const feed = (...lines: string[]) => bot.dataReceived(new TextEncoder().encode(lines.map((l) => `${l}\r\n`).join('')));
    const sent = () => {
      const lines = transport.valueString().split('\r\n').filter((l) => l !== '');
      transport.clear();
      return lines;
    };
    feed(':srv 001 me :hi');
    sent();
    feed(':al!a@h PRIVMSG #c :!hello', ':al!a@h PRIVMSG me :!seen al', ':al!a@h JOIN #c');
    assert.deepEqual(sent(), ['PRIVMSG #c :hello, al!', 'PRIVMSG al :al: saying "!hello" in #c', 'PRIVMSG #c :welcome, al!']);
  });

  describe('the bot program against ngircd (Debian package ngircd)', () => {
    let server: PeerProgram;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'torsion-example-ngircd-'));
      const conf = join(dir, 'ngircd.conf');
      server = await startPeerProgram({
        executable: requirePeer('ngircd', 'ngircd'),
        args: (port) => {
          writeFileSync(conf, ngircdConfig(port));
          return ['--nodaemon', '--config', conf];
        },
      });
    });
    after(async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('it joins, greets, answers !hello and !seen, and quits on SIGTERM', { timeout: 200_000 }, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bot.ts', import.meta.url)), '127.0.0.1', String(server.port), '#bots', 'exbot'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const factory = new IRCClientFactory(() => new Visitor({ nickname: 'visitor', clock: reactor }));
      const said = (line: string) => eventually(() => factory.client?.seen.includes(line), { timeout: 60, message: () => `${line}; the visitor saw ${factory.client?.seen.join(' | ')}` });
      try {
        await eventually(() => out.includes('joined #bots'), { timeout: 60, message: () => `the bot to join; it said: ${out}` });
        assert.match(out, /signed on as exbot\njoined #bots/);
        reactor.connectTCP('127.0.0.1', server.port, factory);
        const visitor = await eventually(() => (factory.client?.registered ? factory.client : undefined), {
          timeout: 60,
          message: () => `the visitor to sign on; ngircd said:\n${server.output()}`,
        });
        visitor.join('#bots');
        await said('privmsg exbot!~exbot@127.0.0.1 #bots: welcome, visitor!');
        visitor.msg('#bots', '!hello');
        await said('privmsg exbot!~exbot@127.0.0.1 #bots: hello, visitor!');
        visitor.msg('exbot', '!seen visitor');
        await said('privmsg exbot!~exbot@127.0.0.1 visitor: visitor: saying "!hello" in #bots');
        child.kill('SIGTERM');
        const quit = await eventually(() => visitor.seen.find((e) => e.startsWith('quit exbot:')), { timeout: 60, message: 'the bot to quit' });
        assert.match(quit, /bot stopping/);
        assert.equal(await exited, 0);
      } finally {
        factory.stopTrying();
        if (factory.client?.connected) factory.client.transport.loseConnection();
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  });
});
