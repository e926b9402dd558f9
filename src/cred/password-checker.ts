/**
 * Checkers of user names and passwords over a store of `username → stored password`:
 * the shared checking ({@link PasswordDatabaseChecker}) and the in-memory store
 * ({@link InMemoryUsernamePasswordDatabase}, Twisted's `InMemoryUsernamePasswordDatabaseDontUse`, usable
 * here because it may hold scrypt hashes instead of passwords).
 * @module
 */
import { Deferred, maybeDeferred } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { IUsernamePassword, interfaceName, provides } from './credentials.js';
import { UnauthorizedLogin, UnhandledCredentials } from './errors.js';
import type { AvatarId, CredentialsInterface, ICredentials, ICredentialsChecker } from './interfaces.js';
import { resolveCredLimits, type CredLimits } from './limits.js';
import { decoyFor, defaultVerifier, hashVerifier, type PasswordHash, type PasswordVerifier } from './passwords.js';

const log = new Logger({ namespace: 'torsion.cred' });

/** Options of the password checkers. */
export interface PasswordCheckerOptions {
  /** False to match user names in any case (true by default, as Twisted). */
  caseSensitive?: boolean;
  /** How a typed password is checked against the stored one ({@link defaultVerifier} by default). */
  verify?: PasswordVerifier;
  /** Twisted's `hash`: the stored value is `hash(username, password, stored)` (instead of `verify`). */
  hash?: PasswordHash;
  /** Limits on user names and passwords. */
  limits?: Partial<CredLimits>;
}

/** One user of a password store. */
export interface PasswordEntry {
  /** The user name as the store spells it: the avatar id a login gives. */
  username: string;
  /** The password, or a `scrypt$...` hash, or what the store's verifier understands. */
  stored: string;
}

/**
 * What every username/password checker does, over a store a subclass looks users up in: refuse overlong
 * input, look the user up, check the password against the stored value or, for an unknown user, against
 * a decoy shaped like the store's entries, and fail with the same `UnauthorizedLogin` either way.
 */
export abstract class PasswordDatabaseChecker implements ICredentialsChecker {
  readonly credentialInterfaces: readonly CredentialsInterface[] = [IUsernamePassword];
  readonly caseSensitive: boolean;
  readonly limits: Readonly<CredLimits>;
  readonly #verify: PasswordVerifier;

  constructor(options: PasswordCheckerOptions = {}) {
    if (options.verify && options.hash) throw new TypeError('give a password checker verify or hash, not both');
    this.caseSensitive = options.caseSensitive ?? true;
    this.limits = resolveCredLimits(options.limits);
    this.#verify = options.verify ?? (options.hash ? hashVerifier(options.hash) : defaultVerifier);
  }

  /** The key a user name is stored under (folded when not case-sensitive). */
  protected keyOf(username: string): string {
    return this.caseSensitive ? username : username.toLowerCase();
  }

  /** The entry of the user with this key, if any. */
  protected abstract lookup(key: string): Deferred<PasswordEntry | undefined>;

  /** A stored value like the store's own, checked for unknown users. */
  protected abstract decoy(): string;

  requestAvatarId(credentials: ICredentials): Deferred<AvatarId> {
    if (!provides(credentials, IUsernamePassword)) {
      return Deferred.fail(new UnhandledCredentials(`${this.constructor.name} takes ${interfaceName(IUsernamePassword)}`));
    }
    const { username, password, peer } = credentials;
    if (typeof username !== 'string' || typeof password !== 'string') return Deferred.fail(new UnauthorizedLogin());
    if (username.length > this.limits.maxUsernameLength || password.length > this.limits.maxPasswordLength) {
      log.info('login refused: overlong user name or password from {peer}', { peer: peer ?? 'unknown' });
      return Deferred.fail(new UnauthorizedLogin());
    }
    return this.lookup(this.keyOf(username)).addCallback((entry) =>
      maybeDeferred(this.#verify, password, entry?.stored ?? this.decoy(), username).addCallback((ok): AvatarId => {
        if (ok === true && entry !== undefined) return entry.username;
        log.info('login refused for {username} from {peer}: {reason}', {
          username,
          peer: peer ?? 'unknown',
          reason: entry === undefined ? 'unknown user' : 'wrong password',
        });
        throw new UnauthorizedLogin();
      }),
    );
  }
}

/**
 * Users and passwords (or scrypt hashes of them) held in memory: tests, small tools and
 * `--auth memory:alice:secret`.
 *
 * @example
 * const checker = new InMemoryUsernamePasswordDatabase({ alice: 'secret' });
 * checker.addUser('bob', await hashPassword('hunter22'));
 * const portal = new Portal(realm, [checker]);
 */
export class InMemoryUsernamePasswordDatabase extends PasswordDatabaseChecker {
  readonly #users = new Map<string, PasswordEntry>();
  #decoy = decoyFor(undefined);

  constructor(users: Record<string, string> | Iterable<readonly [string, string]> = {}, options: PasswordCheckerOptions = {}) {
    super(options);
    const pairs = Symbol.iterator in users ? users : Object.entries(users);
    for (const [username, stored] of pairs) this.addUser(username, stored);
  }

  /** Adds (or replaces) a user; `stored` is the password, or a `scrypt$...` hash of it. */
  addUser(username: string, stored: string): void {
    this.#users.set(this.keyOf(username), { username, stored });
    if (this.#users.size === 1) this.#decoy = decoyFor(stored);
  }

  /** Removes a user; false if there was none. */
  removeUser(username: string): boolean {
    return this.#users.delete(this.keyOf(username));
  }

  protected lookup(key: string): Deferred<PasswordEntry | undefined> {
    return Deferred.succeed(this.#users.get(key));
  }

  protected decoy(): string {
    return this.#decoy;
  }
}
