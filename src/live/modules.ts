/**
 * Compiles the browser side for pages: the client runtime (from `client/index.ts` under tsx, or the built
 * `client/index.js` next to this file in `dist/`), and each widget module, as ES modules for the browser.
 * Widget modules keep `torsion/live/client` as an import, which the page's import map points at the
 * runtime, so every widget shares one runtime. Results are cached for the life of the process.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

/** The bare specifier widget modules import the runtime by. */
export const RUNTIME_SPECIFIER = 'torsion/live/client';

function runtimeEntry(): string {
  for (const ext of ['ts', 'js']) {
    const path = fileURLToPath(new URL(`./client/index.${ext}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('torsion/live: cannot find the client runtime (client/index.ts or client/index.js)');
}

const CLIENT_INDEX = runtimeEntry();
const CLIENT_BASE = join(dirname(CLIENT_INDEX), 'index');

/** Turns imports of the client runtime (by package name or by a relative path to its index) into the bare specifier. */
const runtimeExternal: Plugin = {
  name: 'torsion-live-runtime',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.path === RUNTIME_SPECIFIER) return { path: RUNTIME_SPECIFIER, external: true };
      if (args.path.startsWith('.') && args.resolveDir) {
        const abs = resolve(args.resolveDir, args.path).replace(/\.(js|ts|mjs|mts)$/, '');
        if (abs === CLIENT_BASE) return { path: RUNTIME_SPECIFIER, external: true };
      }
      return undefined;
    });
  },
};

async function compile(entry: string, plugins: Plugin[]): Promise<string> {
  // Loaded on first use: a server that never serves a page does not need esbuild installed.
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return out.outputFiles[0]!.text;
}

let runtime: Promise<string> | undefined;
const modules = new Map<string, Promise<string>>();

/** The client runtime as one ES module (compiled once per process). */
export function compileRuntime(): Promise<string> {
  runtime ??= compile(CLIENT_INDEX, []);
  runtime.catch(() => (runtime = undefined));
  return runtime;
}

/** A widget module as an ES module importing the runtime by {@link RUNTIME_SPECIFIER} (compiled once per file). */
export function compileWidgetModule(source: string | URL): Promise<string> {
  const path = typeof source === 'string' && !source.startsWith('file:') ? resolve(source) : fileURLToPath(source);
  let p = modules.get(path);
  if (p === undefined) {
    p = compile(path, [runtimeExternal]);
    modules.set(path, p);
    p.catch(() => modules.delete(path));
  }
  return p;
}
