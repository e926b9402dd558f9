/**
 * A TCP line server for the bridge tests and the browser-lines example: it answers each line with
 * `echo: <line>`, `big <n>` with a line of n `x`s, and `quit` by closing. It records what it saw.
 * @module
 */
import type { Failure } from '../../../defer/index.js';
import { Factory } from '../../../internet/protocol.js';
import type { IListeningPort } from '../../../internet/interfaces.js';
import { reactor } from '../../../internet/reactor.js';
import { LineReceiver } from '../../../protocols/line-receiver.js';
import { decodeUtf8 } from '../../../protocols/bytes.js';

/** One connection's side of the line server. */
export class LineServer extends LineReceiver {
  override MAX_LENGTH = 4 * 1024 * 1024;
  declare factory: LineServerFactory;

  override connectionMade(): void {
    this.factory.connections.push(this);
  }

  override lineReceived(bytes: Uint8Array): void {
    const line = decodeUtf8(bytes);
    this.factory.lines.push(line.length > 100 ? `${line.slice(0, 20)}... (${line.length})` : line);
    if (line === 'quit') this.transport.loseConnection();
    else if (line.startsWith('big ')) this.sendLine('x'.repeat(Number(line.slice(4))));
    else this.sendLine(`echo: ${line.length > 100 ? `${line.length} bytes` : line}`);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.factory.lost.push(reason);
    this.factory.onLost?.(reason);
  }
}

/** Builds {@link LineServer}s and keeps what they saw. */
export class LineServerFactory extends Factory<LineServer> {
  override protocol = LineServer;
  connections: LineServer[] = [];
  lines: string[] = [];
  lost: Failure[] = [];
  onLost: ((reason: Failure) => void) | null = null;

  /** Resolves at the next connection loss. */
  nextLoss(): Promise<Failure> {
    return new Promise((resolve) => (this.onLost = resolve));
  }
}

/** Listens on 127.0.0.1, an ephemeral port. */
export function listenLines(factory = new LineServerFactory()): { port: IListeningPort; number: number; factory: LineServerFactory } {
  const port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  return { port, number: (port.getHost() as unknown as { port: number }).port, factory };
}
