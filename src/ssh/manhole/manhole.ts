/**
 * The manhole: a JavaScript REPL into the running process (Twisted's `conch.manhole`), as a protocol over
 * any byte stream. The lead wires it to SSH sessions; here it is the REPL and its wiring to a transport.
 * @module
 */
import { createRequire } from 'node:module';
import type { REPLEval, REPLServer } from 'node:repl';
import { PassThrough, Writable } from 'node:stream';
import { inspect } from 'node:util';
import type { Failure } from '../../defer/index.js';
import type { IAddress } from '../../internet/interfaces.js';
import { Factory, Protocol } from '../../internet/protocol.js';

/** Options of {@link Manhole}. */
export interface ManholeOptions {
  /** Names the REPL sees as globals: the application's objects. Shared by reference, not copied. */
  namespace?: Record<string, unknown>;
  /** The prompt (default `'>>> '`, as Twisted's manhole). */
  prompt?: string;
  /** Line editing and ANSI escapes, for a pseudo-terminal (default false: plain lines, for pipes and tests). */
  terminal?: boolean;
  /** Colours in results (default: as `terminal`). */
  useColors?: boolean;
  /**
   * Write line ends as CR LF (default: as `terminal`). A terminal in raw mode at the far end of an SSH
   * session moves down without going back to the left on a bare LF; a pty would add the CR, an
   * in-process REPL must.
   */
  crlf?: boolean;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Bare LFs as CR LF; a CR LF stays as it is. */
function toCRLF(chunk: Buffer): string {
  return chunk.toString('utf8').replace(/\r?\n/g, '\r\n');
}

/**
 * `node:repl`, loaded at the first manhole session rather than with this module: loading it loads
 * `node:domain`, which replaces `EventEmitter.prototype.emit` for the whole process with a slower one, a
 * cost every program importing `torsion/ssh` (and the `torsion` command, which registers every plugin)
 * would pay without ever opening a manhole.
 */
function loadREPL(): typeof import('node:repl') {
  return createRequire(import.meta.url)('node:repl') as typeof import('node:repl');
}

/**
 * A REPL (`node:repl`) over the transport: what the peer types is evaluated in a context holding the
 * namespace, and results are printed with `util.inspect`. A result that is a Promise or a Deferred is
 * awaited and its value printed (top-level `await` works too). `.exit` closes the connection; the
 * connection closing ends the REPL. Everything typed runs with the full power of the process: give it
 * only to people who may do anything the process may.
 *
 * @example
 * const factory = new ManholeFactory({ namespace: { app, reactor } });
 * // Over SSH sessions once wired; in a test: connectedServerAndClient(factory, client)
 */
export class Manhole extends Protocol {
  /** The REPL, while connected. */
  repl: REPLServer | undefined;
  readonly #options: ManholeOptions;
  #input: PassThrough | undefined;

  constructor(options: ManholeOptions = {}) {
    super();
    this.#options = options;
  }

  override connectionMade(): void {
    const input = new PassThrough();
    const terminal = this.#options.terminal ?? false;
    const crlf = this.#options.crlf ?? terminal;
    const output = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (this.connected && !this.transport.disconnecting) this.transport.write(crlf ? toCRLF(chunk) : chunk);
        done();
      },
    });
    const useColors = this.#options.useColors ?? terminal;
    const repl = loadREPL().start({
      prompt: this.#options.prompt ?? '>>> ',
      input,
      output,
      terminal,
      useColors,
      useGlobal: false,
      writer: (value: unknown) => inspect(value, { colors: useColors }),
    });
    for (const [name, value] of Object.entries(this.#options.namespace ?? {})) {
      Object.defineProperty(repl.context, name, { value, writable: true, configurable: true, enumerable: true });
    }
    const evaluate: REPLEval = repl.eval;
    const awaiting: REPLEval = function (this: REPLServer, code, context, file, cb) {
      evaluate.call(this, code, context, file, (err, result) => {
        if (err === null && isThenable(result)) result.then((v) => cb(null, v), (e: Error) => cb(e, undefined));
        else cb(err, result);
      });
    };
    (repl as { eval: REPLEval }).eval = awaiting;
    repl.on('exit', () => {
      if (this.connected) this.transport.loseConnection();
    });
    this.repl = repl;
    this.#input = input;
  }

  override dataReceived(data: Uint8Array): void {
    this.#input?.write(data);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#input?.end();
    this.repl?.close();
    this.repl = undefined;
  }
}

/** Builds a {@link Manhole} per connection, all sharing one namespace. */
export class ManholeFactory extends Factory<Manhole> {
  constructor(readonly options: ManholeOptions = {}) {
    super();
  }

  override buildProtocol(_addr: IAddress): Manhole {
    const p = new Manhole(this.options);
    p.factory = this;
    return p;
  }
}
