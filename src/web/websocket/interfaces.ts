/**
 * The roles and options of `torsion/web`'s WebSockets. Type-only: this file emits no code.
 * @module
 */
import type { IAddress, IConsumer, IReactorSSL, IReactorTCP, IReactorTime, IWriteBuffer, TLSOptions } from '../../internet/interfaces.js';
import type { Request } from '../request.js';
import type { PreparedMessage } from './prepared.js';
import type { WebSocketProtocol } from './protocol.js';

/**
 * What a {@link WebSocketProtocol} writes to: messages, pings, the close handshake and flow control.
 * It is an `IConsumer` (`write` sends a text message for a string, a binary one for bytes), so a producer
 * registered on it is paused while the connection's write buffer is full; `getWriteBufferSize()` tells how
 * full (the browser's `bufferedAmount`), and the marks are the stream transport's under it.
 */
export interface WebSocketTransport extends IConsumer, IWriteBuffer {
  /** Sends a text message. */
  sendTextMessage(text: string): void;
  /** Sends a binary message. */
  sendBytesMessage(data: Uint8Array): void;
  /**
   * Sends a message framed once for many connections (a broadcast): a server writes the same bytes to each,
   * uncompressed. See {@link PreparedMessage}.
   */
  sendPreparedMessage(message: PreparedMessage): void;
  /** Sends a ping (payload of at most 125 bytes); the peer's pong arrives at `pongReceived`. */
  ping(payload?: Uint8Array): void;
  /** Starts the close handshake (default code 1000); `connectionLost` follows once it is done. */
  loseConnection(code?: number, reason?: string): void;
  /** Drops the TCP connection at once, without a close handshake. */
  abortConnection(): void;
  /** Stops reading messages: the peer is slowed down by TCP flow control. */
  pauseProducing(): void;
  /** Reads messages again after `pauseProducing`. */
  resumeProducing(): void;
  /** The subprotocol both sides agreed on, or null. */
  readonly subprotocol: string | null;
  /** The extensions in force, as they were negotiated (e.g. `permessage-deflate; client_max_window_bits=15`). */
  readonly extensions: string | null;
  /** The peer's address. */
  getPeer(): IAddress;
  /** The local address. */
  getHost(): IAddress;
  /** Server side: the upgrade request (headers, cookies, session, path); client side: undefined. */
  readonly request?: Request;
}

/** permessage-deflate (RFC 7692) settings. */
export interface PerMessageDeflateOptions {
  /** The server forgets its compression window after each message (less memory, worse ratio). */
  serverNoContextTakeover?: boolean;
  /** The client forgets its compression window after each message. */
  clientNoContextTakeover?: boolean;
  /** The largest LZ77 window the server compresses with (9..15). */
  serverMaxWindowBits?: number;
  /** The largest LZ77 window the client compresses with (9..15). */
  clientMaxWindowBits?: number;
  /** Messages shorter than this many bytes are sent uncompressed (default 1024). */
  threshold?: number;
  /** zlib compression level (default 6 in zlib; 1 is much faster for chatty traffic). */
  level?: number;
}

/** Settings shared by both ends of a connection. */
export interface WebSocketConnectionOptions {
  /** The largest message accepted, after decompression (bytes, default 16 MiB); larger ones close with 1009. */
  maxMessageSize?: number;
  /** The largest single frame accepted (bytes, default `maxMessageSize`). */
  maxFrameSize?: number;
  /** Messages whose payload is longer than this many bytes are sent as several frames (default: never). */
  fragmentSize?: number;
  /** Seconds of silence from the peer before a ping is sent (default 30; 0 turns heartbeats off). */
  pingInterval?: number;
  /** Seconds to wait for any answer to that ping before the connection is dropped as dead (default 30). */
  pingTimeout?: number;
  /** Seconds the close handshake may take before the connection is dropped (default 10). */
  closeTimeout?: number;
  /** Negotiate permessage-deflate (default false on the server, false on the client). */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** The clock heartbeats and timeouts run on (default: the site's clock on a server, the reactor on a client). */
  reactor?: IReactorTime;
}

/** Decides whether an `Origin` may connect (declared as a method so a `(origin: string) => boolean` fits too). */
export type OriginCheck = { check(origin: string | null): boolean }['check'];

/** Options of a `WebSocketResource`. */
export interface WebSocketOptions extends WebSocketConnectionOptions {
  /** The subprotocols this server speaks, in order of preference. */
  subprotocols?: string[];
  /**
   * When set, only these `Origin`s (or those the function accepts) may connect; others get 403. The function
   * gets null when the request has no `Origin` (non-browser clients).
   */
  allowedOrigins?: string[] | OriginCheck;
  /**
   * Keep the upgrade request as the transport's `request` for the connection's lifetime (default true).
   * A server whose protocols read what they need from it while they are built can say false: an idle
   * connection then holds about 1.3 kB less (the request, its headers and its HTTP channel).
   */
  keepRequest?: boolean;
}

/** Builds the protocol for each accepted upgrade; null refuses it with 403. */
export interface WebSocketServerFactory {
  buildProtocol(request: Request): WebSocketProtocol | null;
}

/** A reactor that can open TCP and TLS connections and keep time. */
export type WebSocketClientReactor = IReactorTCP & IReactorSSL & IReactorTime;

/** Options of `connectWebSocket`. */
export interface WebSocketClientOptions extends Omit<WebSocketConnectionOptions, 'reactor'> {
  /** Subprotocols to offer, in order of preference. */
  subprotocols?: string[];
  /** Extra request headers (cookies, authorization). */
  headers?: Record<string, string>;
  /** The `Origin` header to send. */
  origin?: string;
  /** TLS options for `wss:` (verified by default; see `connectSSL`). */
  tlsOptions?: TLSOptions;
  /** The reactor to connect with (default: the global reactor). */
  reactor?: WebSocketClientReactor;
  /** Seconds for connecting and the opening handshake together (default 30). */
  timeout?: number;
  /** The largest handshake response head accepted (bytes, default 16 KiB). */
  maxHeadSize?: number;
}
