/**
 * The SSH transport layer (RFC 4253) over any `ITransport`: version exchange, binary packets, key exchange
 * and re-keying, strict key exchange (the Terrapin fix), and the dispatch of packets to the service on
 * top. {@link SSHClientTransport} and {@link SSHServerTransport} add each side's half of the key exchange.
 *
 * Call order: `connectionMade` sends the version line and the first KEXINIT; `dataReceived*` drives
 * everything else; once both NEWKEYS have passed, `connectionSecure` runs and queued packets go out;
 * `connectionLost` stops the service.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import type { SSHPublicKey } from '../../cred/index.js';
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';
import { readIntoBuffer } from '../../internet/capabilities.js';
import { Protocol } from '../../internet/protocol.js';
import { Logger } from '../../logger/index.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { SSHDisconnectError, SSHError, SSHLimitError, SSHProtocolError, SSHTimeoutError, SSHVersionError } from '../errors.js';
import type { ISSHService, ISSHTransport } from '../interfaces.js';
import { DEFAULT_SSH_TRANSPORT_LIMITS, type SSHTransportLimits } from '../limits.js';
import { STRICT_KEX_C, STRICT_KEX_S, negotiate, resolveAlgorithms, type NegotiatedAlgorithms, type SSHAlgorithms } from './algorithms.js';
import { cipherSpec } from './ciphers.js';
import { FIRST_SERVICE_MESSAGE, MSG } from './constants.js';
import { deriveDirectionKeys, kexMethod } from './kex.js';
import { encodeDisconnect, encodeKexInit, encodeUnimplemented, parseDebug, parseDisconnect, parseKexInit, parseUnimplemented, type KexInit } from './messages.js';
import { DelayedCompression } from './compression.js';
import { PacketDecoder, PacketEncoder } from './packet-codec.js';
import { VersionReader } from './version.js';
import { WriteBatch } from './write-batch.js';
import { reasonCodeOf } from './disconnect-reasons.js';
import type { KexRound } from './kex-round.js';

export type { KexRound } from './kex-round.js';
import { randomBytes } from 'node:crypto';

const log = new Logger({ namespace: 'torsion.ssh.transport' });

/** Options both sides take. */
export interface SSHTransportOptions {
  /** Where timers run (version and key exchange timeouts, re-keying by time); the default reactor if left out. */
  clock?: IReactorTime;
  /** Algorithms offered, in preference order, over {@link DEFAULT_ALGORITHMS}; legacy names must be listed to be used. */
  algorithms?: Partial<SSHAlgorithms>;
  /** Limits over {@link DEFAULT_SSH_TRANSPORT_LIMITS}. */
  limits?: Partial<SSHTransportLimits>;
  /** The software part of the version line (default `Torsion_1.0`): printable ASCII, no spaces or `-`. */
  softwareVersion?: string;
  /** Offer strict key exchange (`kex-strict-*-v00@openssh.com`, the Terrapin fix); default true. */
  strictKex?: boolean;
}

/** Marks where in the re-key queue delayed compression starts. */
const START_COMPRESSION = Symbol('start compression');

/** Cancels `timer` unless it already ran or was cancelled. */
function stopTimer(timer: IDelayedCall | undefined): void {
  if (timer?.active()) timer.cancel();
}

/**
 * The transport layer, shared by both sides. Not used directly: see {@link SSHClientTransport} and
 * {@link SSHServerTransport}.
 */
export abstract class SSHTransportProtocol extends Protocol implements ISSHTransport {
  abstract readonly isClient: boolean;
  /** The limits in force. */
  readonly limits: SSHTransportLimits;
  /** The algorithms offered. */
  readonly algorithms: SSHAlgorithms;
  /** Our version line, without CR LF. */
  readonly ourVersion: string;
  /** The peer's version line, once received. */
  peerVersion: string | undefined;
  /** What the latest key exchange settled on. */
  negotiated: NegotiatedAlgorithms | undefined;
  /** True once both sides agreed on strict key exchange (sequence numbers restart at every NEWKEYS). */
  strictKex = false;
  /** Key exchanges completed on this connection, the first included. */
  keyExchanges = 0;
  /** The service packets 50 and up go to. */
  service: ISSHService | undefined;
  /** Why the connection ended, once it has. */
  closeReason: Error | undefined;
  serverSigAlgs: readonly string[] | undefined;
  peerHostKey: SSHPublicKey | undefined;
  protected readonly clock: IReactorTime;
  protected readonly encoder = new PacketEncoder();
  protected readonly decoder: PacketDecoder;
  /** Whether this side offers strict key exchange. */
  protected readonly offerStrictKex: boolean;
  #version: VersionReader | undefined;
  #versionTimer: IDelayedCall | undefined;
  #rekeyTimer: IDelayedCall | undefined;
  #round: KexRound | undefined;
  #sessionId: Uint8Array | undefined;
  #queue: (Uint8Array | typeof START_COMPRESSION)[] = [];
  #authenticated = false;
  /** The re-key timer ran before authentication: re-key once it succeeds. */
  #rekeyDue = false;
  readonly #compression: DelayedCompression;
  #queuedBytes = 0;
  #held = 0;
  readonly #batch = new WriteBatch(() => this.transport);
  #processing = false;
  #closed = false;
  #shutDownDone = false;
  #secureWaiters: Deferred<void>[] = [];
  #closedWaiters: Deferred<void>[] = [];
  #connectionGone = false;
  #secureDone = false;

  constructor(options: SSHTransportOptions = {}) {
    super();
    this.clock = options.clock ?? defaultReactor();
    this.limits = { ...DEFAULT_SSH_TRANSPORT_LIMITS, ...options.limits };
    this.algorithms = resolveAlgorithms(options.algorithms);
    const software = options.softwareVersion ?? 'Torsion_1.0';
    // RFC 4253 §4.2: printable ASCII without spaces or minus signs; the line stays within 255 bytes.
    if (!/^[\x21-\x2c\x2e-\x7e]{1,200}$/.test(software)) throw new RangeError(`not a valid SSH software version: ${JSON.stringify(software)}`);
    this.ourVersion = `SSH-2.0-${software}`;
    this.offerStrictKex = options.strictKex ?? true;
    this.decoder = new PacketDecoder(this.limits);
    this.#compression = new DelayedCompression(this.encoder, this.decoder);
  }

  /** The exchange hash of the first key exchange; throws before it is done. */
  get sessionId(): Uint8Array {
    if (this.#sessionId === undefined) throw new SSHError('no session id before the first key exchange');
    return this.#sessionId;
  }

  get peerAddress(): { host: string; port: number } | undefined {
    const peer = this.transport?.getPeer() as { host?: unknown; port?: unknown } | undefined;
    return typeof peer?.host === 'string' && typeof peer.port === 'number' ? { host: peer.host, port: peer.port } : undefined;
  }

  /** Whether packets are being compressed (`out`) and decompressed (`in`) now. */
  get compressing(): { in: boolean; out: boolean } {
    return { in: this.decoder.decompressor !== undefined, out: this.encoder.compressor !== undefined };
  }

  /** True while a key exchange is under way. */
  get rekeying(): boolean {
    return this.#round !== undefined;
  }

  /** A Deferred that fires once the first key exchange is done (or fails if the connection ends first). */
  whenSecure(): Deferred<void> {
    if (this.#secureDone) return Deferred.succeed<void>(undefined);
    const d = new Deferred<void>();
    if (this.closeReason !== undefined) d.errback(this.closeReason);
    else this.#secureWaiters.push(d);
    return d;
  }

  /** A Deferred that fires once the underlying connection is gone (whatever ended it). */
  whenClosed(): Deferred<void> {
    if (this.#connectionGone) return Deferred.succeed<void>(undefined);
    const d = new Deferred<void>();
    this.#closedWaiters.push(d);
    return d;
  }

  override connectionMade(): void {
    // One reused read buffer instead of a fresh one per read: the decoder copies out what it keeps.
    if (this.limits.readBufferSize > 0) readIntoBuffer(this.transport, Buffer.allocUnsafe(this.limits.readBufferSize));
    this.#version = new VersionReader(this.isClient, this.limits);
    this.#versionTimer = this.clock.callLater(this.limits.versionTimeout, () => this.#fail(new SSHTimeoutError(`no version line within ${this.limits.versionTimeout} s`)));
    this.transport.write(`${this.ourVersion}\r\n`);
    this.#startKex();
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#closed) return;
    try {
      if (this.#version !== undefined) {
        const result = this.#version.feed(data);
        if (result === null) return;
        if (this.#version.bannerLines.length > 0) this.bannerReceived(this.#version.bannerLines);
        this.#version = undefined;
        stopTimer(this.#versionTimer);
        this.peerVersion = result.version;
        data = result.rest;
      }
      this.decoder.feed(data);
      if (this.#held > 0 && this.decoder.buffered > this.limits.maxHeldInputBytes) throw new SSHLimitError(`over ${this.limits.maxHeldInputBytes} bytes received while input was held`);
      // What the packets read here make this side send (data a WINDOW_ADJUST let go, replies) leaves in one write.
      this.batchWrites(() => this.#processInput());
      // What is left unread is copied out of `data`, which the caller may reuse once this returns.
      this.decoder.retain();
    } catch (e) {
      this.#fail(e);
    }
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const error = this.closeReason ?? (reason.value instanceof Error ? reason.value : new SSHError(String(reason.value)));
    this.#shutDown(error);
    this.#connectionGone = true;
    for (const d of this.#closedWaiters.splice(0)) d.callback(undefined);
  }

  // ---------------------------------------------------------------- ISSHTransport

  sendPacket(payload: Uint8Array): void {
    if (payload.length === 0 || (payload[0]! >= MSG.KEXINIT && payload[0]! < FIRST_SERVICE_MESSAGE)) {
      throw new RangeError(`sendPacket cannot send message ${payload[0]}: key exchange messages belong to the transport`);
    }
    if (this.#closed) return;
    if (!this.#secureDone || this.#round !== undefined) {
      this.#queuedBytes += payload.length;
      if (this.#queuedBytes > this.limits.maxQueuedBytes) {
        this.#fail(new SSHLimitError(`over ${this.limits.maxQueuedBytes} bytes queued during key exchange`));
        return;
      }
      this.#queue.push(payload);
      return;
    }
    this.writePacket(payload);
  }

  sendPacketParts(head: Uint8Array, body: Uint8Array): void {
    if (this.#closed) return;
    if (!this.#secureDone || this.#round !== undefined || head.length === 0) {
      this.sendPacket(Buffer.concat([head, body]));
      return;
    }
    if (head[0]! < FIRST_SERVICE_MESSAGE) throw new RangeError(`sendPacketParts cannot send message ${head[0]}: it is for service messages`);
    this.#batch.write(this.encoder.encodeParts(head, body));
    this.#checkRekeyVolume();
  }

  batchWrites(fn: () => void): void {
    this.#batch.run(fn);
  }

  setService(service: ISSHService): void {
    const previous = this.service;
    this.service = service;
    previous?.serviceStopped(new SSHError(`replaced by the service ${service.name}`));
    service.serviceStarted(this);
  }

  authenticationSucceeded(): void {
    if (this.#authenticated) return;
    this.#authenticated = true;
    // Packets queued behind a key exchange (USERAUTH_SUCCESS among them) still go out uncompressed, and
    // the peer starts compressing only once it has read that success: both directions wait for the queue.
    if (this.#queue.length > 0) this.#queue.push(START_COMPRESSION);
    else this.#compression.unlock();
    // After compression started: the peer reads everything after the success compressed, KEXINIT too.
    if (this.#rekeyDue) this.rekey();
  }

  sendDisconnect(reasonCode: number, description: string): void {
    if (this.#closed) return;
    this.writePacket(encodeDisconnect({ reasonCode, description }));
    this.#close(new SSHDisconnectError(reasonCode, description, false));
  }

  // ---------------------------------------------------------------- hooks and helpers for the two sides

  /** The first key exchange is done: override to start a service (Twisted's `connectionSecure`). */
  connectionSecure(): void {}

  /** Lines the server sent before its version line (client side; empty on the server). */
  bannerReceived(_lines: readonly string[]): void {}

  /** The peer sent SSH_MSG_DEBUG. */
  debugReceived(message: string, alwaysDisplay: boolean): void {
    log.debug('peer debug message: {message}', { message, alwaysDisplay });
  }

  /** The peer answered our packet number `sequence` with SSH_MSG_UNIMPLEMENTED. */
  unimplementedReceived(sequence: number): void {
    log.debug('peer did not implement our packet {sequence}', { sequence });
  }

  /**
   * Starts a re-key now (RFC 4253 §9); nothing if one is already under way or the first is not done.
   * Re-keys by volume and time start on their own, once the user is authenticated.
   */
  rekey(): void {
    this.#rekeyDue = false;
    if (this.#secureDone && this.#round === undefined && !this.#closed) this.#startKex();
  }

  /** Sends one packet at once, bypassing the re-key queue (transport messages only). */
  protected writePacket(payload: Uint8Array): void {
    if (this.#closed) return;
    this.#batch.write(this.encoder.encode(payload));
    if (payload[0] === MSG.NEWKEYS) {
      const round = this.#round!;
      this.encoder.setKeys(round.outKeys!);
      if (this.strictKex) this.encoder.sequence = 0;
      this.#setCompression('out', round);
      round.sentNewKeys = true;
    }
    this.#checkRekeyVolume();
  }

  /** Stops reading packets (the bytes are buffered, up to `maxHeldInputBytes`) until {@link releaseInput}. */
  protected holdInput(): void {
    this.#held++;
  }

  /** Reads packets again after {@link holdInput}. */
  protected releaseInput(): void {
    if (--this.#held > 0 || this.#closed) return;
    try {
      this.#processInput();
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Closes after an error, telling the peer why when the protocol allows it. */
  protected fail(error: unknown): void {
    this.#fail(error);
  }

  /** The key exchange under way. */
  protected get round(): KexRound | undefined {
    return this.#round;
  }

  /**
   * Sets the session id (first exchange) and derives both directions' keys from the shared secret and the
   * exchange hash (RFC 4253 §7.2).
   */
  protected deriveKeys(round: KexRound, secret: Uint8Array, h: Uint8Array): void {
    this.#sessionId ??= Uint8Array.from(h);
    const { toServer, toClient } = deriveDirectionKeys(round.method!, secret, h, this.#sessionId, round.algorithms!);
    round.outKeys = this.isClient ? toServer : toClient;
    round.inKeys = this.isClient ? toClient : toServer;
  }

  /** The side's half of a key exchange starts: both KEXINITs are known and the algorithms settled. */
  protected abstract kexNegotiated(round: KexRound): void;
  /** A key exchange packet (30 to 49) of the current round. */
  protected abstract kexPacketReceived(round: KexRound, payload: Uint8Array): void;
  /** A transport message only one side handles (SERVICE_REQUEST, SERVICE_ACCEPT, EXT_INFO); false if unexpected. */
  protected abstract sideMessageReceived(payload: Uint8Array): boolean;
  /** Extension pseudo-algorithms this side adds to its first KEXINIT's kex list. */
  protected abstract firstKexExtensions(): string[];
  /** Host key algorithms this side can take part in. */
  protected abstract hostKeyAlgorithms(): readonly string[];
  /** Runs after this side sent NEWKEYS in the first exchange (the server's EXT_INFO goes here). */
  protected afterFirstNewKeys(_round: KexRound): void {}

  // ---------------------------------------------------------------- internals

  #startKex(): void {
    const first = this.#sessionId === undefined;
    const a = this.algorithms;
    const kex = [...a.kex, ...(first ? this.firstKexExtensions() : [])];
    const message: KexInit = {
      cookie: randomBytes(16),
      kex,
      hostKey: this.hostKeyAlgorithms(),
      cipherClientToServer: a.cipher,
      cipherServerToClient: a.cipher,
      macClientToServer: a.mac,
      macServerToClient: a.mac,
      compressionClientToServer: a.compression,
      compressionServerToClient: a.compression,
      languagesClientToServer: [],
      languagesServerToClient: [],
      firstKexPacketFollows: false,
    };
    const ours = encodeKexInit(message);
    const timer = this.clock.callLater(this.limits.kexTimeout, () => this.#fail(new SSHTimeoutError(`key exchange not done within ${this.limits.kexTimeout} s`)));
    stopTimer(this.#rekeyTimer);
    this.#rekeyTimer = undefined;
    this.#round = { first, ours, sentNewKeys: false, receivedNewKeys: false, ignoreNextKexPacket: false, timer };
    this.writePacket(ours);
  }

  #processInput(): void {
    if (this.#processing) return;
    this.#processing = true;
    try {
      while (this.#held === 0 && !this.#closed) {
        const sequence = this.decoder.sequence;
        const payload = this.decoder.next();
        if (payload === null) break;
        this.#packetReceived(payload, sequence);
      }
    } finally {
      this.#processing = false;
    }
    this.#checkRekeyVolume();
  }

  #packetReceived(payload: Uint8Array, sequence: number): void {
    const type = payload[0]!;
    const round = this.#round;
    // During the first exchange under strict kex, anything but the exchange itself is an attack (Terrapin).
    if (this.strictKex && round?.first && (type < MSG.KEXINIT || type >= FIRST_SERVICE_MESSAGE) && type !== MSG.DISCONNECT) {
      throw new SSHProtocolError(`message ${type} during the strict initial key exchange`);
    }
    const peerInKex = round?.peer !== undefined && !round.receivedNewKeys;
    if (peerInKex && type > MSG.DEBUG && (type < MSG.KEXINIT || type >= FIRST_SERVICE_MESSAGE)) {
      throw new SSHProtocolError(`message ${type} during key exchange`);
    }
    switch (type) {
      case MSG.DISCONNECT: {
        const { reasonCode, description } = parseDisconnect(payload);
        this.#close(new SSHDisconnectError(reasonCode, description, true));
        return;
      }
      case MSG.IGNORE:
        return;
      case MSG.DEBUG: {
        const { message, alwaysDisplay } = parseDebug(payload);
        this.debugReceived(message, alwaysDisplay);
        return;
      }
      case MSG.UNIMPLEMENTED:
        this.unimplementedReceived(parseUnimplemented(payload));
        return;
      case MSG.KEXINIT:
        this.#kexInitReceived(payload, sequence);
        return;
      case MSG.NEWKEYS:
        this.#newKeysReceived(payload);
        return;
    }
    if (type >= MSG.KEX_INIT && type < FIRST_SERVICE_MESSAGE) {
      if (round?.algorithms === undefined) throw new SSHProtocolError(`key exchange message ${type} outside a key exchange`);
      if (round.ignoreNextKexPacket) {
        round.ignoreNextKexPacket = false;
        return;
      }
      this.kexPacketReceived(round, payload);
      return;
    }
    if (!this.#secureDone) throw new SSHProtocolError(`message ${type} before the first key exchange is done`);
    if (type >= FIRST_SERVICE_MESSAGE) {
      if (this.service === undefined) throw new SSHProtocolError(`message ${type} with no service running`);
      this.service.packetReceived(payload);
      return;
    }
    if (!this.sideMessageReceived(payload)) this.writePacket(encodeUnimplemented(sequence));
  }

  #kexInitReceived(payload: Uint8Array, sequence: number): void {
    if (this.#round === undefined) this.#startKex();
    const round = this.#round!;
    if (round.peer !== undefined) throw new SSHProtocolError('a second KEXINIT during key exchange');
    const peer = parseKexInit(payload, this.limits);
    round.peer = peer;
    round.theirs = payload;
    const ours = parseKexInit(round.ours, this.limits);
    const [client, server] = this.isClient ? [ours, peer] : [peer, ours];
    if (round.first) {
      this.strictKex = client.kex.includes(STRICT_KEX_C) && server.kex.includes(STRICT_KEX_S);
      if (this.strictKex && sequence !== 0) throw new SSHProtocolError('strict key exchange: KEXINIT was not the first packet');
    }
    const algorithms = negotiate(client, server, (cipher) => (cipherSpec(cipher)?.tagLength ?? 0) > 0);
    round.algorithms = algorithms;
    round.method = kexMethod(algorithms.kex);
    this.negotiated = algorithms;
    if (peer.firstKexPacketFollows) {
      const peerKex = peer.kex[0];
      const peerHostKey = peer.hostKey[0];
      round.ignoreNextKexPacket = peerKex !== algorithms.kex || peerHostKey !== algorithms.hostKey;
    }
    this.kexNegotiated(round);
  }

  #newKeysReceived(payload: Uint8Array): void {
    const round = this.#round;
    if (round?.inKeys === undefined || round.receivedNewKeys) throw new SSHProtocolError('NEWKEYS out of place');
    if (payload.length !== 1) throw new SSHProtocolError('malformed NEWKEYS');
    this.decoder.setKeys(round.inKeys);
    if (this.strictKex) this.decoder.sequence = 0;
    this.#setCompression('in', round);
    round.receivedNewKeys = true;
    this.maybeFinishKex();
  }

  /** Ends the round once both NEWKEYS have passed. Called by the sides after sending theirs. */
  protected maybeFinishKex(): void {
    const round = this.#round;
    if (round === undefined || !round.sentNewKeys || !round.receivedNewKeys) return;
    stopTimer(round.timer);
    this.#round = undefined;
    this.keyExchanges++;
    if (this.limits.rekeyInterval > 0) this.#rekeyTimer = this.clock.callLater(this.limits.rekeyInterval, () => this.#rekeyByTime());
    this.#flushQueue();
    if (round.first) {
      this.#secureDone = true;
      this.connectionSecure();
      const waiters = this.#secureWaiters;
      this.#secureWaiters = [];
      for (const d of waiters) d.callback(undefined);
    }
  }

  /** Sends what was queued during the exchange, until the queue is empty or the volume starts another one. */
  #flushQueue(): void {
    const queue = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    for (let i = 0; i < queue.length; i++) {
      if (this.#round !== undefined || this.#closed) {
        this.#queue = queue.slice(i);
        for (const p of this.#queue) if (p !== START_COMPRESSION) this.#queuedBytes += p.length;
        return;
      }
      const payload = queue[i]!;
      if (payload === START_COMPRESSION) this.#compression.unlock();
      else this.writePacket(payload);
    }
  }

  /** Hands our NEWKEYS to the wire; the side calls this once its half is done. */
  protected sendNewKeys(round: KexRound): void {
    this.writePacket(Uint8Array.of(MSG.NEWKEYS));
    if (round.first) this.afterFirstNewKeys(round);
    this.maybeFinishKex();
  }

  /** New keys bring a fresh compression stream (or none), as OpenSSH starts one at each NEWKEYS. */
  #setCompression(direction: 'in' | 'out', round: KexRound): void {
    const a = round.algorithms!;
    const toServer = (direction === 'out') === this.isClient;
    this.#compression.keysTaken(direction, toServer ? a.compressionClientToServer : a.compressionServerToClient);
  }

  /**
   * Automatic re-keys wait for authentication, as OpenSSH's do: its client refuses KEXINIT while it
   * authenticates.
   */
  #rekeyByTime(): void {
    if (this.#authenticated) this.rekey();
    else this.#rekeyDue = true;
  }

  #checkRekeyVolume(): void {
    if (!this.#secureDone || !this.#authenticated || this.#round !== undefined || this.#closed) return;
    const limit = this.limits.rekeyBytes;
    if (this.encoder.bytesSinceKeys >= limit || this.decoder.bytesSinceKeys >= limit) this.#startKex();
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    const err = error instanceof Error ? error : new SSHError(String(error));
    log.debug('closing the SSH connection: {error}', { error: err.message });
    if (this.peerVersion !== undefined && !(error instanceof SSHVersionError)) {
      try {
        this.writePacket(encodeDisconnect({ reasonCode: reasonCodeOf(error), description: err.message }));
      } catch {
        // The packet could not be sealed (the keys were the problem): close without it.
      }
    }
    this.#close(err);
  }

  #close(reason: Error): void {
    if (this.#closed) return;
    this.closeReason = reason;
    this.#closed = true;
    // Packets gathered so far (a DISCONNECT among them) go out before the connection closes.
    this.#batch.flush();
    this.transport.loseConnection();
    this.#shutDown(reason);
  }

  #shutDown(reason: Error): void {
    this.#closed = true;
    if (this.#shutDownDone) return;
    this.#shutDownDone = true;
    this.closeReason ??= reason;
    stopTimer(this.#versionTimer);
    this.#versionTimer = undefined;
    stopTimer(this.#rekeyTimer);
    this.#rekeyTimer = undefined;
    stopTimer(this.#round?.timer);
    this.#round = undefined;
    this.#queue = [];
    const service = this.service;
    this.service = undefined;
    service?.serviceStopped(this.closeReason);
    const waiters = this.#secureWaiters;
    this.#secureWaiters = [];
    for (const d of waiters) d.errback(this.closeReason);
    this.connectionClosed(this.closeReason);
  }

  /** The connection ended, with why: a hook for the sides (pending requests fail with `reason`). */
  protected connectionClosed(_reason: Error): void {}
}
