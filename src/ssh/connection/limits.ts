/**
 * Every limit of the SSH connection layer (RFC 4254) a peer can push against, with its default.
 * `SSHConnection` takes a `Partial<ConnectionLimits>` and fills the rest from {@link DEFAULT_CONNECTION_LIMITS}.
 * @module
 */

/** The limits of `ssh-connection`. */
export interface ConnectionLimits {
  /** Channels open at once on one connection, either side's; more are refused with RESOURCE_SHORTAGE (64). */
  maxChannels: number;
  /** The window a channel grants the peer at first and tops back up to, in bytes (2 MiB, as OpenSSH's sessions). */
  windowSize: number;
  /** The largest data packet a channel accepts, in bytes (32768, as OpenSSH). */
  maxPacketSize: number;
  /** The largest data chunk this side sends in one packet, whatever the peer allows (32768). */
  maxSendPacketSize: number;
  /** The smallest maximum packet a peer may ask for; smaller opens are refused (256). */
  minPeerMaxPacket: number;
  /**
   * Bytes a channel holds for a window to open before it pauses its producer (65536). A channel with no
   * producer keeps accepting writes: the application owns that memory.
   */
  channelWriteHighWater: number;
  /** Global requests from the peer waiting for an answer at once; more is a protocol error (16). */
  maxPendingGlobalRequests: number;
  /** Channel requests from the peer waiting for an answer at once, per channel (16). */
  maxPendingChannelRequests: number;
  /** `env` requests honoured per session (64). */
  maxEnvVariables: number;
  /** Bytes of an `exec` command, an `env` name or value, a subsystem name (32768). */
  maxRequestTextBytes: number;
  /** Remote forwards (`tcpip-forward`) one connection may hold (16). */
  maxRemoteForwards: number;
  /** Seconds between `keepalive@openssh.com` requests; 0 sends none (0). */
  keepaliveInterval: number;
  /** Keepalive requests left unanswered before the connection is dropped (3, OpenSSH's `ClientAliveCountMax`). */
  keepaliveCountMax: number;
  /** Bytes of output `exec` on a client collects per stream before it fails (64 MiB). */
  maxExecOutputBytes: number;
  /** Bytes of the encoded terminal modes of a `pty-req`; more is a protocol error (4096). */
  maxTerminalModesBytes: number;
  /** Terminal modes in one `pty-req`; more is a protocol error (256; RFC 4254 defines about 60). */
  maxTerminalModes: number;
  /** The first X11 display number a forwarded session may get, port 6000 + it (10, OpenSSH's `X11DisplayOffset`). */
  x11DisplayOffset: number;
  /** Display numbers tried from `x11DisplayOffset` for a free port before `x11-req` is refused (1000, as OpenSSH). */
  maxX11Displays: number;
}

/** The defaults. */
export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxChannels: 64,
  windowSize: 2 * 1024 * 1024,
  maxPacketSize: 32768,
  maxSendPacketSize: 32768,
  minPeerMaxPacket: 256,
  channelWriteHighWater: 65536,
  maxPendingGlobalRequests: 16,
  maxPendingChannelRequests: 16,
  maxEnvVariables: 64,
  maxRequestTextBytes: 32768,
  maxRemoteForwards: 16,
  keepaliveInterval: 0,
  keepaliveCountMax: 3,
  maxExecOutputBytes: 64 * 1024 * 1024,
  maxTerminalModesBytes: 4096,
  maxTerminalModes: 256,
  x11DisplayOffset: 10,
  maxX11Displays: 1000,
});

/** `limits` over the defaults. */
export function resolveConnectionLimits(limits: Partial<ConnectionLimits> = {}): Readonly<ConnectionLimits> {
  return Object.freeze({ ...DEFAULT_CONNECTION_LIMITS, ...limits });
}
