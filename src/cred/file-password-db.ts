/**
 * `FilePasswordDB`: users and passwords in a text file (Twisted's `checkers.FilePasswordDB`), one user a
 * line, `user:password` by default, read again whenever the file changes.
 * @module
 */
import { Deferred, type Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { fileVersion, readBoundedText, sameVersion, type FileVersion } from './files.js';
import { PasswordDatabaseChecker, type PasswordCheckerOptions, type PasswordEntry } from './password-checker.js';
import { decoyFor } from './passwords.js';

const log = new Logger({ namespace: 'torsion.cred' });

/** Options of {@link FilePasswordDB}: the file's layout, and the password checking of every checker. */
export interface FilePasswordDBOptions extends PasswordCheckerOptions {
  /** What separates the fields of a line (`:` by default). */
  delimiter?: string;
  /** The field holding the user name, from 0 (0 by default). */
  usernameField?: number;
  /** The field holding the password or its hash (1 by default). */
  passwordField?: number;
}

/** What one read of the file found. */
interface Snapshot {
  version: FileVersion;
  users: Map<string, PasswordEntry>;
  decoy: string;
}

/** How one read of the file ended. */
type Loaded = { snapshot: Snapshot } | { failure: Failure };

/**
 * A checker over a password file. Blank lines and lines starting with `#` are skipped, as are lines with
 * too few fields; the first line of a user wins. Each value is a password, or a `scrypt$...` hash as
 * `torsion/words` stores them (see `hashPassword`), or what `hash`/`verify` understand. The file is
 * looked at on every login and read again when it changed, so users can be added without a restart; a
 * file that cannot be read refuses every login (and says why in the log).
 *
 * @example
 * // users: "alice:scrypt$16384$8$1$...", "bob:hunter22"
 * const checker = new FilePasswordDB('./users');
 */
export class FilePasswordDB extends PasswordDatabaseChecker {
  readonly delimiter: string;
  readonly usernameField: number;
  readonly passwordField: number;
  #snapshot: Snapshot | undefined;
  /** The read under way, shared by the logins that arrive meanwhile. */
  #loading: Deferred<Loaded> | undefined;

  constructor(
    readonly filename: string,
    options: FilePasswordDBOptions = {},
  ) {
    super(options);
    this.delimiter = options.delimiter ?? ':';
    this.usernameField = options.usernameField ?? 0;
    this.passwordField = options.passwordField ?? 1;
    if (this.delimiter === '') throw new TypeError('FilePasswordDB needs a non-empty delimiter');
    for (const field of [this.usernameField, this.passwordField]) {
      if (!Number.isInteger(field) || field < 0) throw new TypeError(`FilePasswordDB fields are indexes from 0, not ${field}`);
    }
  }

  /** The users of the file as it is now: `[username, stored]` pairs, first line of each user only. */
  entries(): Deferred<[string, string][]> {
    return this.#current().addCallback((s) => [...s.users.values()].map((e): [string, string] => [e.username, e.stored]));
  }

  protected lookup(key: string): Deferred<PasswordEntry | undefined> {
    return this.#current().addCallbacks(
      (s) => s.users.get(key),
      (f: Failure) => {
        log.failure('cannot read the password file {filename}: every login is refused', f, { filename: this.filename }, 'error');
        return undefined;
      },
    );
  }

  protected decoy(): string {
    return this.#snapshot?.decoy ?? decoyFor(undefined);
  }

  #current(): Deferred<Snapshot> {
    return fileVersion(this.filename).addCallback((version) => {
      if (sameVersion(this.#snapshot?.version, version)) return this.#snapshot as Snapshot;
      this.#loading ??= readBoundedText(this.filename, this.limits.maxPasswordFileBytes).addCallbacks(
        (text): Loaded => {
          this.#loading = undefined;
          this.#snapshot = this.#parse(text, version);
          return { snapshot: this.#snapshot };
        },
        (failure: Failure): Loaded => {
          this.#loading = undefined;
          this.#snapshot = undefined;
          return { failure };
        },
      );
      // Each login gets its own Deferred from the one read, which itself never fails (nothing left unhandled).
      const mine = new Deferred<Snapshot>();
      this.#loading.addCallback((loaded) => {
        if ('failure' in loaded) mine.errback(loaded.failure);
        else mine.callback(loaded.snapshot);
        return loaded;
      });
      return mine;
    });
  }

  #parse(text: string, version: FileVersion): Snapshot {
    const users = new Map<string, PasswordEntry>();
    let sample: string | undefined;
    const needed = Math.max(this.usernameField, this.passwordField) + 1;
    for (const raw of text.split('\n')) {
      const line = raw.trimEnd();
      if (line === '' || line.startsWith('#')) continue;
      const fields = line.split(this.delimiter);
      if (fields.length < needed) continue;
      const username = fields[this.usernameField];
      const stored = fields[this.passwordField];
      sample ??= stored;
      const key = this.keyOf(username);
      if (!users.has(key)) users.set(key, { username, stored });
    }
    return { version, users, decoy: decoyFor(sample) };
  }
}
