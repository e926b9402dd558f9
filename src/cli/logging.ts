/**
 * The command's own options, which every plugin accepts too: `--log-level`, `--log-format` and `--workers`,
 * and the log observer they describe. Debug lines are left out unless asked for.
 * @module
 */
import { UsageError, type PluginOption, type PluginOptions } from '../app/index.js';
import { FilteringLogObserver, LogLevelFilterPredicate, jsonFileLogObserver, parseLogLevel, textFileLogObserver, type LogObserver, type LogOutput } from '../logger/index.js';

/** The options of the `torsion` command itself, given before or after the plugin name. */
export const COMMAND_OPTIONS: readonly PluginOption[] = [
  {
    name: 'log-level',
    description: 'Least severe events logged: debug, info, warn, error or critical; NAMESPACE=LEVEL for one namespace (info,torsion.web=debug)',
    default: 'info',
    metavar: 'level',
  },
  { name: 'log-format', description: 'text (one line per event) or json (one JSON object per line)', default: 'text', metavar: 'format' },
  { name: 'workers', description: 'Worker processes serving the same endpoints (a number, or auto for one per CPU)', default: '1', metavar: 'N' },
];

/** What the logging options ask for. */
export interface LogSettings {
  levels: LogLevelFilterPredicate;
  format: 'text' | 'json';
}

/** Reads `--log-level` and `--log-format` from parsed options; a bad value is a `UsageError`. */
export function logSettings(options: PluginOptions): LogSettings {
  const levels = new LogLevelFilterPredicate('info');
  for (const part of String(options['log-level'] ?? 'info').split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    try {
      if (eq === -1) levels.defaultLogLevel = parseLogLevel(item);
      else levels.setLogLevelForNamespace(item.slice(0, eq).trim(), parseLogLevel(item.slice(eq + 1).trim()));
    } catch (e) {
      throw new UsageError(`--log-level: ${(e as Error).message}`);
    }
  }
  const format = String(options['log-format'] ?? 'text');
  if (format !== 'text' && format !== 'json') throw new UsageError(`--log-format takes text or json, not ${JSON.stringify(format)}`);
  return { levels, format };
}

/** The observer the command logs to: `output`, in the format asked for, filtered by level. */
export function logObserver(settings: LogSettings, output: LogOutput): LogObserver {
  const sink = settings.format === 'json' ? jsonFileLogObserver(output) : textFileLogObserver(output);
  return new FilteringLogObserver(sink, [settings.levels]);
}
