/**
 * The interface tokens of `torsion/cred` and the credentials that provide them (Twisted's
 * `twisted.cred.credentials`).
 * @module
 */
import type {
  AnonymousId,
  AvatarInterface,
  CredentialsInterface,
  IAnonymousCredentials,
  ICredentials,
  ISSHPrivateKeyCredentials,
  IUsernamePasswordCredentials,
} from './interfaces.js';
import { constantTimeEqual } from './passwords.js';

/**
 * A new kind of credentials. Two calls with the same name make two different tokens, so define each
 * once and import it.
 *
 * @example
 * interface IOneTimeCode extends ICredentials { username: string; code: string }
 * const IOneTimeCode = defineCredentialsInterface<IOneTimeCode>('IOneTimeCode');
 */
export function defineCredentialsInterface<C extends ICredentials>(name: string): CredentialsInterface<C> {
  return Symbol(name) as CredentialsInterface<C>;
}

/**
 * A new kind of avatar, for realms and `Portal.login`.
 *
 * @example
 * const IShell = defineAvatarInterface<Shell>('IShell');
 * const [, shell, logout] = await portal.login(credentials, null, IShell);
 */
export function defineAvatarInterface<A>(name: string): AvatarInterface<A> {
  return Symbol(name) as AvatarInterface<A>;
}

/** True if `credentials` say they provide `iface` (Twisted's `providedBy`); narrows their type. */
export function provides<C extends ICredentials>(credentials: ICredentials, iface: CredentialsInterface<C>): credentials is C {
  return Array.isArray(credentials.credentialInterfaces) && credentials.credentialInterfaces.includes(iface);
}

/** The name an interface token was defined with, for messages. */
export function interfaceName(iface: symbol): string {
  return iface.description ?? String(iface);
}

/** A user name and a password. */
export const IUsernamePassword = defineCredentialsInterface<IUsernamePasswordCredentials>('IUsernamePassword');
/** A user name and an SSH public key, with a signature once there is one. */
export const ISSHPrivateKey = defineCredentialsInterface<ISSHPrivateKeyCredentials>('ISSHPrivateKey');
/** No proof. */
export const IAnonymous = defineCredentialsInterface<IAnonymousCredentials>('IAnonymous');

/** The avatar id `AllowAnonymousAccess` gives (Twisted's `ANONYMOUS`). */
export const ANONYMOUS = Symbol('ANONYMOUS') as AnonymousId;

/**
 * A user name and a password, as a front door received them.
 *
 * @example
 * portal.login(new UsernamePassword('alice', 'secret', transport.getPeer().host), null, IChatUser);
 */
export class UsernamePassword implements IUsernamePasswordCredentials {
  readonly credentialInterfaces = [IUsernamePassword] as const;
  constructor(
    readonly username: string,
    readonly password: string,
    readonly peer?: string,
  ) {}

  /** True if `password` is this one, compared in constant time (Twisted's `checkPassword`). */
  checkPassword(password: string): boolean {
    return constantTimeEqual(password, this.password);
  }

  /** Keeps the password out of JSON (and so out of JSON logs). */
  toJSON(): object {
    return { username: this.username, peer: this.peer };
  }

  /** Keeps the password out of `console.log` and `util.inspect`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `UsernamePassword(${JSON.stringify(this.username)}${this.peer === undefined ? '' : ` from ${this.peer}`})`;
  }
}

/** What {@link SSHPrivateKey} is made from. */
export interface SSHPrivateKeyInit {
  username: string;
  algName: string;
  blob: Uint8Array;
  sigData?: Uint8Array;
  signature?: Uint8Array;
  peer?: string;
}

/** An SSH `publickey` user-authentication request: the key, and the signature once the client sends it. */
export class SSHPrivateKey implements ISSHPrivateKeyCredentials {
  readonly credentialInterfaces = [ISSHPrivateKey] as const;
  readonly username: string;
  readonly algName: string;
  readonly blob: Uint8Array;
  readonly sigData?: Uint8Array;
  readonly signature?: Uint8Array;
  readonly peer?: string;

  constructor(init: SSHPrivateKeyInit) {
    this.username = init.username;
    this.algName = init.algName;
    this.blob = init.blob;
    this.sigData = init.sigData;
    this.signature = init.signature;
    this.peer = init.peer;
  }
}

/** Someone who gives no proof. */
export class Anonymous implements IAnonymousCredentials {
  readonly credentialInterfaces = [IAnonymous] as const;
  constructor(readonly peer?: string) {}
}
