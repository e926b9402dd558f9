/**
 * `torsion/ssh`: SSH (Twisted's Conch). Keys: `Key` (OpenSSH, PEM and PKCS#8 key files, generation,
 * fingerprints, signing), `KnownHostsFile`, and the agent client `SSHAgentClient`. The transport layer:
 * `SSHClientTransport` and `SSHServerTransport`. User authentication (`SSHUserAuthServer`,
 * `SSHUserAuthClient`) and the connection layer (`SSHConnection`, `SSHChannel`, sessions, forwarding,
 * `SSHConnectionClient`), as services on an `ISSHTransport`.
 * SFTP version 3 (client, server over a confined filesystem) and the manhole REPL; the SFTP
 * codec and its helpers are under the `sftp` namespace (`sftp.decodeRequest`, `sftp.PacketFramer`, ...),
 * so their names do not meet the SSH transport's.
 * @module
 */
export { Key, type KeyKind, type KeyFormat, type KeyReadOptions, type KeyWriteOptions, type KeyGenerateOptions } from './keys/key.js';
export { OPENSSH_KEY_CIPHERS, DEFAULT_KEY_CIPHER, DEFAULT_KDF_ROUNDS } from './keys/openssh-format.js';
export { DEFAULT_SSH_KEY_LIMITS, resolveSSHKeyLimits, type SSHKeyLimits } from './keys/limits.js';
export {
  KeyFormatError,
  UnsupportedKeyError,
  EncryptedKeyError,
  BadPassphraseError,
  KeyLimitError,
  PublicKeyOnlyError,
  HostKeyMismatchError,
  UnknownHostKeyError,
  RevokedHostKeyError,
  AgentFailureError,
  AgentProtocolError,
  AgentConnectionError,
} from './keys/errors.js';
export { KnownHostsFile, type AddHostKeyOptions, type VerifyHostKeyOptions } from './keys/known-hosts.js';
export { knownHostsName, hashHostName, type KnownHostsEntry, type KnownHostsMarker } from './keys/known-hosts-line.js';
export { SSHAgentClient, type AgentKey, type SSHAgentClientOptions, type SSHAgentConnectOptions } from './keys/agent.js';
export type { ISSHTransport, ISSHService, ISSHSigningKey } from './interfaces.js';
export {
  SSHTransportProtocol,
  SSHClientTransport,
  SSHServerTransport,
  DEFAULT_SERVER_SIG_ALGS,
  DEFAULT_ALGORITHMS,
  LEGACY_ALGORITHMS,
  MSG,
  DISCONNECT,
  type SSHTransportOptions,
  type SSHClientTransportOptions,
  type SSHServerTransportOptions,
  type HostKeyDetails,
  type SSHAlgorithms,
  type NegotiatedAlgorithms,
} from './transport/index.js';
export { DEFAULT_SSH_TRANSPORT_LIMITS, type SSHTransportLimits } from './limits.js';
export {
  SSHError,
  SSHProtocolError,
  SSHPacketTooLargeError,
  SSHCompressionError,
  SSHMacError,
  SSHVersionError,
  SSHKexError,
  SSHHostKeyRejectedError,
  SSHTimeoutError,
  SSHServiceNotAvailableError,
  SSHLimitError,
  SSHDisconnectError,
} from './errors.js';
export {
  SFTPServer,
  RootFilesystem,
  SFTPClient,
  SFTPStatusError,
  SFTPProtocolError,
  SFTPPacketTooLongError,
  SFTPLimitError,
  SFTPConnectionLostError,
  FX,
  FXF,
  SFTP_LIMITS,
  SFTP_CLIENT_DEFAULTS,
  isDirectory,
  isRegularFile,
  isSymbolicLink,
  type SFTPServerOptions,
  type RootFilesystemOptions,
  type SFTPClientOptions,
  type SFTPHandle,
  type SFTPOpenFlags,
  type SFTPAttrs,
  type SFTPName,
  type SFTPStatVFS,
  type SFTPLimits,
  type ISFTPFilesystem,
  type ISFTPFile,
  type ISFTPDirectory,
} from './sftp/index.js';
export * as sftp from './sftp/index.js';
export { Manhole, ManholeFactory, type ManholeOptions } from './manhole/index.js';
export * from './userauth/index.js';
export * from './connection/index.js';
export { sshClientServices, type SSHClientServices, type SSHClientServicesOptions } from './client-services.js';
export { SSHClient, type SSHClientConnectOptions, type SSHClientReactor } from './client.js';
export { SSHCommandClientEndpoint, SSHCommandAddress, type SSHCommandEndpointOptions } from './command-endpoint.js';
