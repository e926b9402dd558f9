/**
 * `torsion/cred`: authentication shared by every server (Twisted's `twisted.cred`). A front door builds
 * credentials from what the peer sent and calls `portal.login`; the portal's checkers decide who that is,
 * and the realm gives the avatar the front door drives. Node only (node:crypto, node:fs).
 * @module
 */
export type {
  AnonymousId,
  AvatarId,
  AvatarInterface,
  AvatarOf,
  CredentialsInterface,
  IAnonymousCredentials,
  ICredentials,
  ICredentialsChecker,
  IRealm,
  ISSHPrivateKeyCredentials,
  IUsernamePasswordCredentials,
  LoginResult,
  Logout,
} from './interfaces.js';
export { UNAUTHORIZED_MESSAGE, UnauthorizedLogin, UnhandledCredentials, UnsupportedAvatarInterface, ValidPublicKey, BadAuthString, BadKeyError } from './errors.js';
export { DEFAULT_CRED_LIMITS, resolveCredLimits, type CredLimits } from './limits.js';
export {
  ANONYMOUS,
  Anonymous,
  IAnonymous,
  ISSHPrivateKey,
  IUsernamePassword,
  SSHPrivateKey,
  UsernamePassword,
  defineAvatarInterface,
  defineCredentialsInterface,
  interfaceName,
  provides,
  type SSHPrivateKeyInit,
} from './credentials.js';
export { Portal, type PortalOptions } from './portal.js';
export { constantTimeEqual, defaultVerifier, hashVerifier, type PasswordHash, type PasswordVerifier } from './passwords.js';
export { hashPassword, verifyPassword, DEFAULT_SCRYPT, type ScryptParams } from './scrypt.js';
export { checkScramProof, decoyScramCredentials, deriveScramCredentials, deriveScramCredentialsSync, saslPrep, DEFAULT_SCRAM_ITERATIONS, type ScramCredentials, type ScramDeriveOptions, type ScramHash } from './scram.js';
export { PasswordDatabaseChecker, InMemoryUsernamePasswordDatabase, type PasswordCheckerOptions, type PasswordEntry } from './password-checker.js';
export { FilePasswordDB, type FilePasswordDBOptions } from './file-password-db.js';
export { FileTooLargeError } from './files.js';
export { AllowAnonymousAccess } from './anonymous.js';
export { SSHPublicKey, sshSign, type SSHKeyType, type SignatureOptions } from './ssh-keys.js';
export { parseAuthorizedKeys, parseAuthorizedKeyLine, parseExpiryTime, type AuthorizedKey, type AuthorizedKeyOptions, type AuthorizedKeysError, type KeyOption } from './authorized-keys.js';
export { matchAddressPatterns } from './host-patterns.js';
export { SSHPublicKeyChecker, InMemorySSHKeyDB, type IAuthorizedKeysDB, type SSHPublicKeyCheckerOptions } from './authorized-keys-checker.js';
export { AuthorizedKeysFiles, authorizedKeysDirectory, userAuthorizedKeysFiles, homeDirectory, type AuthorizedKeysMapping } from './authorized-keys-files.js';
export { AUTH_KINDS, authHelp, checkerFromString, checkersFromStrings, type AuthKind } from './strcred.js';
