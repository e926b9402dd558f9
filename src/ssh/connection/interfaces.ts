/**
 * The roles of the SSH connection layer (RFC 4254): the avatar that decides which channels and global
 * requests a connection accepts (Twisted's `IConchUser`), and the session an application runs behind a
 * `session` channel (Twisted's `ISession`). Type-only.
 * @module
 */
import type { Deferrable } from '../../defer/index.js';
import type { SSHChannel } from './channel.js';
import type { SSHConnection } from './connection.js';
import type { SSHSessionProcessProtocol } from './session-protocol.js';
import type { TerminalMode } from './terminal-modes.js';

/** The answer to a global request: `false` refuses it, `true` or reply data accepts it. */
export type GlobalRequestAnswer = boolean | Uint8Array;

/**
 * Who is on the other end of a connection, as the connection layer asks it (Twisted's `IConchUser`).
 * On a server it is the avatar the portal logged in; on a client, what the client lets the server open
 * (forwarded connections).
 */
export interface IConchUser {
  /** The user name authenticated (empty on a client). */
  readonly username: string;
  /**
   * The channel for an open request of type `channelType` with its type-specific `data`; throw (or fail
   * with) a `ChannelOpenError` to refuse it with its reason code.
   */
  lookupChannel(channelType: string, data: Uint8Array, connection: SSHConnection): Deferrable<SSHChannel>;
  /** Answers a global request (`tcpip-forward`, ...): anything it does not know is refused. */
  gotGlobalRequest(requestType: string, data: Uint8Array, connection: SSHConnection): Deferrable<GlobalRequestAnswer>;
  /** The connection ended: release what the avatar holds for it (listening ports, processes). */
  connectionLost?(connection: SSHConnection): void;
}

/** A terminal's size: characters and pixels (RFC 4254 §6.2). */
export interface WindowSize {
  columns: number;
  rows: number;
  widthPixels: number;
  heightPixels: number;
}

/** A `pty-req`: the terminal type, its size, and its encoded modes (RFC 4254 §8). */
export interface PtyRequest extends WindowSize {
  term: string;
  modes: Uint8Array;
  /** The modes decoded, within the connection's limits (`SSHSession` sets them before `getPty`). */
  terminalModes?: readonly TerminalMode[];
}

/**
 * What runs behind one `session` channel (Twisted's `ISession`). The application decides: run a process,
 * a REPL, a fixed answer. Each method may throw to refuse the request (the peer gets CHANNEL_FAILURE).
 *
 * `protocol` is the channel's side as a process protocol: write output with `protocol.outReceived` /
 * `errReceived` (or hand it to `reactor.spawnProcess`), end with `protocol.processEnded`.
 */
export interface ISession {
  /** A terminal is asked for before the shell or command; throw to refuse. */
  getPty?(request: PtyRequest): void;
  /** An environment variable the peer sent and the server's `acceptEnv` lets through. */
  setEnv?(name: string, value: string): void;
  /** An interactive shell. */
  openShell(protocol: SSHSessionProcessProtocol): void;
  /** One command line. */
  execCommand(protocol: SSHSessionProcessProtocol, command: string): void;
  /** The terminal was resized. */
  windowChanged?(size: WindowSize): void;
  /** A signal for what runs (`TERM`, `INT`, ... without `SIG`). */
  signal?(name: string): void;
  /** The peer will send no more input. */
  eofReceived?(): void;
  /** The channel closed: stop what runs. */
  closed(): void;
}
