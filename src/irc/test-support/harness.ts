/**
 * Drives an `IRCClient` over a `StringTransport` and a `Clock`: feed server lines, read the client's lines.
 * @module
 */
import { StringTransport } from '../../testing/string-transport.js';
import { Clock } from '../../testing/clock.js';
import { IRCClient, type IRCClientOptions } from '../client.js';

export interface Harness<C extends IRCClient> {
  client: C;
  transport: StringTransport;
  clock: Clock;
  /** Feeds server lines (CRLF added). */
  feed(...lines: string[]): void;
  /** The lines the client wrote since the last call. */
  sent(): string[];
}

/** Connects `client` (default: a plain `IRCClient` with no caps and no flood limit) and returns the harness. */
export function harness<C extends IRCClient = IRCClient>(make?: (options: IRCClientOptions) => C, options: IRCClientOptions = {}): Harness<C> {
  const clock = new Clock();
  const opts: IRCClientOptions = { nickname: 'me', capabilities: [], floodRate: Infinity, clock, ...options };
  const client = make ? make(opts) : (new IRCClient(opts) as C);
  const transport = new StringTransport();
  client.makeConnection(transport);
  const enc = new TextEncoder();
  return {
    client,
    transport,
    clock,
    feed: (...lines) => client.dataReceived(enc.encode(lines.map((l) => `${l}\r\n`).join(''))),
    sent: () => {
      const text = transport.valueString();
      transport.clear();
      return text.split('\r\n').filter((l) => l !== '');
    },
  };
}

/** Records every hook call as `name(args)`. */
export class RecordingClient extends IRCClient {
  events: string[] = [];
  #waiters: Array<{ test: (e: string) => boolean; resolve: (e: string) => void }> = [];
  #rec(name: string, ...args: unknown[]): void {
    const event = `${name}(${args.map((a) => JSON.stringify(a)).join(',')})`;
    this.events.push(event);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.test(event)) return true;
      w.resolve(event);
      return false;
    });
  }
  /** Resolves with the first event (already seen or still to come) that starts with `prefix`; rejects after `seconds`. */
  waitFor(prefix: string, seconds = 30): Promise<string> {
    const test = (e: string): boolean => e.startsWith(prefix);
    const seen = this.events.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.nickname}: no event ${prefix} within ${seconds}s; saw ${this.events.join(' ')}`)), seconds * 1000);
      this.#waiters.push({ test, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }
  override signedOn(): void {
    this.#rec('signedOn');
  }
  override joined(channel: string): void {
    this.#rec('joined', channel);
  }
  override left(channel: string): void {
    this.#rec('left', channel);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.#rec('privmsg', user, channel, message);
  }
  override noticed(user: string, channel: string, message: string): void {
    this.#rec('noticed', user, channel, message);
  }
  override action(user: string, channel: string, data: string): void {
    this.#rec('action', user, channel, data);
  }
  override userJoined(user: string, channel: string): void {
    this.#rec('userJoined', user, channel);
  }
  override userLeft(user: string, channel: string, reason?: string): void {
    this.#rec('userLeft', user, channel, reason);
  }
  override userQuit(user: string, msg: string): void {
    this.#rec('userQuit', user, msg);
  }
  override userKicked(kickee: string, channel: string, kicker: string, message: string): void {
    this.#rec('userKicked', kickee, channel, kicker, message);
  }
  override userRenamed(oldname: string, newname: string): void {
    this.#rec('userRenamed', oldname, newname);
  }
  override nickChanged(nick: string): void {
    this.#rec('nickChanged', nick);
  }
  override nickChangeFailed(nick: string, reason: string): void {
    this.#rec('nickChangeFailed', nick, reason);
  }
  override topicUpdated(user: string, channel: string, topic: string): void {
    this.#rec('topicUpdated', user, channel, topic);
  }
  override kickedFrom(channel: string, kicker: string, message: string): void {
    this.#rec('kickedFrom', channel, kicker, message);
  }
  override modeChanged(user: string, channel: string, set: boolean, modes: string, args: Array<string | undefined>): void {
    this.#rec('modeChanged', user, channel, set, modes, args);
  }
  override invited(user: string, channel: string): void {
    this.#rec('invited', user, channel);
  }
  override ctcpQuery(user: string, channel: string, tag: string, data: string): void {
    this.#rec('ctcpQuery', user, channel, tag, data);
  }
  override ctcpReply(user: string, channel: string, tag: string, data: string): void {
    this.#rec('ctcpReply', user, channel, tag, data);
  }
  override pong(user: string, secs: number): void {
    this.#rec('pong', user, secs);
  }
  override saslSucceeded(account: string | undefined): void {
    this.#rec('saslSucceeded', account);
  }
  override saslFailed(reason: string): void {
    this.#rec('saslFailed', reason);
  }
  override serverError(message: string): void {
    this.#rec('serverError', message);
  }
  override receivedMOTD(motd: string[]): void {
    this.#rec('receivedMOTD', motd);
  }
  override irc_unknown(prefix: string | undefined, command: string, params: string[]): void {
    this.#rec('irc_unknown', prefix, command, params);
  }
  /** Returns and clears the events. */
  take(): string[] {
    const e = this.events;
    this.events = [];
    return e;
  }
}

/** A registered `RecordingClient` named `me`, with its registration lines and events cleared. */
export function signedOn(options: IRCClientOptions = {}): Harness<RecordingClient> {
  const h = harness((o) => new RecordingClient(o), options);
  h.feed(':srv 001 me :Welcome to the net me!u@host.example', ':srv 005 me CHANTYPES=#& PREFIX=(qov)~@+ CHANMODES=beI,k,l,imnst :are supported');
  h.sent();
  h.client.take();
  return h;
}
