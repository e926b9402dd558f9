/**
 * A line-based chat protocol: the first line a client sends is its name, every later line goes to everyone
 * else as `<name> text`, and `/quit` leaves. Built on `LineReceiver`, with an idle timeout from `TimeoutMixin`.
 */
import { Factory, type IAddress, type IReactorTime } from 'torsion/internet';
import type { Failure } from 'torsion/defer';
import { LineReceiver, TimeoutMixin, decodeUtf8 } from 'torsion/protocols';

/** One chat client's connection. */
export class ChatProtocol extends TimeoutMixin(LineReceiver) {
  name: string | null = null;
  // Chat lines are short; a peer that sends a 1 MB "line" is dropped long before it costs 1 MB.
  override MAX_LENGTH = 1024;

  constructor(readonly chat: ChatFactory) {
    super();
    this.clock = chat.clock;
  }

  override connectionMade(): void {
    this.setTimeout(this.chat.idleSeconds);
    this.sendLine('Welcome! What is your name?');
  }

  override lineReceived(bytes: Uint8Array): void {
    this.resetTimeout();
    const line = decodeUtf8(bytes).trim();
    if (this.name === null) {
      if (!/^\w{1,20}$/.test(line) || this.chat.names().includes(line)) return this.sendLine('Pick another name (letters and digits, unused).');
      this.name = line;
      this.chat.members.add(this);
      this.sendLine(`Hello ${line}, ${this.chat.members.size - 1} other(s) here.`);
      this.chat.broadcast(`* ${line} joined`, this);
    } else if (line === '/quit') {
      this.sendLine('Bye.');
      this.transport.loseConnection();
    } else if (line !== '') {
      this.chat.broadcast(`<${this.name}> ${line}`, this);
    }
  }

  override lineLengthExceeded(): void {
    this.sendLine('Line too long, goodbye.');
    super.lineLengthExceeded(new Uint8Array(0));
  }

  override timeoutConnection(): void {
    this.sendLine('Idle too long, goodbye.');
    super.timeoutConnection();
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (this.name !== null && this.chat.members.delete(this)) this.chat.broadcast(`* ${this.name} left`, this);
  }
}

/** The chat room: builds a `ChatProtocol` per connection and relays lines between them. */
export class ChatFactory extends Factory<ChatProtocol> {
  readonly members = new Set<ChatProtocol>();

  /**
   * @param clock where idle time is measured: the reactor, or a test `Clock`
   * @param idleSeconds how long a silent client may stay
   */
  constructor(
    readonly clock: IReactorTime,
    readonly idleSeconds = 300,
  ) {
    super();
  }

  override buildProtocol(_addr: IAddress): ChatProtocol {
    return new ChatProtocol(this);
  }

  /** The names in use. */
  names(): string[] {
    return [...this.members].map((m) => m.name ?? '');
  }

  /** Sends `line` to every member but `from`. */
  broadcast(line: string, from: ChatProtocol): void {
    for (const m of this.members) if (m !== from) m.sendLine(line);
  }
}
