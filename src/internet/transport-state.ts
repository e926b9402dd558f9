/**
 * The state of a stream transport, shared by the parts of `SocketTransport` (one file each: backpressure,
 * half-close, startTLS, the transport itself). A server holds one transport per connection, so it is kept
 * small: fourteen booleans in one integer, and the state few connections need in an object made on first use.
 * @module
 */
import type { Socket } from 'node:net';
import type { Deferred } from '../defer/index.js';
import type { Data, IProtocol, IPullProducer, IPushProducer } from './interfaces.js';
import type { ReactorResources } from './reactor-resources.js';
import type { AddressPolicy, TransportContext, TransportOwner } from './transport-context.js';

/** The optional hooks of a protocol that the transport calls when present. */
export interface OptionalHooks extends IProtocol {
  readConnectionLost?(): void;
  writeConnectionLost?(): void;
  handshakeCompleted?(): void;
}

/** State few connections ever need (TLS switch-over, errors, shutdown waits, custom water marks). */
export interface Extra {
  highWater?: number;
  lowWater?: number;
  error?: Error;
  preTLS?: Data[] | null;
  closedDeferred?: Deferred<void>;
  producer?: IPushProducer | IPullProducer | null;
  /** How many `cork()` calls are not yet matched by `uncork()`. */
  corks?: number;
  /** Closes a lingering connection whose peer does not close (see `HalfCloseTransport`). */
  linger?: ReturnType<typeof setTimeout>;
}

/**
 * The fields of a `SocketTransport` and named accessors over its packed flags. Plain (protected) fields, not
 * `#private` ones, because the parts that use them live in separate files; the accessors are as cheap as before.
 */
export abstract class TransportState {
  /** The Node socket under it (replaced by a `TLSSocket` after `startTLS`). */
  socket: Socket;
  /** Naming, registry and owner, shared by every connection of a port (one object, not three fields each). */
  readonly context: TransportContext;
  /** @internal the booleans below, one bit each. */
  protected _flags = 0;
  /** @internal rarely used state, allocated on first use. */
  protected _extra: Extra | undefined;

  constructor(socket: Socket, readonly protocol: IProtocol, context: TransportContext) {
    this.socket = socket;
    this.context = context;
  }

  /** How the two ends are named. */
  get addresses(): AddressPolicy {
    return this.context.addresses;
  }

  /** The reactor's registry this connection is in, if any. */
  get resources(): ReactorResources | undefined {
    return this.context.resources;
  }

  /** Told when the connection ends, if anyone. */
  get owner(): TransportOwner | undefined {
    return this.context.owner;
  }

  /** @internal user code threw: log it and drop the connection with that error as the reason. */
  abstract _failed(where: string, error: unknown): void;

  // ------------------------------------------------------------ flags

  protected get _disconnecting(): boolean {
    return (this._flags & 1) !== 0;
  }
  protected set _disconnecting(v: boolean) {
    this._flags = v ? this._flags | 1 : this._flags & ~1;
  }

  protected get _lost(): boolean {
    return (this._flags & 2) !== 0;
  }
  protected set _lost(v: boolean) {
    this._flags = v ? this._flags | 2 : this._flags & ~2;
  }

  protected get _aborted(): boolean {
    return (this._flags & 4) !== 0;
  }
  protected set _aborted(v: boolean) {
    this._flags = v ? this._flags | 4 : this._flags & ~4;
  }

  protected get _ended(): boolean {
    return (this._flags & 8) !== 0;
  }
  protected set _ended(v: boolean) {
    this._flags = v ? this._flags | 8 : this._flags & ~8;
  }

  protected get _readClosed(): boolean {
    return (this._flags & 16) !== 0;
  }
  protected set _readClosed(v: boolean) {
    this._flags = v ? this._flags | 16 : this._flags & ~16;
  }

  protected get _streaming(): boolean {
    return (this._flags & 32) !== 0;
  }
  protected set _streaming(v: boolean) {
    this._flags = v ? this._flags | 32 : this._flags & ~32;
  }

  protected get _producerPaused(): boolean {
    return (this._flags & 64) !== 0;
  }
  protected set _producerPaused(v: boolean) {
    this._flags = v ? this._flags | 64 : this._flags & ~64;
  }

  protected get _pullScheduled(): boolean {
    return (this._flags & 128) !== 0;
  }
  protected set _pullScheduled(v: boolean) {
    this._flags = v ? this._flags | 128 : this._flags & ~128;
  }

  protected get _noDelay(): boolean {
    return (this._flags & 256) !== 0;
  }
  protected set _noDelay(v: boolean) {
    this._flags = v ? this._flags | 256 : this._flags & ~256;
  }

  protected get _keepAlive(): boolean {
    return (this._flags & 512) !== 0;
  }
  protected set _keepAlive(v: boolean) {
    this._flags = v ? this._flags | 512 : this._flags & ~512;
  }

  protected get _finishHooked(): boolean {
    return (this._flags & 1024) !== 0;
  }
  protected set _finishHooked(v: boolean) {
    this._flags = v ? this._flags | 1024 : this._flags & ~1024;
  }

  protected get _drainHooked(): boolean {
    return (this._flags & 2048) !== 0;
  }
  protected set _drainHooked(v: boolean) {
    this._flags = v ? this._flags | 2048 : this._flags & ~2048;
  }

  protected get _waitingForProducer(): boolean {
    return (this._flags & 4096) !== 0;
  }
  protected set _waitingForProducer(v: boolean) {
    this._flags = v ? this._flags | 4096 : this._flags & ~4096;
  }

  /** Reads land in a buffer of the protocol's (`readIntoBuffer`), which rules out `startTLS`. */
  protected get _readBuffer(): boolean {
    return (this._flags & 8192) !== 0;
  }
  protected set _readBuffer(v: boolean) {
    this._flags = v ? this._flags | 8192 : this._flags & ~8192;
  }

  // ------------------------------------------------------------ rare state

  protected get _error(): Error | undefined {
    return this._extra?.error ?? undefined;
  }
  protected set _error(v: Error | undefined) {
    if (v === undefined && this._extra === undefined) return;
    (this._extra ??= {}).error = v;
  }

  protected get _preTLS(): Data[] | null {
    return this._extra?.preTLS ?? null;
  }
  protected set _preTLS(v: Data[] | null) {
    if (v === null && this._extra === undefined) return;
    (this._extra ??= {}).preTLS = v;
  }

  protected get _producer(): IPushProducer | IPullProducer | null {
    return this._extra?.producer ?? null;
  }
  protected set _producer(v: IPushProducer | IPullProducer | null) {
    if (v === null && this._extra === undefined) return;
    (this._extra ??= {}).producer = v;
  }

  protected get _corks(): number {
    return this._extra?.corks ?? 0;
  }
  protected set _corks(v: number) {
    if (v === 0 && this._extra === undefined) return;
    (this._extra ??= {}).corks = v;
  }

  protected get _closedDeferred(): Deferred<void> | undefined {
    return this._extra?.closedDeferred ?? undefined;
  }
  protected set _closedDeferred(v: Deferred<void> | undefined) {
    if (v === undefined && this._extra === undefined) return;
    (this._extra ??= {}).closedDeferred = v;
  }
}
