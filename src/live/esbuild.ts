/**
 * `esbuild` is an optional peer dependency of Torsion: the client runtime ships prebuilt in `dist/`, and
 * only compiling widget modules (TypeScript written by the application) needs the compiler. It is loaded
 * here, on first use, so an install without it works until a page serves a widget module.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/**
 * The part of the `esbuild` module the live layer uses. Written out rather than imported from esbuild's
 * types, so Torsion's declarations do not need esbuild installed either.
 */
export interface EsbuildApi {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[] }>;
}

/** Imports a module by specifier (the dynamic `import()`, replaced in tests). */
export type Importer = (specifier: string) => Promise<unknown>;

/** Widget modules need the `esbuild` package, and it is not installed. */
export class EsbuildNotInstalledError extends TorsionError {
  override name = 'EsbuildNotInstalledError';
  override readonly code = 'TORSION_LIVE_ESBUILD_NOT_INSTALLED';
  /** The npm package to install. */
  readonly packageName = 'esbuild';
  constructor(options?: { cause?: unknown }) {
    super('torsion/live compiles widget modules with the npm package "esbuild", which is not installed: npm install esbuild', options);
  }
}

/**
 * Imports `esbuild`, failing with {@link EsbuildNotInstalledError} when the package cannot be found; any
 * other failure (a broken install, a missing native binary) passes through unchanged.
 */
export async function loadEsbuild(importer: Importer = (s) => import(s)): Promise<EsbuildApi> {
  let mod: Partial<EsbuildApi> & { default?: EsbuildApi };
  try {
    mod = (await importer('esbuild')) as typeof mod;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new EsbuildNotInstalledError({ cause: e });
    throw e;
  }
  return (mod.build ? mod : mod.default) as EsbuildApi;
}
