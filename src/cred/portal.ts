/**
 * `Portal`: ties checkers to a realm (Twisted's `twisted.cred.portal.Portal`). A front door hands it the
 * credentials it received and the avatar interfaces it can drive; it gets back an avatar, or one refusal.
 * @module
 */
import { Deferred, Failure, maybeDeferred } from '../defer/index.js';
import type { IReactorTime } from '../internet/interfaces.js';
import { reactor } from '../internet/index.js';
import { Logger } from '../logger/index.js';
import { interfaceName } from './credentials.js';
import { UnauthorizedLogin, UnhandledCredentials, UnsupportedAvatarInterface, ValidPublicKey } from './errors.js';
import type { AvatarId, AvatarInterface, CredentialsInterface, ICredentials, ICredentialsChecker, IRealm, LoginResult } from './interfaces.js';

const log = new Logger({ namespace: 'torsion.cred' });

/** Options of a {@link Portal}. */
export interface PortalOptions {
  /**
   * Seconds every refused login waits before it fails (0 by default: no wait). The same for every reason,
   * so it slows guessing without telling an unknown user from a wrong password.
   */
  failureDelay?: number;
  /** The clock of `failureDelay` (the global reactor by default). */
  clock?: IReactorTime;
}

/**
 * Logs credentials in: finds the checker of the first credentials interface they provide, asks it for the
 * avatar id, then asks the realm for an avatar of one of the interfaces the caller asked for.
 *
 * Fails with `UnhandledCredentials` when no checker takes the credentials, `UnauthorizedLogin` when the
 * checker refuses them (an error inside a checker is logged and refused the same way, so nothing about
 * it reaches the peer), and whatever the realm fails with.
 *
 * @example
 * const portal = new Portal(realm, [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
 * const [iface, avatar, logout] = await portal.login(new UsernamePassword('alice', 'secret'), null, IShell);
 */
export class Portal {
  readonly #checkers = new Map<CredentialsInterface, ICredentialsChecker>();
  readonly #failureDelay: number;
  readonly #clock: IReactorTime | undefined;

  constructor(
    readonly realm: IRealm,
    checkers: Iterable<ICredentialsChecker> = [],
    options: PortalOptions = {},
  ) {
    this.#failureDelay = options.failureDelay ?? 0;
    if (!(this.#failureDelay >= 0) || !Number.isFinite(this.#failureDelay)) throw new RangeError(`failureDelay must be seconds >= 0, not ${this.#failureDelay}`);
    this.#clock = options.clock;
    for (const checker of checkers) this.registerChecker(checker);
  }

  /** Every credentials interface some checker takes. */
  listCredentialsInterfaces(): CredentialsInterface[] {
    return [...this.#checkers.keys()];
  }

  /**
   * Makes `checker` the one for `interfaces` (by default, those it lists), replacing any earlier one for
   * them (Twisted's `registerChecker`).
   */
  registerChecker(checker: ICredentialsChecker, ...interfaces: CredentialsInterface[]): void {
    const list = interfaces.length > 0 ? interfaces : checker.credentialInterfaces;
    if (list.length === 0) throw new TypeError('a checker must take at least one credentials interface');
    for (const iface of list) this.#checkers.set(iface, checker);
  }

  /**
   * Logs `credentials` in and asks the realm for an avatar providing one of `interfaces` (in the caller's
   * order of preference); `mind` goes to the realm as is.
   */
  login<I extends AvatarInterface<any>[]>(credentials: ICredentials, mind: unknown, ...interfaces: I): Deferred<LoginResult<I[number]>> {
    if (interfaces.length === 0) return Deferred.fail(new UnsupportedAvatarInterface('Portal.login needs at least one avatar interface'));
    const checker = this.#checkerFor(credentials);
    if (checker === undefined) {
      const offered = (credentials.credentialInterfaces ?? []).map(interfaceName).join(', ') || 'none';
      return Deferred.fail(new UnhandledCredentials(`no checker for these credentials (they provide: ${offered})`));
    }
    return this.#check(checker, credentials).addCallback((avatarId) =>
      maybeDeferred(() => this.realm.requestAvatar(avatarId, mind, ...interfaces)).addCallback((result) => {
        const [iface, , logout] = result;
        if (!interfaces.includes(iface)) {
          if (typeof logout === 'function') logout();
          throw new UnsupportedAvatarInterface(`the realm answered with ${interfaceName(iface)}, which was not asked for`);
        }
        return result as LoginResult<I[number]>;
      }),
    );
  }

  #checkerFor(credentials: ICredentials): ICredentialsChecker | undefined {
    if (!Array.isArray(credentials.credentialInterfaces)) return undefined;
    for (const iface of credentials.credentialInterfaces) {
      const checker = this.#checkers.get(iface);
      if (checker !== undefined) return checker;
    }
    return undefined;
  }

  /** The checker's answer, with its own errors turned into the one refusal, delayed as configured. */
  #check(checker: ICredentialsChecker, credentials: ICredentials): Deferred<AvatarId> {
    return maybeDeferred(() => checker.requestAvatarId(credentials)).addErrback((f: Failure) => {
      let refusal = f;
      if (!(f.value instanceof UnauthorizedLogin) && !(f.value instanceof UnhandledCredentials)) {
        log.failure('credentials checker failed: login refused', f, { checker: checker.constructor.name }, 'error');
        refusal = new Failure(new UnauthorizedLogin());
      }
      // A ValidPublicKey is SSH's answer to a key query, not a refused guess: it goes back at once.
      if (this.#failureDelay === 0 || !(refusal.value instanceof UnauthorizedLogin) || refusal.value instanceof ValidPublicKey) return refusal;
      const delayed = new Deferred<AvatarId>();
      (this.#clock ?? reactor).callLater(this.#failureDelay, () => delayed.errback(refusal));
      return delayed;
    });
  }
}
