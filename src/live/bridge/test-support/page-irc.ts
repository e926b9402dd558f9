/**
 * Bundled for Chromium by the bridge's IRC test: Torsion's own `IRCClient`, unchanged, running in the page
 * over `connectWebSocketStream` and the bridge. The test drives it through `window.pageIRC`.
 * @module
 */
import { IRCClient } from '../../../irc/browser.js';
import { browserReactor, connectWebSocketStream } from '../../../internet/browser/index.js';

class PageIRC extends IRCClient {
  events: string[] = [];
  override signedOn(): void {
    this.events.push('signedOn');
  }
  override joined(channel: string): void {
    this.events.push(`joined:${channel}`);
  }
  override userJoined(user: string, channel: string): void {
    this.events.push(`userJoined:${user.split('!')[0]}:${channel}`);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.events.push(`privmsg:${user.split('!')[0]}:${channel}:${message}`);
  }
  override connectionLost(reason: Parameters<IRCClient['connectionLost']>[0]): void {
    super.connectionLost(reason);
    this.events.push(`lost:${reason.value.name}`);
  }
}

let client: PageIRC | null = null;

const api = {
  async connect(url: string, nickname: string): Promise<void> {
    client = await connectWebSocketStream(url, new PageIRC({ nickname, clock: browserReactor() }));
  },
  join(channel: string): void {
    client!.join(channel);
  },
  say(channel: string, text: string): void {
    client!.say(channel, text);
  },
  quit(message: string): void {
    client!.quit(message);
  },
  events: (): string[] => client?.events ?? [],
};

(globalThis as unknown as { pageIRC: typeof api }).pageIRC = api;
