/**
 * Command-line options of plugins: parsing `--name value` lists and writing `--help` text.
 * @module
 */
import type { Plugin, PluginOption, PluginOptions } from './interfaces.js';
import { TorsionError } from '../errors/index.js';

/** A command line that does not fit a plugin's options; the message says what is wrong. */
export class UsageError extends TorsionError {
  override readonly code = 'TORSION_USAGE';
  override name = 'UsageError';
}

function find(options: readonly PluginOption[], arg: string): PluginOption | undefined {
  if (arg.startsWith('--')) return options.find((o) => o.name === arg.slice(2));
  return options.find((o) => o.short !== undefined && `-${o.short}` === arg);
}

/**
 * Parses `argv` (after the plugin name) against `options`: `--name value`, `--name=value`, `-n value`,
 * `--flag`, repeated `multiple` options collected in order. Defaults fill what is missing.
 * Throws `UsageError` for an unknown option, a missing value, a bad number or a missing required option.
 */
export function parseOptions(options: readonly PluginOption[], argv: readonly string[]): PluginOptions {
  const out: PluginOptions = {};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const opt = find(options, arg);
    if (opt === undefined) throw new UsageError(`unknown option ${arg}`);
    let value: string | number | boolean;
    if (opt.type === 'boolean') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) throw new UsageError(`--${opt.name} is a flag: it takes no value (or true/false)`);
      value = inline !== 'false';
    } else {
      const raw = inline ?? argv[++i];
      if (raw === undefined) throw new UsageError(`--${opt.name} needs a value`);
      if (opt.type === 'number') {
        value = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${opt.name} needs a number, got ${JSON.stringify(raw)}`);
      } else value = raw;
    }
    if (opt.multiple) {
      const list = (out[opt.name] as string[] | undefined) ?? [];
      list.push(String(value));
      out[opt.name] = list;
    } else out[opt.name] = value;
  }
  for (const opt of options) {
    if (out[opt.name] !== undefined) continue;
    if (opt.default !== undefined) out[opt.name] = Array.isArray(opt.default) ? [...(opt.default as readonly string[])] : (opt.default as string | number | boolean);
    else if (opt.required) throw new UsageError(`--${opt.name} is required`);
    else if (opt.type === 'boolean') out[opt.name] = false;
    else if (opt.multiple) out[opt.name] = [];
  }
  return out;
}

function optionRows(options: readonly PluginOption[]): [string, string][] {
  return options.map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.type === 'boolean' ? '' : ` <${o.metavar ?? o.type ?? 'value'}>`}`;
    const notes = [o.multiple ? 'may repeat' : '', o.required ? 'required' : '', o.default !== undefined ? `default: ${[o.default].flat().join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    return [flag, notes ? `${o.description} (${notes})` : o.description];
  });
}

function table(rows: [string, string][], width: number): string[] {
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

/**
 * `--help` text for one plugin: its options, then the command's own options (`common`, which every
 * plugin accepts too), then the plugin's epilog.
 */
export function pluginHelp(plugin: Plugin, command = 'torsion', common: readonly PluginOption[] = []): string {
  const lines = [`Usage: ${command} ${plugin.name} [options]`, '', plugin.description, '', 'Options:'];
  const rows = optionRows(plugin.options);
  rows.push(['--help', 'Show this help']);
  const commonRows = optionRows(common);
  const width = Math.max(...[...rows, ...commonRows].map((r) => r[0].length));
  lines.push(...table(rows, width));
  if (commonRows.length > 0) lines.push('', 'Common options (every plugin takes them):', ...table(commonRows, width));
  if (plugin.epilog) lines.push('', plugin.epilog);
  return lines.join('\n') + '\n';
}

/** `--help` text for the command: its own options (`common`) and every plugin with its description. */
export function commandHelp(plugins: readonly Plugin[], command = 'torsion', common: readonly PluginOption[] = []): string {
  const lines = [`Usage: ${command} [options] <plugin> [plugin options]`, `       ${command} <plugin> --help`, '', 'Plugins:'];
  const width = Math.max(0, ...plugins.map((p) => p.name.length));
  for (const p of plugins) lines.push(`  ${p.name.padEnd(width)}  ${p.description}`);
  if (common.length > 0) {
    const rows = optionRows(common);
    lines.push('', 'Options (before or after the plugin name):', ...table(rows, Math.max(...rows.map((r) => r[0].length))));
  }
  return lines.join('\n') + '\n';
}
