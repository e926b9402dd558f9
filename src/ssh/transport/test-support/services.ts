/**
 * Services and connections for transport tests.
 * @module
 */
import type { ISSHService, ISSHTransport } from '../../interfaces.js';
import { Clock, connectedServerAndClient, type LoopbackConnection } from '../../../testing/index.js';
import { SSHClientTransport, type SSHClientTransportOptions } from '../client.js';
import { SSHServerTransport, type SSHServerTransportOptions } from '../server.js';
import { testSigningKey } from './host-keys.js';

/** A service that records what it is given, and can echo packets back. */
export class RecordingService implements ISSHService {
  readonly received: Uint8Array[] = [];
  transport: ISSHTransport | undefined;
  stopped: Error | undefined;
  constructor(
    readonly name: string,
    readonly echo = false,
  ) {}
  serviceStarted(transport: ISSHTransport): void {
    this.transport = transport;
  }
  packetReceived(payload: Uint8Array): void {
    this.received.push(payload);
    if (this.echo) this.transport!.sendPacket(payload);
  }
  serviceStopped(reason: Error): void {
    this.stopped = reason;
  }
}

/** A client and a server transport wired in memory, with their services. */
export interface TransportPair extends LoopbackConnection<SSHServerTransport, SSHClientTransport> {
  clock: Clock;
  /** The services the server made, in order. */
  serverServices: RecordingService[];
}

/** A client and server over an in-memory loopback; the server offers an echoing `test-echo` service. */
export function transportPair(options: { client?: SSHClientTransportOptions; server?: Partial<SSHServerTransportOptions>; chunkSize?: number; greet?: boolean } = {}): TransportPair {
  const clock = new Clock();
  const serverServices: RecordingService[] = [];
  const server = new SSHServerTransport({
    clock,
    hostKeys: [testSigningKey('ed25519')],
    services: {
      'test-echo': () => {
        const s = new RecordingService('test-echo', true);
        serverServices.push(s);
        return s;
      },
    },
    ...options.server,
  });
  const client = new SSHClientTransport({ clock, verifyHostKey: () => true, ...options.client });
  const connection = connectedServerAndClient(server, client, { clock, chunkSize: options.chunkSize, greet: options.greet });
  return { ...connection, clock, serverServices };
}
