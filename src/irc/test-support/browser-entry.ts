/**
 * Runs inside Chromium (bundled by `browser.test.ts`): drives an `IRCClient` from the browser entry over an
 * in-page transport and reports what it wrote and which hooks fired.
 * @module
 */
import { IRCClient } from '../browser.js';
import type { ITransport } from '../../internet/interfaces.js';

class PageClient extends IRCClient {
  events: string[] = [];
  override signedOn(): void {
    this.events.push('signedOn');
  }
  override saslSucceeded(account: string | undefined): void {
    this.events.push(`sasl:${account}`);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.events.push(`privmsg:${user}:${channel}:${message}`);
  }
}

function scenario(): { written: string; events: string[] } {
  let written = '';
  const decoder = new TextDecoder();
  const transport = {
    disconnecting: false,
    write: (data: Uint8Array | string) => (written += typeof data === 'string' ? data : decoder.decode(data)),
    writeSequence: (parts: Array<Uint8Array | string>) => parts.forEach((p) => transport.write(p)),
    loseConnection: () => (transport.disconnecting = true),
    abortConnection: () => (transport.disconnecting = true),
  };
  const client = new PageClient({ nickname: 'web', capabilities: [], sasl: { username: 'web', password: 'pässword' }, floodRate: Infinity });
  client.makeConnection(transport as unknown as ITransport);
  const enc = new TextEncoder();
  const feed = (bytes: Uint8Array): void => {
    for (const b of bytes) client.dataReceived(Uint8Array.of(b));
  };
  feed(enc.encode(':srv CAP * LS :sasl=PLAIN\r\n:srv CAP web ACK :sasl\r\nAUTHENTICATE +\r\n'));
  feed(enc.encode(':srv 900 web web!u@h web :logged in\r\n:srv 903 web :ok\r\n:srv 001 web :Welcome\r\n'));
  feed(enc.encode(':al!a@h PRIVMSG #c :h\u00e9llo \u{1f600}\r\n'));
  feed(Uint8Array.of(...enc.encode(':al!a@h PRIVMSG #c :caf'), 0xe9, 13, 10));
  client.msg('#c', '\u00e9'.repeat(600));
  return { written, events: client.events };
}

(globalThis as { ircScenario?: typeof scenario }).ircScenario = scenario;
