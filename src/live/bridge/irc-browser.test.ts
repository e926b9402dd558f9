/**
 * Torsion's `IRCClient` in Chromium, over `connectWebSocketStream` and the allow-listed bridge, against
 * Torsion's IRC server on 127.0.0.1, in one channel with a second `IRCClient` running in Node.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Failure } from '../../defer/index.js';
import { connectProtocol, TCPClientEndpoint } from '../../internet/endpoints/stream-endpoints.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { reactor } from '../../internet/reactor.js';
import { IRCClient } from '../../irc/client.js';
import { IRCServerFactory } from '../../words/irc/index.js';
import { launchChromium } from '../../testing/chromium.js';
import { createWordsService, type WordsService } from '../../words/index.js';
import { allowTCPDestinations, WebSocketBridgeResource } from './resource.js';
import { servePage } from './test-support/page-site.js';

type PageIRCApi = {
  connect(url: string, nickname: string): Promise<void>;
  join(channel: string): void;
  say(channel: string, text: string): void;
  quit(message: string): void;
  events(): string[];
};
declare const pageIRC: PageIRCApi;

/** The Node-side client: records its hooks and lets the test wait for one. */
class NodeIRC extends IRCClient {
  events: string[] = [];
  #waiters: { match: string; resolve: () => void }[] = [];
  #record(event: string): void {
    this.events.push(event);
    this.#waiters = this.#waiters.filter((w) => !(event === w.match && (w.resolve(), true)));
  }
  until(event: string): Promise<void> {
    if (this.events.includes(event)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ match: event, resolve }));
  }
  override signedOn(): void {
    this.#record('signedOn');
  }
  override joined(channel: string): void {
    this.#record(`joined:${channel}`);
  }
  override userJoined(user: string, channel: string): void {
    this.#record(`userJoined:${user.split('!')[0]}:${channel}`);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.#record(`privmsg:${user.split('!')[0]}:${channel}:${message}`);
  }
  override userQuit(user: string, message: string): void {
    this.#record(`userQuit:${user.split('!')[0]}:${message}`);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#record('lost');
  }
}

let service: WordsService;
let irc: IListeningPort;
let web: IListeningPort;
let browser: Browser;
let origin: string;
let ircPort: number;

before(async () => {
  service = createWordsService({ scrypt: { N: 1024, r: 8, p: 1 }, name: 'irc.page' });
  await service.start();
  irc = reactor.listenTCP(0, new IRCServerFactory(service, { motd: ['in the page'] }), { interface: '127.0.0.1' });
  ircPort = (irc.getHost() as unknown as { port: number }).port;
  ({ web, origin } = await servePage(new URL('./test-support/page-irc.ts', import.meta.url), 'irc', 'irc', new WebSocketBridgeResource(allowTCPDestinations(reactor, [`127.0.0.1:${ircPort}`]))));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await web?.stopListening();
  await irc?.stopListening();
  await service?.stop();
});

test('IRCClient in the page joins a channel and exchanges messages with an IRCClient in Node', async () => {
  const node = new NodeIRC({ nickname: 'nodeside', clock: reactor });
  await connectProtocol(new TCPClientEndpoint(reactor, '127.0.0.1', ircPort), node);
  await node.until('signedOn');
  node.join('#torsion');
  await node.until('joined:#torsion');

  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof (globalThis as { pageIRC?: unknown }).pageIRC === 'object');
    await page.evaluate(([url, nick]) => pageIRC.connect(url!, nick!), [`${origin.replace('http', 'ws')}/irc?to=127.0.0.1:${ircPort}`, 'pageside']);
    await page.waitForFunction(() => pageIRC.events().includes('signedOn'), undefined, { timeout: 60_000 });
    await page.evaluate(() => pageIRC.join('#torsion'));
    await page.waitForFunction(() => pageIRC.events().includes('joined:#torsion'), undefined, { timeout: 60_000 });
    await node.until('userJoined:pageside:#torsion');

    await page.evaluate(() => pageIRC.say('#torsion', 'hello from the page \u2615'));
    await node.until('privmsg:pageside:#torsion:hello from the page \u2615');
    node.say('#torsion', 'hello from node');
    await page.waitForFunction(() => pageIRC.events().includes('privmsg:nodeside:#torsion:hello from node'), undefined, { timeout: 60_000 });

    await page.evaluate(() => pageIRC.quit('leaving the page'));
    await node.until('userQuit:pageside:Quit: leaving the page');
    await page.waitForFunction(() => pageIRC.events().some((e) => e.startsWith('lost:')), undefined, { timeout: 60_000 });
    assert.equal((await page.evaluate(() => pageIRC.events())).at(-1), 'lost:ConnectionDone');
  } finally {
    await page.close();
    node.quit('done');
    await node.until('lost');
  }
});
