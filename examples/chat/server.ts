// A line-based chat over TCP: `node -C torsion-source --import tsx examples/chat/server.ts [endpoint]` then `nc 127.0.0.1 8123`.
// The first line you send is your nick; every later line goes to everyone else as "<nick> line".
import { Factory, reactor, serverFromString, type IPv4Address } from 'torsion/internet';
import { LineOnlyReceiver } from 'torsion/protocols';

/** One chatter. Lines arrive without their delimiter; `sendLine` adds it. */
export class Chatter extends LineOnlyReceiver {
  override delimiter = '\n';
  override MAX_LENGTH = 1024;
  declare factory: ChatFactory;
  nick: string | undefined;

  override connectionMade(): void {
    this.sendLine('welcome! what is your nick?');
  }

  override lineReceived(raw: Uint8Array): void {
    const line = Buffer.from(raw).toString('utf8').replace(/\r$/, '');
    if (this.nick === undefined) {
      if (!/^[A-Za-z][\w-]{0,15}$/.test(line) || this.factory.chatters.has(line)) {
        this.sendLine('that nick is taken or invalid; try another');
        return;
      }
      this.nick = line;
      this.factory.chatters.set(line, this);
      this.factory.broadcast(`* ${line} joined`, this);
      this.sendLine(`hello ${line}, ${this.factory.chatters.size} here`);
      return;
    }
    if (line === '/quit') {
      this.sendLine('bye');
      this.transport.loseConnection();
      return;
    }
    this.factory.broadcast(`<${this.nick}> ${line}`, this);
  }

  override lineLengthExceeded(): void {
    this.sendLine('line too long; goodbye');
    this.transport.loseConnection();
  }

  override connectionLost(reason: Parameters<LineOnlyReceiver['connectionLost']>[0]): void {
    super.connectionLost(reason);
    if (this.nick !== undefined && this.factory.chatters.get(this.nick) === this) {
      this.factory.chatters.delete(this.nick);
      this.factory.broadcast(`* ${this.nick} left`, this);
    }
  }
}

/** The room: who is here, by nick. */
export class ChatFactory extends Factory<Chatter> {
  override protocol = Chatter;
  readonly chatters = new Map<string, Chatter>();

  broadcast(line: string, from: Chatter): void {
    for (const c of this.chatters.values()) if (c !== from) c.sendLine(line);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = await serverFromString(reactor, process.argv[2] ?? 'tcp:8123:interface=127.0.0.1').listen(new ChatFactory());
  const host = port.getHost() as IPv4Address;
  console.log(`chat server on ${host.host}:${host.port}`);
  await reactor.run();
}
