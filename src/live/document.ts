/**
 * The HTML document around a live page's root element: the import map that names the runtime, the boot
 * data, and the module script that connects.
 * @module
 */
import { raw, tags, type Flattenable } from '../template/index.js';
import type { BootData } from './interfaces.js';
import { RUNTIME_SPECIFIER } from './modules.js';

/** The pieces a live page's document is made of; a custom `document` option arranges them. */
export interface LiveDocumentParts {
  /** The page title. */
  title: string;
  /** What must go in `<head>`: the import map, the boot data and the script that connects. */
  head: Flattenable;
  /** The rendered root element. */
  body: Flattenable;
}

/** JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`). */
export function scriptJSON(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The `<head>` pieces for a page booting from `boot`. */
export function liveHead(boot: BootData): Flattenable {
  return [
    tags.script({ type: 'importmap' }, raw(scriptJSON({ imports: { [RUNTIME_SPECIFIER]: `${boot.base}runtime.js` } }))),
    tags.script({ type: 'application/json', id: 'torsion-live-boot' }, raw(scriptJSON(boot))),
    tags.script({ type: 'module' }, raw(`import { connect } from '${RUNTIME_SPECIFIER}'; connect();`)),
  ];
}

/** The default document: a plain HTML5 page with the title, the live head and the body. */
export function defaultDocument(parts: LiveDocumentParts): Flattenable {
  return tags.html(
    tags.head(tags.meta({ charset: 'utf-8' }), tags.meta({ name: 'viewport', content: 'width=device-width, initial-scale=1' }), tags.title(parts.title), parts.head),
    tags.body(parts.body),
  );
}
