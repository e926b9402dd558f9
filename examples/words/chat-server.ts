// One chat service, three front doors: an IRC server, the web chat, and a greeter bot written against the
// service's client interface. `node -C torsion-source --import tsx examples/words/chat-server.ts [irc-endpoint] [web-endpoint] [data-dir]`
// then `irssi -c 127.0.0.1 -p 6667` and http://127.0.0.1:8080/ in a browser. (`torsion words` is the same
// thing, ready-made: see src/words/plugin.ts.)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { reactor, serverFromString, type IPv4Address } from 'torsion/internet';
import { IRCServerFactory } from 'torsion/words/irc';
import { Site } from 'torsion/web';
import { createWordsService, DbStore, type ChatUser, type IChatClient, type WordsService } from 'torsion/words';
import { createWebChat } from 'torsion/words/web';

/** A bot is just another front door: it logs in with a client of its own and acts through its `ChatUser`. */
export class Greeter implements IChatClient {
  user: ChatUser | undefined;

  static async start(service: WordsService, nick = 'greeter'): Promise<Greeter> {
    const bot = new Greeter();
    bot.user = await service.login(nick, { client: bot, realname: 'The greeter bot' });
    bot.user.join('#lobby');
    return bot;
  }

  userJoined(room: string, nick: string): void {
    const me = this.user;
    if (!me || nick === me.nick) return;
    // Joins are announced member by member; greeting later lets the newcomer see its own join first.
    reactor.callLater(0, () => {
      if (me.online && me.rooms.size > 0) me.send(room, `Welcome to ${room}, ${nick}!`, { kind: 'notice' });
    });
  }

  receive(): void {}
  userLeft(): void {}
  userQuit(): void {}
  nickChanged(): void {}
  topicChanged(): void {}
  roomChanged(): void {}
  invited(): void {}
  disconnect(): void {
    this.user = undefined;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [irc = 'tcp:6667:interface=127.0.0.1', web = 'tcp:8080:interface=127.0.0.1', data = './var'] = process.argv.slice(2);
  mkdirSync(data, { recursive: true });
  const service = createWordsService({ store: new DbStore({ filename: join(data, 'words.sqlite') }) });
  await service.start();
  await Greeter.start(service);
  const webChat = createWebChat(service);
  const ircPort = await serverFromString(reactor, irc).listen(new IRCServerFactory(service, { motd: ['Hello from examples/words'] }));
  const webPort = await serverFromString(reactor, web).listen(new Site(webChat));
  const i = ircPort.getHost() as IPv4Address;
  const w = webPort.getHost() as IPv4Address;
  console.log(`irc on ${i.host}:${i.port}`);
  console.log(`web on http://${w.host}:${w.port}/`);
  // Ctrl-C or SIGTERM: everyone is told, the history is flushed, the database closed.
  reactor.addSystemEventTrigger('before', 'shutdown', async () => {
    await service.stop('Server shutting down');
    webChat.close();
  });
  await reactor.run();
}
