/**
 * APOP (RFC 1939 §7): the client proves it knows the password by the MD5 of the server's greeting
 * timestamp and the password, so only a checker that holds passwords in the clear can check it.
 * @module
 */
import { createHash } from 'node:crypto';
import { Deferred } from '../../defer/index.js';
import { constantTimeEqual, defineCredentialsInterface, UnauthorizedLogin, type AvatarId, type ICredentials, type ICredentialsChecker } from '../../cred/index.js';

/** APOP's proof: the user name, the greeting's timestamp, and the digest the client sent. */
export interface IAPOPCredentials extends ICredentials {
  readonly username: string;
  /** True if `password` is the one the digest was made with (Twisted's `checkPassword`). */
  checkPassword(password: string): boolean;
}

/** The credentials interface of APOP. */
export const IAPOP = defineCredentialsInterface<IAPOPCredentials>('IAPOP');

/** The hex MD5 of the challenge and the password, as APOP sends it. */
export function apopDigest(challenge: string, password: string): string {
  return createHash('md5').update(challenge + password, 'utf8').digest('hex');
}

/** APOP credentials as the server received them. */
export class APOPCredentials implements IAPOPCredentials {
  readonly credentialInterfaces = [IAPOP] as const;
  constructor(
    readonly username: string,
    readonly challenge: string,
    readonly digest: string,
    readonly peer?: string,
  ) {}

  checkPassword(password: string): boolean {
    return constantTimeEqual(apopDigest(this.challenge, password), this.digest.toLowerCase());
  }
}

/**
 * Checks APOP against passwords kept in the clear (as `--auth memory:` gives them).
 *
 * @example
 * const portal = new Portal(realm, [new InMemoryUsernamePasswordDatabase(users), new APOPChecker(users)]);
 */
export class APOPChecker implements ICredentialsChecker {
  readonly credentialInterfaces = [IAPOP];
  readonly #passwords: Map<string, string>;

  constructor(passwords: Record<string, string> | Iterable<readonly [string, string]>) {
    this.#passwords = new Map(Symbol.iterator in passwords ? passwords : Object.entries(passwords));
  }

  requestAvatarId(credentials: ICredentials): Deferred<AvatarId> {
    const c = credentials as IAPOPCredentials;
    const password = this.#passwords.get(c.username);
    // An unknown user costs the same digest as a wrong password.
    const ok = c.checkPassword(password ?? '\0decoy\0');
    return ok && password !== undefined ? Deferred.succeed(c.username) : Deferred.fail(new UnauthorizedLogin());
  }
}
