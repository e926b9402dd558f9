/**
 * SSH user authentication (RFC 4252, RFC 4256): `SSHUserAuthServer` and `SSHUserAuthClient`.
 * @module
 */
export { SSHUserAuthServer, type SSHUserAuthServerOptions } from './server.js';
export { SSHUserAuthClient, type SSHUserAuthClientOptions } from './client.js';
export { AuthenticationFailedError, AuthenticationAbortedError } from './errors.js';
export { DEFAULT_USERAUTH_LIMITS, resolveUserAuthLimits, type UserAuthLimits } from './limits.js';
export { publicKeySignedData, CONNECTION_SERVICE } from './messages.js';
