/**
 * The words accounts as a `torsion/cred` checker, so a words account can log in wherever a portal is.
 * @module
 */
import { IUsernamePassword, UnauthorizedLogin, UnhandledCredentials, interfaceName, provides } from '../cred/index.js';
import type { AvatarId, CredentialsInterface, ICredentials, ICredentialsChecker } from '../cred/index.js';
import { Deferred, type Failure } from '../defer/index.js';
import { AuthenticationError, TooManyAttemptsError } from './errors.js';
import type { WordsService } from './service.js';

/**
 * Checks user names and passwords against the accounts of a {@link WordsService}, through its
 * `authenticate`: the same scrypt check, the same work for an unknown name, and the same login throttle
 * as every words front door (per account and per address: the credentials' `peer`). The avatar id is the
 * account's name as registered. A throttled attempt fails with `UnauthorizedLogin` carrying `retryAfter`.
 *
 * @example
 * const portal = new Portal(realm, [new WordsAccountChecker(words)]);
 * await portal.login(new UsernamePassword('alice', 'secret', peer.host), null, IShell);
 */
export class WordsAccountChecker implements ICredentialsChecker {
  readonly credentialInterfaces: readonly CredentialsInterface[] = [IUsernamePassword];

  constructor(readonly service: WordsService) {}

  requestAvatarId(credentials: ICredentials): Deferred<AvatarId> {
    if (!provides(credentials, IUsernamePassword)) return Deferred.fail(new UnhandledCredentials(`WordsAccountChecker takes ${interfaceName(IUsernamePassword)}`));
    const { username, password, peer } = credentials;
    return this.service.authenticate(username, password, peer === undefined ? {} : { host: peer }).addCallbacks(
      (account): AvatarId => account.name,
      (f: Failure) => {
        if (f.value instanceof TooManyAttemptsError) throw new UnauthorizedLogin(undefined, f.value.retryAfter);
        if (f.value instanceof AuthenticationError) throw new UnauthorizedLogin();
        return f;
      },
    );
  }
}
