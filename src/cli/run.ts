/**
 * The `torsion` command: `torsion [--log-level L] [--log-format F] <plugin> [--option value...]` builds the
 * plugin's service and runs it on the reactor until SIGINT or SIGTERM, then stops it cleanly (ports closed,
 * 'before shutdown' triggers awaited). `torsion --version` prints the package's version.
 * @module
 */
import { readFileSync } from 'node:fs';
import { maybeDeferred, type Failure } from '../defer/index.js';
import { reactor as defaultReactor, type NodeReactor } from '../internet/index.js';
import { Logger, globalLogBeginner, type LogOutput } from '../logger/index.js';
import { AUTH_HELP, commandHelp, getPlugin, getPlugins, parseOptions, pluginHelp, takesAuth, UsageError, type IService, type PluginOption, type PluginOptions } from '../app/index.js';
import cluster from 'node:cluster';
import { COMMAND_OPTIONS, logObserver, logSettings } from './logging.js';
import { WORKER_LIMITS } from './limits.js';
import { WorkerBusHost } from '../bus/index.js';
import { announceReady, drainConnections, parseWorkers, primaryCaughtUp, WorkerSupervisor } from './workers.js';
import { loadApplicationPlugins } from './plugins.js';

const log = new Logger({ namespace: 'torsion.cli' });

/** Exit statuses, as sysexits(3) names them. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 64;

/** Where the command writes: help to `stdout`, logs and errors to `stderr`. */
export interface CommandIO {
  stdout: LogOutput;
  stderr: LogOutput;
}

/** The version in the package's `package.json` (two folders up, from `src/cli` as from `dist/cli`). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return String(pkg.version);
}

/** How many leading arguments are the command's own options (before the plugin name). */
function commandPrefix(argv: readonly string[]): number {
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) {
    const arg = argv[i];
    const takesValue = !arg.includes('=') && COMMAND_OPTIONS.some((o) => `--${o.name}` === arg && o.type !== 'boolean');
    i += takesValue ? 2 : 1;
  }
  return i;
}

/**
 * Runs the command line `argv` (without `node` and the script) and resolves with the exit status.
 * The service runs on `reactor` until it stops.
 */
export async function main(argv: readonly string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr }, reactor: NodeReactor = defaultReactor): Promise<number> {
  const prefix = commandPrefix(argv);
  const own = argv.slice(0, prefix);
  if (own.includes('--version') || own.includes('-V')) {
    io.stdout.write(`torsion ${packageVersion()}\n`);
    return EXIT_OK;
  }
  await loadApplicationPlugins();
  const [name, ...rest] = argv.slice(prefix);
  if (name === undefined || own.includes('--help') || own.includes('-h')) {
    io.stdout.write(commandHelp(getPlugins(), 'torsion', COMMAND_OPTIONS));
    return name === undefined && !own.includes('--help') && !own.includes('-h') ? EXIT_USAGE : EXIT_OK;
  }
  let before: PluginOptions;
  try {
    before = parseOptions(COMMAND_OPTIONS, own);
  } catch (e) {
    io.stderr.write(`torsion: ${(e as Error).message}\n\n${commandHelp(getPlugins(), 'torsion', COMMAND_OPTIONS)}`);
    return EXIT_USAGE;
  }
  const plugin = getPlugin(name);
  if (plugin === undefined) {
    io.stderr.write(`torsion: unknown plugin ${JSON.stringify(name)}\n\n${commandHelp(getPlugins(), 'torsion', COMMAND_OPTIONS)}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(pluginHelp(plugin, 'torsion', COMMAND_OPTIONS));
    return EXIT_OK;
  }
  if (rest.includes('--help-auth') && takesAuth(plugin.options)) {
    io.stdout.write(AUTH_HELP);
    return EXIT_OK;
  }
  // Given again after the plugin name, a command option wins over its value before it.
  const common: PluginOption[] = COMMAND_OPTIONS.map((o) => ({ ...o, default: before[o.name] as string }));
  let service: IService;
  try {
    const options = parseOptions([...plugin.options, ...common], rest);
    globalLogBeginner.beginLoggingTo([logObserver(logSettings(options), io.stderr)]);
    const workers = parseWorkers(options.workers);
    if (workers > 1 && cluster.isPrimary) return await runWorkers(plugin.name, workers, reactor);
    service = await plugin.makeService(options, { reactor });
  } catch (e) {
    const usage = e instanceof UsageError;
    io.stderr.write(`torsion ${plugin.name}: ${(e as Error).message}\n${usage ? `\n${pluginHelp(plugin, 'torsion', COMMAND_OPTIONS)}` : ''}`);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }

  let status = EXIT_OK;
  reactor.addSystemEventTrigger('before', 'shutdown', () => {
    log.info('stopping {plugin}', { plugin: plugin.name });
    const stopped = service.running ? service.stopService() : undefined;
    // A worker being drained or rolled over lets the requests it already accepted finish.
    if (!cluster.isWorker) return stopped;
    return Promise.resolve(stopped)
      .then(() => primaryCaughtUp(reactor, WORKER_LIMITS.drainTime))
      .then(() => drainConnections(reactor, reactor.resources, WORKER_LIMITS.drainTime));
  });
  reactor.callWhenRunning(() => {
    log.info('starting {plugin} (pid {pid})', { plugin: plugin.name, pid: process.pid });
    maybeDeferred(() => service.privilegedStartService())
      .addCallback(() => service.startService())
      .addCallback(() => announceReady())
      .addErrback((f: Failure) => {
        log.failure('{plugin} could not start', f, { plugin: plugin.name }, 'critical');
        status = EXIT_FAILURE;
        if (reactor.running) reactor.stop();
      });
  });
  await reactor.run();
  log.info('{plugin} stopped', { plugin: plugin.name });
  return status;
}

/**
 * The primary process of `--workers N`: forks the workers (each runs this command again and the plugin's
 * service), replaces those that die, rolls them over on SIGHUP and drains them on SIGTERM/SIGINT.
 */
async function runWorkers(plugin: string, count: number, reactor: NodeReactor): Promise<number> {
  // The workers' bus (for plugins that share state between workers, such as words without Redis).
  const bus = new WorkerBusHost(reactor);
  const supervisor = new WorkerSupervisor(count, reactor, {}, () => {
    const worker = cluster.fork();
    bus.attach(worker);
    return worker;
  });
  let status = EXIT_OK;
  const onHangUp = (): void => {
    supervisor.rollingRestart().catch((e: unknown) => log.error('rolling restart stopped: {error}', { error: String(e) }));
  };
  process.on('SIGHUP', onHangUp);
  reactor.addSystemEventTrigger('before', 'shutdown', () => supervisor.stop());
  reactor.callWhenRunning(() => {
    supervisor.start().then(
      () => log.info('{count} workers of {plugin} ready (primary pid {pid})', { count, plugin, pid: process.pid }),
      (e: unknown) => {
        log.critical('{plugin} workers could not start: {error}', { plugin, error: String(e) });
        status = EXIT_FAILURE;
        // A SIGTERM while starting already stops the reactor (and fails the start); only stop it otherwise.
        if (!supervisor.stopping) reactor.stop();
      },
    );
  });
  try {
    await reactor.run();
  } finally {
    process.off('SIGHUP', onHangUp);
  }
  log.info('{plugin} workers stopped', { plugin });
  return status;
}
