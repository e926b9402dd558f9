/**
 * Which JavaScript runtime this is, for messages that name what a runtime lacks. Torsion runs on Node,
 * Deno and Bun through their Node APIs (docs/runtimes.md); code asks for a capability where it can and
 * for the runtime only to say why something is missing.
 * @module
 */

/** The runtimes Torsion runs on. */
export type RuntimeName = 'node' | 'deno' | 'bun';

interface RuntimeGlobals {
  Deno?: { version: { deno: string } };
  Bun?: { version: string };
}

/** The runtime running this code. */
export function runtimeName(): RuntimeName {
  const g = globalThis as RuntimeGlobals;
  if (g.Deno) return 'deno';
  if (g.Bun) return 'bun';
  return 'node';
}

/** The runtime and its version, as people write it: `Node 20.19.0`, `Deno 2.9.6`, `Bun 1.4.4`. */
export function runtimeDescription(): string {
  const g = globalThis as RuntimeGlobals;
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  return `Node ${process.versions.node}`;
}
