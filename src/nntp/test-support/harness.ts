// Shared by the NNTP tests: a server protocol on a StringTransport with a fake clock, and a seeded store.
import { Clock, StringTransportWithDisconnection } from '../../testing/index.js';
import { MemoryNewsStorage } from '../memory-storage.js';
import { parseArticle } from '../article.js';
import { NNTPServerFactory, type NNTPServerOptions } from '../server/factory.js';
import type { NNTPServerProtocol } from '../server/protocol.js';
import type { INewsStorage } from '../interfaces.js';

/** Lets promise-based store calls and the server's queue run. */
export async function tick(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A test article as a CRLF wire string. */
export function sampleArticle(id: string, groups = 'local.test', body = 'Hello\r\n', extra: string[] = []): string {
  return [`From: alice@example.org`, `Newsgroups: ${groups}`, `Subject: About ${id}`, `Message-ID: ${id}`, `Date: Sat, 05 Dec 2026 08:00:00 +0000`, `Path: example.org!not-for-mail`, ...extra, '', ''].join('\r\n') + body;
}

/** A store with local.test holding three articles (<a1@x> <a2@x> <a3@x>), and an empty local.misc. */
export async function seededStore(store: INewsStorage = new MemoryNewsStorage()): Promise<INewsStorage> {
  await store.createGroup('local.test', { description: 'Testing', created: 100 });
  await store.createGroup('local.misc', { description: 'Other things', created: 200 });
  for (const n of [1, 2, 3]) {
    const text = sampleArticle(`<a${n}@x>`, 'local.test', n === 2 ? '.dotted line\r\nsecond\r\n' : 'Hello\r\n');
    await store.storeArticle(parseArticle(text, { maxHeaderCount: 100, maxHeaderBytes: 100000 }), text, 1000 + n);
  }
  return store;
}

/** A server connection driven by hand. */
export class ServerHarness {
  readonly clock = new Clock();
  readonly transport = new StringTransportWithDisconnection();
  readonly factory: NNTPServerFactory;
  readonly protocol: NNTPServerProtocol;

  /** `now`: the clock's time when the connection is made. */
  constructor(storage: INewsStorage, options: Partial<NNTPServerOptions> = {}, now = 0) {
    this.clock.advance(now);
    this.factory = new NNTPServerFactory({ storage, clock: this.clock, ...options });
    this.protocol = this.factory.buildProtocol(this.transport.getPeer());
    this.transport.protocol = this.protocol;
    this.protocol.makeConnection(this.transport);
  }

  /** The greeting or whatever is written so far, then cleared. */
  take(): string {
    const out = this.transport.value().toString('latin1');
    this.transport.clear();
    return out;
  }

  /** Sends `text` (CRLF added to a string without a line end) and returns what the server answered. */
  async send(text: string | Uint8Array): Promise<string> {
    this.take();
    const bytes = typeof text === 'string' ? Buffer.from(/\n$/.test(text) ? text : text + '\r\n', 'latin1') : text;
    this.protocol.dataReceived(bytes);
    await tick();
    return this.take();
  }
}

/** A server harness on a freshly seeded memory store, greeting already taken. */
export async function seededServer(options: Partial<NNTPServerOptions> = {}): Promise<ServerHarness> {
  const h = new ServerHarness(await seededStore(), options);
  h.take();
  return h;
}
