/**
 * X11 forwarding (RFC 4254 §6.3), the server's side: a session's `x11-req` gets a display of its own — a
 * TCP listener on 127.0.0.1 port 6000+N — and each X client connecting to it is carried to the SSH
 * client in an `x11` channel. The client's authentication cookie (the fake one `ssh` made, which it swaps
 * for the real one on its side) is written to an Xauthority file of the session's own, so X clients on
 * the server present it.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IListeningPort, IReactorTCP } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import { PayloadReader, PayloadWriter } from '../service-wire.js';
import type { SSHConnection } from './connection.js';
import { ForwardingRefusedError } from './errors.js';
import { channelOpeningFactory } from './forwarding.js';

const log = new Logger({ namespace: 'torsion.ssh.x11-forwarding' });

/** The X11 TCP port of display 0. */
export const X11_BASE_PORT = 6000;
/** The longest authentication cookie accepted, in hexadecimal digits (X11 cookies are 16 bytes or so). */
const MAX_COOKIE_HEX = 1024;

/** The data of an `x11-req` (RFC 4254 §6.3.1). */
export interface X11Request {
  /** Forward one X connection only, then stop listening. */
  singleConnection: boolean;
  /** `MIT-MAGIC-COOKIE-1` in practice. */
  authProtocol: string;
  /** The cookie, in hexadecimal as sent. */
  authCookie: string;
  screen: number;
}

/**
 * Parses an `x11-req`: `SSHMalformedMessageError` when it cannot be read, `ForwardingRefusedError`
 * when the cookie is not an even number of hexadecimal digits or the screen is out of range (they go into
 * an Xauthority file and `DISPLAY`).
 */
export function parseX11Request(data: Uint8Array): X11Request {
  const r = new PayloadReader(data);
  const request = { singleConnection: r.boolean(), authProtocol: r.name(64), authCookie: r.name(MAX_COOKIE_HEX), screen: r.uint32() };
  r.end();
  if (!/^([0-9a-fA-F]{2})+$/.test(request.authCookie)) throw new ForwardingRefusedError('x11-req: the cookie is not hexadecimal bytes');
  if (request.screen > 0xffff) throw new ForwardingRefusedError(`x11-req: screen ${request.screen} is out of range`);
  return request;
}

export function x11Request(request: X11Request): Uint8Array {
  return new PayloadWriter().boolean(request.singleConnection).string(request.authProtocol).string(request.authCookie).uint32(request.screen).bytes();
}

/** The data of an `x11` channel open: who connected to the display (RFC 4254 §6.3.2). */
export function x11OpenData(originator: string, port: number): Uint8Array {
  return new PayloadWriter().string(originator).uint32(port).bytes();
}

/** `FamilyWild`: an Xauthority entry for the display number on any address. */
const FAMILY_WILD = 0xffff;

/** One Xauthority entry (as libXau reads them): family, address, display number, protocol name, cookie. */
export function xauthorityEntry(display: number, authProtocol: string, cookie: Uint8Array): Uint8Array {
  const fields = [new Uint8Array(), new TextEncoder().encode(String(display)), new TextEncoder().encode(authProtocol), cookie];
  const out = new Uint8Array(2 + fields.reduce((n, f) => n + 2 + f.length, 0));
  const view = new DataView(out.buffer);
  view.setUint16(0, FAMILY_WILD);
  let offset = 2;
  for (const field of fields) {
    view.setUint16(offset, field.length);
    out.set(field, offset + 2);
    offset += 2 + field.length;
  }
  return out;
}

/** Where an {@link X11Display} looks for a free display number. */
export interface X11DisplayOptions {
  /** The first display number tried (OpenSSH's `X11DisplayOffset`, 10). */
  displayOffset: number;
  /** How many numbers are tried from there before giving up. */
  maxDisplays: number;
  /** The folder the private directory of the Xauthority file is made in (the OS's temporary one by default). */
  directory?: string;
}

/**
 * One session's forwarded display: a listener on 127.0.0.1 only, at the first free port from
 * 6000+`displayOffset`, and an Xauthority file (mode 0600, in a new 0700 directory) holding the client's
 * cookie. `environment` is what the session's programs need (`DISPLAY`, `XAUTHORITY`). {@link stop} ends
 * both.
 */
export class X11Display {
  /** The display number. */
  readonly display: number;
  /** `DISPLAY` and `XAUTHORITY` for the session. */
  readonly environment: Readonly<Record<'DISPLAY' | 'XAUTHORITY', string>>;
  readonly #directory: string;
  readonly #port: IListeningPort;
  #stopped = false;

  /** Listens and writes the Xauthority file at once; throws when no display is free. */
  constructor(reactor: IReactorTCP, connection: SSHConnection, request: X11Request, options: X11DisplayOptions) {
    let stopAfterFirst = request.singleConnection;
    const factory = channelOpeningFactory(connection, 'x11', (peer) => {
      if (stopAfterFirst) {
        stopAfterFirst = false;
        void this.#port.stopListening();
      }
      return x11OpenData(peer.host ?? '127.0.0.1', peer.port ?? 0);
    });
    let found: { display: number; port: IListeningPort } | undefined;
    for (let display = options.displayOffset; display < options.displayOffset + options.maxDisplays && found === undefined; display++) {
      if (X11_BASE_PORT + display > 65535) break;
      try {
        found = { display, port: reactor.listenTCP(X11_BASE_PORT + display, factory, { interface: '127.0.0.1' }) };
      } catch {
        // Taken: the next number.
      }
    }
    if (found === undefined) throw new ForwardingRefusedError(`no free X11 display from ${options.displayOffset} to ${options.displayOffset + options.maxDisplays - 1}`);
    this.display = found.display;
    this.#port = found.port;
    try {
      this.#directory = mkdtempSync(join(options.directory ?? tmpdir(), 'torsion-ssh-x11-'));
      const xauthority = join(this.#directory, 'Xauthority');
      writeFileSync(xauthority, xauthorityEntry(this.display, request.authProtocol, Buffer.from(request.authCookie, 'hex')), { mode: 0o600 });
      this.environment = { DISPLAY: `localhost:${this.display}.${request.screen}`, XAUTHORITY: xauthority };
    } catch (e) {
      void this.#port.stopListening();
      throw e;
    }
    log.info('X11 display {display} forwarded', { display: this.display });
  }

  /** Stops listening and removes the Xauthority file and its directory (X connections made go on). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    void this.#port.stopListening();
    rmSync(this.#directory, { recursive: true, force: true });
  }
}
