/**
 * The browser side for pages: the client runtime and each widget module, as ES modules for the browser.
 * Widget modules keep `torsion/live/client` as an import, which the page's import map points at the
 * runtime, so every widget shares one runtime. Results are cached for the life of the process.
 *
 * The runtime ships prebuilt: `npm run build` writes {@link RUNTIME_BUNDLE} next to this file in `dist/`,
 * so serving it needs no compiler. Widget modules are the application's own TypeScript and are compiled on
 * first request with `esbuild`, an optional peer dependency (see {@link loadEsbuild}). Run from the
 * sources (under tsx) there is no prebuilt runtime, and it is compiled from `client/index.ts` instead.
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { loadEsbuild, type EsbuildApi } from './esbuild.js';

/** The bare specifier widget modules import the runtime by. */
export const RUNTIME_SPECIFIER = 'torsion/live/client';

/** Where `npm run build` writes the bundled client runtime (next to this module in `dist/`). */
export const RUNTIME_BUNDLE = new URL('./client-runtime.js', import.meta.url);

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

async function compile(esbuild: () => Promise<EsbuildApi>, entry: string, plugins: Plugin[]): Promise<string> {
  const { build } = await esbuild();
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
  return out.outputFiles![0]!.text;
}

/**
 * The client runtime compiled from its sources into one ES module, whatever prebuilt bundle exists: what
 * `npm run build` writes to {@link RUNTIME_BUNDLE}.
 */
export function bundleRuntime(esbuild: () => Promise<EsbuildApi> = loadEsbuild): Promise<string> {
  return compile(esbuild, CLIENT_INDEX, []);
}

/** Options of {@link createModuleCompiler}; the defaults are what a `LivePage` uses. */
export interface ModuleCompilerOptions {
  /** The prebuilt runtime, served as it is when the file exists (default {@link RUNTIME_BUNDLE}). */
  runtimeBundle?: URL;
  /** Loads the compiler (default {@link loadEsbuild}: the `esbuild` package, imported on first use). */
  loadEsbuild?: () => Promise<EsbuildApi>;
}

/** Compiles (or reads) browser code, caching each result for the life of the compiler. */
export interface ModuleCompiler {
  /** The client runtime as one ES module. */
  compileRuntime(): Promise<string>;
  /** A widget module as an ES module importing the runtime by {@link RUNTIME_SPECIFIER}. */
  compileWidgetModule(source: string | URL): Promise<string>;
}

/** A {@link ModuleCompiler}. Failures are not cached: the next request tries again. */
export function createModuleCompiler(options: ModuleCompilerOptions = {}): ModuleCompiler {
  const bundle = options.runtimeBundle ?? RUNTIME_BUNDLE;
  const esbuild = options.loadEsbuild ?? (() => loadEsbuild());
  let runtime: Promise<string> | undefined;
  const modules = new Map<string, Promise<string>>();
  return {
    compileRuntime() {
      runtime ??= existsSync(bundle) ? readFile(bundle, 'utf8') : bundleRuntime(esbuild);
      runtime.catch(() => (runtime = undefined));
      return runtime;
    },
    compileWidgetModule(source) {
      const path = typeof source === 'string' && !source.startsWith('file:') ? resolve(source) : fileURLToPath(source);
      let p = modules.get(path);
      if (p === undefined) {
        p = compile(esbuild, path, [runtimeExternal]);
        modules.set(path, p);
        p.catch(() => modules.delete(path));
      }
      return p;
    },
  };
}

const shared = createModuleCompiler();

/** The client runtime as one ES module: the prebuilt bundle, or compiled once per process from the sources. */
export function compileRuntime(): Promise<string> {
  return shared.compileRuntime();
}

/** A widget module as an ES module importing the runtime by {@link RUNTIME_SPECIFIER} (compiled once per file). */
export function compileWidgetModule(source: string | URL): Promise<string> {
  return shared.compileWidgetModule(source);
}
