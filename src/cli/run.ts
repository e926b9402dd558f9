/**
 * The `torsion` command: `torsion <plugin> [--option value...]` builds the plugin's service and runs it on
 * the reactor until SIGINT or SIGTERM, then stops it cleanly (ports closed, 'before shutdown' triggers awaited).
 * @module
 */
import { maybeDeferred, type Failure } from '../defer/index.js';
import { reactor as defaultReactor, type NodeReactor } from '../internet/index.js';
import { Logger, globalLogBeginner, textFileLogObserver, type LogOutput } from '../logger/index.js';
import { commandHelp, getPlugin, getPlugins, parseOptions, pluginHelp, UsageError, type IService } from '../app/index.js';
import './plugins.js';

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

/**
 * Runs the command line `argv` (without `node` and the script) and resolves with the exit status.
 * The service runs on `reactor` until it stops.
 */
export async function main(argv: readonly string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr }, reactor: NodeReactor = defaultReactor): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout.write(commandHelp(getPlugins()));
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const plugin = getPlugin(name);
  if (plugin === undefined) {
    io.stderr.write(`torsion: unknown plugin ${JSON.stringify(name)}\n\n${commandHelp(getPlugins())}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(pluginHelp(plugin));
    return EXIT_OK;
  }
  let service: IService;
  try {
    const options = parseOptions(plugin.options, rest);
    service = await plugin.makeService(options, { reactor });
  } catch (e) {
    const usage = e instanceof UsageError;
    io.stderr.write(`torsion ${plugin.name}: ${(e as Error).message}\n${usage ? `\n${pluginHelp(plugin)}` : ''}`);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }

  globalLogBeginner.beginLoggingTo([textFileLogObserver(io.stderr)]);
  let status = EXIT_OK;
  reactor.addSystemEventTrigger('before', 'shutdown', () => {
    log.info('stopping {plugin}', { plugin: plugin.name });
    return service.running ? service.stopService() : undefined;
  });
  reactor.callWhenRunning(() => {
    log.info('starting {plugin} (pid {pid})', { plugin: plugin.name, pid: process.pid });
    maybeDeferred(() => service.privilegedStartService())
      .addCallback(() => service.startService())
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
