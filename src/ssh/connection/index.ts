/**
 * The SSH connection layer (RFC 4254): `SSHConnection`, `SSHChannel`, sessions, forwarding, and the
 * client's `exec`.
 * @module
 */
export type { IConchUser, ISession, GlobalRequestAnswer, PtyRequest, WindowSize } from './interfaces.js';
export { SSHConnection, type SSHConnectionOptions } from './connection.js';
export { SSHChannel, type SSHChannelOptions } from './channel.js';
export { ChannelTransport, ProtocolChannel, SSHChannelAddress } from './channel-transport.js';
export { SSHSession, envAccepted, type SSHSessionOptions, type SubsystemFactory } from './session.js';
export { SSHSessionProcessProtocol } from './session-protocol.js';
export { ProcessSession, type ProcessSessionOptions } from './process-session.js';
export { PtyProcessTransport, loadNodePty, NODE_PTY_PACKAGE, type NodePty, type NodePtyTerminal, type PtyProcessOptions } from './pty.js';
export { ConchUser, ConchRealm, IConchUserAvatar, type ConchUserOptions, type ChannelFactory, type GlobalRequestHandler } from './avatar.js';
export { ForwardAllowList, allPermit, type IForwardPermission, ForwardingChannel, RemoteForwards, openDirectTCPIP, forwardLocalPort, connectChannel, connectChannelWith, channelOpeningFactory } from './forwarding.js';
export { ForwardedAgentSocket, connectAgentChannel, AGENT_CHANNEL, AGENT_FORWARDING_REQUEST } from './agent-forwarding.js';
export { decodeTerminalModes, encodeTerminalModes, sttyArguments, TTY_OP_END, type TerminalMode } from './terminal-modes.js';
export { X11Display, parseX11Request, x11Request, x11OpenData, xauthorityEntry, X11_BASE_PORT, type X11Request, type X11DisplayOptions } from './x11-forwarding.js';
export { ClientConchUser, type ClientConchUserOptions } from './client-avatar.js';
export { SSHConnectionClient, type ExecResult, type ExecOptions, type SessionStart } from './client.js';
export { ChannelOpenError, RequestFailedError, ChannelClosedError, ForwardingRefusedError, ExecOutputTooLargeError, SSHPtyNotInstalledError } from './errors.js';
export { DEFAULT_CONNECTION_LIMITS, resolveConnectionLimits, type ConnectionLimits } from './limits.js';
export {
  EXTENDED_DATA_STDERR,
  OPEN_ADMINISTRATIVELY_PROHIBITED,
  OPEN_CONNECT_FAILED,
  OPEN_UNKNOWN_CHANNEL_TYPE,
  OPEN_RESOURCE_SHORTAGE,
  type HostPort,
  type ExitSignal,
} from './messages.js';
