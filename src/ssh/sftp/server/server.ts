/**
 * `SFTPServer`: SFTP version 3 over any byte stream (Twisted's `FileTransferServer`), serving an
 * {@link ISFTPFilesystem}.
 * @module
 */
import type { Failure } from '../../../defer/index.js';
import type { IPushProducer } from '../../../internet/interfaces.js';
import { Protocol } from '../../../internet/protocol.js';
import { Logger } from '../../../logger/index.js';
import type { SFTPAttrs } from '../attrs.js';
import { FX, FX_MESSAGES, FXP, OPENSSH_EXTENSIONS, SFTP_VERSION } from '../constants.js';
import { SFTPProtocolError, SFTPStatusError } from '../errors.js';
import { decodeStrings, encodeServerLimits, encodeStatVFS } from '../extensions.js';
import { PacketFramer } from '../framer.js';
import type { ISFTPDirectory, ISFTPFile, ISFTPFilesystem } from '../interfaces.js';
import { SFTP_LIMITS, SFTP_REQUEST_OVERHEAD, type SFTPLimits } from '../limits.js';
import { decodeHello, decodeRequest, encodeHello, encodeResponse, packetId, packetType, type SFTPRequest, type SFTPResponse } from '../packets.js';
import { statusOf } from './status.js';

const log = new Logger({ namespace: 'torsion.ssh.sftp.server' });
const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Options of {@link SFTPServer}. */
export interface SFTPServerOptions {
  /** Overrides of {@link SFTP_LIMITS}. */
  limits?: Partial<SFTPLimits>;
}

type OpenHandle = { kind: 'file'; file: ISFTPFile } | { kind: 'dir'; dir: ISFTPDirectory };
type Pausable = Partial<IPushProducer> & { registerProducer?: (p: IPushProducer, streaming: boolean) => void; unregisterProducer?: () => void };

/** A request waiting its turn, with the bytes it holds. */
interface Queued {
  req: SFTPRequest;
  size: number;
}

/**
 * Serves SFTP v3 on the transport it is connected to, with OpenSSH's extensions (`posix-rename`, `statvfs`,
 * `fstatvfs`, `hardlink`, `fsync` and `limits`, all `@openssh.com`) and OpenSSH's status codes.
 *
 * Clients pipeline: READs are worked on side by side (up to `maxConcurrentRequests`) and answered as they
 * finish; any other request waits for those before it and runs alone, so a CLOSE never overtakes a WRITE.
 * Requests held beyond `maxQueuedBytes` pause reading the transport; the server in turn stops working
 * while the transport's write buffer is full (it registers as the transport's producer).
 * A malformed packet, one over `maxPacketLength`, or a request before INIT closes the connection, as
 * OpenSSH's sftp-server exits on them.
 *
 * @example
 * const server = new SFTPServer(new RootFilesystem('/srv/files/alice'));
 * new StandardIO(server); // or an SSH channel's transport, or a loopback in a test
 */
export class SFTPServer extends Protocol implements IPushProducer {
  /** The limits in force. */
  readonly limits: SFTPLimits;
  /** The client's version from INIT (undefined before it). */
  clientVersion: number | undefined;
  readonly #fs: ISFTPFilesystem;
  readonly #framer: PacketFramer;
  readonly #handles = new Map<string, OpenHandle>();
  #nextHandle = 0;
  #queue: Queued[] = [];
  #queuedBytes = 0;
  #running = 0;
  #exclusive = false;
  #writePaused = false;
  #readPaused = false;
  #closed = false;
  #inputDone = false;

  constructor(filesystem: ISFTPFilesystem, options: SFTPServerOptions = {}) {
    super();
    this.#fs = filesystem;
    this.limits = { ...SFTP_LIMITS, ...options.limits };
    this.#framer = new PacketFramer(this.limits.maxPacketLength);
  }

  /** Handles open right now. */
  get openHandles(): number {
    return this.#handles.size;
  }

  override connectionMade(): void {
    (this.transport as Pausable).registerProducer?.(this, true);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#closed) return;
    let packets: Uint8Array[];
    try {
      packets = this.#framer.push(data);
    } catch (e) {
      this.#fatal((e as Error).message);
      return;
    }
    for (const body of packets) {
      if (this.#closed) return;
      this.#packetReceived(body);
    }
    this.#pump();
  }

  #packetReceived(body: Uint8Array): void {
    if (this.clientVersion === undefined) {
      if (packetType(body) !== FXP.INIT) return this.#fatal(`packet type ${packetType(body)} before INIT`);
      let version: number;
      try {
        version = decodeHello(body, this.limits.maxExtensions).version;
      } catch (e) {
        return this.#fatal((e as Error).message);
      }
      this.clientVersion = version;
      this.#send(encodeHello({ kind: 'version', version: SFTP_VERSION, extensions: OPENSSH_EXTENSIONS.map(([n, v]) => [n, v]) }));
      return;
    }
    let req: SFTPRequest | undefined;
    try {
      req = decodeRequest(body);
    } catch (e) {
      return this.#fatal(`bad message: ${(e as Error).message}`);
    }
    if (req === undefined) {
      const id = packetId(body);
      if (id === undefined) return this.#fatal(`bad message: packet type ${packetType(body)}`);
      this.#reply({ kind: 'status', id, status: FX.OP_UNSUPPORTED, message: FX_MESSAGES[FX.OP_UNSUPPORTED]!, language: '' });
      return;
    }
    const size = body.length + SFTP_REQUEST_OVERHEAD;
    this.#queue.push({ req, size });
    this.#queuedBytes += size;
    if (this.#queuedBytes > this.limits.maxQueuedBytes && !this.#readPaused) {
      const t = this.transport as Pausable;
      if (typeof t.pauseProducing === 'function') {
        this.#readPaused = true;
        t.pauseProducing();
      }
    }
    // A paused transport may still deliver what it had read; one that cannot pause is cut off at twice the limit.
    if (!this.#readPaused && this.#queuedBytes > 2 * this.limits.maxQueuedBytes) this.#fatal('the client sends requests faster than they can be answered and cannot be paused');
  }

  #pump(): void {
    while (!this.#closed && !this.#writePaused && !this.#exclusive && this.#queue.length > 0) {
      const next = this.#queue[0]!;
      const shared = next.req.kind === 'read';
      if (shared ? this.#running >= this.limits.maxConcurrentRequests : this.#running > 0) break;
      this.#queue.shift();
      this.#running++;
      if (!shared) this.#exclusive = true;
      void this.#run(next.req).then((res) => {
        this.#running--;
        if (!shared) this.#exclusive = false;
        this.#queuedBytes -= next.size;
        this.#reply(res);
        if (this.#readPaused && this.#queuedBytes <= this.limits.maxQueuedBytes / 2) {
          this.#readPaused = false;
          (this.transport as Pausable).resumeProducing?.();
        }
        this.#pump();
      });
    }
    if (this.#inputDone && this.#running === 0 && this.#queue.length === 0) this.#finish();
  }

  /**
   * The client stopped sending (end of input on stdio or a channel EOF): what it asked is answered, then
   * the connection is closed.
   */
  readConnectionLost(): void {
    this.#inputDone = true;
    this.#pump();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#shutdown();
    this.transport.loseConnection();
  }

  async #run(req: SFTPRequest): Promise<SFTPResponse> {
    try {
      return await this.#dispatch(req);
    } catch (e) {
      const { status, message, expected } = statusOf(e);
      if (!expected) log.error('{kind} request failed: {error}', { kind: req.kind, error: String((e as Error)?.stack ?? e) });
      return { kind: 'status', id: req.id, status, message, language: '' };
    }
  }

  #ok(id: number): SFTPResponse {
    return { kind: 'status', id, status: FX.OK, message: FX_MESSAGES[FX.OK]!, language: '' };
  }

  #eof(id: number): SFTPResponse {
    return { kind: 'status', id, status: FX.EOF, message: FX_MESSAGES[FX.EOF]!, language: '' };
  }

  #addHandle(h: OpenHandle): Uint8Array {
    const key = String(this.#nextHandle++);
    this.#handles.set(key, h);
    return encoder.encode(key);
  }

  #file(handle: Uint8Array): ISFTPFile {
    const h = this.#handles.get(utf8.decode(handle));
    if (h?.kind !== 'file') throw new SFTPStatusError(FX.FAILURE, 'Invalid handle');
    return h.file;
  }

  #dir(handle: Uint8Array): ISFTPDirectory {
    const h = this.#handles.get(utf8.decode(handle));
    if (h?.kind !== 'dir') throw new SFTPStatusError(FX.FAILURE, 'Invalid handle');
    return h.dir;
  }

  #roomForHandle(): void {
    if (this.#handles.size >= this.limits.maxOpenHandles) throw new SFTPStatusError(FX.FAILURE, `Too many open handles (${this.limits.maxOpenHandles})`);
  }

  /** Keeps a handle opened for a request, unless the connection went away meanwhile. */
  async #opened(id: number, h: OpenHandle): Promise<SFTPResponse> {
    if (this.#closed) {
      await (h.kind === 'file' ? h.file.close() : h.dir.close());
      throw new SFTPStatusError(FX.CONNECTION_LOST);
    }
    return { kind: 'handle', id, handle: this.#addHandle(h) };
  }

  async #dispatch(req: SFTPRequest): Promise<SFTPResponse> {
    const fs = this.#fs;
    const id = req.id;
    switch (req.kind) {
      case 'open':
        this.#roomForHandle();
        return this.#opened(id, { kind: 'file', file: await fs.openFile(req.path, req.pflags, req.attrs) });
      case 'opendir':
        this.#roomForHandle();
        return this.#opened(id, { kind: 'dir', dir: await fs.openDirectory(req.path) });
      case 'close': {
        const key = utf8.decode(req.handle);
        const h = this.#handles.get(key);
        if (h === undefined) throw new SFTPStatusError(FX.FAILURE, 'Invalid handle');
        this.#handles.delete(key);
        await (h.kind === 'file' ? h.file.close() : h.dir.close());
        return this.#ok(id);
      }
      case 'read': {
        const data = await this.#file(req.handle).readChunk(req.offset, Math.min(req.length, this.limits.maxReadLength));
        return data.length === 0 ? this.#eof(id) : { kind: 'data', id, data };
      }
      case 'write':
        await this.#file(req.handle).writeChunk(req.offset, req.data);
        return this.#ok(id);
      case 'readdir': {
        const names = await this.#dir(req.handle).next(this.limits.maxNamesPerReaddir);
        return names.length === 0 ? this.#eof(id) : { kind: 'name', id, names };
      }
      case 'stat':
      case 'lstat':
        return { kind: 'attrs', id, attrs: await fs.getAttrs(req.path, req.kind === 'stat') };
      case 'fstat':
        return { kind: 'attrs', id, attrs: await this.#file(req.handle).getAttrs() };
      case 'setstat':
        await fs.setAttrs(req.path, req.attrs);
        return this.#ok(id);
      case 'fsetstat':
        await this.#file(req.handle).setAttrs(req.attrs);
        return this.#ok(id);
      case 'remove':
        await fs.removeFile(req.path);
        return this.#ok(id);
      case 'mkdir':
        await fs.makeDirectory(req.path, req.attrs);
        return this.#ok(id);
      case 'rmdir':
        await fs.removeDirectory(req.path);
        return this.#ok(id);
      case 'rename':
        await fs.renameFile(req.oldPath, req.newPath, false);
        return this.#ok(id);
      case 'symlink':
        await fs.makeLink(req.linkPath, req.targetPath);
        return this.#ok(id);
      case 'realpath':
      case 'readlink': {
        const name = req.kind === 'realpath' ? await fs.realPath(req.path) : await fs.readLink(req.path);
        const attrs: SFTPAttrs = {};
        return { kind: 'name', id, names: [{ filename: name, longname: name, attrs }] };
      }
      case 'extended':
        return this.#extended(id, req.request, req.data);
    }
  }

  async #extended(id: number, request: string, data: Uint8Array): Promise<SFTPResponse> {
    const fs = this.#fs;
    const text = (n: number): string[] => decodeStrings(data, n).map((s) => utf8.decode(s));
    switch (request) {
      case 'posix-rename@openssh.com': {
        const [from, to] = text(2);
        await fs.renameFile(from!, to!, true);
        return this.#ok(id);
      }
      case 'hardlink@openssh.com': {
        const [from, to] = text(2);
        if (!fs.makeHardLink) throw new SFTPStatusError(FX.OP_UNSUPPORTED);
        await fs.makeHardLink(from!, to!);
        return this.#ok(id);
      }
      case 'statvfs@openssh.com': {
        const [path] = text(1);
        if (!fs.statVFS) throw new SFTPStatusError(FX.OP_UNSUPPORTED);
        return { kind: 'extendedReply', id, data: encodeStatVFS(await fs.statVFS(path!)) };
      }
      case 'fstatvfs@openssh.com': {
        const file = this.#file(decodeStrings(data, 1)[0]!);
        if (!file.statVFS) throw new SFTPStatusError(FX.OP_UNSUPPORTED);
        return { kind: 'extendedReply', id, data: encodeStatVFS(await file.statVFS()) };
      }
      case 'fsync@openssh.com': {
        const file = this.#file(decodeStrings(data, 1)[0]!);
        if (!file.sync) throw new SFTPStatusError(FX.OP_UNSUPPORTED);
        await file.sync();
        return this.#ok(id);
      }
      case 'limits@openssh.com': {
        if (data.length !== 0) throw new SFTPProtocolError('limits@openssh.com takes no arguments');
        const l = this.limits;
        return { kind: 'extendedReply', id, data: encodeServerLimits({ maxPacketLength: l.maxPacketLength, maxReadLength: l.maxReadLength, maxWriteLength: l.maxWriteLength, maxOpenHandles: l.maxOpenHandles }) };
      }
      default:
        if (!fs.extendedRequest) throw new SFTPStatusError(FX.OP_UNSUPPORTED);
        return { kind: 'extendedReply', id, data: await fs.extendedRequest(request, data) };
    }
  }

  #reply(res: SFTPResponse): void {
    if (!this.#closed) this.#send(encodeResponse(res));
  }

  #send(chunks: Uint8Array[]): void {
    if (chunks.length === 1) this.transport.write(chunks[0]!);
    else this.transport.writeSequence(chunks);
  }

  #fatal(why: string): void {
    if (this.#closed) return;
    log.warn('closing the SFTP session: {why}', { why });
    this.#shutdown();
    this.transport.loseConnection();
  }

  #shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    (this.transport as Pausable).unregisterProducer?.();
    const handles = [...this.#handles.values()];
    this.#handles.clear();
    for (const h of handles) {
      void Promise.resolve()
        .then(() => (h.kind === 'file' ? h.file.close() : h.dir.close()))
        .catch((e: unknown) => log.warn('closing a handle after the session ended failed: {error}', { error: String(e) }));
    }
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#shutdown();
  }

  /** The transport's write buffer is full: stop working on requests until it drains. */
  pauseProducing(): void {
    this.#writePaused = true;
  }

  resumeProducing(): void {
    this.#writePaused = false;
    this.#pump();
  }

  stopProducing(): void {
    this.#shutdown();
  }
}
