// A small IRC bot: `node -C torsion-source --import tsx examples/irc-bot/bot.ts [host] [port] [#channel] [nick]`
// (defaults 127.0.0.1 6667 #torsion torsionbot). It joins the channel (and rejoins after a reconnect),
// greets newcomers, and answers !hello, !time, !seen <nick> and !help. SIGTERM makes it quit cleanly.
import { reactor } from 'torsion/internet';
import { IRCClient, IRCClientFactory, parsePrefix, type IRCClientOptions } from 'torsion/irc';

/** The bot: one instance per connection; `seen` survives reconnects because the factory hands it over. */
export class Bot extends IRCClient {
  constructor(options: IRCClientOptions, readonly seen: Map<string, string>) {
    super(options);
  }

  override signedOn(): void {
    console.log(`signed on as ${this.nickname}`);
  }

  override joined(channel: string): void {
    console.log(`joined ${channel}`);
  }

  override userJoined(nick: string, channel: string): void {
    this.seen.set(this.fold(nick), `joining ${channel}`);
    this.msg(channel, `welcome, ${nick}!`);
  }

  override privmsg(user: string, channel: string, message: string): void {
    const nick = parsePrefix(user).nick;
    // A private message is answered privately, a channel message in the channel.
    const replyTo = this.isMe(channel) ? nick : channel;
    const [command, arg] = message.trim().split(/\s+/, 2);
    switch (command) {
      case '!hello':
        this.msg(replyTo, `hello, ${nick}!`);
        break;
      case '!time':
        this.msg(replyTo, new Date().toISOString());
        break;
      case '!seen':
        this.msg(replyTo, arg ? `${arg}: ${this.seen.get(this.fold(arg)) ?? 'never seen'}` : 'usage: !seen <nick>');
        break;
      case '!help':
        this.notice(nick, 'commands: !hello, !time, !seen <nick>, !help');
        break;
    }
    this.seen.set(this.fold(nick), `saying "${message}" in ${channel}`);
  }

  override action(user: string, channel: string, data: string): void {
    this.seen.set(this.fold(parsePrefix(user).nick), `* ${data} in ${channel}`);
  }
}

/** Connects a bot to `host:port` and keeps it in `channel`; returns the factory (call `stopTrying` to stop). */
export function startBot(host: string, port: number, channel: string, nickname: string): IRCClientFactory<Bot> {
  const seen = new Map<string, string>();
  const factory = new IRCClientFactory(() => new Bot({ nickname, realname: 'Torsion example bot', clock: reactor }, seen), [{ channel }]);
  reactor.connectTCP(host, port, factory);
  return factory;
}

if (import.meta.url === new URL(process.argv[1] ?? '', 'file://').href) {
  const [host = '127.0.0.1', port = '6667', channel = '#torsion', nick = 'torsionbot'] = process.argv.slice(2);
  const factory = startBot(host, Number(port), channel, nick);
  process.once('SIGTERM', () => {
    factory.stopTrying();
    factory.client?.quit('bot stopping');
    reactor.callLater(1, () => process.exit(0));
  });
}
