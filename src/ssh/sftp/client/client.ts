/**
 * `SFTPClient`: SFTP version 3 over any byte stream (Twisted's `FileTransferClient`), one Deferred per
 * request, and whole-file transfers with many requests in flight.
 * @module
 */
import { Deferred, type Failure } from '../../../defer/index.js';
import { Protocol } from '../../../internet/protocol.js';
import type { SFTPAttrs } from '../attrs.js';
import { FX, FXF, FXP, SFTP_VERSION } from '../constants.js';
import { SFTPConnectionLostError, SFTPLimitError, SFTPProtocolError, SFTPStatusError } from '../errors.js';
import { decodeServerLimits, decodeStatVFS, encodeStrings, type SFTPServerLimits, type SFTPStatVFS } from '../extensions.js';
import { joinParts, PacketFramer } from '../framer.js';
import { SFTP_CLIENT_DEFAULTS, SFTP_LIMITS, type SFTPLimits } from '../limits.js';
import { decodeHello, decodeResponse, encodeHello, encodeRequest, type SFTPName, type SFTPRequest, type SFTPResponse } from '../packets.js';
import { readAll, readRanges, writeAll, type ChunkIO } from './transfer.js';

/** Options of {@link SFTPClient}. */
export interface SFTPClientOptions {
  /** Overrides of {@link SFTP_LIMITS} (`maxPacketLength` for replies, `maxReadFileBytes`, `maxExtensions`). */
  limits?: Partial<SFTPLimits>;
  /**
   * Bytes per READ in `readFile`/`download`: left out, 32 KiB, or the server's `limits@openssh.com` read
   * length (up to 256 KiB) when it states one; given, the server's limit can only lower it.
   */
  readChunkSize?: number;
  /** Bytes per WRITE in `writeFile`, chosen the same way from the server's write and packet lengths. */
  writeChunkSize?: number;
  /** READs or WRITEs kept in flight by `readFile`/`writeFile` (default 64, as OpenSSH's `sftp`). */
  maxRequestsInFlight?: number;
}

/** An open file or directory on the server: its opaque handle. */
export type SFTPHandle = Uint8Array;

/** How a file is opened: SFTP `pflags` (`FXF.READ | FXF.WRITE ...`) or a Node-style string. */
export type SFTPOpenFlags = number | 'r' | 'r+' | 'w' | 'wx' | 'w+' | 'wx+' | 'a' | 'ax' | 'a+' | 'ax+';

const STRING_FLAGS: Record<Exclude<SFTPOpenFlags, number>, number> = {
  r: FXF.READ,
  'r+': FXF.READ | FXF.WRITE,
  w: FXF.WRITE | FXF.CREAT | FXF.TRUNC,
  wx: FXF.WRITE | FXF.CREAT | FXF.EXCL,
  'w+': FXF.READ | FXF.WRITE | FXF.CREAT | FXF.TRUNC,
  'wx+': FXF.READ | FXF.WRITE | FXF.CREAT | FXF.EXCL,
  a: FXF.WRITE | FXF.CREAT | FXF.APPEND,
  ax: FXF.WRITE | FXF.CREAT | FXF.APPEND | FXF.EXCL,
  'a+': FXF.READ | FXF.WRITE | FXF.CREAT | FXF.APPEND,
  'ax+': FXF.READ | FXF.WRITE | FXF.CREAT | FXF.APPEND | FXF.EXCL,
};

/** The `pflags` for an {@link SFTPOpenFlags}. */
export function openFlags(flags: SFTPOpenFlags): number {
  if (typeof flags === 'number') return flags;
  const f = STRING_FLAGS[flags];
  if (f === undefined) throw new TypeError(`unknown open flags ${JSON.stringify(flags)}`);
  return f;
}

/** Distributes the omission of `id` over every member of the request union. */
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

/** A response, or a DATA answer kept in the pieces it arrived in (for the reads that take pieces). */
type Answer = SFTPResponse | { kind: 'dataPieces'; id: number; pieces: Uint8Array[] };

/** The error for a reply that is not the one wanted: a failing status, or another kind. */
function unexpected(res: Answer, request: string, wanted: string): Error {
  if (res.kind === 'status' && res.status !== FX.OK) return new SFTPStatusError(res.status, res.message || undefined);
  return new SFTPProtocolError(`expected ${wanted} in reply to ${request}, got ${res.kind === 'status' ? `status ${res.status}` : res.kind}`);
}

/**
 * Speaks SFTP to the server at the other end of its transport: an SSH `sftp` subsystem channel, a
 * `sftp-server` process's stdio, or a loopback. Sends INIT on connection; every method returns a Deferred
 * and may be called at once (requests made before the server's VERSION are sent after INIT, which is in
 * order). A status other than OK fails the Deferred with {@link SFTPStatusError}; the connection ending
 * fails everything outstanding with {@link SFTPConnectionLostError}.
 *
 * @example
 * const client = new SFTPClient();
 * spawnProcess(reactor, new ProcessStreamProtocol(client, 'sftp-server'), '/usr/lib/openssh/sftp-server', []);
 * await client.whenReady();
 * await client.writeFile('notes.txt', new TextEncoder().encode('hello'));
 * const entries = await client.readdir('.');
 */
export class SFTPClient extends Protocol {
  /** The limits in force. */
  readonly limits: SFTPLimits;
  /** The server's version, once its VERSION arrived. */
  serverVersion: number | undefined;
  /** The extensions the server announced (name to version string). */
  readonly extensions = new Map<string, string>();
  /** The server's `limits@openssh.com` figures, when it has them. */
  serverLimits: SFTPServerLimits | undefined;
  /** Bytes per READ of whole-file transfers (see {@link SFTPClientOptions.readChunkSize}). */
  readChunkSize: number;
  /** Bytes per WRITE of `writeFile`. */
  writeChunkSize: number;
  /** READs or WRITEs whole-file transfers keep in flight. */
  maxRequestsInFlight: number;
  readonly #chosenChunks: { read: boolean; write: boolean };
  readonly #framer: PacketFramer;
  readonly #pending = new Map<number, Deferred<Answer>>();
  /** Outstanding READs whose DATA may be handed over in pieces. */
  readonly #takesPieces = new Set<number>();
  #nextId = 0;
  #ready: Deferred<SFTPClient>[] = [];
  #isReady = false;
  #lost: Error | undefined;

  constructor(options: SFTPClientOptions = {}) {
    super();
    this.limits = { ...SFTP_LIMITS, ...options.limits };
    this.readChunkSize = options.readChunkSize ?? SFTP_CLIENT_DEFAULTS.readChunkSize;
    this.writeChunkSize = options.writeChunkSize ?? SFTP_CLIENT_DEFAULTS.writeChunkSize;
    this.#chosenChunks = { read: options.readChunkSize !== undefined, write: options.writeChunkSize !== undefined };
    this.maxRequestsInFlight = options.maxRequestsInFlight ?? SFTP_CLIENT_DEFAULTS.maxRequestsInFlight;
    this.#framer = new PacketFramer(this.limits.maxPacketLength);
  }

  /** Requests sent and not answered yet. */
  get outstanding(): number {
    return this.#pending.size;
  }

  override connectionMade(): void {
    this.#write(encodeHello({ kind: 'init', version: SFTP_VERSION, extensions: [] }));
  }

  /** Fires with this client once the server's VERSION (and its limits, when it has the extension) arrived. */
  whenReady(): Deferred<SFTPClient> {
    if (this.#isReady) return Deferred.succeed(this);
    if (this.#lost) return Deferred.fail(this.#lost);
    const d = new Deferred<SFTPClient>();
    this.#ready.push(d);
    return d;
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#lost) return;
    try {
      for (const parts of this.#framer.pushParts(data)) {
        if (this.serverVersion === undefined) this.#gotVersion(joinParts(parts));
        else if (parts.length === 1 || !this.#gotDataPieces(parts)) this.#gotResponse(decodeResponse(joinParts(parts)));
        if (this.#lost) return;
      }
    } catch (e) {
      this.#fail(e as Error);
      this.transport.loseConnection();
    }
  }

  #gotVersion(body: Uint8Array): void {
    const hello = decodeHello(body, this.limits.maxExtensions);
    if (hello.kind !== 'version') throw new SFTPProtocolError('the server sent INIT');
    this.serverVersion = hello.version;
    for (const [name, value] of hello.extensions) this.extensions.set(name, value);
    if (this.extensions.has('limits@openssh.com')) {
      this.#expect({ kind: 'extended', request: 'limits@openssh.com', data: new Uint8Array(0) }, 'extendedReply').addCallbacks(
        (res) => {
          this.#applyLimits(decodeServerLimits(res.data));
          this.#setReady();
        },
        () => {
          this.#setReady();
          return undefined;
        },
      );
    } else this.#setReady();
  }

  #applyLimits(l: SFTPServerLimits): void {
    this.serverLimits = l;
    const biggest = SFTP_CLIENT_DEFAULTS.maxChunkSize;
    if (l.maxReadLength > 0) this.readChunkSize = this.#chosenChunks.read ? Math.min(this.readChunkSize, l.maxReadLength) : Math.min(biggest, l.maxReadLength);
    if (l.maxWriteLength > 0) this.writeChunkSize = this.#chosenChunks.write ? Math.min(this.writeChunkSize, l.maxWriteLength) : Math.min(biggest, l.maxWriteLength);
    // A WRITE carries its handle and offsets besides the data: OpenSSH leaves 1 KiB for them, as here.
    if (l.maxPacketLength > 1024) this.writeChunkSize = Math.min(this.writeChunkSize, l.maxPacketLength - 1024);
  }

  #setReady(): void {
    if (this.#isReady || this.#lost) return;
    this.#isReady = true;
    for (const d of this.#ready.splice(0)) d.callback(this);
  }

  /**
   * A DATA packet that arrived in several chunks, answering a READ that takes pieces: its payload is handed
   * over as the chunks' views instead of being copied into one array first. False for anything else.
   */
  #gotDataPieces(parts: Uint8Array[]): boolean {
    const head = joinParts(parts[0]!.length >= 9 ? [parts[0]!.subarray(0, 9)] : parts).subarray(0, 9);
    if (head.length < 9 || head[0] !== FXP.DATA) return false;
    const view = new DataView(head.buffer, head.byteOffset, 9);
    const id = view.getUint32(1);
    if (!this.#takesPieces.has(id)) return false;
    let total = 0;
    for (const p of parts) total += p.length;
    if (view.getUint32(5) !== total - 9) throw new SFTPProtocolError('a DATA packet whose string length is not its own');
    const pieces: Uint8Array[] = [];
    let skip = 9;
    for (const p of parts) {
      if (skip >= p.length) skip -= p.length;
      else {
        pieces.push(skip > 0 ? p.subarray(skip) : p);
        skip = 0;
      }
    }
    this.#gotResponse({ kind: 'dataPieces', id, pieces });
    return true;
  }

  #gotResponse(res: Answer): void {
    const waiter = this.#pending.get(res.id);
    if (waiter === undefined) throw new SFTPProtocolError(`a response to request ${res.id}, which is not outstanding`);
    this.#pending.delete(res.id);
    this.#takesPieces.delete(res.id);
    // A caller may have cancelled the Deferred meanwhile: the answer is then dropped.
    if (!waiter.called) waiter.callback(res);
  }

  #write(chunks: Uint8Array[]): void {
    if (chunks.length === 1) this.transport.write(chunks[0]!);
    else this.transport.writeSequence(chunks);
  }

  /**
   * Sends one request; its Deferred fires, synchronously on arrival, with `interpret(response)` (which
   * throws for a failing status or a reply of the wrong kind).
   */
  #call<R>(req: Unsent<SFTPRequest>, interpret: (res: Answer) => R, takesPieces = false): Deferred<R> {
    if (this.#lost) return Deferred.fail(this.#lost);
    if (!this.connected) return Deferred.fail(new SFTPConnectionLostError('the SFTP client is not connected'));
    const id = this.#nextId;
    this.#nextId = (this.#nextId + 1) >>> 0;
    const d = new Deferred<Answer>();
    this.#pending.set(id, d);
    if (takesPieces) this.#takesPieces.add(id);
    this.#write(encodeRequest({ ...req, id } as SFTPRequest));
    return d.addCallback((res: Answer) => interpret(res)) as Deferred<R>;
  }

  #ok(req: Unsent<SFTPRequest>): Deferred<void> {
    return this.#call(req, (res) => {
      if (res.kind === 'status' && res.status === FX.OK) return undefined;
      throw unexpected(res, req.kind, 'status OK');
    });
  }

  #expect<K extends SFTPResponse['kind']>(req: Unsent<SFTPRequest>, kind: K): Deferred<Extract<SFTPResponse, { kind: K }>> {
    return this.#call(req, (res) => {
      if (res.kind === kind) return res as Extract<SFTPResponse, { kind: K }>;
      throw unexpected(res, req.kind, kind);
    });
  }

  #fail(e: Error): void {
    if (this.#lost) return;
    this.#lost = e;
    for (const d of this.#ready.splice(0)) d.errback(e);
    const waiters = [...this.#pending.values()];
    this.#pending.clear();
    this.#takesPieces.clear();
    for (const w of waiters) if (!w.called) w.errback(e);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#fail(new SFTPConnectionLostError(`the SFTP connection ended: ${reason.getErrorMessage()}`, { cause: reason.value }));
  }

  // ------------------------------------------------------------------ files

  /** Opens a file; `attrs.permissions` is the mode of a file it creates. */
  open(path: string, flags: SFTPOpenFlags = 'r', attrs: SFTPAttrs = {}): Deferred<SFTPHandle> {
    return this.#expect({ kind: 'open', path, pflags: openFlags(flags), attrs }, 'handle').addCallback((r) => r.handle);
  }

  /** Closes a file or directory handle. */
  close(handle: SFTPHandle): Deferred<void> {
    return this.#ok({ kind: 'close', handle });
  }

  /** Up to `length` bytes at `offset`; null at the end of the file. */
  read(handle: SFTPHandle, offset: number, length: number): Deferred<Uint8Array | null> {
    return this.#call({ kind: 'read', handle, offset, length }, (res) => {
      if (res.kind === 'data') return res.data;
      if (res.kind === 'status' && res.status === FX.EOF) return null;
      throw unexpected(res, 'read', 'data');
    });
  }

  /** A READ whose answer may come as several views (the chunks it arrived in); null at the end of the file. */
  #readPieces(handle: SFTPHandle, offset: number, length: number): Deferred<Uint8Array[] | null> {
    return this.#call(
      { kind: 'read', handle, offset, length },
      (res) => {
        if (res.kind === 'dataPieces') return res.pieces;
        if (res.kind === 'data') return [res.data];
        if (res.kind === 'status' && res.status === FX.EOF) return null;
        throw unexpected(res, 'read', 'data');
      },
      true,
    );
  }

  /** Writes `data` at `offset`. */
  write(handle: SFTPHandle, offset: number, data: Uint8Array): Deferred<void> {
    return this.#ok({ kind: 'write', handle, offset, data });
  }

  /** The attributes of an open file. */
  fstat(handle: SFTPHandle): Deferred<SFTPAttrs> {
    return this.#expect({ kind: 'fstat', handle }, 'attrs').addCallback((r) => r.attrs);
  }

  fsetstat(handle: SFTPHandle, attrs: SFTPAttrs): Deferred<void> {
    return this.#ok({ kind: 'fsetstat', handle, attrs });
  }

  /** Flushes an open file to disk (`fsync@openssh.com`). */
  fsync(handle: SFTPHandle): Deferred<void> {
    return this.#ok({ kind: 'extended', request: 'fsync@openssh.com', data: encodeStrings(handle) });
  }

  /** The whole file, read with many READs in flight. */
  readFile(path: string): Deferred<Uint8Array> {
    return Deferred.fromPromise(this.#readFile(path));
  }

  async #readFile(path: string): Promise<Uint8Array> {
    await this.whenReady();
    const handle = await this.open(path, 'r');
    try {
      // The size is a hint for the buffer, not a promise: the file may grow or shrink while it is read.
      const size = await this.fstat(handle).then((a) => a.size ?? 0, () => 0);
      return await readAll(this.#io(handle), this.readChunkSize, this.maxRequestsInFlight, this.limits.maxReadFileBytes, size);
    } finally {
      await this.close(handle).then(undefined, () => undefined);
    }
  }

  /**
   * Streams a file without gathering it: `onChunk(data, offset)` is called as each READ is answered —
   * in any order, so write it at `offset` (`fs.writeSync(fd, data, 0, data.length, offset)`). Fires with
   * the file's length. A throwing `onChunk` stops the download and fails it with what it threw.
   */
  download(path: string, onChunk: (data: Uint8Array, offset: number) => void): Deferred<number> {
    return Deferred.fromPromise(this.#download(path, onChunk));
  }

  async #download(path: string, onChunk: (data: Uint8Array, offset: number) => void): Promise<number> {
    await this.whenReady();
    const handle = await this.open(path, 'r');
    try {
      return await readRanges(this.#io(handle), this.readChunkSize, this.maxRequestsInFlight, onChunk);
    } finally {
      await this.close(handle).then(undefined, () => undefined);
    }
  }

  /** Creates or replaces a file with `data`, written with many WRITEs in flight. */
  writeFile(path: string, data: Uint8Array | string, attrs: SFTPAttrs = {}): Deferred<void> {
    return Deferred.fromPromise(this.#writeFile(path, typeof data === 'string' ? new TextEncoder().encode(data) : data, attrs));
  }

  async #writeFile(path: string, data: Uint8Array, attrs: SFTPAttrs): Promise<void> {
    await this.whenReady();
    const handle = await this.open(path, 'w', attrs);
    let failure: unknown;
    try {
      await writeAll(this.#io(handle), data, this.writeChunkSize, this.maxRequestsInFlight);
    } catch (e) {
      failure = e;
    }
    try {
      await this.close(handle);
    } catch (e) {
      failure ??= e;
    }
    if (failure !== undefined) throw failure;
  }

  #io(handle: SFTPHandle): ChunkIO {
    return {
      read: (offset, length) => this.#readPieces(handle, offset, length),
      write: (offset, data) => this.write(handle, offset, data),
    };
  }

  // ------------------------------------------------------------------ directories and paths

  opendir(path: string): Deferred<SFTPHandle> {
    return this.#expect({ kind: 'opendir', path }, 'handle').addCallback((r) => r.handle);
  }

  /** The next names of an open directory; null once all were given. */
  readdirHandle(handle: SFTPHandle): Deferred<SFTPName[] | null> {
    return this.#call({ kind: 'readdir', handle }, (res) => {
      if (res.kind === 'name') return res.names;
      if (res.kind === 'status' && res.status === FX.EOF) return null;
      throw unexpected(res, 'readdir', 'names');
    });
  }

  /** Every entry of a directory: `[{ filename, longname, attrs }]`, as the server lists them. */
  readdir(path: string): Deferred<SFTPName[]> {
    return Deferred.fromPromise(this.#readdir(path));
  }

  async #readdir(path: string): Promise<SFTPName[]> {
    const handle = await this.opendir(path);
    const out: SFTPName[] = [];
    try {
      for (let names = await this.readdirHandle(handle); names !== null; names = await this.readdirHandle(handle)) {
        if (out.length + names.length > this.limits.maxReaddirNames) throw new SFTPLimitError(`the directory has more than the ${this.limits.maxReaddirNames} names readdir may gather`);
        for (const n of names) out.push(n);
      }
    } finally {
      await this.close(handle).then(undefined, () => undefined);
    }
    return out;
  }

  /** Attributes, following a final symbolic link. */
  stat(path: string): Deferred<SFTPAttrs> {
    return this.#expect({ kind: 'stat', path }, 'attrs').addCallback((r) => r.attrs);
  }

  /** Attributes of the path itself, a symbolic link included. */
  lstat(path: string): Deferred<SFTPAttrs> {
    return this.#expect({ kind: 'lstat', path }, 'attrs').addCallback((r) => r.attrs);
  }

  setstat(path: string, attrs: SFTPAttrs): Deferred<void> {
    return this.#ok({ kind: 'setstat', path, attrs });
  }

  mkdir(path: string, attrs: SFTPAttrs = {}): Deferred<void> {
    return this.#ok({ kind: 'mkdir', path, attrs });
  }

  rmdir(path: string): Deferred<void> {
    return this.#ok({ kind: 'rmdir', path });
  }

  /** Removes a file (or a symbolic link). */
  remove(path: string): Deferred<void> {
    return this.#ok({ kind: 'remove', path });
  }

  /**
   * Renames. Plain RENAME fails when `newPath` exists; with `overwrite: true` it uses
   * `posix-rename@openssh.com` (replacing `newPath`), which the server must have announced.
   */
  rename(oldPath: string, newPath: string, options: { overwrite?: boolean } = {}): Deferred<void> {
    if (options.overwrite) return this.#ok({ kind: 'extended', request: 'posix-rename@openssh.com', data: encodeStrings(oldPath, newPath) });
    return this.#ok({ kind: 'rename', oldPath, newPath });
  }

  /** The server's canonical absolute form of `path` (`.` gives the home directory). */
  realpath(path: string): Deferred<string> {
    return this.#name({ kind: 'realpath', path });
  }

  /** The target of a symbolic link. */
  readlink(path: string): Deferred<string> {
    return this.#name({ kind: 'readlink', path });
  }

  #name(req: Unsent<SFTPRequest>): Deferred<string> {
    return this.#expect(req, 'name').addCallback(({ names }) => {
      if (names.length !== 1) throw new SFTPProtocolError(`expected one name, got ${names.length}`);
      return names[0]!.filename;
    });
  }

  /** Creates the symbolic link `linkPath` pointing at `targetPath` (sent in OpenSSH's order). */
  symlink(targetPath: string, linkPath: string): Deferred<void> {
    return this.#ok({ kind: 'symlink', targetPath, linkPath });
  }

  /** A new name `newPath` for the file `oldPath` (`hardlink@openssh.com`). */
  hardlink(oldPath: string, newPath: string): Deferred<void> {
    return this.#ok({ kind: 'extended', request: 'hardlink@openssh.com', data: encodeStrings(oldPath, newPath) });
  }

  /** The filesystem's figures for `path` (`statvfs@openssh.com`). */
  statvfs(path: string): Deferred<SFTPStatVFS> {
    return this.#expect({ kind: 'extended', request: 'statvfs@openssh.com', data: encodeStrings(path) }, 'extendedReply').addCallback((r) => decodeStatVFS(r.data));
  }

  /** Any extension: its reply's body (or an empty array when the server answered OK). */
  extended(request: string, data: Uint8Array = new Uint8Array(0)): Deferred<Uint8Array> {
    return this.#call({ kind: 'extended', request, data }, (res) => {
      if (res.kind === 'extendedReply') return res.data;
      if (res.kind === 'status' && res.status === FX.OK) return new Uint8Array(0);
      throw unexpected(res, request, 'an extended reply');
    });
  }
}
