/**
 * The roles of `torsion/cred` (Twisted's `twisted.cred`). Type-only.
 *
 * TypeScript has no zope interfaces, so an interface is a token: a `symbol` made by
 * `defineCredentialsInterface` or `defineAvatarInterface`, branded at the type level with what it stands
 * for. Credentials list the tokens they provide in `credentialInterfaces`; checkers list the tokens they
 * take; `Portal.login` is asked for avatar tokens and answers with the one the realm chose.
 * @module
 */
import type { Deferrable, Deferred } from '../defer/index.js';

declare const credentialsBrand: unique symbol;
declare const avatarBrand: unique symbol;

/** A kind of credentials (`IUsernamePassword`, `ISSHPrivateKey`, `IAnonymous`), standing for the type `C`. */
export type CredentialsInterface<C extends ICredentials = ICredentials> = symbol & { readonly [credentialsBrand]?: C };

/** A kind of avatar a realm may hand out (a shell, a mailbox, a chat user), standing for the type `A`. */
export type AvatarInterface<A = unknown> = symbol & { readonly [avatarBrand]?: A };

/** The type an avatar interface stands for. */
export type AvatarOf<I> = I extends AvatarInterface<infer A> ? A : never;

/**
 * Proof of identity presented by someone logging in (Twisted's `ICredentials`).
 * `peer` is where the attempt comes from, for checkers that limit by address (a words account's login
 * throttle, an `authorized_keys` line's `from=`); it is not part of the proof.
 */
export interface ICredentials {
  /** The interfaces these credentials provide, most specific first. */
  readonly credentialInterfaces: readonly CredentialsInterface[];
  /** The peer's address (an IP literal), when the front door knows it. */
  readonly peer?: string;
}

/** A user name and a password (Twisted's `IUsernamePassword`). */
export interface IUsernamePasswordCredentials extends ICredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * A user name and a public key, with a signature by the private key once the client sends one
 * (Twisted's `ISSHPrivateKey`). Without `signature` it asks only whether the key would do.
 */
export interface ISSHPrivateKeyCredentials extends ICredentials {
  readonly username: string;
  /** The SSH public key algorithm the signature uses (`ssh-ed25519`, `rsa-sha2-256`, ...). */
  readonly algName: string;
  /** The public key in SSH wire format. */
  readonly blob: Uint8Array;
  /** The data the signature covers. */
  readonly sigData?: Uint8Array;
  /** The SSH signature blob (`string algorithm, string signature`). */
  readonly signature?: Uint8Array;
}

/** No proof at all (Twisted's `IAnonymous`). */
export type IAnonymousCredentials = ICredentials;

/** The id of the one anonymous avatar (Twisted's `checkers.ANONYMOUS`). */
export type AnonymousId = symbol & { readonly anonymous: true };

/** Who the credentials proved to be: a user name, or the anonymous id. */
export type AvatarId = string | AnonymousId;

/**
 * Checks credentials of the kinds it lists (Twisted's `ICredentialsChecker`). `requestAvatarId` fires with
 * the avatar id, or fails with `UnauthorizedLogin` (the same error, message and work for an unknown user
 * as for a wrong password).
 */
export interface ICredentialsChecker {
  readonly credentialInterfaces: readonly CredentialsInterface[];
  requestAvatarId(credentials: ICredentials): Deferred<AvatarId>;
}

/** Ends an avatar's session; the realm frees what the avatar holds. */
export type Logout = () => void;

/** What a login gives: the interface the avatar provides (one of those asked for), the avatar, its logout. */
export type LoginResult<I extends AvatarInterface = AvatarInterface> = I extends AvatarInterface<infer A> ? [iface: I, avatar: A, logout: Logout] : never;

/**
 * Gives the avatar of an authenticated id (Twisted's `IRealm`). `interfaces` are those the caller can use,
 * in its order of preference; the realm answers with the first it supports, or fails with
 * `UnsupportedAvatarInterface`. `mind` is the caller's object for the realm to talk back through.
 */
export interface IRealm {
  requestAvatar(avatarId: AvatarId, mind: unknown, ...interfaces: AvatarInterface[]): Deferrable<LoginResult>;
}
