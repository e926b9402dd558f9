/**
 * Bundled for Chromium by the bridge's browser test: an ordinary `LineReceiver` running in the page
 * over `connectWebSocketStream`. The test drives it through `window.pageLines`.
 * @module
 */
import type { Failure } from '../../../defer/index.js';
import type { IPushProducer } from '../../../internet/interfaces.js';
import { decodeUtf8 } from '../../../protocols/bytes.js';
import { LineReceiver } from '../../../protocols/line-receiver.js';
import { connectWebSocketStream, type WebSocketStreamTransport } from '../../../internet/browser/index.js';

class PageLines extends LineReceiver<WebSocketStreamTransport> {
  override MAX_LENGTH = 4 * 1024 * 1024;
  lines: string[] = [];
  lost: string | null = null;

  override lineReceived(line: Uint8Array): void {
    const text = decodeUtf8(line);
    this.lines.push(text.length > 100 ? `${text.slice(0, 10)}... (${text.length})` : text);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lost = reason.value.name;
  }
}

/** Writes `count` lines of `size` bytes as fast as the transport lets it, counting the pauses. */
class LinePump implements IPushProducer {
  pauses = 0;
  sent = 0;
  #paused = false;
  constructor(
    readonly client: PageLines,
    readonly count: number,
    readonly size: number,
  ) {}
  pauseProducing(): void {
    this.pauses++;
    this.#paused = true;
  }
  resumeProducing(): void {
    this.#paused = false;
    this.run();
  }
  stopProducing(): void {
    this.#paused = true;
  }
  run(): void {
    const line = 'z'.repeat(this.size);
    while (!this.#paused && this.sent < this.count) {
      this.sent++;
      this.client.sendLine(line);
    }
    if (this.sent === this.count) this.client.transport.unregisterProducer();
  }
}

let client: PageLines | null = null;
let pump: LinePump | null = null;

const api = {
  async connect(url: string): Promise<void> {
    client = await connectWebSocketStream(url, new PageLines());
  },
  send(line: string): void {
    client!.sendLine(line);
  },
  sendRepeated(char: string, length: number): void {
    client!.sendLine(char.repeat(length));
  },
  pumpLines(count: number, size: number): void {
    pump = new LinePump(client!, count, size);
    client!.transport.registerProducer(pump, true);
    pump.run();
  },
  pumpState: () => ({ pauses: pump?.pauses ?? 0, sent: pump?.sent ?? 0 }),
  lines: (): string[] => client?.lines ?? [],
  lost: (): string | null => client?.lost ?? null,
  close(): void {
    client!.transport.loseConnection();
  },
};

(globalThis as unknown as { pageLines: typeof api }).pageLines = api;
