/**
 * Helpers for the WebSocket tests: a server-side WebSocket over a `StringTransport` (through a real `Site`
 * and the HTTP upgrade), raw frame building, and decoding of what the server wrote.
 * @module
 */
import { Failure } from '../../defer/index.js';
import { Resource } from '../resource.js';
import type { Request } from '../request.js';
import { wire, type Wired } from '../test-support.js';
import { WebSocketClosedError } from './errors.js';
import { FrameReader } from './frame.js';
import type { WebSocketOptions, WebSocketTransport } from './interfaces.js';
import { WebSocketProtocol } from './protocol.js';
import { WebSocketResource } from './resource.js';

/** A frame as decoded from output. */
export interface RawFrame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

/** A protocol that records everything it is told. */
export class Recorder extends WebSocketProtocol {
  texts: string[] = [];
  bytes: Buffer[] = [];
  pongs: Buffer[] = [];
  lost: WebSocketClosedError | null = null;
  finished = false;

  override negotiationFinished(): void {
    this.finished = true;
  }
  override textMessageReceived(data: string): void {
    this.texts.push(data);
  }
  override bytesMessageReceived(data: Uint8Array): void {
    this.bytes.push(Buffer.from(data));
  }
  override pongReceived(payload: Uint8Array): void {
    this.pongs.push(Buffer.from(payload));
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason.value as WebSocketClosedError;
  }
}

/** Echoes every message back. */
export class Echo extends Recorder {
  override textMessageReceived(data: string): void {
    super.textMessageReceived(data);
    this.transport.sendTextMessage(data);
  }
  override bytesMessageReceived(data: Uint8Array): void {
    super.bytesMessageReceived(data);
    this.transport.sendBytesMessage(data);
  }
}

/** The upgrade request for `path`, with extra header lines. */
export function upgradeRequest(path = '/ws', extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
}

/** A frame built by hand; masked with a fixed key unless `mask` is false. */
export function frame(opcode: number, payload: Uint8Array | string, options: { fin?: boolean; rsv1?: boolean; mask?: boolean; rsv?: number } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const mask = options.mask ?? true;
  const len = body.length;
  const head: number[] = [((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | (options.rsv ?? 0) | opcode];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  const key = [0x37, 0xfa, 0x21, 0x3d];
  if (mask) {
    head.push(...key);
    for (let i = 0; i < len; i++) body[i] = body[i]! ^ key[i & 3]!;
  }
  return Buffer.concat([Buffer.from(head), body]);
}

/** Decodes a stream of frames (unmasked, as a server writes them; masked when `masked`). */
export function decodeFrames(bytes: Buffer, masked = false): RawFrame[] {
  const out: RawFrame[] = [];
  const reader = new FrameReader({ expectMasked: masked, maxFrameSize: 1 << 30, allowRsv1: true });
  reader.feed(Buffer.from(bytes), { frameReceived: (fin, rsv1, opcode, payload) => out.push({ fin, rsv1, opcode, payload: Buffer.from(payload) }) });
  return out;
}

/** A server WebSocket wired over a StringTransport. */
export interface ServerWire {
  w: Wired;
  protocol: Recorder;
  transport: WebSocketTransport;
  /** Feeds bytes to the server. */
  send(bytes: Uint8Array): void;
  /** The frames the server wrote after its 101 response. */
  frames(): RawFrame[];
  /** The 101 response head. */
  head(): string;
}

/** Upgrades a connection to a `WebSocketResource` at `/ws` serving `protocol`. */
export function serverWire(protocol: Recorder = new Echo(), options: WebSocketOptions = {}, extra = ''): ServerWire {
  const root = new Resource();
  let request: Request | undefined;
  root.putChild(
    'ws',
    new WebSocketResource((r) => {
      request = r;
      return protocol;
    }, options),
  );
  const w = wire(root);
  w.send(upgradeRequest('/ws', extra));
  if (request === undefined) throw new Error(`upgrade refused: ${w.output()}`);
  const split = () => {
    const raw = w.transport.value();
    const end = raw.indexOf('\r\n\r\n') + 4;
    return { head: raw.subarray(0, end).toString('latin1'), rest: raw.subarray(end) };
  };
  return {
    w,
    protocol,
    transport: protocol.transport,
    send: (bytes) => w.channel.dataReceived(Buffer.from(bytes)),
    frames: () => decodeFrames(split().rest),
    head: () => split().head,
  };
}

/** Feeds `bytes` in pieces of `size` bytes. */
export function feedInChunks(send: (b: Uint8Array) => void, bytes: Buffer, size: number): void {
  for (let i = 0; i < bytes.length; i += size) send(bytes.subarray(i, i + size));
}

/** A recorder whose messages and close can be awaited (for tests over real sockets). */
export class Awaiting extends Recorder {
  #waiters: ((m: string | Buffer) => void)[] = [];
  #queue: (string | Buffer)[] = [];
  #closed: ((e: WebSocketClosedError) => void)[] = [];

  override textMessageReceived(data: string): void {
    super.textMessageReceived(data);
    this.#push(data);
  }
  override bytesMessageReceived(data: Uint8Array): void {
    super.bytesMessageReceived(data);
    this.#push(Buffer.from(data));
  }
  override pongReceived(payload: Uint8Array): void {
    super.pongReceived(payload);
    this.#push(`pong:${Buffer.from(payload).toString()}`);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    for (const w of this.#closed.splice(0)) w(this.lost!);
  }

  /** The next message (text, bytes, or `pong:<payload>`). */
  next(): Promise<string | Buffer> {
    const m = this.#queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once the connection is gone. */
  closed(): Promise<WebSocketClosedError> {
    if (this.lost !== null) return Promise.resolve(this.lost);
    return new Promise((resolve) => this.#closed.push(resolve));
  }

  #push(m: string | Buffer): void {
    const w = this.#waiters.shift();
    if (w !== undefined) w(m);
    else this.#queue.push(m);
  }
}
