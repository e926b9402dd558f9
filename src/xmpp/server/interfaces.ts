/**
 * The roles the XMPP client-to-server protocol depends on: who may log in, and where stanzas go.
 * @module
 */
import type { Deferred } from '../../defer/index.js';
import type { Element } from '../element.js';
import type { JID } from '../jid.js';
import type { ScramCredentials } from '../scram-server.js';

/** A SCRAM login under way, as an account store runs it (see {@link IXMPPAuthenticator.scramLogin}). */
export interface IScramLogin {
  /** Base64, for the challenge. */
  readonly salt: string;
  readonly iterations: number;
  /**
   * Checks the client's proof (`p=`, decoded) over the exchange's `AuthMessage`: the server signature
   * (`v=`, raw) when it holds (at once or through a Deferred), else a failure (an `XMPPAuthError`'s
   * condition and message are the SASL failure's; anything else is `not-authorized`).
   */
  check(authMessage: string, proof: Uint8Array): Uint8Array | Deferred<Uint8Array>;
}

/** Checks logins. SCRAM needs stored keys; PLAIN (offered only over TLS) needs a password check. */
export interface IXMPPAuthenticator {
  /** The stored SCRAM credentials of `username` for this hash, or undefined (unknown user or no keys of that hash); leave out to offer no SCRAM. */
  scramCredentials?(username: string, hash: 'sha1' | 'sha256'): ScramCredentials | undefined;
  /**
   * Starts a SCRAM login whose keys are found later (a database) and whose check is the store's own (a login
   * throttle, an account to hand on): the salt to challenge with and the check of the proof. An unknown user
   * must get a salt and a failed check too, so that logins do not reveal who exists. Takes precedence over
   * {@link scramCredentials}; `peer` is the client's address.
   */
  scramLogin?(username: string, hash: 'sha1' | 'sha256', peer: string | undefined): IScramLogin | Deferred<IScramLogin>;
  /**
   * Checks a PLAIN password (at once, or later through a Deferred: a password hash or a `torsion/cred`
   * portal); `peer` is the client's address, for login throttles. Leave out to offer no PLAIN.
   */
  checkPassword?(username: string, password: string, peer: string | undefined): boolean | Deferred<boolean>;
}

/**
 * Makes accounts for in-band registration (XEP-0077). A refusal fails the Deferred with an error whose
 * `condition` is the stanza error to answer (`conflict` for a name taken, `not-acceptable` for a name or
 * password refused, `resource-constraint` for too many registrations); `not-acceptable` when it has none.
 */
export interface IXMPPRegistrar {
  register(username: string, password: string, peer: string | undefined): Deferred<void>;
}

/** A bound session as the router sees it. */
export interface IXMPPSession {
  /** The full JID. */
  readonly jid: JID;
  /** Writes a stanza to this session's client. */
  deliver(stanza: Element): void;
}

/** Where stanzas go once a session is bound. */
export interface IXMPPRouter {
  /** Binds `resource` (or a generated one when undefined) for `session`; returns the full JID, or a stanza error condition (`conflict`, `resource-constraint`). */
  bind(account: JID, resource: string | undefined, session: Omit<IXMPPSession, 'jid'>): JID | string;
  /** The session ended. */
  unbind(jid: JID): void;
  /** A stanza from a bound session, its `from` already set to the session's full JID, addressed elsewhere than the server itself. */
  route(stanza: Element, from: IXMPPSession): void;
  /**
   * An IQ `get`/`set` to the server itself (or to the sender's bare JID) that the router answers instead of
   * the server's built-in answers (roster, disco, ...); returns true when it took it.
   */
  serverIq?(iq: Element, from: IXMPPSession): boolean;
}
