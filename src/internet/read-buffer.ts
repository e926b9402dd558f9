/**
 * Reading a connected Node socket into one reused buffer (Node's `onread` option), for sockets Node made
 * without it. `net.Socket` takes `onread` only when it is constructed, and `net.Server` makes the sockets it
 * accepts with no way to pass it, so an accepted socket is switched the way the constructor would have done
 * it: the socket's three `onread` fields (found by name on a socket built with the option, since Node does
 * not export their symbols) and the handle's `useUserBuffer`. Where any of that is missing (another Node
 * version, Deno, Bun) nothing is changed and the caller keeps ordinary reads.
 * @module
 */
import { Socket } from 'node:net';

interface OnreadKeys {
  readonly buffer: symbol;
  readonly callback: symbol;
  readonly generator: symbol;
}

type Switchable = Socket & Record<symbol, unknown> & { _handle?: { useUserBuffer?: (buffer: Uint8Array) => void } | null };

let keys: OnreadKeys | null | undefined;

/** The `onread` fields of Node's sockets, found once on a socket that is never connected; null if absent. */
function onreadKeys(): OnreadKeys | null {
  if (keys !== undefined) return keys;
  keys = null;
  try {
    // The constructor takes `onread` (Node's typings list it for `connect` only).
    const probe = new Socket({ onread: { buffer: new Uint8Array(1), callback: () => undefined } } as ConstructorParameters<typeof Socket>[0]);
    const named = (description: string): symbol | undefined => Object.getOwnPropertySymbols(probe).find((s) => s.description === description);
    const [buffer, callback, generator] = [named('kBuffer'), named('kBufferCb'), named('kBufferGen')];
    probe.destroy();
    if (buffer !== undefined && callback !== undefined && generator !== undefined) keys = { buffer, callback, generator };
  } catch {
    // No onread option here: ordinary reads.
  }
  return keys;
}

/**
 * Makes `socket` read into `buffer`, handing `received` a view of each read (valid during the call only).
 * Bytes the socket read before (held while it was paused) go to its 'data' listeners first, during this
 * call. False, with nothing changed, when this runtime cannot.
 */
export function readSocketInto(socket: Socket, buffer: Uint8Array, received: (data: Uint8Array) => void): boolean {
  const s = socket as Switchable;
  const k = onreadKeys();
  if (k === null || typeof s._handle?.useUserBuffer !== 'function' || s[k.buffer] != null) return false;
  // `read()` hands what the socket holds to its 'data' listeners, which deliver it as usual.
  while (s.readableLength > 0 && s.read() !== null);
  s[k.buffer] = buffer;
  s[k.callback] = (nread: number, into: Uint8Array) => {
    received(into.subarray(0, nread));
  };
  s[k.generator] = null;
  s._handle.useUserBuffer(buffer);
  return true;
}
