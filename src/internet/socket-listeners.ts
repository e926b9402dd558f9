/**
 * The socket event listeners of every stream transport. They are shared functions, not closures per
 * connection: each finds its transport through a symbol on the socket (`tagSocket`).
 * @module
 */
import type { Socket } from 'node:net';

/** What a transport does on its socket's events (internal methods of `SocketTransport`). */
export interface SocketEvents {
  _dataReceived(data: Buffer): void;
  _readEnded(): void;
  _errored(error: Error): void;
  _closed(): void;
  _drained(): void;
  _writeEnded(): void;
  _secured(): void;
}

const kTransport = Symbol('torsion.transport');
type Tagged = Socket & { [kTransport]?: SocketEvents };

/** Points the shared listeners on `socket` at `transport` (undefined: at nothing, once detached). */
export function tagSocket(socket: Socket, transport: SocketEvents | undefined): void {
  (socket as Tagged)[kTransport] = transport;
}

export function onData(this: Tagged, data: Buffer): void {
  this[kTransport]?._dataReceived(data);
}
export function onEnd(this: Tagged): void {
  this[kTransport]?._readEnded();
}
export function onError(this: Tagged, error: Error): void {
  this[kTransport]?._errored(error);
}
export function onClose(this: Tagged): void {
  this[kTransport]?._closed();
}
export function onDrain(this: Tagged): void {
  this[kTransport]?._drained();
}
export function onFinish(this: Tagged): void {
  this[kTransport]?._writeEnded();
}
export function onSecure(this: Tagged): void {
  this[kTransport]?._secured();
}
