/**
 * Every limit of SFTP a peer can push against, with its default, in one place. The server's and the
 * client's options take these as defaults; the codec checks the packet length before allocating.
 * @module
 */

/** The limits of {@link SFTPServer} and {@link SFTPClient}; any may be overridden per connection. */
export interface SFTPLimits {
  /**
   * The longest packet accepted, its 4-byte length prefix excluded. Longer closes the connection before a
   * byte of it is buffered (OpenSSH's `SFTP_MAX_MSG_LENGTH`, 256 KiB).
   */
  readonly maxPacketLength: number;
  /** The most bytes one READ answers with; longer requests are cut to this (OpenSSH: 256 KiB - 1 KiB). */
  readonly maxReadLength: number;
  /** The most bytes one WRITE may carry, as the server tells the client through `limits@openssh.com`. */
  readonly maxWriteLength: number;
  /** File and directory handles one connection may hold open at once; one more OPEN fails with FAILURE. */
  readonly maxOpenHandles: number;
  /** Names one READDIR answer carries at most (OpenSSH sends 100). */
  readonly maxNamesPerReaddir: number;
  /**
   * Bytes of requests the server holds received but not answered yet, each counted with
   * {@link SFTP_REQUEST_OVERHEAD} more for the objects holding it. Above it the server stops reading the
   * transport (when it can be paused) until it catches up; a peer that cannot be paused and sends twice
   * this much is disconnected.
   */
  readonly maxQueuedBytes: number;
  /** Requests the server works on at the same time (READs run side by side; anything else alone). */
  readonly maxConcurrentRequests: number;
  /** Symbolic links followed while resolving one path in the confined filesystem before ELOOP. */
  readonly maxSymlinkFollows: number;
  /**
   * The longest path the confined filesystem resolves, in UTF-16 code units (PATH_MAX is 4096 bytes):
   * each component costs an `lstat`, so a 200 KiB path of `a/a/a/...` is refused (BAD_MESSAGE) instead.
   */
  readonly maxPathLength: number;
  /** Extension pairs kept from INIT/VERSION; more are ignored. */
  readonly maxExtensions: number;
  /** The most bytes `SFTPClient.readFile` gathers into memory; a longer file fails the call. */
  readonly maxReadFileBytes: number;
  /** The most names `SFTPClient.readdir` gathers; a server sending more fails the call. */
  readonly maxReaddirNames: number;
}

/**
 * What one queued request costs beyond its bytes, in the server's count against `maxQueuedBytes`: a flood
 * of 13-byte requests is bounded by the objects it makes, not only by its bytes (4 MiB is then at most
 * about 8,000 requests).
 */
export const SFTP_REQUEST_OVERHEAD = 512;

/** The defaults of {@link SFTPLimits}. */
export const SFTP_LIMITS: SFTPLimits = Object.freeze({
  maxPacketLength: 256 * 1024 + 1024,
  maxReadLength: 255 * 1024,
  maxWriteLength: 255 * 1024,
  maxOpenHandles: 256,
  maxNamesPerReaddir: 100,
  maxQueuedBytes: 4 * 1024 * 1024,
  maxConcurrentRequests: 16,
  maxSymlinkFollows: 32,
  maxPathLength: 4096,
  maxExtensions: 64,
  maxReadFileBytes: 1024 * 1024 * 1024,
  maxReaddirNames: 1_000_000,
});

/**
 * The client's pipelining defaults. OpenSSH's `sftp` keeps 64 requests of 32 KiB in flight; Torsion's
 * client starts from the same and, when the server states its limits (`limits@openssh.com`), uses the
 * largest READs and WRITEs it allows, up to `maxChunkSize`: fewer, larger packets cost less per byte.
 */
export const SFTP_CLIENT_DEFAULTS = Object.freeze({
  /** Bytes per READ of `readFile`/`download` when the server states no limit. */
  readChunkSize: 32 * 1024,
  /** Bytes per WRITE of `writeFile` when the server states no limit. */
  writeChunkSize: 32 * 1024,
  /** The largest READ or WRITE chosen from the server's limits. */
  maxChunkSize: 256 * 1024,
  /** READ or WRITE requests kept in flight at once. */
  maxRequestsInFlight: 64,
});
