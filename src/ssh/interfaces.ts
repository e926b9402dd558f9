/**
 * The seams between the layers of SSH (RFC 4251): the transport layer (keys, encryption, packets) below,
 * the services it carries (`ssh-userauth`, `ssh-connection`) above, and the keys both sides sign with.
 * Type-only, so each layer can be built and tested against the others' interfaces alone.
 * @module
 */
import type { SSHPublicKey } from '../cred/index.js';

/** A key that can sign: a server's host key, or a client's user key (an agent-held key too). */
export interface ISSHSigningKey {
  /** The public half, in SSH wire form through {@link SSHPublicKey}. */
  readonly publicKey: SSHPublicKey;
  /**
   * Signs `data` with the signature algorithm `algorithm` (e.g. `rsa-sha2-512` for an RSA key) and
   * returns the SSH signature blob (`string algorithm, string signature`). May be asynchronous (an agent).
   */
  sign(algorithm: string, data: Uint8Array): Uint8Array | PromiseLike<Uint8Array>;
}

/** What the transport layer gives the service running on it, once the first key exchange is done. */
export interface ISSHTransport {
  /** True on the client side of the connection. */
  readonly isClient: boolean;
  /** The exchange hash of the first key exchange (RFC 4253 section 7.2): user authentication signs it. */
  readonly sessionId: Uint8Array;
  /** The peer's ext-info `server-sig-algs` (RFC 8308), when the peer sent one. */
  readonly serverSigAlgs: readonly string[] | undefined;
  /** The server's host key, as verified by the client (client side only). */
  readonly peerHostKey: SSHPublicKey | undefined;
  /** `host:port` of the peer, for logs and for `from=` options of authorized keys. */
  readonly peerAddress: { host: string; port: number } | undefined;
  /**
   * Sends one packet; `payload` starts with its message number. The transport encrypts it, and holds
   * it back while a re-key is under way (RFC 4253 section 9), sending it in order afterwards.
   */
  sendPacket(payload: Uint8Array): void;
  /**
   * Sends one packet whose payload is `head` followed by `body` (a message's fields, then its bulk data),
   * as `sendPacket` of the two joined, without joining them where the transport can.
   */
  sendPacketParts?(head: Uint8Array, body: Uint8Array): void;
  /**
   * Runs `fn`; the packets it sends leave in one write (one `writev` for a burst of channel data instead
   * of a system call per packet), in order, when it returns.
   */
  batchWrites?(fn: () => void): void;
  /** Starts `service` (after SERVICE_ACCEPT on the client, or in place of the current one): every later packet numbered 50 and up goes to it. */
  setService(service: ISSHService): void;
  /** Tells the transport that user authentication succeeded: delayed compression (`zlib@openssh.com`) starts now. */
  authenticationSucceeded(): void;
  /** Sends SSH_MSG_DISCONNECT with `reasonCode` (RFC 4250 section 4.2.2) and closes the connection. */
  sendDisconnect(reasonCode: number, description: string): void;
}

/** A service carried by the transport layer: `ssh-userauth` or `ssh-connection` (Twisted's `SSHService`). */
export interface ISSHService {
  /** The name asked for in SERVICE_REQUEST. */
  readonly name: string;
  /** The service starts: from now on the transport delivers its packets. */
  serviceStarted(transport: ISSHTransport): void;
  /** One packet with message number 50 or higher; `payload[0]` is the number. */
  packetReceived(payload: Uint8Array): void;
  /** The connection ended (or the service was replaced); release everything. */
  serviceStopped(reason: Error): void;
}
