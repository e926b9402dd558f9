/**
 * Every limit of `torsion/ssh` a peer can push against, with its default, named once. Durations in
 * seconds, sizes in bytes.
 * @module
 */

/** The limits of the transport layer (RFC 4253). */
export interface SSHTransportLimits {
  /**
   * The largest `packet_length` accepted (RFC 4253 §6.1 asks for at least 35000). A length field over it
   * closes the connection at once, before any of the packet is buffered (OpenSSH uses 256 KiB).
   */
  readonly maxPacketLength: number;
  /** The largest payload after decompression (`zlib@openssh.com`); more closes the connection. */
  readonly maxPayloadLength: number;
  /** The longest version line, CR LF included (RFC 4253 §4.2: 255). */
  readonly maxVersionLineLength: number;
  /** How many lines a server may send before its version line (the client reads them as a banner). */
  readonly maxBannerLines: number;
  /** The longest name-list in KEXINIT or EXT_INFO, in bytes. */
  readonly maxNameListLength: number;
  /** The most extensions in one EXT_INFO message. */
  readonly maxExtensions: number;
  /** Seconds from connecting until the peer's version line must have arrived. */
  readonly versionTimeout: number;
  /** Seconds a key exchange (first or re-key) may take, from KEXINIT to both NEWKEYS. */
  readonly kexTimeout: number;
  /** Bytes sent or received under one set of keys before a re-key is started (RFC 4253 §9: 1 GB). */
  readonly rekeyBytes: number;
  /** Seconds under one set of keys before a re-key is started (RFC 4253 §9: one hour). 0 turns it off. */
  readonly rekeyInterval: number;
  /** Bytes of packets the services may queue while a re-key is under way; more closes the connection. */
  readonly maxQueuedBytes: number;
  /**
   * Bytes buffered from the peer while input is held (the client waiting for its host key verdict, the
   * server for an asynchronous signature); more closes the connection.
   */
  readonly maxHeldInputBytes: number;
  /**
   * Bytes of the one buffer a connection reads the peer's bytes into, reused for every read where the
   * transport can (a TCP socket); 0 takes a fresh buffer per read, Node's default (65536).
   */
  readonly readBufferSize: number;
}

/** The defaults of {@link SSHTransportLimits}. */
export const DEFAULT_SSH_TRANSPORT_LIMITS: SSHTransportLimits = Object.freeze({
  maxPacketLength: 256 * 1024,
  maxPayloadLength: 256 * 1024,
  maxVersionLineLength: 255,
  maxBannerLines: 1024,
  maxNameListLength: 8192,
  maxExtensions: 64,
  versionTimeout: 30,
  kexTimeout: 60,
  rekeyBytes: 1024 * 1024 * 1024,
  rekeyInterval: 3600,
  maxQueuedBytes: 16 * 1024 * 1024,
  maxHeldInputBytes: 1024 * 1024,
  readBufferSize: 65536,
});
