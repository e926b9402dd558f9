/**
 * Public-key logins (Twisted's `SSHPublicKeyChecker` with its `IAuthorizedKeysDB`s): a user may log in
 * with a key listed for them, proven by a signature, from where the key's `from=` allows, before its
 * `expiry-time`. Keys come from OpenSSH `authorized_keys` files (by default `~user/.ssh/authorized_keys`
 * and `authorized_keys2`) or from memory.
 * @module
 */
import { Deferred } from '../defer/index.js';
import type { IReactorTime } from '../internet/interfaces.js';
import { reactor } from '../internet/index.js';
import { Logger } from '../logger/index.js';
import { ISSHPrivateKey, interfaceName, provides } from './credentials.js';
import { UnauthorizedLogin, UnhandledCredentials, ValidPublicKey } from './errors.js';
import { matchAddressPatterns } from './host-patterns.js';
import type { AvatarId, CredentialsInterface, ICredentials, ICredentialsChecker, ISSHPrivateKeyCredentials } from './interfaces.js';
import { resolveCredLimits, type CredLimits } from './limits.js';
import { parseAuthorizedKeyLine, type AuthorizedKey } from './authorized-keys.js';
import type { SignatureOptions } from './ssh-keys.js';

const log = new Logger({ namespace: 'torsion.cred' });

/** Where the keys of each user are (Twisted's `IAuthorizedKeysDB`). */
export interface IAuthorizedKeysDB {
  /** The keys `username` may log in with (none for an unknown user). */
  getAuthorizedKeys(username: string): Deferred<readonly AuthorizedKey[]>;
}

/**
 * Keys held in memory, as `authorized_keys` lines or parsed entries (Twisted's `InMemorySSHKeyDB`).
 *
 * @example
 * const db = new InMemorySSHKeyDB({ alice: ['ssh-ed25519 AAAAC3Nza... alice@laptop'] });
 */
export class InMemorySSHKeyDB implements IAuthorizedKeysDB {
  readonly #keys = new Map<string, AuthorizedKey[]>();

  constructor(keys: Record<string, readonly (string | AuthorizedKey)[]>, limits: Partial<CredLimits> = {}) {
    for (const [user, list] of Object.entries(keys)) {
      this.#keys.set(user, list.map((k) => (typeof k === 'string' ? parseAuthorizedKeyLine(k, limits) : k)));
    }
  }

  getAuthorizedKeys(username: string): Deferred<readonly AuthorizedKey[]> {
    return Deferred.succeed(this.#keys.get(username) ?? []);
  }
}

/** Options of {@link SSHPublicKeyChecker}. */
export interface SSHPublicKeyCheckerOptions extends SignatureOptions {
  /** The clock `expiry-time` is compared with (the global reactor by default). */
  clock?: IReactorTime;
  limits?: Partial<CredLimits>;
}

/**
 * Checks `SSHPrivateKey` credentials. Without a signature it fails with `ValidPublicKey` when the key
 * would do (SSH's query step) and `UnauthorizedLogin` otherwise; with one, it gives the user name when the
 * signature is good. Keys marked `cert-authority` never log in by themselves; a key with `from=` needs the
 * credentials' `peer` and refuses any other address.
 *
 * @example
 * const checker = new SSHPublicKeyChecker(new AuthorizedKeysFiles(authorizedKeysDirectory('./keys')));
 */
export class SSHPublicKeyChecker implements ICredentialsChecker {
  readonly credentialInterfaces: readonly CredentialsInterface[] = [ISSHPrivateKey];
  readonly limits: Readonly<CredLimits>;
  readonly #clock: IReactorTime | undefined;
  readonly #signatures: SignatureOptions;

  constructor(
    readonly keydb: IAuthorizedKeysDB,
    options: SSHPublicKeyCheckerOptions = {},
  ) {
    this.limits = resolveCredLimits(options.limits);
    this.#clock = options.clock;
    this.#signatures = { allowSHA1: options.allowSHA1 ?? false };
  }

  /**
   * The entry that lets these credentials' key in for their user now (its options say what the session
   * may do), or undefined. Does not look at the signature.
   */
  findKey(credentials: ISSHPrivateKeyCredentials): Deferred<AuthorizedKey | undefined> {
    const { username, blob, peer } = credentials;
    if (typeof username !== 'string' || username.length > this.limits.maxUsernameLength || !(blob instanceof Uint8Array)) return Deferred.succeed(undefined);
    return this.keydb.getAuthorizedKeys(username).addCallback((keys) => {
      const now = (this.#clock ?? reactor).seconds();
      return keys.find((entry) => {
        if (!entry.key.equals(blob) || entry.options.certAuthority) return false;
        if (entry.options.expiryTime !== undefined && now >= entry.options.expiryTime) {
          log.info('key {fingerprint} of {username} has expired', { fingerprint: entry.key.fingerprint(), username });
          return false;
        }
        if (entry.options.from !== undefined && (peer === undefined || !matchAddressPatterns(entry.options.from, peer))) {
          log.info('key {fingerprint} of {username} refused from {peer}', { fingerprint: entry.key.fingerprint(), username, peer: peer ?? 'an unknown address' });
          return false;
        }
        return true;
      });
    });
  }

  requestAvatarId(credentials: ICredentials): Deferred<AvatarId> {
    if (!provides(credentials, ISSHPrivateKey)) return Deferred.fail(new UnhandledCredentials(`SSHPublicKeyChecker takes ${interfaceName(ISSHPrivateKey)}`));
    return this.findKey(credentials).addCallback((entry): AvatarId => {
      const { username, algName, sigData, signature, peer } = credentials;
      if (entry === undefined) {
        log.info('login refused for {username} from {peer}: key not authorized', { username, peer: peer ?? 'unknown' });
        throw new UnauthorizedLogin();
      }
      if (signature === undefined) throw new ValidPublicKey();
      const signed = sigData instanceof Uint8Array && sigData.length <= this.limits.maxSignedDataBytes;
      if (!signed || !(signature instanceof Uint8Array) || !entry.key.verify(algName, signature, sigData, this.#signatures)) {
        log.info('login refused for {username} from {peer}: bad signature', { username, peer: peer ?? 'unknown' });
        throw new UnauthorizedLogin();
      }
      return username;
    });
  }
}
