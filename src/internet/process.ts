/**
 * Child processes on `node:child_process` (Twisted's `internet/process.py`). The reactor's `spawnProcess`
 * delegates here. The protocol hears, in Twisted's order: `connectionMade`, data per fd
 * (`childDataReceived`, so `outReceived`/`errReceived`), `childConnectionLost(fd)` as each pipe closes,
 * `processExited` when the child exits, and `processEnded` once it has exited AND every pipe is closed,
 * so no output is lost.
 * @module
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { Failure } from '../defer/index.js';
import { ProcessDone, ProcessTerminated } from './error.js';
import { DEFAULT_WRITE_BUFFER_LIMITS } from './capabilities.js';
import type { Data, IProcessProtocol, IProcessTransport, IPullProducer, IPushProducer, SpawnOptions, WriteBufferLimits } from './interfaces.js';
import { logError } from './log.js';
import { WritableConsumer } from './writable-consumer.js';
import { TorsionError } from '../errors/index.js';

/** Options of {@link spawnProcess}. */
export interface ProcessOptions extends Omit<SpawnOptions, 'env'> {
  /**
   * The child's environment. Left out, it is EMPTY, as Twisted does on POSIX; `null` inherits this
   * process's environment (Twisted's `env=None`); pass `{ ...process.env, EXTRA: '1' }` to extend it.
   */
  env?: Record<string, string | undefined> | null;
}

/** `signalProcess` on a process that has already exited. */
export class ProcessExitedAlready extends TorsionError {
  override readonly code = 'TORSION_PROCESS_EXITED_ALREADY';
  override name = 'ProcessExitedAlready';
}

/** The child could not be started at all (no such executable, permission denied...); `cause` is Node's error. */
export class ProcessSpawnError extends TorsionError {
  override readonly code = 'TORSION_PROCESS_SPAWN';
  override name = 'ProcessSpawnError';
}

const DEFAULT_FDS: Record<number, 'r' | 'w' | number> = { 0: 'w', 1: 'r', 2: 'r' };

/**
 * A running child process as its protocol sees it: write to its stdin (or any fd it reads), close pipes,
 * signal it. A consumer for its stdin (producers are paced by the write-buffer marks, 64 KiB / 16 KiB, as
 * on a socket) and a push producer over its output pipes (`pauseProducing` stops reading them).
 */
export class ProcessTransport implements IProcessTransport, IPushProducer {
  /** The child's process id (undefined when it could not be started). */
  readonly pid: number | undefined;
  /** The protocol hearing the child. */
  readonly protocol: IProcessProtocol;
  /** The exit status once known: the exit code, or null when killed by a signal. */
  status: number | null | undefined;
  readonly #child: ChildProcess;
  /** Pipes the parent writes to (child fd → stream). */
  readonly #writers = new Map<number, Writable>();
  /** Pipes the parent reads from. */
  readonly #readers = new Map<number, Readable>();
  readonly #open = new Set<number>();
  #exitReason: Failure | undefined;
  #ended = false;
  /** The writing side of the child's stdin, when it has one. */
  #stdin: WritableConsumer | undefined;

  /** Starts the child at once and calls the protocol's `makeConnection`; see {@link spawnProcess}. */
  constructor(protocol: IProcessProtocol, executable: string, args: readonly string[], options: ProcessOptions = {}) {
    this.protocol = protocol;
    const fds = options.childFDs ?? DEFAULT_FDS;
    const width = Math.max(2, ...Object.keys(fds).map(Number)) + 1;
    const stdio: StdioOptions = [];
    for (let fd = 0; fd < width; fd++) {
      const how = fds[fd];
      stdio.push(how === undefined ? 'ignore' : typeof how === 'number' ? how : 'pipe');
    }
    const env = options.env === null ? process.env : (options.env ?? {});
    this.#child = spawn(executable, args.slice(1), {
      argv0: args[0] ?? executable,
      env,
      cwd: options.path,
      uid: options.uid,
      gid: options.gid,
      stdio,
    });
    this.pid = this.#child.pid;
    for (let fd = 0; fd < width; fd++) {
      const stream = this.#child.stdio[fd];
      if (!stream || typeof fds[fd] !== 'string') continue;
      this.#open.add(fd);
      if (fds[fd] === 'w') {
        this.#writers.set(fd, stream as Writable);
        if (fd === 0) this.#stdin = new WritableConsumer(stream as Writable, (where, e) => logError(`${where} failed writing to process ${this.pid}`, e));
        // EPIPE when the child stops reading: the pipe is simply gone, reported by 'close' below.
        stream.on('error', () => {});
      } else {
        const r = stream as Readable;
        this.#readers.set(fd, r);
        r.on('data', (chunk: Buffer) => this.protocol.childDataReceived(fd, chunk));
        r.on('error', () => {});
      }
      stream.on('close', () => this.#pipeLost(fd));
    }
    this.#child.on('exit', (code, signal) => this.#exited(code, signal));
    this.#child.on('error', (err) => {
      // After a successful start, Node reports only failed kill() calls here; exit comes through 'exit'.
      if (this.pid !== undefined) return;
      this.#exitReason = new Failure(new ProcessSpawnError(`cannot run ${executable}: ${err.message}`, { cause: err }));
      this.protocol.processExited(this.#exitReason);
      this.#maybeEnded();
    });
    protocol.makeConnection(this);
  }

  /** Writes to the child's stdin. Ignored once stdin is closed. */
  write(data: Data): void {
    this.writeToChild(0, data);
  }

  /** Writes the chunks to the child's stdin as one batch (one `writev`). Ignored once stdin is closed. */
  writeSequence(data: readonly Data[]): void {
    this.#needStdin().writeSequence(data);
  }

  /** Writes to a child fd opened as `'w'` in `childFDs`. */
  writeToChild(fd: number, data: Data): void {
    if (fd === 0 && this.#stdin !== undefined) {
      this.#stdin.write(data);
      return;
    }
    const w = this.#writers.get(fd);
    if (!w) throw new Error(`child fd ${fd} is not a pipe the parent writes to`);
    if (w.writable) w.write(data);
  }

  /** Holds writes to stdin until the matching `uncork()`. */
  cork(): void {
    this.#stdin?.cork();
  }

  uncork(): void {
    this.#stdin?.uncork();
  }

  /** Bytes written to stdin that the child has not read yet (0 without a stdin pipe). */
  getWriteBufferSize(): number {
    return this.#stdin?.bufferSize() ?? 0;
  }

  /** The marks a producer writing into stdin is paced by. */
  setWriteBufferLimits(high?: number, low?: number): void {
    this.#needStdin().setLimits(high, low);
  }

  getWriteBufferLimits(): WriteBufferLimits {
    return this.#stdin?.limits ?? DEFAULT_WRITE_BUFFER_LIMITS;
  }

  /**
   * Registers a producer writing into the child's stdin: a streaming (push) producer is paused while more
   * than the high mark waits in the pipe and resumed once it is flushed; a pull producer is asked for more
   * while there is room.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#needStdin().register(producer, streaming);
  }

  /** Drops the registered producer. */
  unregisterProducer(): void {
    this.#stdin?.unregister();
  }

  /** Closes the child's stdin (it sees end of file once what was written is read). */
  closeStdin(): void {
    this.closeChildFD(0);
  }

  /** Closes the parent's end of one pipe: the end of input for a writer, stops reading a reader. */
  closeChildFD(fd: number): void {
    const w = this.#writers.get(fd);
    if (w) {
      w.end();
      return;
    }
    this.#readers.get(fd)?.destroy();
  }

  /** Sends a signal by Twisted's name (`'TERM'`, `'KILL'`, `'INT'`, ...), Node's (`'SIGTERM'`) or number. */
  signalProcess(signal: string | number): void {
    if (this.status !== undefined || this.#exitReason) throw new ProcessExitedAlready(`process ${this.pid} has already exited`);
    const sig = typeof signal === 'number' ? signal : signal.startsWith('SIG') ? signal : `SIG${signal}`;
    this.#child.kill(sig as NodeJS.Signals | number);
  }

  /** Closes every pipe (the child is not killed: see {@link ProcessTransport.signalProcess}). */
  loseConnection(): void {
    for (const fd of [...this.#writers.keys(), ...this.#readers.keys()]) this.closeChildFD(fd);
  }

  /** Stops reading the child's output (backpressure reaches the child through the full pipe). */
  pauseProducing(): void {
    for (const r of this.#readers.values()) r.pause();
  }

  /** Reads the child's output again. */
  resumeProducing(): void {
    for (const r of this.#readers.values()) r.resume();
  }

  /** Same as `loseConnection`. */
  stopProducing(): void {
    this.loseConnection();
  }

  #pipeLost(fd: number): void {
    if (!this.#open.delete(fd)) return;
    if (fd === 0) this.#stdin?.stop();
    this.protocol.childConnectionLost(fd);
    this.#maybeEnded();
  }

  #needStdin(): WritableConsumer {
    if (this.#stdin === undefined) throw new Error('the child has no stdin pipe');
    return this.#stdin;
  }

  #exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.status = code;
    const reason = code === 0 ? new ProcessDone() : new ProcessTerminated(code, signal ? signal.replace(/^SIG/, '') : null);
    this.#exitReason = new Failure(reason);
    this.protocol.processExited(this.#exitReason);
    this.#maybeEnded();
  }

  #maybeEnded(): void {
    if (this.#ended || !this.#exitReason || this.#open.size > 0) return;
    this.#ended = true;
    this.protocol.processEnded(this.#exitReason);
  }
}

/**
 * Starts `executable` with `args` (where `args[0]` is the name the program sees as its own, as in Twisted)
 * and connects `protocol` to it: what `reactor.spawnProcess` runs.
 *
 * @example
 * class Collect extends ProcessProtocol {
 *   out = '';
 *   override outReceived(data: Uint8Array) { this.out += Buffer.from(data); }
 *   override processEnded(reason: Failure) { console.log(this.out, reason.value); }
 * }
 * spawnProcess(reactor, new Collect(), '/bin/sh', ['sh', '-c', 'echo hi'], { env: null });
 */
export function spawnProcess(_reactor: unknown, protocol: IProcessProtocol, executable: string, args: readonly string[], options: ProcessOptions = {}): ProcessTransport {
  return new ProcessTransport(protocol, executable, args, options);
}
