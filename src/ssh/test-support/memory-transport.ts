/**
 * Two `ISSHTransport`s handing payloads to each other's current service, in memory, so the services
 * (`ssh-userauth`, `ssh-connection`) are tested without the transport layer. Not part of the public API.
 * @module
 */
import type { SSHPublicKey } from '../../cred/index.js';
import type { ISSHService, ISSHTransport } from '../interfaces.js';

/** A disconnect as one side sent it. */
export interface MemoryDisconnect {
  reasonCode: number;
  description: string;
}

/**
 * One side. Packets are delivered to the peer's service at once, unless delivery is already under way
 * (then they queue, so a service never runs inside another's `packetReceived`) or `hold` is set (then
 * they wait for `flush()`).
 */
export class MemorySSHTransport implements ISSHTransport {
  peer!: MemorySSHTransport;
  service: ISSHService | undefined;
  /** Every payload this side sent, in order. */
  readonly sent: Uint8Array[] = [];
  /** Payloads waiting for delivery to this side's service. */
  readonly inbox: Uint8Array[] = [];
  /** Set once either side disconnected. */
  disconnected: MemoryDisconnect | undefined;
  /** True once `authenticationSucceeded` was called. */
  authenticated = false;
  /** Hold deliveries to this side until `flush()`. */
  hold = false;
  serverSigAlgs: readonly string[] | undefined = undefined;
  peerHostKey: SSHPublicKey | undefined = undefined;
  peerAddress: { host: string; port: number } | undefined;
  #delivering = false;

  constructor(
    readonly isClient: boolean,
    readonly sessionId: Uint8Array,
  ) {
    this.peerAddress = { host: '127.0.0.1', port: isClient ? 22 : 50022 };
  }

  sendPacket(payload: Uint8Array): void {
    if (this.disconnected !== undefined) return;
    this.sent.push(payload);
    this.peer.receive(Uint8Array.from(payload));
  }

  /** Hands `payload` to this side's service, as if the peer had sent it. */
  receive(payload: Uint8Array): void {
    if (this.disconnected !== undefined) return;
    this.inbox.push(payload);
    if (!this.hold) this.flush();
  }

  /** Delivers what waits in the inbox. */
  flush(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      while (this.inbox.length > 0 && this.disconnected === undefined) {
        const payload = this.inbox.shift()!;
        this.service?.packetReceived(payload);
      }
    } finally {
      this.#delivering = false;
    }
  }

  setService(service: ISSHService): void {
    const old = this.service;
    this.service = service;
    old?.serviceStopped(new Error('service replaced'));
    service.serviceStarted(this);
  }

  authenticationSucceeded(): void {
    this.authenticated = true;
  }

  sendDisconnect(reasonCode: number, description: string): void {
    if (this.disconnected !== undefined) return;
    const reason = { reasonCode, description };
    this.#lose(reason);
    this.peer.#lose(reason);
  }

  #lose(reason: MemoryDisconnect): void {
    if (this.disconnected !== undefined) return;
    this.disconnected = reason;
    this.inbox.length = 0;
    this.service?.serviceStopped(new Error(`disconnected: ${reason.description}`));
  }
}

/** A connected client and server, sharing `sessionId`. */
export function memoryTransportPair(sessionId: Uint8Array = new Uint8Array(32).fill(7)): { client: MemorySSHTransport; server: MemorySSHTransport } {
  const client = new MemorySSHTransport(true, sessionId);
  const server = new MemorySSHTransport(false, sessionId);
  client.peer = server;
  server.peer = client;
  return { client, server };
}
