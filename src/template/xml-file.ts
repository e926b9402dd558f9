/**
 * `XMLFile`: a template loaded from a file, parsed once and shared; in development mode the file is
 * checked on each load and parsed again when it changed.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Flattenable, ITemplateLoader } from './interfaces.js';
import { parseTemplate } from './xml.js';

/** Options of {@link XMLFile}. */
export interface XMLFileOptions {
  /**
   * Check the file's modification time and size on every load and parse it again when they changed.
   * Defaults to on when `NODE_ENV` is `development`.
   */
  reload?: boolean;
}

interface Parsed {
  mtimeMs: number;
  size: number;
  nodes: readonly Flattenable[];
}

/** Parsed templates by absolute path, shared by every loader of the same file. */
const cache = new Map<string, Parsed>();

/** True when `NODE_ENV` is `development`: templates from files reload when they change. */
export function isDevelopmentMode(): boolean {
  return typeof process !== 'undefined' && process.env.NODE_ENV === 'development';
}

function parseFile(path: string): Parsed {
  const st = statSync(path);
  const nodes = parseTemplate(readFileSync(path, 'utf8'), path);
  const parsed = { mtimeMs: st.mtimeMs, size: st.size, nodes };
  cache.set(path, parsed);
  return parsed;
}

class XMLFileLoader implements ITemplateLoader {
  readonly path: string;
  readonly reload: boolean;
  #parsed: Parsed | undefined;

  constructor(path: string, reload: boolean) {
    this.path = path;
    this.reload = reload;
  }

  load(): readonly Flattenable[] {
    let parsed = this.#parsed;
    if (parsed === undefined) {
      parsed = cache.get(this.path);
      if (parsed !== undefined && this.reload) parsed = this.#fresh(parsed);
      parsed ??= parseFile(this.path);
    } else if (this.reload) {
      parsed = this.#fresh(parsed);
    }
    this.#parsed = parsed;
    return parsed.nodes;
  }

  #fresh(parsed: Parsed): Parsed {
    const shared = cache.get(this.path) ?? parsed;
    const st = statSync(this.path);
    if (st.mtimeMs === shared.mtimeMs && st.size === shared.size) return shared;
    return parseFile(this.path);
  }

  toString(): string {
    return `XMLFile(${this.path})`;
  }
}

/**
 * A loader for a template file (a path or a `file:` URL). The file is read and parsed on the first
 * `load()`; a syntax error names the file, line and column.
 *
 * @example
 * class Page extends Element {
 *   static override loader = XMLFile(new URL('./page.xml', import.meta.url));
 * }
 */
export function XMLFile(path: string | URL, options: XMLFileOptions = {}): ITemplateLoader {
  const file = resolve(typeof path === 'string' ? path : fileURLToPath(path));
  return new XMLFileLoader(file, options.reload ?? isDevelopmentMode());
}
