/**
 * The messages of `ssh-connection` (RFC 4254) and the type-specific data of its channels and requests:
 * numbers, parsers and serializers. Sans-I/O; every parser checks its lengths.
 * @module
 */
import { PayloadReader, PayloadWriter, SSHMalformedMessageError } from '../service-wire.js';
import type { PtyRequest, WindowSize } from './interfaces.js';

export const MSG_GLOBAL_REQUEST = 80;
export const MSG_REQUEST_SUCCESS = 81;
export const MSG_REQUEST_FAILURE = 82;
export const MSG_CHANNEL_OPEN = 90;
export const MSG_CHANNEL_OPEN_CONFIRMATION = 91;
export const MSG_CHANNEL_OPEN_FAILURE = 92;
export const MSG_CHANNEL_WINDOW_ADJUST = 93;
export const MSG_CHANNEL_DATA = 94;
export const MSG_CHANNEL_EXTENDED_DATA = 95;
export const MSG_CHANNEL_EOF = 96;
export const MSG_CHANNEL_CLOSE = 97;
export const MSG_CHANNEL_REQUEST = 98;
export const MSG_CHANNEL_SUCCESS = 99;
export const MSG_CHANNEL_FAILURE = 100;

/** Channel open failure reason codes (RFC 4254 §5.1). */
export const OPEN_ADMINISTRATIVELY_PROHIBITED = 1;
export const OPEN_CONNECT_FAILED = 2;
export const OPEN_UNKNOWN_CHANNEL_TYPE = 3;
export const OPEN_RESOURCE_SHORTAGE = 4;

/** The extended data type of standard error (RFC 4254 §5.2). */
export const EXTENDED_DATA_STDERR = 1;

/** One connection-layer message, parsed. */
export type ConnectionMessage =
  | { type: 'global-request'; name: string; wantReply: boolean; data: Uint8Array }
  | { type: 'request-success'; data: Uint8Array }
  | { type: 'request-failure' }
  | { type: 'open'; channelType: string; sender: number; window: number; maxPacket: number; data: Uint8Array }
  | { type: 'open-confirmation'; recipient: number; sender: number; window: number; maxPacket: number; data: Uint8Array }
  | { type: 'open-failure'; recipient: number; reason: number; description: string }
  | { type: 'window-adjust'; recipient: number; bytes: number }
  | { type: 'data'; recipient: number; data: Uint8Array }
  | { type: 'extended-data'; recipient: number; dataType: number; data: Uint8Array }
  | { type: 'eof'; recipient: number }
  | { type: 'close'; recipient: number }
  | { type: 'request'; recipient: number; name: string; wantReply: boolean; data: Uint8Array }
  | { type: 'success'; recipient: number }
  | { type: 'failure'; recipient: number };

/**
 * Parses one connection-layer payload. Throws {@link SSHMalformedMessageError} for anything short,
 * trailing or out of range, and for numbers that are not of this layer.
 */
export function parseConnectionMessage(payload: Uint8Array): ConnectionMessage {
  const r = new PayloadReader(payload, 1);
  let message: ConnectionMessage;
  switch (payload[0]) {
    case MSG_GLOBAL_REQUEST:
      return { type: 'global-request', name: r.name(), wantReply: r.boolean(), data: r.rest() };
    case MSG_REQUEST_SUCCESS:
      return { type: 'request-success', data: r.rest() };
    case MSG_REQUEST_FAILURE:
      message = { type: 'request-failure' };
      break;
    case MSG_CHANNEL_OPEN:
      return { type: 'open', channelType: r.name(), sender: r.uint32(), window: r.uint32(), maxPacket: r.uint32(), data: r.rest() };
    case MSG_CHANNEL_OPEN_CONFIRMATION:
      return { type: 'open-confirmation', recipient: r.uint32(), sender: r.uint32(), window: r.uint32(), maxPacket: r.uint32(), data: r.rest() };
    case MSG_CHANNEL_OPEN_FAILURE:
      message = { type: 'open-failure', recipient: r.uint32(), reason: r.uint32(), description: r.utf8(1024) };
      r.utf8(64);
      break;
    case MSG_CHANNEL_WINDOW_ADJUST:
      message = { type: 'window-adjust', recipient: r.uint32(), bytes: r.uint32() };
      break;
    case MSG_CHANNEL_DATA:
      message = { type: 'data', recipient: r.uint32(), data: r.string() };
      break;
    case MSG_CHANNEL_EXTENDED_DATA:
      message = { type: 'extended-data', recipient: r.uint32(), dataType: r.uint32(), data: r.string() };
      break;
    case MSG_CHANNEL_EOF:
      message = { type: 'eof', recipient: r.uint32() };
      break;
    case MSG_CHANNEL_CLOSE:
      message = { type: 'close', recipient: r.uint32() };
      break;
    case MSG_CHANNEL_REQUEST:
      return { type: 'request', recipient: r.uint32(), name: r.name(), wantReply: r.boolean(), data: r.rest() };
    case MSG_CHANNEL_SUCCESS:
      message = { type: 'success', recipient: r.uint32() };
      break;
    case MSG_CHANNEL_FAILURE:
      message = { type: 'failure', recipient: r.uint32() };
      break;
    default:
      throw new SSHMalformedMessageError(`message ${payload[0]} is not of the connection layer`);
  }
  r.end();
  return message;
}

export function globalRequest(name: string, wantReply: boolean, data: Uint8Array = new Uint8Array()): Uint8Array {
  return new PayloadWriter(MSG_GLOBAL_REQUEST).string(name).boolean(wantReply).raw(data).bytes();
}

export function requestSuccess(data: Uint8Array = new Uint8Array()): Uint8Array {
  return new PayloadWriter(MSG_REQUEST_SUCCESS).raw(data).bytes();
}

export function requestFailure(): Uint8Array {
  return Uint8Array.of(MSG_REQUEST_FAILURE);
}

export function channelOpen(channelType: string, sender: number, window: number, maxPacket: number, data: Uint8Array = new Uint8Array()): Uint8Array {
  return new PayloadWriter(MSG_CHANNEL_OPEN).string(channelType).uint32(sender).uint32(window).uint32(maxPacket).raw(data).bytes();
}

export function channelOpenConfirmation(recipient: number, sender: number, window: number, maxPacket: number, data: Uint8Array = new Uint8Array()): Uint8Array {
  return new PayloadWriter(MSG_CHANNEL_OPEN_CONFIRMATION).uint32(recipient).uint32(sender).uint32(window).uint32(maxPacket).raw(data).bytes();
}

export function channelOpenFailure(recipient: number, reason: number, description: string): Uint8Array {
  return new PayloadWriter(MSG_CHANNEL_OPEN_FAILURE).uint32(recipient).uint32(reason).string(description).string('').bytes();
}

export function channelWindowAdjust(recipient: number, bytes: number): Uint8Array {
  return new PayloadWriter(MSG_CHANNEL_WINDOW_ADJUST).uint32(recipient).uint32(bytes).bytes();
}

/** `length` bytes not zeroed first, as a plain Uint8Array. */
function unzeroed(length: number): Uint8Array {
  const b = Buffer.allocUnsafe(length);
  return new Uint8Array(b.buffer, b.byteOffset, length);
}

/**
 * The bulk of a busy channel's packets: built in one allocation, not zeroed first (every byte is written),
 * with no writer in between.
 */
export function channelData(recipient: number, data: Uint8Array): Uint8Array {
  const out = unzeroed(9 + data.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = MSG_CHANNEL_DATA;
  view.setUint32(1, recipient);
  view.setUint32(5, data.length);
  out.set(data, 9);
  return out;
}

/** The fields of a CHANNEL_DATA before its data (`ISSHTransport.sendPacketParts` sends the data after them). */
export function channelDataHeader(recipient: number, length: number): Uint8Array {
  const out = new Uint8Array(9);
  const view = new DataView(out.buffer);
  out[0] = MSG_CHANNEL_DATA;
  view.setUint32(1, recipient);
  view.setUint32(5, length);
  return out;
}

export function channelExtendedData(recipient: number, dataType: number, data: Uint8Array): Uint8Array {
  const out = unzeroed(13 + data.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = MSG_CHANNEL_EXTENDED_DATA;
  view.setUint32(1, recipient);
  view.setUint32(5, dataType);
  view.setUint32(9, data.length);
  out.set(data, 13);
  return out;
}

export function channelEOF(recipient: number): Uint8Array {
  return new PayloadWriter(MSG_CHANNEL_EOF).uint32(recipient).bytes();
}

export function channelClose(recipient: number): Uint8Array {
  return new PayloadWriter(MSG_CHANNEL_CLOSE).uint32(recipient).bytes();
}

export function channelRequest(recipient: number, name: string, wantReply: boolean, data: Uint8Array = new Uint8Array()): Uint8Array {
  return new PayloadWriter(MSG_CHANNEL_REQUEST).uint32(recipient).string(name).boolean(wantReply).raw(data).bytes();
}

export function channelSuccess(recipient: number): Uint8Array {
  return new PayloadWriter(MSG_CHANNEL_SUCCESS).uint32(recipient).bytes();
}

export function channelFailure(recipient: number): Uint8Array {
  return new PayloadWriter(MSG_CHANNEL_FAILURE).uint32(recipient).bytes();
}

// ------------------------------------------------------------ type-specific data

/** A `host:port` pair as forwarding messages carry it: `string host, uint32 port`. */
export interface HostPort {
  host: string;
  port: number;
}

/** The data of `direct-tcpip` and `forwarded-tcpip` opens (RFC 4254 §7.1, §7.2). */
export interface TCPIPOpenData {
  /** Where to connect (`direct-tcpip`), or the address that was connected (`forwarded-tcpip`). */
  target: HostPort;
  /** Who connected. */
  origin: HostPort;
}

export function parseTCPIPOpenData(data: Uint8Array): TCPIPOpenData {
  const r = new PayloadReader(data);
  const target = { host: r.utf8(255), port: port(r.uint32()) };
  const origin = { host: r.utf8(255), port: port(r.uint32()) };
  r.end();
  return { target, origin };
}

export function tcpipOpenData({ target, origin }: TCPIPOpenData): Uint8Array {
  return new PayloadWriter().string(target.host).uint32(target.port).string(origin.host).uint32(origin.port).bytes();
}

/** The data of `tcpip-forward` and `cancel-tcpip-forward` (RFC 4254 §7.1). */
export function parseHostPort(data: Uint8Array): HostPort {
  const r = new PayloadReader(data);
  const out = { host: r.utf8(255), port: port(r.uint32()) };
  r.end();
  return out;
}

export function hostPort({ host, port }: HostPort): Uint8Array {
  return new PayloadWriter().string(host).uint32(port).bytes();
}

/** The reply to `tcpip-forward` for port 0: the port bound. */
export function parseBoundPort(data: Uint8Array): number {
  const r = new PayloadReader(data);
  const p = port(r.uint32());
  r.end();
  return p;
}

export function boundPort(p: number): Uint8Array {
  return new PayloadWriter().uint32(p).bytes();
}

function port(n: number): number {
  if (n > 65535) throw new SSHMalformedMessageError(`port ${n} is out of range`);
  return n;
}

function windowSize(r: PayloadReader): WindowSize {
  return { columns: r.uint32(), rows: r.uint32(), widthPixels: r.uint32(), heightPixels: r.uint32() };
}

/** The data of a `pty-req` (RFC 4254 §6.2); the modes stay encoded (see `decodeTerminalModes`). */
export function parsePtyRequest(data: Uint8Array, maxModesBytes = 4096): PtyRequest {
  const r = new PayloadReader(data);
  const term = r.name(256);
  const size = windowSize(r);
  const modes = r.string(maxModesBytes);
  r.end();
  return { term, ...size, modes };
}

export function ptyRequest(request: PtyRequest): Uint8Array {
  return new PayloadWriter()
    .string(request.term)
    .uint32(request.columns)
    .uint32(request.rows)
    .uint32(request.widthPixels)
    .uint32(request.heightPixels)
    .string(request.modes)
    .bytes();
}

export function parseWindowChange(data: Uint8Array): WindowSize {
  const r = new PayloadReader(data);
  const size = windowSize(r);
  r.end();
  return size;
}

export function windowChange(size: WindowSize): Uint8Array {
  return new PayloadWriter().uint32(size.columns).uint32(size.rows).uint32(size.widthPixels).uint32(size.heightPixels).bytes();
}

/** Data that is one `string` (exec's command, subsystem's name, signal's name): its text. */
export function parseStringData(data: Uint8Array, max: number): string {
  const r = new PayloadReader(data);
  const text = r.utf8(max);
  r.end();
  return text;
}

export function stringData(text: string): Uint8Array {
  return new PayloadWriter().string(text).bytes();
}

/** An `env` request's name and value. */
export function parseEnv(data: Uint8Array, max: number): { name: string; value: string } {
  const r = new PayloadReader(data);
  const out = { name: r.utf8(max), value: r.utf8(max) };
  r.end();
  return out;
}

export function env(name: string, value: string): Uint8Array {
  return new PayloadWriter().string(name).string(value).bytes();
}

/** `exit-status` data. */
export function parseExitStatus(data: Uint8Array): number {
  const r = new PayloadReader(data);
  const status = r.uint32();
  r.end();
  return status;
}

export function exitStatus(status: number): Uint8Array {
  return new PayloadWriter().uint32(status).bytes();
}

/** `exit-signal` data: the signal's name without `SIG`, whether core was dumped, a message. */
export interface ExitSignal {
  signal: string;
  coreDumped: boolean;
  message: string;
}

export function parseExitSignal(data: Uint8Array): ExitSignal {
  const r = new PayloadReader(data);
  const out = { signal: r.name(), coreDumped: r.boolean(), message: r.utf8(1024) };
  r.utf8(64);
  r.end();
  return out;
}

export function exitSignal(signal: ExitSignal): Uint8Array {
  return new PayloadWriter().string(signal.signal).boolean(signal.coreDumped).string(signal.message).string('').bytes();
}
