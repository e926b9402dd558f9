/**
 * `authorized_keys` files as a key database: which files hold a user's keys (a mapping function), read
 * with a size limit each time a user logs in, so edits apply at once as with OpenSSH.
 * @module
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Deferred, gatherResults, maybeDeferred, type Deferrable, type Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { parseAuthorizedKeys, type AuthorizedKey } from './authorized-keys.js';
import type { IAuthorizedKeysDB } from './authorized-keys-checker.js';
import { readBoundedText } from './files.js';
import { resolveCredLimits, type CredLimits } from './limits.js';

const log = new Logger({ namespace: 'torsion.cred' });

/** The files that may hold a user's keys; none for a user who has none. */
export type AuthorizedKeysMapping = (username: string) => Deferrable<readonly string[]>;

/** True if `username` can name a file or be looked up safely: no path separators, NUL, or dot names. */
export function isSafeUsername(username: string): boolean {
  return username !== '' && username !== '.' && username !== '..' && !username.includes('\u0000') && !/[/\\]/.test(username);
}

/**
 * The home folder of `username`: the current user's from the OS, others' from `/etc/passwd` (Node cannot
 * ask the system's user database for another user). Undefined for an unknown user.
 */
export function homeDirectory(username: string, passwdFile = '/etc/passwd', limits: Partial<CredLimits> = {}): Deferred<string | undefined> {
  if (!isSafeUsername(username)) return Deferred.succeed(undefined);
  try {
    const me = userInfo();
    if (me.username === username && me.homedir) return Deferred.succeed(me.homedir);
  } catch {
    // No user database entry for this process: look in the file.
  }
  return readBoundedText(passwdFile, resolveCredLimits(limits).maxPasswordFileBytes).addCallbacks(
    (text) => {
      for (const line of text.split('\n')) {
        const fields = line.split(':');
        if (fields.length >= 7 && fields[0] === username && fields[5] !== '') return fields[5];
      }
      return undefined;
    },
    () => undefined,
  );
}

/** The default mapping: `~user/.ssh/authorized_keys` and `~user/.ssh/authorized_keys2`, as sshd's default. */
export function userAuthorizedKeysFiles(username: string): Deferred<readonly string[]> {
  return homeDirectory(username).addCallback((home) => (home === undefined ? [] : [join(home, '.ssh', 'authorized_keys'), join(home, '.ssh', 'authorized_keys2')]));
}

/**
 * A mapping to one file per user in `dir`, named after the user (`dir/alice`), as `torsion ssh
 * --authorized-keys DIR` uses. Names that could leave the folder map to no file.
 */
export function authorizedKeysDirectory(dir: string): AuthorizedKeysMapping {
  return (username) => (isSafeUsername(username) && !username.startsWith('.') ? [join(dir, username)] : []);
}

/**
 * The keys of each user, from the `authorized_keys` files `mapping` names (Twisted's
 * `UNIXAuthorizedKeysFiles`). A missing file holds no keys; unusable lines are logged and skipped.
 *
 * @example
 * const db = new AuthorizedKeysFiles(authorizedKeysDirectory('/etc/torsion/keys'));
 */
export class AuthorizedKeysFiles implements IAuthorizedKeysDB {
  readonly limits: Readonly<CredLimits>;

  constructor(
    readonly mapping: AuthorizedKeysMapping = userAuthorizedKeysFiles,
    limits: Partial<CredLimits> = {},
  ) {
    this.limits = resolveCredLimits(limits);
  }

  getAuthorizedKeys(username: string): Deferred<readonly AuthorizedKey[]> {
    return maybeDeferred(this.mapping, username).addCallback((files) =>
      gatherResults(files.map((file) => this.#read(file))).addCallback((lists) => lists.flat()),
    );
  }

  #read(file: string): Deferred<AuthorizedKey[]> {
    return readBoundedText(file, this.limits.maxAuthorizedKeysFileBytes).addCallbacks(
      (text) => {
        const { keys, errors } = parseAuthorizedKeys(text, this.limits);
        for (const { line, reason } of errors) log.warn('{file}:{line}: key skipped: {reason}', { file, line, reason });
        return keys;
      },
      (f: Failure) => {
        if ((f.value as NodeJS.ErrnoException).code !== 'ENOENT') log.failure('cannot read {file}: its keys are not used', f, { file }, 'error');
        return [];
      },
    );
  }
}
