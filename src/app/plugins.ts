/**
 * The plugin registry the `torsion` command reads: each plugin is a subcommand (`torsion echo`, ...).
 * @module
 */
import type { Plugin } from './interfaces.js';
import { TorsionError } from '../errors/index.js';

const registry = new Map<string, Plugin>();

/** A plugin named like one already registered. */
export class DuplicatePluginError extends TorsionError {
  override readonly code = 'TORSION_DUPLICATE_PLUGIN';
  override name = 'DuplicatePluginError';
}

/**
 * Adds a subcommand to the `torsion` command. Names are unique.
 *
 * @example
 * registerPlugin({ name: 'echo', description: 'An echo server', options: [...], makeService: (o) => ... });
 */
export function registerPlugin(plugin: Plugin): void {
  if (!/^[a-z][a-z0-9-]*$/.test(plugin.name)) throw new TypeError(`plugin name ${JSON.stringify(plugin.name)} must be lower-case letters, digits and dashes`);
  if (registry.has(plugin.name)) throw new DuplicatePluginError(`a plugin named ${JSON.stringify(plugin.name)} is already registered`);
  registry.set(plugin.name, plugin);
}

/** Removes a plugin (tests register throwaway ones). */
export function unregisterPlugin(name: string): boolean {
  return registry.delete(name);
}

/** Every registered plugin, sorted by name. */
export function getPlugins(): Plugin[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The plugin called `name`, if registered. */
export function getPlugin(name: string): Plugin | undefined {
  return registry.get(name);
}
