/**
 * Helpers for the client tests: an agent on a `MemoryReactor`, and the server end of its connections.
 * @module
 */
import type { IProtocol } from '../../internet/interfaces.js';
import { MemoryReactor, type StringTransportWithDisconnection } from '../../testing/index.js';
import { Agent, type AgentOptions } from './agent.js';
import { HTTPConnectionPool } from './pool.js';
import type { IBodyProtocol } from './interfaces.js';
import type { Failure } from '../../defer/index.js';

/** The far end of one in-memory client connection. */
export interface FakeServer {
  protocol: IProtocol;
  transport: StringTransportWithDisconnection;
  /** Feeds `text` (latin1) to the client as if the server sent it. */
  send(text: string | Uint8Array): void;
  /** What the client wrote, as latin1. */
  received(): string;
}

/** An agent on a `MemoryReactor` with its own pool. */
export function memoryAgent(persistent = true, options: AgentOptions = {}): { reactor: MemoryReactor; pool: HTTPConnectionPool; agent: Agent } {
  const reactor = new MemoryReactor();
  const pool = options.pool ?? new HTTPConnectionPool(reactor, persistent);
  return { reactor, pool, agent: new Agent(reactor, { ...options, pool }) };
}

/** Completes the `index`-th TCP connection attempt (default the latest) over a `StringTransport`. */
export function accept(reactor: MemoryReactor, index = reactor.tcpClients.length - 1): FakeServer {
  const { protocol, transport } = reactor.tcpClients[index].connector.succeed();
  return {
    protocol,
    transport,
    send: (text) => protocol.dataReceived(typeof text === 'string' ? Buffer.from(text, 'latin1') : text),
    received: () => transport.value().toString('latin1'),
  };
}

/** A body protocol that records what it is given. */
export class BodyRecorder implements IBodyProtocol {
  chunks: Buffer[] = [];
  reason: Failure | null = null;

  dataReceived(data: Uint8Array): void {
    this.chunks.push(Buffer.from(data));
  }

  connectionLost(reason: Failure): void {
    this.reason = reason;
  }

  /** The body so far, as latin1. */
  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}
