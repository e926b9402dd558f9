/**
 * A maildir (`tmp/`, `new/`, `cur/`): crash-safe delivery, listing, reading, flags and deletion. Messages are
 * kept with LF line ends, as mail readers expect, and handed out with CRLF; each new name records both
 * sizes (`,S=`, `,W=`) so listing a mailbox reads no message.
 * @module
 */
import { hostname } from 'node:os';
import { basename, join, sep } from 'node:path';
import { closeSync, fsync, openSync, renameSync, write, writeSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Deferred } from '../../defer/index.js';
import type { IReactorTime } from '../../internet/interfaces.js';
import { reactor as defaultReactor } from '../../internet/index.js';
import { NoSuchMessage } from '../errors.js';
import { nameWithFlags, parseName, toDiskForm, toWireForm, uniqueName, wireLength } from './names.js';

/** One message of a maildir. */
export interface MaildirEntry {
  /** The unique part of its name: its id for life, whatever its flags or folder. */
  readonly unique: string;
  /** `new` (not yet seen by a reader) or `cur`. */
  readonly folder: 'new' | 'cur';
  /** Its file name inside that folder. */
  readonly filename: string;
  /** Its flags, sorted letters (`FS`). */
  readonly flags: string;
  /** Its size with CRLF line ends. */
  readonly size: number;
}

/** Options of a {@link Maildir}. */
export interface MaildirOptions {
  /** Where the time of new names comes from (the global reactor by default). */
  clock?: IReactorTime;
  /** The host name in new names (this machine's by default). */
  hostname?: string;
}

let counter = 0;

/**
 * One maildir on disk.
 *
 * @example
 * const box = new Maildir('./var/mail/alice');
 * await box.deliver(Buffer.from('Subject: hi\r\n\r\nhello\r\n'));
 * for (const m of await box.list()) console.log(m.unique, m.size);
 */
export class Maildir {
  readonly #options: MaildirOptions;
  readonly #clock: IReactorTime;
  readonly #host: string;
  readonly #sync: Record<'new' | 'cur', DirectorySync>;
  #made = false;
  /** Sizes read from files whose names do not record them (a message never changes, so once is enough). */
  #measured = new Map<string, number>();

  constructor(
    /** The maildir's folder (holding `tmp`, `new` and `cur`). */
    readonly path: string,
    options: MaildirOptions = {},
  ) {
    this.#options = options;
    this.#clock = options.clock ?? defaultReactor;
    this.#host = options.hostname ?? hostname();
    this.#sync = { new: new DirectorySync(join(path, 'new')), cur: new DirectorySync(join(path, 'cur')) };
  }

  /** The maildir in the folder `name` below this one (a Maildir++ folder such as `.Sent`), with the same clock and host name. */
  child(name: string): Maildir {
    return new Maildir(join(this.path, name), this.#options);
  }

  /** True if the maildir's `cur/` folder is on disk. */
  async exists(): Promise<boolean> {
    try {
      return (await stat(join(this.path, 'cur'))).isDirectory();
    } catch {
      return false;
    }
  }

  /** Makes the maildir's three folders if missing. */
  create(): Deferred<void> {
    return Deferred.fromPromise(this.#ensure());
  }

  async #ensure(): Promise<void> {
    if (this.#made) return;
    for (const sub of ['tmp', 'new', 'cur']) await mkdir(join(this.path, sub), { recursive: true, mode: 0o700 });
    this.#made = true;
  }

  /**
   * Delivers `message` (CRLF line ends): written to `tmp/`, flushed to disk, then renamed into `new/`, so a
   * crash leaves at most a stray file in `tmp/`, never half a message in `new/`. Fires with the unique name
   * once the rename itself is on disk.
   */
  deliver(message: Uint8Array, flags: Iterable<string> = []): Deferred<string> {
    return Deferred.fromPromise(this.#deliver(message, [...flags]));
  }

  async #deliver(message: Uint8Array, flags: string[]): Promise<string> {
    await this.#ensure();
    const disk = toDiskForm(message);
    const wire = wireLength(message);
    const name = this.#newName(disk.length, wire);
    const tmp = join(this.path, 'tmp', name);
    // Opening, writing, closing and renaming only touch the page cache: done in place they cost microseconds,
    // where a trip through libuv's thread pool each cost more (its futexes were most of the SMTP server's
    // system calls). Only the fsyncs, which wait for the device, leave the event loop; so do the writes of a
    // big message, which could wait for the kernel's dirty-page throttle.
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      if (disk.length <= SYNC_WRITE_BYTES) for (let done = 0; done < disk.length; ) done += writeSync(fd, disk, done, disk.length - done);
      else for (let done = 0; done < disk.length; ) done += await writeFile(fd, disk, done, disk.length - done);
      await syncFile(fd);
    } catch (e) {
      closeSync(fd);
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    closeSync(fd);
    await this.#publish(tmp, name, flags);
    return name;
  }

  #newName(diskSize: number, wireSize: number): string {
    return uniqueName(this.#clock.seconds(), process.pid, ++counter, this.#host, diskSize, wireSize);
  }

  /** Renames a complete file from `tmp/` into `new/` (no flags) or `cur/` (with them) and flushes that folder. */
  async #publish(tmp: string, unique: string, flags: readonly string[]): Promise<void> {
    const folder = flags.length === 0 ? 'new' : 'cur';
    try {
      renameSync(tmp, join(this.path, folder, folder === 'new' ? unique : nameWithFlags(unique, flags)));
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await this.#sync[folder].sync();
  }

  /**
   * Copies the message into `target` under a new unique name with `flags`: a hard link when both are on one
   * file system (a message file never changes, so the two names can share it), else a full write. Fires
   * with the new unique name once the copy is on disk.
   */
  copyTo(entry: MaildirEntry, target: Maildir, flags: Iterable<string>): Deferred<string> {
    return Deferred.fromPromise(this.#copyTo(entry, target, [...flags]));
  }

  async #copyTo(entry: MaildirEntry, target: Maildir, flags: string[]): Promise<string> {
    const from = await this.#locate(entry);
    const parsed = parseName(entry.filename);
    if (parsed.diskSize === undefined) return target.#deliver(toWireForm(await readFile(from)), flags);
    await target.#ensure();
    const name = target.#newName(parsed.diskSize, entry.size);
    const tmp = join(target.path, 'tmp', name);
    try {
      await link(from, tmp);
    } catch {
      return target.#deliver(toWireForm(await readFile(from)), flags);
    }
    await target.#publish(tmp, name, flags);
    return name;
  }

  /** Moves the message, name and flags kept, into `target` (one rename: it is never in both or neither). */
  moveTo(entry: MaildirEntry, target: Maildir): Deferred<string> {
    return Deferred.fromPromise(this.#moveTo(entry, target));
  }

  async #moveTo(entry: MaildirEntry, target: Maildir): Promise<string> {
    const from = await this.#locate(entry);
    await target.#ensure();
    const folder = from.startsWith(join(this.path, 'new') + sep) ? 'new' : 'cur';
    await rename(from, join(target.path, folder, basename(from)));
    await target.#sync[folder].sync();
    return entry.unique;
  }

  /** Every message in `new/` and `cur/`, oldest name first. */
  list(): Deferred<MaildirEntry[]> {
    return Deferred.fromPromise(this.#list());
  }

  async #list(): Promise<MaildirEntry[]> {
    await this.#ensure();
    const out: MaildirEntry[] = [];
    const sizes = new Map<string, number>();
    for (const folder of ['new', 'cur'] as const) {
      for (const filename of await readdir(join(this.path, folder))) {
        if (filename.startsWith('.')) continue;
        const parsed = parseName(filename);
        const size = parsed.wireSize ?? this.#measured.get(parsed.unique) ?? (await this.#wireSizeOf(join(this.path, folder, filename)));
        if (size === undefined) continue;
        if (parsed.wireSize === undefined) sizes.set(parsed.unique, size);
        out.push({ unique: parsed.unique, folder, filename, flags: folder === 'new' ? '' : parsed.flags, size });
      }
    }
    this.#measured = sizes;
    return out.sort((a, b) => (a.unique < b.unique ? -1 : a.unique > b.unique ? 1 : 0));
  }

  /** The CRLF size of a file delivered by someone who did not record it (undefined if it vanished). */
  async #wireSizeOf(path: string): Promise<number | undefined> {
    try {
      return wireLength(await readFile(path));
    } catch {
      return undefined;
    }
  }

  /** The message's bytes with CRLF line ends; fails with `NoSuchMessage` once it is gone. */
  read(entry: MaildirEntry): Deferred<Uint8Array> {
    return Deferred.fromPromise(this.#read(entry));
  }

  async #read(entry: MaildirEntry): Promise<Uint8Array> {
    const path = await this.#locate(entry);
    return toWireForm(await readFile(path));
  }

  /** Sets the message's flags (moving it into `cur/`); fires with its updated entry. */
  setFlags(entry: MaildirEntry, flags: Iterable<string>): Deferred<MaildirEntry> {
    return Deferred.fromPromise(this.#setFlags(entry, flags));
  }

  async #setFlags(entry: MaildirEntry, flags: Iterable<string>): Promise<MaildirEntry> {
    const from = await this.#locate(entry);
    const filename = nameWithFlags(entry.unique, flags);
    await rename(from, join(this.path, 'cur', filename));
    return { ...entry, folder: 'cur', filename, flags: parseName(filename).flags };
  }

  /** Removes the message from disk (already gone is fine: another session removed it). */
  remove(entry: MaildirEntry): Deferred<void> {
    return Deferred.fromPromise(this.#remove(entry));
  }

  async #remove(entry: MaildirEntry): Promise<void> {
    let path: string;
    try {
      path = await this.#locate(entry);
    } catch (e) {
      if (e instanceof NoSuchMessage) return;
      throw e;
    }
    await unlink(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  /** The path of the entry's file now: where it was listed, or wherever another session moved it. */
  async #locate(entry: MaildirEntry): Promise<string> {
    const listed = join(this.path, entry.folder, entry.filename);
    if (await exists(listed)) return listed;
    for (const folder of ['cur', 'new']) {
      for (const filename of await readdir(join(this.path, folder))) {
        if (parseName(filename).unique === entry.unique) return join(this.path, folder, filename);
      }
    }
    throw new NoSuchMessage(`message ${entry.unique} is no longer in the maildir`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Messages up to this size are written without leaving the event loop (see `#deliver`). */
const SYNC_WRITE_BYTES = 256 * 1024;

const writeFile = (fd: number, data: Uint8Array, offset: number, length: number): Promise<number> =>
  new Promise((resolve, reject) => write(fd, data, offset, length, null, (e, n) => (e ? reject(e) : resolve(n))));
const syncFile = promisify(fsync);

/**
 * Flushes a folder's entries (renames into it) to disk, one `fsync` for every rename made before it
 * starts: deliveries that finish together share one flush instead of queueing one each.
 */
class DirectorySync {
  /** The flush under way, and the one that will start after it (for renames made meanwhile). */
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  constructor(readonly path: string) {}

  sync(): Promise<void> {
    // The flush starts once this turn of the event loop is over, so the renames of every delivery whose
    // file reached the disk in the same turn share it; and not before a flush already running is done (it
    // may have started before this caller's rename).
    this.#next ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#running)
      .then(
        () => this.#start(),
        () => this.#start(),
      );
    return this.#next;
  }

  #start(): Promise<void> {
    this.#next = null;
    const run = (async () => {
      const fd = openSync(this.path, 'r');
      try {
        await syncFile(fd);
      } finally {
        closeSync(fd);
      }
    })();
    this.#running = run;
    const clear = (): void => {
      if (this.#running === run) this.#running = null;
    };
    run.then(clear, clear);
    return run;
  }
}
