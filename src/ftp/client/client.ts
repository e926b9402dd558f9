/**
 * `FTPClient`: FTP operations over the control connection, each a Deferred (Twisted's `FTPClient`).
 * Operations run one after the other (a listing's `EPSV` and its `MLSD` are never split by another
 * caller's command); data connections are passive by default (`EPSV`, falling back to `PASV` once the
 * server refuses it), or active (`EPRT`/`PORT`), and go through TLS after `authTLS`.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import type { IConsumer, IReactorTCP, ITLSTransport, TLSOptions } from '../../internet/interfaces.js';
import { formatEprt, formatHostPort, normalizeHost, parseEpsvReply, parsePasvReply } from '../address.js';
import { replyText, type FTPReply } from '../codec.js';
import { ActiveDataFactory, PassiveDataFactory, listenPassive, withTimeout, type DataConnection, type DataTLS } from '../data-connection.js';
import { FTPCommandFailed, FTPDataConnectionError, FTPLimitExceeded, FTPParseError } from '../errors.js';
import type { FileInfo } from '../interfaces.js';
import { parseList, parseMlsd, parseTimeVal } from '../listing.js';
import { FTPControl } from './control.js';

/** An upload in progress: write to it (or register a producer), then `finish()`; `abort()` drops it. */
export interface FTPUpload extends IConsumer {
  /** Ends the upload: the data connection closes and the server puts the file in place. */
  finish(): void;
  /** Drops the data connection: the server discards what it received. */
  abort(): void;
}

/**
 * An FTP client. Build it with `connectFTP`, or give it to a client factory with a reactor in the options.
 *
 * @example
 * const ftp = await connectFTP(reactor, '127.0.0.1', 2121);
 * await ftp.login('alice', 'secret');
 * const files = await ftp.mlsd('/');
 * const data = await ftp.retrieveBytes('/hello.txt');
 */
export class FTPClient extends FTPControl {
  /** The server's `FEAT` answers, upper-cased, once `features()` ran. */
  featureSet: Set<string> | null = null;
  #serial: Deferred<unknown> = Deferred.succeed(undefined);
  #epsvRefused = false;
  #dataTLS: TLSOptions | null = null;
  #transfer: DataConnection | null = null;

  /** Runs `operation` once every operation before it is done. */
  #op<T>(operation: () => Deferred<T>): Deferred<T> {
    const out = new Deferred<T>();
    this.#serial = this.#serial.addBoth(() =>
      operation().addCallbacks(
        (v) => {
          out.callback(v);
        },
        (f: Failure) => {
          out.errback(f);
        },
      ),
    );
    return out;
  }

  /** Sends a raw command (no data connection); fires with its final reply. */
  quote(line: string): Deferred<FTPReply> {
    return this.#op(() => this.sendCommand(line));
  }

  /** `USER`, `PASS` (when asked for), then `TYPE I`: logged in, binary transfers. */
  login(username: string, password: string): Deferred<FTPReply> {
    return this.#op(() =>
      this.sendCommand(`USER ${username}`).addCallback((r) => (r.code === 331 || r.code === 332 ? this.sendCommand(`PASS ${password}`) : r)).addCallback((r) => this.sendCommand('TYPE I').addCallback(() => r)),
    );
  }

  /**
   * Switches the control connection to TLS (`AUTH TLS`, RFC 4217) and protects data connections
   * (`PBSZ 0`, `PROT P`). `options` are Node's TLS client options: the server's certificate is verified
   * (give `ca` for a private one, `servername` for the name to check) unless
   * `dangerouslyDisableVerification: true`.
   */
  authTLS(options: TLSOptions = {}): Deferred<void> {
    return this.#op(() =>
      this.sendCommand('AUTH TLS').addCallback(() => {
        (this.transport as unknown as ITLSTransport).startTLS(options, false);
        return this.#protect(options);
      }),
    );
  }

  /**
   * Protects data connections with TLS (`PBSZ 0`, `PROT P`) on a control connection that is TLS from the
   * start (implicit FTPS, `connectFTP` with `tls`); `authTLS` does this itself.
   */
  protectData(options: TLSOptions = {}): Deferred<void> {
    return this.#op(() => this.#protect(options));
  }

  #protect(options: TLSOptions): Deferred<void> {
    return this.sendCommand('PBSZ 0').addCallback(() =>
      this.sendCommand('PROT P').addCallback(() => {
        this.#dataTLS = options;
      }),
    );
  }

  /** `FEAT`: the extensions the server announces (`MLST ...`, `EPSV`, `UTF8`, ...). */
  features(): Deferred<Set<string>> {
    return this.#op(() =>
      this.sendCommand('FEAT').addCallbacks(
        (r) => {
          this.featureSet = new Set(r.lines.slice(1, -1).map((l) => l.trim().toUpperCase()));
          return this.featureSet;
        },
        (f: Failure) => {
          if (f.value instanceof FTPCommandFailed && f.value.replyCode >= 500) return (this.featureSet = new Set<string>());
          throw f.value;
        },
      ),
    );
  }

  /** `PWD`: the working folder. */
  pwd(): Deferred<string> {
    return this.#op(() => this.sendCommand('PWD').addCallback(parsePwd));
  }

  cwd(path: string): Deferred<FTPReply> {
    return this.quote(`CWD ${path}`);
  }

  cdup(): Deferred<FTPReply> {
    return this.quote('CDUP');
  }

  /** `MKD`: fires with the created folder's path as the server names it. */
  makeDirectory(path: string): Deferred<string> {
    return this.#op(() => this.sendCommand(`MKD ${path}`).addCallback(parsePwd));
  }

  removeDirectory(path: string): Deferred<FTPReply> {
    return this.quote(`RMD ${path}`);
  }

  removeFile(path: string): Deferred<FTPReply> {
    return this.quote(`DELE ${path}`);
  }

  /** `RNFR` then `RNTO`. */
  rename(from: string, to: string): Deferred<FTPReply> {
    return this.#op(() => this.sendCommand(`RNFR ${from}`).addCallback(() => this.sendCommand(`RNTO ${to}`)));
  }

  /** `SIZE` (RFC 3659): bytes. */
  size(path: string): Deferred<number> {
    return this.#op(() =>
      this.sendCommand(`SIZE ${path}`).addCallback((r) => {
        const text = replyText(r).trim();
        if (!/^\d+$/.test(text)) throw new FTPParseError(`bad SIZE reply ${JSON.stringify(text.slice(0, 40))}`);
        return Number(text);
      }),
    );
  }

  /** `MDTM` (RFC 3659): last modification, seconds since the epoch. */
  modificationTime(path: string): Deferred<number> {
    return this.#op(() => this.sendCommand(`MDTM ${path}`).addCallback((r) => parseTimeVal(replyText(r).trim())));
  }

  /** `NOOP`. */
  noop(): Deferred<FTPReply> {
    return this.quote('NOOP');
  }

  /** `QUIT`, then the connection closes. */
  quit(): Deferred<FTPReply> {
    return this.#op(() => this.sendCommand('QUIT').addCallback((r) => (this.transport.loseConnection(), r)));
  }

  /** `MLSD` (RFC 3659), parsed; `.` and `..` left out. */
  mlsd(path = ''): Deferred<FileInfo[]> {
    return this.#listing(path === '' ? 'MLSD' : `MLSD ${path}`).addCallback(parseMlsd);
  }

  /** `LIST`, parsed (Unix `ls -l` and Windows formats). */
  list(path = ''): Deferred<FileInfo[]> {
    return this.#listing(path === '' ? 'LIST' : `LIST ${path}`).addCallback((text) => parseList(text, this.reactor.seconds()));
  }

  /** `NLST`: names only. */
  nlst(path = ''): Deferred<string[]> {
    return this.#listing(path === '' ? 'NLST' : `NLST ${path}`).addCallback((text) => text.split(/\r?\n/).filter((l) => l !== ''));
  }

  #listing(command: string): Deferred<string> {
    const max = this.limits.maxListingBytes;
    const chunks: Uint8Array[] = [];
    let total = 0;
    return this.#op(() =>
      this.#transferCommand(command, (data) =>
        data.receive((chunk) => {
          total += chunk.length;
          if (total > max) {
            data.abort();
            return;
          }
          chunks.push(chunk.slice());
        }),
      ).addCallback(() => {
        if (total > max) throw new FTPLimitExceeded(`listing larger than ${max} bytes`);
        return new TextDecoder().decode(Buffer.concat(chunks));
      }),
    ).addErrback((f: Failure) => {
      if (total > max) throw new FTPLimitExceeded(`listing larger than ${max} bytes`);
      throw f.value;
    });
  }

  /**
   * `RETR` into `consumer`, from `offset` (sent as `REST`): the data connection is registered with the
   * consumer as a streaming producer, so a slow consumer pauses it. Fires with the final reply once all
   * was received.
   */
  retrieveFile(path: string, consumer: IConsumer, offset = 0): Deferred<FTPReply> {
    return this.#op(() => {
      const rest = offset > 0 ? this.sendCommand(`REST ${offset}`) : Deferred.succeed(null);
      return rest.addCallback(() =>
        this.#transferCommand(`RETR ${path}`, (data) => {
          consumer.registerProducer(data.transport, true);
          data.receive((chunk) => consumer.write(chunk));
          data.whenClosed().addBoth(() => consumer.unregisterProducer());
        }),
      );
    });
  }

  /** `RETR` into memory. */
  retrieveBytes(path: string, offset = 0): Deferred<Uint8Array> {
    const chunks: Uint8Array[] = [];
    const sink: IConsumer = { registerProducer: () => undefined, unregisterProducer: () => undefined, write: (d) => void chunks.push(typeof d === 'string' ? Buffer.from(d) : d.slice()) };
    return this.retrieveFile(path, sink, offset).addCallback(() => new Uint8Array(Buffer.concat(chunks)));
  }

  /**
   * `STOR` (or `APPE` with `append`, or `REST offset` then `STOR`): `upload` fires with the consumer to
   * write to once the data connection is open; `done` fires with the final reply once the server has the
   * file.
   */
  storeFile(path: string, mode: { append?: boolean; offset?: number } = {}): { upload: Deferred<FTPUpload>; done: Deferred<FTPReply> } {
    const upload = new Deferred<FTPUpload>();
    const done = this.#op(() => {
      const rest = mode.offset ? this.sendCommand(`REST ${mode.offset}`) : Deferred.succeed(null);
      return rest.addCallback(() => this.#transferCommand(`${mode.append ? 'APPE' : 'STOR'} ${path}`, (data) => upload.callback(data)));
    });
    done.addErrback((f: Failure) => {
      if (!upload.called) upload.errback(f);
      return f;
    });
    return { upload, done };
  }

  /** Uploads `data` to `path`. */
  storeBytes(path: string, data: Uint8Array | string, mode: { append?: boolean; offset?: number } = {}): Deferred<FTPReply> {
    const { upload, done } = this.storeFile(path, mode);
    upload.addCallbacks(
      (u) => {
        u.write(typeof data === 'string' ? Buffer.from(data) : data);
        u.finish();
      },
      () => null,
    );
    return done;
  }

  /** `ABOR`: drops the transfer under way; fires with `ABOR`'s reply. */
  abortTransfer(): Deferred<FTPReply> {
    this.#transfer?.abort();
    return this.sendUrgent('ABOR');
  }

  /**
   * The TLS of a new data connection: the control connection's options, resuming its TLS session where
   * the transport can give it (servers such as vsftpd refuse data connections that do not).
   */
  #tls(): DataTLS | null {
    if (this.#dataTLS === null) return null;
    const session = (this.transport as { getTLSSession?: () => Uint8Array | null }).getTLSSession?.() ?? null;
    return { options: session === null ? this.#dataTLS : { ...this.#dataTLS, session }, asServer: false };
  }

  #peerHost(): string {
    return normalizeHost((this.transport.getPeer() as { host?: string }).host ?? '');
  }

  /** Opens the data connection the way the options say, sends `command`, and waits for both ends. */
  #transferCommand(command: string, onOpen: (data: DataConnection) => void): Deferred<FTPReply> {
    const opening = this.options.passive === false ? this.#openActive() : this.#openPassive();
    return opening.addCallback(({ connection, cancel }) => {
      let data: DataConnection | null = null;
      const reply = this.sendCommand(command, () => this.quietUntilReply());
      const opened = withTimeout(connection, this.reactor, this.limits.replyTimeout, 'the data connection did not open').addCallback((d) => {
        data = d;
        this.#transfer = d;
        d.watchStall(this.reactor, this.limits.dataTimeout, () => d.abort());
        onOpen(d);
        return d.whenClosed().addBoth((r) => {
          this.expectReply();
          return r;
        });
      });
      return reply.addCallbacks(
        (r) =>
          opened.addCallbacks(
            () => r,
            (f: Failure) => {
              throw f.value instanceof FTPDataConnectionError ? f.value : new FTPDataConnectionError(f.getErrorMessage());
            },
          ),
        (f: Failure) => {
          cancel();
          (data as DataConnection | null)?.abort();
          opened.addErrback(() => null);
          throw f.value;
        },
      ).addBoth((r) => {
        this.#transfer = null;
        return r;
      });
    });
  }

  #openPassive(): Deferred<{ connection: Deferred<DataConnection>; cancel: () => void }> {
    const dial = (host: string, port: number): { connection: Deferred<DataConnection>; cancel: () => void } => {
      const factory = new ActiveDataFactory(() => this.#tls());
      const connector = this.reactor.connectTCP(host, port, factory, { timeout: this.limits.replyTimeout || undefined });
      return { connection: factory.connection, cancel: () => connector.disconnect() };
    };
    const pasv = (): Deferred<{ connection: Deferred<DataConnection>; cancel: () => void }> =>
      this.sendCommand('PASV').addCallback((r) => {
        const target = parsePasvReply(replyText(r));
        return dial(this.options.usePasvAddress ? target.host : this.#peerHost(), target.port);
      });
    if (this.#epsvRefused) return pasv();
    return this.sendCommand('EPSV').addCallbacks(
      (r) => dial(this.#peerHost(), parseEpsvReply(replyText(r))),
      (f: Failure) => {
        if (!(f.value instanceof FTPCommandFailed) || f.value.replyCode < 500) throw f.value;
        this.#epsvRefused = true;
        return pasv();
      },
    );
  }

  #openActive(): Deferred<{ connection: Deferred<DataConnection>; cancel: () => void }> {
    const host = normalizeHost((this.transport.getHost() as { host?: string }).host ?? '');
    const factory = new PassiveDataFactory(this.#peerHost(), () => this.#tls());
    const port = listenPassive(this.reactor as IReactorTCP, factory, host, null);
    factory.port = port;
    const portNumber = (port.getHost() as unknown as { port: number }).port;
    const command = host.includes(':') ? `EPRT ${formatEprt(host, portNumber)}` : `PORT ${formatHostPort(host, portNumber)}`;
    return this.sendCommand(command).addCallbacks(
      () => ({ connection: factory.connection, cancel: () => factory.close() }),
      (f: Failure) => {
        factory.close();
        throw f.value;
      },
    );
  }
}

/** The quoted path of a `257` reply (`"/a ""b"""` is `/a "b"`). */
export function parsePwd(reply: FTPReply): string {
  const text = replyText(reply);
  const m = /"((?:[^"]|"")*)"/.exec(text);
  if (m === null) throw new FTPParseError(`no quoted path in ${JSON.stringify(text.slice(0, 80))}`);
  return m[1].replace(/""/g, '"');
}

