/**
 * The accounts of a `WordsService`: registration, passwords (scrypt), SCRAM keys and logins, under the
 * service's login throttle and registration limits, and the proof of a login ({@link VerifiedAccount}).
 * @module
 */
import { Deferred, Failure, gatherResults } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { checkScramProof, decoyScramCredentials, type ScramHash } from '../cred/scram.js';
import { AccountExistsError, AuthenticationError, InvalidNickError, TooManyAttemptsError, TooManyRegistrationsError } from './errors.js';
import type { AccountRecord, IWordsStore } from './interfaces.js';
import { foldName, isValidNick } from './names.js';
import { hashPassword, verifyPassword, type ScryptParams } from './passwords.js';
import { makeScramKeys, type WordsScramLogin } from './scram.js';
import type { LoginThrottle, RegistrationLimiter } from './throttle.js';

const log = new Logger({ namespace: 'torsion.words' });

/** Where a request comes from, for the login throttle and the registration limits. */
export interface RequestOrigin {
  /** The peer's address (`localhost` by default). */
  host?: string;
  /** The front door's object for the connection (an IRC connection, a web page), for the registrations per connection. */
  connection?: object;
}

/**
 * Proof that someone is the account `name`, made only by `WordsService.authenticate`,
 * `WordsService.registerVerified` and a `WordsRealm` (for the id a `torsion/cred` checker vouched for).
 */
export class VerifiedAccount {
  /** @internal */
  constructor(
    readonly name: string,
    readonly key: string,
  ) {
    if (!minting) throw new TypeError('VerifiedAccount is made only by WordsService.authenticate or a WordsRealm');
  }
}
let minting = false;
/** A well-formed hash no password matches, checked for unknown names so they cost what known ones do. @internal */
export const UNKNOWN_ACCOUNT_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
/**
 * The proof for `name`, on a `torsion/cred` checker's word. Only the realm calls it: it is not exported
 * from `torsion/words`, so a caller of the package cannot forge a login with it. @internal
 */
export function verifiedAccountFromChecker(name: string): VerifiedAccount {
  return mint(name);
}
function mint(name: string): VerifiedAccount {
  minting = true;
  try {
    return new VerifiedAccount(name, foldName(name));
  } finally {
    minting = false;
  }
}

/** What {@link WordsAccounts} works with: the service's store, clock, throttles and secrets. @internal */
export interface AccountsContext {
  store: IWordsStore;
  now(): number;
  scrypt: ScryptParams | undefined;
  scramIterations: number;
  scramSecret: Uint8Array;
  loginThrottle: LoginThrottle;
  registrations: RegistrationLimiter;
}

/** The account half of a `WordsService` (which exposes these calls under the same names). @internal */
export class WordsAccounts {
  readonly #store: IWordsStore;
  readonly #now: () => number;
  readonly #scrypt: ScryptParams | undefined;
  readonly #scramIterations: number;
  readonly #scramSecret: Uint8Array;
  readonly #loginThrottle: LoginThrottle;
  readonly #registrations: RegistrationLimiter;

  constructor(context: AccountsContext) {
    this.#store = context.store;
    this.#now = () => context.now();
    this.#scrypt = context.scrypt;
    this.#scramIterations = context.scramIterations;
    this.#scramSecret = context.scramSecret;
    this.#loginThrottle = context.loginThrottle;
    this.#registrations = context.registrations;
  }

  /**
   * Registers `nick` with `password` (hashed with scrypt). Fails with `AccountExistsError` if taken,
   * `InvalidNickError` if not a valid nick, `TooManyRegistrationsError` past the registration limits of
   * `origin`'s connection or address (attempts count whether or not they succeed, an existing account aside).
   */
  register(nick: string, password: string, origin: RequestOrigin = {}): Deferred<AccountRecord> {
    if (!isValidNick(nick)) return Deferred.fail(new InvalidNickError(nick));
    const key = foldName(nick);
    return this.#store.getAccount(key).addCallback((existing) => {
      if (existing) throw new AccountExistsError(nick);
      const refused = this.#registrations.take(origin.host ?? 'localhost', origin.connection, this.#now());
      if (refused) {
        log.info('registration of {nick} from {host} refused: too many from this {scope}', { nick, host: origin.host ?? 'localhost', scope: refused.scope });
        throw new TooManyRegistrationsError(nick, refused.retryAfter);
      }
      return gatherResults([hashPassword(password, this.#scrypt), makeScramKeys(password, this.#scramIterations)], { consumeErrors: true }).addCallback(([passwordHash, scram]) => {
        const record: AccountRecord = { name: nick, passwordHash, created: this.#now(), scram };
        return this.#store.createAccount(key, record).addCallback(() => record);
      });
    });
  }

  /**
   * {@link WordsAccounts.register}, then the proof of the new account, so the registrant logs in with it at once (no
   * second password hash, and no refusal by the login throttle of an address that mistyped before).
   */
  registerVerified(nick: string, password: string, origin: RequestOrigin = {}): Deferred<VerifiedAccount> {
    return this.register(nick, password, origin).addCallback((record) => mint(record.name));
  }

  /** Changes a registered nick's password (and its SCRAM keys). Fires false if there is no such account. */
  changePassword(nick: string, password: string): Deferred<boolean> {
    return gatherResults([hashPassword(password, this.#scrypt), makeScramKeys(password, this.#scramIterations)], { consumeErrors: true }).addCallback(([h, scram]) =>
      this.#store.setPasswordHash(foldName(nick), h, scram),
    );
  }

  /**
   * Checks a password (SASL PLAIN, web login): a {@link VerifiedAccount}, or `AuthenticationError`, or
   * `TooManyAttemptsError` (no check made) while `origin`'s address, or the account, is throttled.
   */
  authenticate(name: string, password: string, origin: RequestOrigin = {}): Deferred<VerifiedAccount> {
    const key = foldName(name);
    return this.#store.getAccount(key).addCallback((record) =>
      // Hash even for unknown names, so timing does not tell which names are registered.
      this.checkPassword(name, key, password, record?.passwordHash ?? UNKNOWN_ACCOUNT_HASH, origin.host).addCallback((ok) => {
        if (!ok || !record) throw new AuthenticationError(name);
        return this.addScramKeys(key, record, password).addCallback(() => mint(record.name));
      }),
    );
  }

  /** An account made before SCRAM keys existed gets them at its first password login (the password is known then). */
  /** @internal */
  addScramKeys(key: string, record: AccountRecord, password: string): Deferred<void> {
    if (record.scram) return Deferred.succeed(undefined);
    return makeScramKeys(password, this.#scramIterations)
      .addCallback((scram) => this.#store.setScramCredentials(key, record.passwordHash, scram))
      .addCallbacks(
        () => undefined,
        (f: Failure) => log.warn('could not add SCRAM keys to {name}: {error}', { name: record.name, error: f.getErrorMessage() }),
      );
  }

  /**
   * Begins a SCRAM login (RFC 5802) of `name` with its stored keys of `hash`: the salt and iteration count
   * to challenge with, and the check of the client's proof, under the same login throttle as
   * {@link WordsAccounts.authenticate}. An unknown name, or an account without SCRAM keys yet (made before them, until its
   * next password login), gets a salt derived from the service's secret and fails at the check like a wrong
   * password, with the same work, so neither the challenge nor the answer tells which names exist.
   */
  scramLogin(name: string, hash: ScramHash, origin: RequestOrigin = {}): Deferred<WordsScramLogin> {
    const key = foldName(name);
    const host = origin.host ?? 'localhost';
    return this.#store.getAccount(key).addCallback((record): WordsScramLogin => {
      const stored = record?.scram?.find((c) => c.hash === hash);
      const credentials = stored ?? decoyScramCredentials(hash, key, this.#scramSecret, this.#scramIterations);
      return {
        salt: credentials.salt,
        iterations: credentials.iterations,
        check: (authMessage, proof) => {
          const refused = this.#loginThrottle.begin(key, host, this.#now());
          if (refused) throw new TooManyAttemptsError(name, refused.retryAfter);
          const serverSignature = checkScramProof(credentials, authMessage, proof);
          const ok = serverSignature !== undefined && stored !== undefined;
          this.#loginThrottle.done(key, host, ok, this.#now());
          if (!ok || !record) {
            log.info('wrong SCRAM proof for {name} from {host}', { name, host });
            throw new AuthenticationError(name);
          }
          return { account: mint(record.name), serverSignature };
        },
      };
    });
  }

  /** Checks `password` against `stored`, unless the throttle refuses; a wrong password counts against it. */
  checkPassword(name: string, key: string, password: string, stored: string, host = 'localhost'): Deferred<boolean> {
    const refused = this.#loginThrottle.begin(key, host, this.#now());
    if (refused) return Deferred.fail(new TooManyAttemptsError(name, refused.retryAfter));
    return verifyPassword(password, stored).addCallbacks(
      (ok) => {
        this.#loginThrottle.done(key, host, ok, this.#now());
        if (!ok) log.info('wrong password for {name} from {host}', { name, host });
        return ok;
      },
      (f: Failure) => {
        this.#loginThrottle.done(key, host, true, this.#now());
        return f;
      },
    );
  }
}
