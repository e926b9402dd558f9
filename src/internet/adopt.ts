/**
 * `adoptSocket`: a Torsion transport over a connected socket that something else accepted — the socket
 * `node:http` hands to its `upgrade` listener, so a Torsion protocol (an `HTTPChannel` answering a WebSocket
 * handshake) can take it over. Kept here because only src/internet holds Node sockets.
 * @module
 */
import type { Socket } from 'node:net';
import { TCP_ADDRESSES } from './addresses.js';
import type { IProtocol } from './interfaces.js';
import { SocketTransport } from './socket-transport.js';

/**
 * Wraps `socket` (connected, already accepted by another server) in a `SocketTransport` driving `protocol`,
 * and calls `protocol.makeConnection`. Bytes the other server read past what it parsed must be handed to
 * `protocol.dataReceived` by the caller, before anything else arrives (on the same turn).
 */
export function adoptSocket(socket: Socket, protocol: IProtocol): SocketTransport {
  const transport = SocketTransport.connect(socket, protocol, TCP_ADDRESSES);
  // node:http pauses a socket it hands to an `upgrade` listener; the transport reads it from now on.
  socket.resume();
  return transport;
}
