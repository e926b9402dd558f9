/**
 * An `IFTPShell` in memory whose Deferreds fire at once, for protocol tests on a fake clock. It keeps
 * the upload rule of the real shell: an upload is visible under its name only once finished.
 */
import { Deferred } from '../../defer/index.js';
import type { IConsumer, IPushProducer } from '../../internet/interfaces.js';
import { FTPFileSystemError, FTPPermissionDenied } from '../errors.js';
import type { FileInfo, IFTPShell, IReadFile, IWriteFile, Segments, WriteMode } from '../interfaces.js';

type Node = { kind: 'dir'; children: Map<string, Node>; modified: number } | { kind: 'file'; data: Uint8Array; modified: number };

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

export class MemoryShell implements IFTPShell {
  /** Uploads in progress. */
  readonly uploads: Set<string>;

  constructor(
    readonly readOnly = false,
    readonly now = 1_700_000_000,
    readonly root: Node = { kind: 'dir', children: new Map(), modified: 0 },
    uploads = new Set<string>(),
  ) {
    this.uploads = uploads;
  }

  /** A read-only shell on the same files (what an anonymous login gets). */
  readOnlyView(): MemoryShell {
    return new MemoryShell(true, this.now, this.root, this.uploads);
  }

  /** Test set-up: a file with `content` at `path` (`/a/b.txt`), folders made as needed. */
  put(path: string, content: string | Uint8Array): this {
    const parts = path.split('/').filter(Boolean);
    let dir = this.root;
    for (const p of parts.slice(0, -1)) {
      let next = (dir as { children: Map<string, Node> }).children.get(p);
      if (next === undefined) {
        next = { kind: 'dir', children: new Map(), modified: this.now };
        (dir as { children: Map<string, Node> }).children.set(p, next);
      }
      dir = next;
    }
    (dir as { children: Map<string, Node> }).children.set(parts[parts.length - 1], { kind: 'file', data: typeof content === 'string' ? new TextEncoder().encode(content) : content, modified: this.now });
    return this;
  }

  /** Test check: the content at `path`, or undefined. */
  get(path: string): string | undefined {
    const n = this.#find(path.split('/').filter(Boolean));
    return n?.kind === 'file' ? new TextDecoder().decode(n.data) : undefined;
  }

  #find(path: Segments): Node | undefined {
    let n: Node | undefined = this.root;
    for (const p of path) n = n?.kind === 'dir' ? n.children.get(p) : undefined;
    return n;
  }

  #need(path: Segments): Node {
    const n = this.#find(path);
    if (n === undefined) throw new FTPFileSystemError(550, 'No such file or directory');
    return n;
  }

  #parent(path: Segments): Map<string, Node> {
    const p = this.#need(path.slice(0, -1));
    if (p.kind !== 'dir' || path.length === 0) throw new FTPFileSystemError(550, 'No such file or directory');
    return p.children;
  }

  #write(): void {
    if (this.readOnly) throw new FTPPermissionDenied();
  }

  #info(name: string, n: Node): FileInfo {
    return { name, type: n.kind, size: n.kind === 'file' ? n.data.length : 0, modified: n.modified, mode: n.kind === 'dir' ? 0o755 : 0o644 };
  }

  #do<T>(fn: () => T): Deferred<T> {
    try {
      return Deferred.succeed(fn());
    } catch (e) {
      return Deferred.fail(e);
    }
  }

  stat(path: Segments): Deferred<FileInfo> {
    return this.#do(() => this.#info(path[path.length - 1] ?? '/', this.#need(path)));
  }

  list(path: Segments): Deferred<FileInfo[]> {
    return this.#do(() => {
      const n = this.#need(path);
      if (n.kind === 'file') return [this.#info(path[path.length - 1], n)];
      return [...n.children].map(([name, c]) => this.#info(name, c));
    });
  }

  openForReading(path: Segments): Deferred<IReadFile> {
    return this.#do(() => {
      const n = this.#need(path);
      if (n.kind !== 'file') throw new FTPFileSystemError(550, 'Not a plain file');
      return new MemoryReader(n.data);
    });
  }

  openForWriting(path: Segments, mode: WriteMode = {}): Deferred<IWriteFile> {
    return this.#do(() => {
      this.#write();
      const parent = this.#parent(path);
      const name = path[path.length - 1];
      const old = parent.get(name);
      if (old?.kind === 'dir') throw new FTPFileSystemError(550, 'Is a directory');
      const start = old?.kind === 'file' ? (mode.append ? old.data : old.data.subarray(0, mode.offset ?? 0)) : new Uint8Array(0);
      const key = path.join('/');
      this.uploads.add(key);
      let data: Uint8Array = start.slice();
      let over = false;
      return {
        write: (chunk: Uint8Array) => {
          data = concat(data, chunk);
          return Deferred.succeed(undefined);
        },
        finish: () => {
          if (!over) parent.set(name, { kind: 'file', data, modified: this.now });
          over = true;
          this.uploads.delete(key);
          return Deferred.succeed(undefined);
        },
        abort: () => {
          over = true;
          this.uploads.delete(key);
          return Deferred.succeed(undefined);
        },
      };
    });
  }

  uniqueName(folder: Segments, hint: string): Deferred<string> {
    return this.#do(() => {
      const dir = this.#need(folder);
      if (dir.kind !== 'dir') throw new FTPFileSystemError(550, 'Not a directory');
      let name = hint;
      for (let i = 1; dir.children.has(name); i++) name = `${hint}.${i}`;
      return name;
    });
  }

  makeDirectory(path: Segments): Deferred<void> {
    return this.#do(() => {
      this.#write();
      const parent = this.#parent(path);
      if (parent.has(path[path.length - 1])) throw new FTPFileSystemError(550, 'File exists');
      parent.set(path[path.length - 1], { kind: 'dir', children: new Map(), modified: this.now });
    });
  }

  removeDirectory(path: Segments): Deferred<void> {
    return this.#do(() => {
      this.#write();
      const n = this.#need(path);
      if (n.kind !== 'dir') throw new FTPFileSystemError(550, 'Not a directory');
      if (n.children.size > 0) throw new FTPFileSystemError(550, 'Directory not empty');
      this.#parent(path).delete(path[path.length - 1]);
    });
  }

  removeFile(path: Segments): Deferred<void> {
    return this.#do(() => {
      this.#write();
      if (this.#need(path).kind !== 'file') throw new FTPFileSystemError(550, 'Is a directory');
      this.#parent(path).delete(path[path.length - 1]);
    });
  }

  rename(from: Segments, to: Segments): Deferred<void> {
    return this.#do(() => {
      this.#write();
      const n = this.#need(from);
      const target = this.#parent(to);
      this.#parent(from).delete(from[from.length - 1]);
      target.set(to[to.length - 1], n);
    });
  }
}

/** Sends its bytes in 4 KiB chunks, honouring pause and resume. */
class MemoryReader implements IReadFile, IPushProducer {
  #consumer: IConsumer | null = null;
  #pos = 0;
  #paused = false;
  #done: Deferred<void> | null = null;

  constructor(readonly data: Uint8Array) {}

  get size(): number {
    return this.data.length;
  }

  send(consumer: IConsumer, offset: number): Deferred<void> {
    this.#consumer = consumer;
    this.#pos = offset;
    this.#done = new Deferred<void>();
    consumer.registerProducer(this, true);
    const done = this.#done;
    this.#pump();
    return done;
  }

  #pump(): void {
    while (!this.#paused && this.#consumer !== null) {
      if (this.#pos >= this.data.length) {
        const c = this.#consumer;
        this.#consumer = null;
        c.unregisterProducer();
        this.#done?.callback(undefined);
        return;
      }
      const chunk = this.data.subarray(this.#pos, this.#pos + 4096);
      this.#pos += chunk.length;
      this.#consumer.write(chunk);
    }
  }

  pauseProducing(): void {
    this.#paused = true;
  }

  resumeProducing(): void {
    this.#paused = false;
    this.#pump();
  }

  stopProducing(): void {
    this.close();
  }

  close(): void {
    if (this.#consumer === null) return;
    this.#consumer = null;
    this.#done?.errback(new Error('stopped'));
  }
}
