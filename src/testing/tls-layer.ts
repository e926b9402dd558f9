/**
 * The TLS layer the in-memory loopback uses for `startTLS` and `options.tls`: a `TLSLayer` turns plaintext
 * into records and back for one end. The default runs Node's `TLSSocket` over a `Duplex` whose other side is
 * the loopback's byte pipe; another implementation (for instance a TLS wrapper over any `ITransport`) can be
 * plugged in through {@link TLSLayerFactory}.
 * @module
 */
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import type { TLSOptions } from '../internet/interfaces.js';
import { clientTLSOptions, serverTLSOptions } from '../internet/tls-options.js';

/** What a TLS layer calls back into the transport it sits in. */
export interface TLSLayerHooks {
  /** TLS records to send to the peer. */
  sendRaw(data: Uint8Array): void;
  /** Decrypted application data for the protocol. */
  deliver(data: Uint8Array): void;
  /** The handshake finished (and the peer verified, for a client). */
  handshakeDone(): void;
  /** The handshake or a record failed: the connection must end with this error. */
  error(error: Error): void;
}

/** One end's TLS session, as the loopback drives it. */
export interface TLSLayer {
  /** Encrypts application data (written before the handshake ends, it is sent once it does). */
  write(data: Uint8Array): void;
  /** Feeds TLS records that arrived from the peer. */
  receive(data: Uint8Array): void;
  /** True when every `write` so far has come out of `sendRaw` (so closing now loses nothing). */
  readonly idle: boolean;
  /** Plaintext bytes written and not yet out of `sendRaw` as records (counted in the write buffer). */
  readonly pendingBytes?: number;
  /** Drops the session. */
  destroy(): void;
  /** The peer's certificate (Node's `PeerCertificate` shape), or null. */
  getPeerCertificate(): unknown;
  /** The ALPN protocol agreed on, or null. */
  readonly negotiatedProtocol: string | null;
}

/** Makes the TLS layer of one end: `asServer` picks the role, `options` are Node's TLS options. */
export type TLSLayerFactory = (options: TLSOptions, asServer: boolean, hooks: TLSLayerHooks) => TLSLayer;

/**
 * The default {@link TLSLayerFactory}: Node's TLS over an in-memory `Duplex`. Client options get the same
 * policy as `connectSSL` (the chain and the host name are verified unless `dangerouslyDisableVerification`).
 * Node's TLS works asynchronously, so a loopback using it is driven with `await pump.settle()`.
 */
export const nodeTLSLayer: TLSLayerFactory = (options, asServer, hooks) => {
  let pendingWrites = 0;
  let pendingBytes = 0;
  let destroyed = false;
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      if (!destroyed) hooks.sendRaw(chunk);
      done();
    },
    final(done) {
      done();
    },
  });
  const socket = asServer ? new tls.TLSSocket(wire, serverTLSOptions(options)) : tls.connect({ ...clientTLSOptions(options), socket: wire });
  socket.on(asServer ? 'secure' : 'secureConnect', () => {
    if (!destroyed) hooks.handshakeDone();
  });
  socket.on('data', (data: Buffer) => {
    if (!destroyed) hooks.deliver(data);
  });
  socket.on('error', (error: Error) => {
    if (destroyed) return;
    destroyed = true;
    hooks.error(error);
  });
  return {
    write(data) {
      pendingWrites++;
      pendingBytes += data.byteLength;
      socket.write(data, () => {
        pendingWrites--;
        pendingBytes -= data.byteLength;
      });
    },
    receive(data) {
      wire.push(data);
    },
    get idle() {
      return pendingWrites === 0;
    },
    get pendingBytes() {
      return pendingBytes;
    },
    destroy() {
      destroyed = true;
      socket.destroy();
      wire.destroy();
    },
    getPeerCertificate() {
      const cert = socket.getPeerCertificate();
      return cert && Object.keys(cert).length > 0 ? cert : null;
    },
    get negotiatedProtocol() {
      const alpn = socket.alpnProtocol;
      return typeof alpn === 'string' ? alpn : null;
    },
  };
};
