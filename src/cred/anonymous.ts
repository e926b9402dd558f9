/**
 * `AllowAnonymousAccess`: lets anyone in as the one anonymous avatar (Twisted's checker of that name).
 * @module
 */
import { Deferred } from '../defer/index.js';
import { ANONYMOUS, IAnonymous, interfaceName, provides } from './credentials.js';
import { UnhandledCredentials } from './errors.js';
import type { AvatarId, CredentialsInterface, ICredentials, ICredentialsChecker } from './interfaces.js';

/**
 * Takes `Anonymous` credentials and gives {@link ANONYMOUS}; the realm decides what an anonymous avatar may do.
 *
 * @example
 * const portal = new Portal(realm, [new AllowAnonymousAccess()]);
 * const [, guest] = await portal.login(new Anonymous(), null, IGuest);
 */
export class AllowAnonymousAccess implements ICredentialsChecker {
  readonly credentialInterfaces: readonly CredentialsInterface[] = [IAnonymous];

  requestAvatarId(credentials: ICredentials): Deferred<AvatarId> {
    if (!provides(credentials, IAnonymous)) return Deferred.fail(new UnhandledCredentials(`AllowAnonymousAccess takes ${interfaceName(IAnonymous)}`));
    return Deferred.succeed(ANONYMOUS);
  }
}
