/**
 * `KnownHostsFile` (Twisted Conch's `client.knownhosts.KnownHostsFile`): the host keys a client trusts,
 * read from an OpenSSH `known_hosts` file. New keys are only ever appended: the lines already there, their
 * comments and order stay exactly as written.
 * @module
 */
import { open } from 'node:fs/promises';
import type { SSHPublicKey } from '../../cred/index.js';
import { readBoundedText } from '../../cred/files.js';
import { Deferred } from '../../defer/index.js';
import { HostKeyMismatchError, KeyLimitError, RevokedHostKeyError, UnknownHostKeyError } from './errors.js';
import { Key } from './key.js';
import { entryMatchesHost, hashHostName, knownHostsName, parseKnownHostsLine, type KnownHostsEntry } from './known-hosts-line.js';
import { resolveSSHKeyLimits, type SSHKeyLimits } from './limits.js';

/** How to add a key. */
export interface AddHostKeyOptions {
  /** Write the host name hashed (`|1|salt|hash`), as `HashKnownHosts yes` does (default false). */
  hash?: boolean;
}

/** How {@link KnownHostsFile.verifyHostKey} treats a host it does not know. */
export interface VerifyHostKeyOptions extends AddHostKeyOptions {
  /** Add an unknown host's key (and save, when the file has a path) instead of refusing it (default false). */
  acceptNewHostKeys?: boolean;
}

/** One line as read: its text, and what it says when it names a host. */
interface Line {
  text: string;
  entry?: KnownHostsEntry;
}

/** Host names may not carry what would change the line's meaning: blanks, commas, wildcards, negation, hashes. */
const SAFE_HOST = /^[^\s,*?!|#@[\]]+$/;

/** ECDSA keys of any curve are one type to OpenSSH's host key check: another curve is a changed key. */
const keyFamily = (type: string): string => (type.startsWith('ecdsa-sha2-') ? 'ecdsa' : type);

const publicOf = (key: Key | SSHPublicKey): SSHPublicKey => (key instanceof Key ? key.publicKey : key);

/**
 * The known hosts of one file (or of text, for tests). `hasHostKey` answers the question a client asks
 * of the key a server offered; `addHostKey` and `save` remember a new one.
 *
 * @example
 * const known = await KnownHostsFile.fromPath(`${home}/.ssh/known_hosts`);
 * if (!known.hasHostKey('example.org', 22, offered)) { known.addHostKey('example.org', 22, offered); await known.save(); }
 */
export class KnownHostsFile {
  readonly #lines: Line[];
  /** Lines added since the file was read (or last saved), to append. */
  readonly #pending: string[] = [];
  /** The file's text ends without a newline: the first appended line must start one. */
  #endsOpen: boolean;

  private constructor(
    text: string,
    /** The file this was read from, and `save` appends to; undefined for one made from text. */
    readonly path: string | undefined,
    readonly limits: Readonly<SSHKeyLimits>,
  ) {
    const raw = text === '' ? [] : text.split('\n');
    this.#endsOpen = raw.length > 0 && raw[raw.length - 1] !== '';
    if (!this.#endsOpen) raw.pop();
    this.#lines = raw.map((lineText, i) => {
      const trimmed = lineText.replace(/\r$/, '').trim();
      return trimmed === '' || trimmed.startsWith('#') ? { text: lineText } : { text: lineText, entry: parseKnownHostsLine(lineText.replace(/\r$/, ''), i + 1, limits.maxKnownHostsLineLength) };
    });
  }

  /** Known hosts from the text of a `known_hosts` file. */
  static fromString(text: string, options: { path?: string; limits?: Partial<SSHKeyLimits> } = {}): KnownHostsFile {
    return new KnownHostsFile(text, options.path, resolveSSHKeyLimits(options.limits));
  }

  /**
   * Known hosts from the file at `path`, no larger than `maxKnownHostsFileBytes`. A missing file is an
   * empty list (created by the first `save`).
   */
  static fromPath(path: string, options: { limits?: Partial<SSHKeyLimits> } = {}): Deferred<KnownHostsFile> {
    const limits = resolveSSHKeyLimits(options.limits);
    return readBoundedText(path, limits.maxKnownHostsFileBytes).addCallbacks(
      (text) => new KnownHostsFile(text, path, limits),
      (failure) => {
        const code = (failure.value as { code?: unknown }).code;
        if (code === 'ENOENT') return new KnownHostsFile('', path, limits);
        if (code === 'TORSION_CRED_FILE_TOO_LARGE') throw new KeyLimitError(failure.getErrorMessage());
        return failure;
      },
    );
  }

  /** Every line that names hosts, usable or not (see `error`), in file order, added ones last. */
  entries(): KnownHostsEntry[] {
    return this.#lines.flatMap((l) => (l.entry ? [l.entry] : []));
  }

  /** The usable entries that apply to `host` at `port`, markers included. */
  matchingEntries(host: string, port = 22): KnownHostsEntry[] {
    const name = knownHostsName(host, port);
    return this.entries().filter((e) => e.error === undefined && e.key !== undefined && entryMatchesHost(e, name));
  }

  /**
   * Whether `key` is a known key of `host` at `port`: true if it is; false if the host has no key of this
   * type here; throws {@link HostKeyMismatchError} if the host is known with another key of this type
   * (ECDSA curves count as one type, as in OpenSSH), {@link RevokedHostKeyError} if the key is `@revoked`.
   * `@cert-authority` lines are recognised but never match: host certificates are not supported.
   */
  hasHostKey(host: string, port: number, key: Key | SSHPublicKey): boolean {
    const offered = publicOf(key);
    const hostName = knownHostsName(host, port);
    const init = { hostName, fingerprint: offered.fingerprint() };
    let found = false;
    let other: KnownHostsEntry | undefined;
    for (const entry of this.matchingEntries(host, port)) {
      const known = entry.key as SSHPublicKey;
      if (entry.marker === 'revoked') {
        if (known.equals(offered)) throw new RevokedHostKeyError(init);
      } else if (entry.marker === undefined && keyFamily(known.type) === keyFamily(offered.type)) {
        if (known.equals(offered)) found = true;
        else other ??= entry;
      }
    }
    if (found) return true;
    if (other !== undefined) throw new HostKeyMismatchError({ ...init, line: other.line, path: this.path });
    return false;
  }

  /** The key types known for `host` at `port`, so a client can prefer them in key exchange. */
  knownKeyTypes(host: string, port = 22): string[] {
    const types = this.matchingEntries(host, port).filter((e) => e.marker === undefined).map((e) => (e.key as SSHPublicKey).type);
    return [...new Set(types)];
  }

  /**
   * Adds `key` for `host` at `port`, in memory; {@link save} appends it to the file. Refuses a host name
   * that would read back as something else (blanks, commas, wildcards, `!`, `|`, `#`, `@`, brackets).
   */
  addHostKey(host: string, port: number, key: Key | SSHPublicKey, options: AddHostKeyOptions = {}): KnownHostsEntry {
    if (!SAFE_HOST.test(host)) throw new RangeError(`not a host name to remember: ${JSON.stringify(host)}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`not a port: ${port}`);
    const name = knownHostsName(host, port);
    const text = `${options.hash ? hashHostName(name) : name} ${publicOf(key).toString()}`;
    const entry = parseKnownHostsLine(text, this.#lines.length + 1, this.limits.maxKnownHostsLineLength);
    this.#lines.push({ text, entry });
    this.#pending.push(text);
    return entry;
  }

  /**
   * Checks the key `host` offered, as a client does before trusting it: succeeds if it is known; fails
   * with {@link HostKeyMismatchError} or {@link RevokedHostKeyError} (always), or {@link UnknownHostKeyError}
   * unless `acceptNewHostKeys`, in which case the key is added and saved.
   */
  verifyHostKey(host: string, port: number, key: Key | SSHPublicKey, options: VerifyHostKeyOptions = {}): Deferred<void> {
    try {
      if (this.hasHostKey(host, port, key)) return Deferred.succeed(undefined);
      if (!options.acceptNewHostKeys) throw new UnknownHostKeyError({ hostName: knownHostsName(host, port), fingerprint: publicOf(key).fingerprint() });
      this.addHostKey(host, port, key, options);
      return this.save();
    } catch (e) {
      return Deferred.fail(e);
    }
  }

  /**
   * Appends the lines added since reading (or the last save) to the file, creating it (mode 0600) if it
   * is missing; nothing already in the file is rewritten. Does nothing for known hosts without a path.
   */
  save(): Deferred<void> {
    const path = this.path;
    if (path === undefined || this.#pending.length === 0) return Deferred.succeed(undefined);
    const lines = this.#pending.splice(0);
    return Deferred.fromPromise(
      (async () => {
        const file = await open(path, 'a+', 0o600);
        try {
          const { size } = await file.stat();
          let lead = '';
          if (size > 0) {
            const last = Buffer.alloc(1);
            await file.read(last, 0, 1, size - 1);
            if (last[0] !== 0x0a) lead = '\n';
          }
          await file.appendFile(`${lead}${lines.join('\n')}\n`);
          this.#endsOpen = false;
        } catch (e) {
          this.#pending.unshift(...lines);
          throw e;
        } finally {
          await file.close();
        }
      })(),
    );
  }

  /** The file as it reads now: the lines read, as written, then the lines added. */
  toString(): string {
    const read = this.#lines.length - this.#pending.length;
    const head = this.#lines.slice(0, read).map((l) => l.text).join('\n');
    const tail = this.#pending.map((l) => `${l}\n`).join('');
    if (read === 0) return tail;
    return this.#endsOpen ? (tail === '' ? head : `${head}\n${tail}`) : `${head}\n${tail}`;
  }
}
