/**
 * `NodeReactor`: Twisted's reactor on Node's event loop. Node already runs the loop, so `run()` only marks
 * the reactor running, fires the startup triggers, holds the process open and installs SIGINT/SIGTERM
 * handlers; `stop()` fires the shutdown triggers (awaiting 'before' Deferreds), closes every port and
 * connection, and lets `run()`'s Promise resolve. Each role lives in its own file; this class only delegates.
 * @module
 */
import type { DelayedCall } from '../time/delayed-call.js';
import type {
  ConnectOptions,
  IConnector,
  IDatagramProtocol,
  IListeningPort,
  IProcessProtocol,
  IProtocolFactory,
  IClientFactory,
  IReactor,
  SystemEvent,
  SystemEventPhase,
  TLSOptions,
  ListenOptions,
} from './interfaces.js';
import { logError } from './log.js';
import { Logger } from '../logger/index.js';
import { ThreePhaseEvent, type TriggerId } from './system-events.js';
import { TimerQueue } from './timer-queue.js';
import { ReactorResources } from './reactor-resources.js';
import { listenTCP, connectTCP } from './tcp.js';
import { listenSSL, connectSSL } from './tls.js';
import { listenUNIX, connectUNIX, type UNIXListenOptions, type UNIXConnectOptions } from './unix.js';
import { ThreadsNotLoadedError } from './error.js';
import type { DefaultPoolHook } from '../threads/defer-to-thread.js';
import type { ThreadPool } from '../threads/index.js';
import { listenUDP, type UDPOptions, type UDPPort } from './udp.js';
import { listenMulticast, type MulticastOptions, type MulticastPort } from './multicast.js';
import { spawnProcess, type ProcessOptions, type ProcessTransport } from './process.js';
import { TorsionError } from '../errors/index.js';
import { installReactor } from '../time/default-reactor.js';

/** `torsion/threads`' default pool, which that module leaves in a global slot when it is loaded. */
function threadsHook(): DefaultPoolHook | undefined {
  return (globalThis as Record<symbol, DefaultPoolHook | undefined>)[Symbol.for('torsion.threads.defaultPool')];
}

/** Options for {@link NodeReactor.run}. */
export interface RunOptions {
  /** Stop gracefully on SIGINT and SIGTERM while running (default true). */
  installSignalHandlers?: boolean;
}

/** Thrown by `run()` on a reactor that is already running and by `stop()` on one that is not. */
export class ReactorNotRunning extends TorsionError {
  override readonly code = 'TORSION_REACTOR_NOT_RUNNING';
  override name = 'ReactorNotRunning';
}

/** Thrown by `run()` on a reactor that is already running. */
export class ReactorAlreadyRunning extends TorsionError {
  override readonly code = 'TORSION_REACTOR_ALREADY_RUNNING';
  override name = 'ReactorAlreadyRunning';
}

const wallOrigin = performance.timeOrigin;
const log = new Logger({ namespace: 'torsion.internet.reactor' });

/**
 * The reactor on Node's event loop. Use the `reactor` singleton; make your own only in tests.
 *
 * @example
 * import { reactor } from 'torsion/internet';
 * reactor.callLater(1, () => reactor.stop());
 * await reactor.run();
 */
export class NodeReactor implements IReactor {
  /** True between `run()` and the end of `stop()`'s shutdown. */
  running = false;
  /** Open ports and connections, closed at shutdown. Transports register here. */
  readonly resources = new ReactorResources();
  readonly #timers = new TimerQueue(
    () => this.seconds(),
    (e, call) => logError(`unhandled error in delayed call ${call}`, e),
  );
  readonly #events: Record<SystemEvent, ThreePhaseEvent> = {
    startup: new ThreePhaseEvent('startup'),
    shutdown: new ThreePhaseEvent('shutdown'),
  };
  #stopping = false;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #finished: (() => void) | undefined;
  #signalHandler: ((signal: NodeJS.Signals) => void) | undefined;
  #poolStopTrigger: TriggerId | undefined;
  #suggestedPoolSize: number | undefined;

  // ------------------------------------------------------------ time

  /** Seconds since the epoch, from a monotonic clock (never jumps with the wall clock). */
  seconds(): number {
    return (wallOrigin + performance.now()) / 1000;
  }

  /** Runs `fn(...args)` after `seconds`; the `DelayedCall` can be cancelled, reset and delayed. */
  callLater<A extends unknown[]>(seconds: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    return this.#timers.callLater(seconds, fn, ...args);
  }

  /** The calls still pending. */
  getDelayedCalls(): DelayedCall[] {
    return this.#timers.getDelayedCalls();
  }

  // ------------------------------------------------------------ core

  /**
   * Starts the reactor (throws `ReactorAlreadyRunning` if it runs): fires the startup triggers (so `callWhenRunning` functions run), then keeps the process
   * alive until `stop()`. Resolves once shutdown has finished.
   */
  run(options: RunOptions = {}): Promise<void> {
    if (this.running || this.#finished) throw new ReactorAlreadyRunning('the reactor is already running');
    const done = new Promise<void>((resolve) => (this.#finished = resolve));
    this.#keepAlive = setInterval(() => {}, 2 ** 30);
    this.#timers.keepAlive(true);
    if (options.installSignalHandlers ?? true) this.#installSignalHandlers();
    this.running = true;
    return this.#events.startup.fire().then(() => done);
  }

  /** Stops the reactor gracefully: 'before shutdown' triggers (awaited), ports and connections closed, 'after'. */
  stop(): void {
    if (!this.running || this.#stopping) throw new ReactorNotRunning("can't stop a reactor that isn't running");
    this.#stopping = true;
    void this.#events.shutdown.fire(() => this.resources.closeAll()).then(() => this.#shutdownFinished());
  }

  /** Runs `fn(...args)` as soon as the reactor runs (at once if it already does). */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined {
    if (this.running) {
      try {
        fn(...args);
      } catch (e) {
        logError('callWhenRunning function failed', e);
      }
      return undefined;
    }
    return this.addSystemEventTrigger('after', 'startup', () => fn(...args));
  }

  /**
   * Adds a lifecycle trigger. A 'before' 'shutdown' trigger returning a Deferred or Promise delays shutdown
   * until it settles.
   */
  addSystemEventTrigger(phase: SystemEventPhase, event: SystemEvent, fn: () => unknown): TriggerId {
    const e = this.#events[event];
    if (!e) throw new TypeError(`unknown system event ${JSON.stringify(event)}`);
    return e.add(phase, fn);
  }

  /** Removes a trigger added with `addSystemEventTrigger`. */
  removeSystemEventTrigger(id: unknown): void {
    const t = id as TriggerId;
    if (!t || !this.#events[t.event]) throw new TypeError('not a system event trigger id');
    this.#events[t.event].remove(t);
  }

  #installSignalHandlers(): void {
    this.#signalHandler = (signal) => {
      if (this.running && !this.#stopping) {
        log.info('received {signal}, shutting down', { signal });
        this.stop();
      }
    };
    process.on('SIGINT', this.#signalHandler);
    process.on('SIGTERM', this.#signalHandler);
  }

  #shutdownFinished(): void {
    this.running = false;
    this.#stopping = false;
    if (this.#signalHandler) {
      process.off('SIGINT', this.#signalHandler);
      process.off('SIGTERM', this.#signalHandler);
      this.#signalHandler = undefined;
    }
    clearInterval(this.#keepAlive);
    this.#timers.keepAlive(false);
    const finished = this.#finished;
    this.#finished = undefined;
    finished?.();
  }

  // ------------------------------------------------------------ threads

  /** Runs `fn(...args)` on the reactor's loop at its next turn (what a worker's result handler calls). */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    setImmediate(() => {
      try {
        fn(...args);
      } catch (e) {
        logError('callFromThread function failed', e);
      }
    });
  }

  /**
   * The reactor's thread pool (`torsion/threads`' default pool), created on first use; stopped at shutdown.
   * Importing `torsion/internet` loads no thread code, so `torsion/threads` must have been imported first.
   * @throws ThreadsNotLoadedError when it was not.
   */
  getThreadPool(): ThreadPool {
    const hook = threadsHook();
    if (!hook) throw new ThreadsNotLoadedError();
    if (this.#suggestedPoolSize !== undefined) hook.suggest(this.#suggestedPoolSize);
    this.#suggestedPoolSize = undefined;
    if (!this.#poolStopTrigger) {
      this.#poolStopTrigger = this.addSystemEventTrigger('before', 'shutdown', () => {
        this.#poolStopTrigger = undefined;
        return hook.stop();
      });
    }
    return hook.get();
  }

  /** Sets the maximum size of the reactor's thread pool (kept until `torsion/threads` is loaded). */
  suggestThreadPoolSize(size: number): void {
    const hook = threadsHook();
    if (hook) hook.suggest(size);
    else this.#suggestedPoolSize = size;
  }

  // ------------------------------------------------------------ stream transports

  /** Listens for TCP connections; `port` 0 picks an ephemeral port (see `getHost()`). */
  listenTCP(port: number, factory: IProtocolFactory, options?: ListenOptions): IListeningPort {
    return listenTCP(this, port, factory, options);
  }

  /** Connects over TCP; the factory hears how it went. */
  connectTCP(host: string, port: number, factory: IClientFactory, options?: ConnectOptions): IConnector {
    return connectTCP(this, host, port, factory, options);
  }

  /** Listens for TLS connections; `tlsOptions` are Node's (`key`, `cert`, `ca`, `ALPNProtocols`, ...). */
  listenSSL(port: number, factory: IProtocolFactory, tlsOptions: TLSOptions, options?: ListenOptions): IListeningPort {
    return listenSSL(this, port, factory, tlsOptions, options);
  }

  /** Connects over TLS, verifying the peer's chain and host name unless `dangerouslyDisableVerification` is set. */
  connectSSL(host: string, port: number, factory: IClientFactory, tlsOptions: TLSOptions, options?: ConnectOptions): IConnector {
    return connectSSL(this, host, port, factory, tlsOptions, options);
  }

  /** Listens on a Unix socket path. */
  listenUNIX(path: string, factory: IProtocolFactory, options?: UNIXListenOptions): IListeningPort {
    return listenUNIX(this, path, factory, options);
  }

  /** Connects to a Unix socket path. */
  connectUNIX(path: string, factory: IClientFactory, options?: UNIXConnectOptions): IConnector {
    return connectUNIX(this, path, factory, options);
  }

  // ------------------------------------------------------------ datagrams and processes (./udp.ts, ./multicast.ts, ./process.ts)

  /** Listens for UDP datagrams (see `./udp.ts`). */
  listenUDP(port: number, protocol: IDatagramProtocol, options?: UDPOptions): UDPPort {
    return listenUDP(this, port, protocol, options);
  }

  /** Listens for multicast datagrams (see `./multicast.ts`). */
  listenMulticast(port: number, protocol: IDatagramProtocol, options?: MulticastOptions): MulticastPort {
    return listenMulticast(this, port, protocol, options);
  }

  /** Spawns a child process; `args[0]` is the program's name (see `./process.ts`). */
  spawnProcess(protocol: IProcessProtocol, executable: string, args: readonly string[], options?: ProcessOptions): ProcessTransport {
    return spawnProcess(this, protocol, executable, args, options);
  }
}

/** The default reactor on Node's event loop, installed as the environment's when this module loads. */
export const reactor = new NodeReactor();
installReactor(reactor);
