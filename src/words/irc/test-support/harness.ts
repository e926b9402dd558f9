/**
 * Drives IRC server connections over `StringTransport`s and a fake `Clock`, for the server's unit tests.
 * @module
 */
import { IPv4Address } from '../../../internet/address.js';
import { Clock, StringTransportWithDisconnection } from '../../../testing/index.js';
import { createWordsService, type WordsService, type WordsServiceOptions } from '../../index.js';
import type { IRCServerProtocol } from '../connection.js';
import { IRCServerFactory } from '../factory.js';
import type { IRCServerOptions } from '../options.js';

/** One fake client connection. */
export class FakeClient {
  constructor(
    readonly proto: IRCServerProtocol,
    readonly transport: StringTransportWithDisconnection,
  ) {}

  /** Sends raw lines (CRLF added). */
  send(...lines: string[]): this {
    this.proto.dataReceived(Buffer.from(lines.map((l) => `${l}\r\n`).join('')));
    return this;
  }

  /** The lines received since the last call, without CRLF. */
  lines(): string[] {
    const text = this.transport.valueString();
    this.transport.clear();
    return text.split('\r\n').filter((l) => l !== '');
  }

  /** The received lines with this command (or numeric) as their command. */
  commands(command: string): string[] {
    return this.lines().filter((l) => l.replace(/^@\S+ /, '').split(' ')[1] === command);
  }

  get closed(): boolean {
    return !this.transport.connected;
  }
}

/** A service, a server factory on a fake clock, and a way to make clients. */
export class Harness {
  readonly clock = new Clock();
  readonly service: WordsService;
  readonly factory: IRCServerFactory;
  #port = 40000;

  constructor(options: IRCServerOptions = {}, serviceOptions: WordsServiceOptions = {}) {
    this.clock.advance(1_800_000_000);
    this.service = createWordsService({ name: 'irc.test', clock: this.clock, scrypt: { N: 1024, r: 8, p: 1 }, ...serviceOptions });
    this.factory = new IRCServerFactory(this.service, { clock: this.clock, motd: ['Hello from the tests'], ...options });
  }

  /** A new connection from `host`, not registered. */
  connect(host = '127.0.0.1'): FakeClient {
    const addr = new IPv4Address('TCP', host, this.#port++);
    const proto = this.factory.buildProtocol(addr);
    const transport = new StringTransportWithDisconnection({ peerAddress: addr, protocol: proto });
    proto.makeConnection(transport);
    return new FakeClient(proto, transport);
  }

  /** A registered connection (the welcome already read). */
  register(nick: string): FakeClient {
    const c = this.connect().send(`NICK ${nick}`, `USER ${nick} 0 * :${nick} Real`);
    const welcome = c.lines();
    if (!welcome.some((l) => l.includes(' 001 '))) throw new Error(`${nick} did not register: ${welcome.join(' | ')}`);
    return c;
  }
}
