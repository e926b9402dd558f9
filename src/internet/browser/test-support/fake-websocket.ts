/**
 * A fake browser `WebSocket` for driving the loop's transport in Node: the test opens it, delivers
 * messages and closes, and reads what was sent. `bufferedAmount` is whatever the test says it is.
 * @module
 */
import type { WebSocketCloseLike, WebSocketLike, WebSocketMessageLike } from '../interfaces.js';

/** A scripted WebSocket; every instance made is kept in {@link FakeWebSocket.instances}. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  binaryType = 'blob';
  bufferedAmount = 0;
  readyState = 0;
  protocol = '';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: WebSocketMessageLike) => void) | null = null;
  onclose: ((event: WebSocketCloseLike) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** Each message sent, copied. */
  sent: Uint8Array[] = [];
  /** The arguments of each `close` call. */
  closeCalls: { code?: number; reason?: string }[] = [];
  /** When set, `send` adds each message's size to `bufferedAmount` (a socket that does not drain). */
  accumulate = false;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeWebSocket.instances.push(this);
  }

  /** The most recent instance. */
  static last(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1);
    if (ws === undefined) throw new Error('no FakeWebSocket made');
    return ws;
  }

  send(data: Uint8Array | ArrayBuffer | string): void {
    if (this.readyState !== 1) throw new Error(`send in readyState ${this.readyState}`);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    this.sent.push(bytes.slice());
    if (this.accumulate) this.bufferedAmount += bytes.length;
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState < 2) this.readyState = 2;
  }

  /** The server accepted the handshake. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** A binary message arrives (as an `ArrayBuffer`, as with `binaryType = 'arraybuffer'`). */
  receive(data: Uint8Array | string): void {
    const payload = typeof data === 'string' ? data : data.slice().buffer;
    this.onmessage?.({ data: payload });
  }

  /** The connection closed (after our close, or the server's). */
  closed(code = 1000, reason = '', wasClean = true): void {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean });
  }

  /** Everything sent, as one string. */
  sentText(): string {
    return this.sent.map((b) => new TextDecoder().decode(b)).join('');
  }
}
